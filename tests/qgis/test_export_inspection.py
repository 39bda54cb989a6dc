"""linzhang:exportinspection through real Processing on the demo district: the verification ledger and one
evidence sheet (PDF) per spot, what the sheets say, what their image chips show, and bad input."""
from __future__ import annotations

import os
import re
import sqlite3
import unicodedata
import zlib

import pytest

openpyxl = pytest.importorskip("openpyxl")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsRasterLayer,
)
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402

FOREST_SUBSET = "land_class IN ('0111','0131','0301','0302','0305','0307')"
VERIFIED = {"status": "determined", "determination": "illegal", "verified_cause": 42, "inspector": "王芳",
            "verify_date": "2026-11-02", "patrol_missed": 1}


@pytest.fixture(scope="module")
def district(tmp_path_factory, processing_framework):
    """The demo district with its change spots in the workspace; the first spot verified, with two
    history rows."""
    from linzhang_qgis.core.demo import generate_demo
    from linzhang_qgis.provider import LinzhangProvider

    demo = generate_demo(str(tmp_path_factory.mktemp("inspection") / "district"))
    registry = QgsApplication.processingRegistry()
    provider = LinzhangProvider()
    assert registry.addProvider(provider)
    try:
        gpkg = demo.gpkg_path
        processing_framework.run("linzhang:detectforestloss", {
            "BEFORE": demo.before_path, "AFTER": demo.after_path, "CLOUD_MASK": demo.cloud_mask_path,
            "FOREST": f"{gpkg}|layername=forest_stands|subset={FOREST_SUBSET}",
            "AREAS": f"{gpkg}|layername=resp_areas", "WORKSPACE": gpkg, "OUTPUT": "TEMPORARY_OUTPUT"})
    finally:
        registry.removeProvider(provider)
    with sqlite3.connect(gpkg) as db:
        numbers = [row[0] for row in db.execute("SELECT spot_no FROM change_spots ORDER BY spot_no")]
        assert len(numbers) >= 10
        db.executemany("INSERT INTO spot_history (spot_no, changed_at, changed_by, old_status, new_status, changes, "
                       "note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(numbers[0], "2026-10-30T08:00:00Z", "王芳", "issued", "interpreted", None, "判读"),
                        (numbers[0], "2026-11-02T10:15:00Z", "王芳", "field_verified", "determined",
                         '{"determination": [null, "illegal"]}', "现地核实")])
    from osgeo import ogr  # the GeoPackage's triggers need GDAL's SQL functions

    dataset = ogr.Open(gpkg, 1)
    dataset.ExecuteSQL("UPDATE change_spots SET {} WHERE spot_no = '{}'".format(
        ", ".join(f"{key} = {value!r}" for key, value in VERIFIED.items()), numbers[0]))
    dataset = None
    return demo, numbers


def export(processing, demo, **parameters) -> dict:
    return processing.run("linzhang:exportinspection", dict({"WORKSPACE": demo.gpkg_path}, **parameters))


# --- reading PDFs without poppler's tools: pages and the text through the fonts' ToUnicode maps ----------

def pdf_objects(data: bytes) -> dict[int, bytes]:
    """Object number → body; a later definition (an incremental update) replaces an earlier one."""
    return {int(number): body for number, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}


def pdf_stream(body: bytes) -> bytes:
    head, _, rest = body.partition(b"stream")
    rest = rest[2:] if rest.startswith(b"\r\n") else rest[1:]
    raw = rest[:rest.rindex(b"endstream")]
    return zlib.decompressobj().decompress(raw) if b"/FlateDecode" in head else raw


def pdf_page_count(data: bytes) -> int:
    return sum(1 for body in pdf_objects(data).values() if re.search(rb"/Type\s*/Page(?!s)\b", body))


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be")


def to_unicode(cmap: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for source, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(source, 16)] = _utf16(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)",
                                            block):
            low, high = int(low, 16), int(high, 16)
            if target.startswith(b"["):
                for offset, item in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", target)):
                    mapping[low + offset] = _utf16(item)
            else:
                start = int(target[1:-1], 16)
                for offset in range(high - low + 1):
                    mapping[low + offset] = chr(start + offset)
    return mapping


def pdf_text(path: str) -> str:
    """The text drawn on the pages (Identity-H fonts, as Qt writes them), one line per text object."""
    with open(path, "rb") as handle:
        objects = pdf_objects(handle.read())
    lines = []
    for body in objects.values():
        if not re.search(rb"/Type\s*/Page(?!s)\b", body):
            continue
        resources = objects[int(re.search(rb"/Resources (\d+) 0 R", body).group(1))]
        fonts = {}
        font_dict = re.search(rb"/Font\s*<<(.*?)>>", resources, re.S)
        for name, number in re.findall(rb"/(\w+) (\d+) 0 R", font_dict.group(1) if font_dict else b""):
            unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)])
            fonts[name] = to_unicode(pdf_stream(objects[int(unicode_ref.group(1))])) if unicode_ref else {}
        content = pdf_stream(objects[int(re.search(rb"/Contents (\d+) 0 R", body).group(1))])
        font, line = {}, ""
        for match in re.finditer(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj|\[(.*?)\]\s*TJ|\bET\b", content, re.S):
            if match.group(1):
                font = fonts.get(match.group(1), {})
            elif match.group(2) is not None or match.group(3) is not None:
                codes = match.group(2) if match.group(2) is not None else b"".join(
                    re.findall(rb"<([0-9A-Fa-f]*)>", match.group(3)))
                line += "".join(font.get(int(codes[i:i + 4], 16), "?") for i in range(0, len(codes), 4))
            elif line:
                lines.append(line)
                line = ""
    return "\n".join(lines)


# Qt's PDF writer maps a glyph shared by an ideograph and a radical to the radical (示 → ⽰, 长 → ⻓): the
# page shows the ideograph, the text layer the radical. NFKC folds the Kangxi radicals; these the rest.
RADICALS = str.maketrans("⻅⻋⻉⻓⻔⻚⻛⻜⻢⻥⻦⻨⻩⻬⻮⻰", "见车贝长门页风飞马鱼鸟麦黄齐齿龙")


def squeeze(text: str) -> str:
    """Text without white space, radicals folded to the ideographs they stand for."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


# --- the tests ----------------------------------------------------------------------------------------

def test_ledger_and_one_pdf_sheet_per_spot(processing, district, tmp_path):
    demo, numbers = district
    project_layers = len(QgsProject.instance().mapLayers())
    result = export(processing, demo, LEDGER=str(tmp_path / "核查台账.xlsx"), EVIDENCE_FOLDER=str(tmp_path / "evidence"),
                    BEFORE=demo.before_path, AFTER=demo.after_path)
    assert len(QgsProject.instance().mapLayers()) == project_layers  # nothing left in the user's project
    assert result["SHEETS"] == len(numbers) and result["LEDGER"] == str(tmp_path / "核查台账.xlsx")
    folder = tmp_path / "evidence"
    assert result["EVIDENCE_FOLDER"] == str(folder)
    assert sorted(os.listdir(folder)) == sorted(f"{number}.pdf" for number in numbers)  # no leftovers either

    for number in numbers:
        data = (folder / f"{number}.pdf").read_bytes()
        assert data.startswith(b"%PDF") and b"%%EOF" in data[-64:]
        assert pdf_page_count(data) == 1
        assert re.search(rb"/MediaBox \[\s*0 0 595", data)  # A4 portrait: 595 x 842 pt
    text = squeeze(pdf_text(str(folder / f"{numbers[0]}.pdf")))
    for needle in ("森林督查图斑核查取证表", numbers[0], "前时相2025-10-20", "后时相2026-10-18", "县(区)", "示范区",
                   "面积", "亩", "公顷", "认定结果", "违法", "核查状态", "认定", "核实变化原因", "42未审批使用林地",
                   "巡林未发现", "是", "责任林长", "核查轮次", "20261018", "生成日期", "现场核实意见"):
        assert squeeze(needle) in text, needle
    assert "无影像" not in text
    other = squeeze(pdf_text(str(folder / f"{numbers[1]}.pdf")))
    assert numbers[1] in other and "下发" in other and "未关联" in other and numbers[0] not in other

    workbook = openpyxl.load_workbook(tmp_path / "核查台账.xlsx")
    assert workbook.sheetnames == ["图斑台账", "按状态汇总", "核查记录"]
    sheet = workbook["图斑台账"]
    headers = [cell.value for cell in sheet[2]]
    rows = [dict(zip(headers, row)) for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert [row["监测编号"] for row in rows] == numbers
    first = rows[0]
    assert first["修改次数"] == 2 and first["核查状态"] == "认定" and first["认定结果"] == "违法"
    assert first["巡林未发现"] == "是" and first["核实变化原因"] == "42 未审批使用林地"
    assert all(row["修改次数"] == 0 and row["核查状态"] == "下发" for row in rows[1:])
    assert all(row["县(区)"] and row["村"] and row["面积(亩)"] > 0 for row in rows)
    history = list(workbook["核查记录"].iter_rows(min_row=3, values_only=True))
    assert len(history) == 2 and history[1][5] == "认定结果：（空） → 违法"


def test_pdf_chips_show_the_imagery(processing, district, tmp_path):
    """The PDF itself, rendered by GDAL (poppler): the chips hold imagery, not an empty box."""
    gdal = pytest.importorskip("osgeo.gdal")
    if gdal.GetDriverByName("PDF") is None:
        pytest.skip("GDAL has no PDF driver")
    from linzhang_qgis.qgis_glue import evidence

    demo, numbers = district
    export(processing, demo, EVIDENCE_FOLDER=str(tmp_path), SPOT_NOS=numbers[0],
           BEFORE=demo.before_path, AFTER=demo.after_path)
    dataset = gdal.OpenEx(str(tmp_path / f"{numbers[0]}.pdf"), open_options=["DPI=50"])
    pixels = dataset.ReadAsArray().astype(float)  # bands, rows, columns
    scale = 50 / 25.4
    for x, y, width, height in (evidence.BEFORE_CHIP, evidence.AFTER_CHIP):
        rows = slice(int((y + 3) * scale), int((y + height - 3) * scale))
        columns = slice(int((x + 3) * scale), int((x + width - 3) * scale))
        chip = pixels[:, rows, columns]
        assert chip.std() > 15, "an empty chip"
        assert chip[0].mean() > chip[1].mean()  # near-infrared false colour: vegetation is red


def test_rendered_chips_differ_inside_the_spot(district):
    from linzhang_qgis.processing_algorithms.export_inspection import ExportInspectionAlgorithm
    from linzhang_qgis.qgis_glue import evidence

    demo, _numbers = district
    spots, crs = ExportInspectionAlgorithm.read_spots(demo.gpkg_path)
    spot = max((s for s in spots if s["confidence"] == "highest"), key=lambda s: s["area_m2"])
    before, after = QgsRasterLayer(demo.before_path, "before"), QgsRasterLayer(demo.after_path, "after")
    evidence.style_imagery(before)
    evidence.style_imagery(after)
    folder = os.path.dirname(demo.gpkg_path)
    dpi = 100
    placement = evidence.export_evidence_image(spot, crs, before, after, os.path.join(folder, "sheet.png"), dpi)
    assert evidence.export_evidence_image(spot, crs, None, None, os.path.join(folder, "bare.png"), dpi) == placement
    image, blank = QImage(os.path.join(folder, "sheet.png")), QImage(os.path.join(folder, "bare.png"))
    assert abs(image.width() - 210 / 25.4 * dpi) < 1 and abs(image.height() - 297 / 25.4 * dpi) < 1  # A4

    extent = placement.extent
    assert extent.width() == pytest.approx(extent.height()) and extent.width() >= evidence.MIN_CHIP_M
    bbox = spot["geometry"].boundingBox()
    assert extent.contains(bbox)
    inside, distance = spot["geometry"].poleOfInaccessibility(1.0)
    point = inside.asPoint()
    px_per_m = evidence.CHIP_SIZE / extent.width() * dpi / 25.4
    radius = max(1, min(4, int(distance * px_per_m) - 2))

    def pixel(rect, x_m, y_m):
        x, y, width, height = rect
        return (round((x + (x_m - extent.xMinimum()) / extent.width() * width) * dpi / 25.4),
                round((y + (extent.yMaximum() - y_m) / extent.height() * height) * dpi / 25.4))

    def mean_colour(picture, rect) -> tuple[float, float, float]:
        cx, cy = pixel(rect, point.x(), point.y())
        colours = [QColor(picture.pixel(cx + dx, cy + dy)) for dx in range(-radius, radius + 1)
                   for dy in range(-radius, radius + 1)]
        return tuple(sum(getattr(c, part)() for c in colours) / len(colours) for part in ("red", "green", "blue"))

    def colours(picture, rect) -> int:
        """Distinct colours on a 60 × 60 grid over the chip."""
        x, y, width, height = (v * dpi / 25.4 for v in rect)
        return len({picture.pixel(int(x + i * width / 60), int(y + j * height / 60))
                    for i in range(1, 60) for j in range(1, 60)})

    assert colours(image, evidence.BEFORE_CHIP) > 300 and colours(image, evidence.AFTER_CHIP) > 300  # imagery
    forest, cleared = mean_colour(image, evidence.BEFORE_CHIP), mean_colour(image, evidence.AFTER_CHIP)
    assert sum(abs(a - b) for a, b in zip(forest, cleared)) > 60, (forest, cleared)
    assert forest[0] - forest[1] > 60  # before: forest, bright red in near-infrared false colour
    assert cleared[0] - cleared[1] < forest[0] - forest[1] - 40  # after: bare ground, much less red
    # without imagery the chip is the plain background inside the spot, and almost uniform
    assert mean_colour(blank, evidence.BEFORE_CHIP) == pytest.approx((238, 238, 238), abs=1)
    assert colours(blank, evidence.BEFORE_CHIP) < 60  # the background, the outline and its anti-aliasing


def test_spot_in_a_geographic_crs_is_drawn_in_metres_over_the_imagery(district, tmp_path):
    """Spots in CGCS2000 longitude/latitude over imagery in the Gauss-Kruger zone: the chips are drawn in the
    spot's UTM zone, still at least 300 m square, with the imagery reprojected under the spot."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform

    from linzhang_qgis.processing_algorithms.export_inspection import ExportInspectionAlgorithm
    from linzhang_qgis.qgis_glue import evidence

    demo, _numbers = district
    spots, crs = ExportInspectionAlgorithm.read_spots(demo.gpkg_path)
    geographic = QgsCoordinateReferenceSystem("EPSG:4490")
    spot = dict(spots[0])
    geometry = spot["geometry"]
    geometry.transform(QgsCoordinateTransform(crs, geographic, QgsProject.instance()))
    spot["geometry"] = geometry.asWkb()  # WKB is accepted too
    before = QgsRasterLayer(demo.before_path, "before")
    evidence.style_imagery(before)
    placement = evidence.export_evidence_image(spot, geographic, before, None, str(tmp_path / "geo.png"), 60)
    assert placement.map_crs.authid() == "EPSG:32650"  # 114.9°E, north: UTM zone 50N
    assert placement.extent.width() >= evidence.MIN_CHIP_M and placement.extent.width() < 2000
    assert evidence.covers(before, spot, geographic)
    image = QImage(str(tmp_path / "geo.png"))
    x, y, width, height = (v * 60 / 25.4 for v in evidence.BEFORE_CHIP)
    assert len({image.pixel(int(x + i * width / 30), int(y + j * height / 30))
                for i in range(1, 30) for j in range(1, 30)}) > 100  # imagery, not the empty background

def test_chosen_spots_without_imagery_say_so(processing, district, tmp_path):
    demo, numbers = district
    chosen = [numbers[3], numbers[1]]
    result = export(processing, demo, EVIDENCE_FOLDER=str(tmp_path / "sheets"), SPOT_NOS=f" {chosen[0]}，{chosen[1]} ")
    assert result["SHEETS"] == 2 and result["LEDGER"] is None
    assert sorted(os.listdir(tmp_path / "sheets")) == sorted(f"{n}.pdf" for n in chosen)
    text = squeeze(pdf_text(str(tmp_path / "sheets" / f"{chosen[0]}.pdf")))
    assert "无影像" in text and "未提供前、后时相影像" in text and chosen[0] in text


def test_ledger_of_chosen_spots_only(processing, district, tmp_path):
    demo, numbers = district
    result = export(processing, demo, LEDGER=str(tmp_path / "sub" / "ledger.xlsx"),
                    SPOT_NOS=f"{numbers[2]},{numbers[0]}")
    assert result["SHEETS"] == 0 and result["EVIDENCE_FOLDER"] is None
    rows = list(openpyxl.load_workbook(result["LEDGER"])["图斑台账"].iter_rows(min_row=3, values_only=True))
    assert sorted(row[0] for row in rows) == sorted([numbers[0], numbers[2]])
    assert os.listdir(tmp_path) == ["sub"] and os.listdir(tmp_path / "sub") == ["ledger.xlsx"]


def assert_fails(processing, parameters, tmp_path, *needles, feedback=None):
    outputs = {"LEDGER": str(tmp_path / "out" / "ledger.xlsx"), "EVIDENCE_FOLDER": str(tmp_path / "out" / "sheets")}
    with pytest.raises(QgsProcessingException) as raised:
        processing.run("linzhang:exportinspection", dict(outputs, **parameters), feedback=feedback)
    message = str(raised.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    for needle in needles:
        assert needle in message, message
    assert not os.path.exists(tmp_path / "out" / "ledger.xlsx") and not os.path.exists(tmp_path / "out" / "sheets")


def test_bad_input(processing, district, tmp_path):
    from osgeo import ogr

    from linzhang_qgis.core.workspace import create_workspace

    demo, numbers = district
    with pytest.raises(QgsProcessingException) as raised:  # neither output
        processing.run("linzhang:exportinspection", {"WORKSPACE": demo.gpkg_path})
    assert "请选择核查台账" in str(raised.value) and "Choose the verification ledger" in str(raised.value)

    plain = str(tmp_path / "plain.gpkg")  # a GeoPackage, but not a workspace
    ogr.GetDriverByName("GPKG").CreateDataSource(plain).CreateLayer("things")
    assert_fails(processing, {"WORKSPACE": plain}, tmp_path, "not a one-map workspace")

    empty = str(tmp_path / "empty.gpkg")
    create_workspace(empty)
    assert_fails(processing, {"WORKSPACE": empty}, tmp_path, "没有可导出的变化图斑", "has no change spots")

    assert_fails(processing, {"WORKSPACE": demo.gpkg_path, "SPOT_NOS": f"{numbers[0]}, NO-SUCH-1, NO-SUCH-2"},
                 tmp_path, "NO-SUCH-1、NO-SUCH-2", "has no spots numbered NO-SUCH-1, NO-SUCH-2")
    assert sorted(os.listdir(tmp_path)) == ["empty.gpkg", "plain.gpkg"]


def test_cancel_leaves_no_output(processing, district, tmp_path):
    demo, _numbers = district
    feedback = QgsProcessingFeedback()
    feedback.cancel()
    assert_fails(processing, {"WORKSPACE": demo.gpkg_path, "BEFORE": demo.before_path}, tmp_path, "已取消", "Canceled",
                 feedback=feedback)
    assert not os.path.exists(tmp_path / "out")



def test_sheet_names_are_safe_and_never_overwrite(district, tmp_path):
    from linzhang_qgis.processing_algorithms.export_inspection import ExportInspectionAlgorithm
    from linzhang_qgis.qgis_glue import evidence

    demo, _numbers = district
    spots, crs = ExportInspectionAlgorithm.read_spots(demo.gpkg_path)
    twins = [dict(spots[0], spot_no="A/B 1"), dict(spots[1], spot_no="A/B 1"), dict(spots[2], spot_no=None)]
    paths = evidence.export_evidence_sheets(twins, crs, None, None, str(tmp_path))
    assert [os.path.basename(path) for path in paths] == ["A_B_1.pdf", "A_B_1_2.pdf", "spot.pdf"]
    assert sorted(os.listdir(tmp_path)) == ["A_B_1.pdf", "A_B_1_2.pdf", "spot.pdf"]
