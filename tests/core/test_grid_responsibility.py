"""The 包山包人 responsibility list (core.grid.responsibility) on a hand-built grid whose answers are known.

The district (400 × 400 m) has two towns; the village 竹坑村 (V1, south-west) holds four zones on a 2 × 2
layout of 100 m squares (the south-east one stops 10 m short of the village's south edge, where a field
lies); the village 田坪村 (V3, north of it, another town) has one zone over the west half of V1's north edge;
桐坑村 (V2, east of V1, same town) has none.
"""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
from shapely.geometry import box

from linzhang_qgis.core.errors import InputDataError
from linzhang_qgis.core.grid import responsibility as resp

openpyxl = pytest.importorskip("openpyxl")

CRS = "EPSG:4547"


def make_areas():
    rows = [
        ("D", "示范区", 1, None, "朱国龙", box(0, 0, 400, 400)),
        ("T1", "梅林街道", 2, "D", "刘海", box(0, 0, 400, 200)),
        ("T2", "水口镇", 2, "D", "汤磊", box(0, 200, 400, 400)),
        ("V1", "竹坑村", 3, "T1", "钟贵坤", box(0, 0, 200, 200)),
        ("V2", "桐坑村", 3, "T1", "曾海伟", box(200, 0, 400, 200)),
        ("V3", "田坪村", 3, "T2", "熊生贵", box(0, 200, 200, 400)),
        ("V4", "和寨村", 3, "T2", "张晨祥", box(200, 200, 400, 400)),
    ]
    return gpd.GeoDataFrame({"code": [r[0] for r in rows], "name": [r[1] for r in rows],
                             "level": [r[2] for r in rows], "parent_code": [r[3] for r in rows],
                             "chief_name": [r[4] for r in rows]}, geometry=[r[5] for r in rows], crs=CRS)


ZONES = [  # zone_id, area_code, ranger_id, ranger, geometry
    ("V1-01", "V1", "R1", "张三", box(0, 100, 100, 200)),
    ("V1-02", "V1", "R2", "李四", box(100, 100, 200, 200)),
    ("V1-03", "V1", "R3", "王五", box(0, 0, 100, 100)),
    ("V1-04", "V1", "R4", "赵六", box(100, 10, 200, 100)),
    ("V3-01", "V3", "R5", "孙七", box(0, 200, 100, 300)),
]


def make_zones(rows=ZONES):
    geometry = [row[4] for row in rows]
    return gpd.GeoDataFrame({
        "zone_id": [row[0] for row in rows], "area_code": [row[1] for row in rows],
        "ranger_id": [row[2] for row in rows], "ranger": [row[3] for row in rows],
        "forest_ha": [g.area / 10_000 for g in geometry], "forest_mu": [g.area / 10_000 * 15 for g in geometry],
        "neighbours": ["" for _ in rows]}, geometry=geometry, crs=CRS)


def make_stands():
    rows = [  # land_class, species, forest_use, geometry
        ("0307", None, None, box(0, 0, 20, 300)),
        ("0111", "chinese_fir", "timber", box(20, 0, 130, 300)),
        ("0111", "masson_pine", "protection", box(130, 10, 200, 200)),
        ("0100", None, None, box(100, 0, 200, 10)),
    ]
    return gpd.GeoDataFrame({"land_class": [r[0] for r in rows], "species": [r[1] for r in rows],
                             "forest_use": [r[2] for r in rows]}, geometry=[r[3] for r in rows], crs=CRS)


RANGERS = [{"ranger_id": "R1", "name": "张三", "phone": "13300000001"},
           {"ranger_id": "R2", "name": "李四", "phone": "13300000002"},
           {"ranger_id": "R3", "name": "王五", "phone": None},  # no phone: blank in the list
           {"ranger_id": "R4", "name": "赵六", "phone": "13300000004"},
           {"ranger_id": "R5", "name": "孙七", "phone": "13300000005"}]


@pytest.fixture()
def entries():
    return {entry.zone_id: entry for entry in resp.responsibility_entries(make_zones(), make_areas(), RANGERS,
                                                                         make_stands())}


def named(entry) -> dict[str, list[str]]:
    return {direction: [item.text for item in items] for direction, items in entry.named_sides().items()}


def test_four_sides_name_the_neighbouring_zones_villages_fields_and_the_district_edge(entries):
    assert named(entries["V1-01"]) == {"东": ["02号网格（李四）"], "南": ["03号网格（王五）"], "西": ["区界"],
                                       "北": ["水口镇田坪村01号网格（孙七）"]}
    # the north of V1-02 is 田坪村 land without a zone; its east the village 桐坑村 of the same town
    assert named(entries["V1-02"]) == {"东": ["桐坑村"], "南": ["04号网格（赵六）"], "西": ["01号网格（张三）"],
                                       "北": ["水口镇田坪村"]}
    assert named(entries["V1-04"]) == {"东": ["桐坑村"], "南": ["非林地（耕地）"], "西": ["03号网格（王五）"],
                                       "北": ["02号网格（李四）"]}
    assert named(entries["V1-03"]) == {"东": ["04号网格（赵六）"], "南": ["区界"], "西": ["区界"],
                                       "北": ["01号网格（张三）"]}
    assert named(entries["V3-01"])["南"] == ["梅林街道竹坑村01号网格（张三）"]  # another town: named with it
    assert entries["V1-01"].four_sides == ("东至02号网格（李四）；南至03号网格（王五）；西至区界；"
                                           "北至水口镇田坪村01号网格（孙七）")


def test_four_sides_lengths_and_minor_pieces(entries):
    east = entries["V1-03"].sides["东"]  # x = 100: 90 m along V1-04, 10 m along the field
    lengths = {item.text: item.length_m for item in east}
    assert lengths["04号网格（赵六）"] == pytest.approx(90, abs=0.5)
    assert lengths["非林地（耕地）"] == pytest.approx(10, abs=0.5)
    assert [item.text for item in entries["V1-03"].named_sides()["东"]] == ["04号网格（赵六）"]  # 10 % < 15 %
    total = sum(item.length_m for items in entries["V1-02"].sides.values() for item in items)
    assert total == pytest.approx(400, rel=1e-9)  # the whole outline, once


def test_a_direction_names_up_to_three_pieces_longest_first():
    zones = make_zones([("V1-01", "V1", "R1", "张三", box(0, 0, 200, 200)),
                        ("V2-01", "V2", "R2", "李四", box(200, 0, 400, 120))])
    entry = {e.zone_id: e for e in resp.responsibility_entries(zones, make_areas(), RANGERS, make_stands())}["V1-01"]
    east = entry.named_sides()["东"]  # 120 m along 李四's zone, 80 m along 桐坑村 without zone
    assert [item.text for item in east] == ["桐坑村01号网格（李四）", "桐坑村"]
    assert [item.kind for item in east] == ["zone", "area"]
    assert entry.four_sides.startswith("东至桐坑村01号网格（李四）、桐坑村；")


def test_main_species_and_forest_use_by_area(entries):
    assert entries["V1-01"].species == [("chinese_fir", pytest.approx(0.8))]  # 20 % 宜林地 has no species
    assert entries["V1-01"].species_text == "杉木 80%"
    assert entries["V1-02"].species == [("masson_pine", pytest.approx(0.7)), ("chinese_fir", pytest.approx(0.3))]
    assert entries["V1-02"].species_text == "马尾松 70%、杉木 30%"
    assert entries["V1-02"].forest_use_text == "防护林 70%、用材林 30%"
    assert entries["V3-01"].species_text == "杉木 80%"
    assert resp.shares_text("species", [("camphor", 1.0)]) == "樟树"


def test_second_species_only_from_ten_percent():
    stands = make_stands()
    stands.loc[2, "geometry"] = box(195, 10, 200, 200)  # pine: 5 % of V1-02
    stands.loc[1, "geometry"] = box(20, 0, 195, 300)
    entry = {e.zone_id: e for e in resp.responsibility_entries(make_zones(), make_areas(), RANGERS, stands)}["V1-02"]
    assert entry.species_text == "杉木 95%"


def test_people_places_and_order(entries):
    ordered = resp.responsibility_entries(make_zones(list(reversed(ZONES))), make_areas(), RANGERS, make_stands())
    assert [entry.zone_id for entry in ordered] == ["V1-01", "V1-02", "V1-03", "V1-04", "V3-01"]  # T1 before T2
    entry = entries["V1-01"]
    assert (entry.town, entry.village, entry.ranger, entry.phone, entry.chief) == ("梅林街道", "竹坑村", "张三",
                                                                                   "13300000001", "钟贵坤")
    assert entries["V1-03"].phone == ""
    assert entries["V3-01"].town == "水口镇" and entries["V3-01"].village == "田坪村"


def test_ranger_name_comes_from_the_table_and_a_zone_without_ranger_is_an_error():
    zones = make_zones()
    zones.loc[0, "ranger"] = None  # the name is found by ranger_id
    entry = resp.responsibility_entries(zones, make_areas(), RANGERS, make_stands())[0]
    assert entry.ranger == "张三"
    zones.loc[1, ["ranger_id", "ranger"]] = [None, None]
    zones.loc[2, ["ranger_id", "ranger"]] = ["R99", ""]
    with pytest.raises(InputDataError) as raised:
        resp.responsibility_entries(zones, make_areas(), RANGERS, make_stands())
    assert "V1-02、V1-03" in raised.value.message_zh and "没有护林员" in raised.value.message_zh
    assert "V1-02, V1-03 have no ranger" in raised.value.message_en


def test_bad_input_gets_one_sentence():
    with pytest.raises(InputDataError) as raised:
        resp.responsibility_entries(make_zones([]), make_areas(), RANGERS, make_stands())
    assert "管护网格划分" in raised.value.message_zh and "linzhang:managementgrid" in raised.value.message_en
    with pytest.raises(InputDataError) as raised:
        resp.responsibility_entries(make_zones().drop(columns="ranger_id"), make_areas(), RANGERS, make_stands())
    assert "grid_zones" in raised.value.message_zh and "ranger_id" in raised.value.message_en
    twice = make_zones(ZONES + [ZONES[0]])
    with pytest.raises(InputDataError) as raised:
        resp.responsibility_entries(twice, make_areas(), RANGERS, make_stands())
    assert "V1-01" in raised.value.message_zh and "more than once" in raised.value.message_en
    with pytest.raises(InputDataError) as raised:
        resp.responsibility_entries(make_zones().to_crs("EPSG:4490"), make_areas().to_crs("EPSG:4490"), RANGERS,
                                    make_stands().to_crs("EPSG:4490"))
    assert "geographic" in raised.value.message_en


def test_select_by_town_or_village(entries):
    listed = list(entries.values())
    assert [e.zone_id for e in resp.select_entries(listed, make_areas(), ["T2"])] == ["V3-01"]
    assert len(resp.select_entries(listed, make_areas(), ["V1"])) == 4
    assert len(resp.select_entries(listed, make_areas(), [])) == 5
    with pytest.raises(InputDataError) as raised:
        resp.select_entries(listed, make_areas(), ["V9"])
    assert "V9" in raised.value.message_zh and "no area coded V9" in raised.value.message_en
    with pytest.raises(InputDataError) as raised:
        resp.select_entries(listed, make_areas(), ["V4"])
    assert "没有管护网格" in raised.value.message_zh


def test_village_summary_sums_and_balance(entries):
    rows = resp.village_summary(resp.select_entries(list(entries.values()), make_areas(), []))
    assert [row[:4] for row in rows] == [["梅林街道", "竹坑村", 4, 4], ["水口镇", "田坪村", 1, 1],
                                         ["合计", "", 5, 5]]
    assert rows[0][4] == pytest.approx(3.9) and rows[0][5] == pytest.approx(58.5)
    assert rows[0][6:] == [1.0, 0.9, pytest.approx(1.111, abs=1e-3)]
    assert rows[-1][4] == pytest.approx(4.9) and rows[-1][8] == pytest.approx(1.111, abs=1e-3)


def test_workbook_headers_rows_and_summary(entries, tmp_path):
    path = tmp_path / "责任清单.xlsx"
    ordered = sorted(entries.values(), key=lambda e: e.zone_id)
    resp.write_responsibility_list(str(path), ordered, "示范区护林员“包山包人”责任清单", dt.date(2026, 5, 1))
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["责任清单", "按村汇总"]
    sheet = workbook["责任清单"]
    assert sheet["A1"].value == "示范区护林员“包山包人”责任清单"
    assert [cell.value for cell in sheet[2]] == ["序号", "乡镇", "村", "网格编号", "护林员", "联系电话", "林地面积(公顷)",
                                                 "林地面积(亩)", "主要树种", "林种", "四至", "责任区林长"]
    rows = [row for row in sheet.iter_rows(min_row=3, max_row=8, values_only=True)]
    assert rows[0][:8] == (1, "梅林街道", "竹坑村", "V1-01", "张三", "13300000001", 1.0, 15.0)
    assert rows[0][8:] == ("杉木 80%", "用材林 80%", "东至02号网格（李四）\n南至03号网格（王五）\n西至区界\n"
                           "北至水口镇田坪村01号网格（孙七）", "钟贵坤")
    assert rows[2][5] is None  # 王五 has no phone
    assert rows[5][0] == "合计" and rows[5][6] == pytest.approx(4.9) and rows[5][7] == pytest.approx(73.5)
    assert sum(row[6] for row in rows[:5]) == pytest.approx(rows[5][6])
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:L7"
    notes = [sheet.cell(row=r, column=1).value for r in (9, 10)]
    assert notes[0].startswith("说明：四至") and notes[1].startswith("生成日期：2026-05-01")
    summary = workbook["按村汇总"]
    assert [cell.value for cell in summary[2]] == list(resp.SUMMARY_HEADERS)
    assert [row[:4] for row in summary.iter_rows(min_row=3, values_only=True)] == [
        ("梅林街道", "竹坑村", 4, 4), ("水口镇", "田坪村", 1, 1), ("合计", None, 5, 5)]
    assert [p.name for p in tmp_path.iterdir()] == ["责任清单.xlsx"]  # no temporary file left


def test_a_failed_save_leaves_no_file(entries, tmp_path):
    with pytest.raises(OSError):
        resp.write_responsibility_list(str(tmp_path / "missing" / "x.xlsx"), list(entries.values()))
    assert list(tmp_path.iterdir()) == []
