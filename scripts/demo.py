"""make demo: build the demo district and run every algorithm of the plugin on it through QGIS Processing.

Writes into --out (default demo_output/):
  workspace/linzhang_demo.gpkg   the demo one-map workspace (+ imagery/, tracks/)
  empty_workspace.gpkg           a new empty workspace (linzhang:createworkspace)
  linzhang_demo.qgz              a QGIS project that opens the workspace styled
  linzhang_demo_map.png          the district map (print layout: legend, scale bar, north arrow)
  patrols/                       imported tracks, coverage (+ 200 m effort grid), compliance per chief
  巡林台账.xlsx                   the patrol ledger (Excel, Chinese headers)
  forest_loss/change_spots.gpkg  change spots from the two demo images (also added to the workspace)
  inspection/核查台账.xlsx        the verification ledger of the change spots (Excel)
  inspection/evidence/*.pdf      one evidence sheet (图斑核查取证表, A4 PDF) per change spot
  grid/grid_zones.gpkg           management-grid zones, one per ranger (also written into the workspace)
  grid/护林员包山包人责任清单.xlsx  the 包山包人 responsibility list; grid/ranger_maps/*.pdf one map per ranger
  chiefs/                        hierarchy check, 林长制考核.xlsx (assessment), handbooks/巡林手册_*.pdf of the
                                 district chief, 林长公示名单.xlsx and .csv (the public list)
  summary.md                     what was built and what each algorithm reported
Each later capability adds its step to main().
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import stage  # noqa: E402

sys.path.insert(0, os.path.dirname(stage.stage(os.path.join(ROOT, "build"))))
sys.path.append("/usr/share/qgis/python/plugins")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsContrastEnhancement,
    QgsCoordinateReferenceSystem,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsMultiBandColorRenderer,
    QgsPrintLayout,
    QgsProject,
    QgsRasterLayer,
    QgsRasterMinMaxOrigin,
    QgsUnitTypes,
)
from qgis.PyQt.QtGui import QFont  # noqa: E402


def start_qgis() -> tuple[QgsApplication, object]:
    """QGIS, Processing and the plugin's provider; the caller keeps the provider alive (the registry
    does not own a Python-made provider, so an unreferenced one is garbage-collected)."""
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    from linzhang_qgis.provider import LinzhangProvider

    provider = LinzhangProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    return app, provider


class Demo:
    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.lines: list[str] = []
        self.results: dict[str, dict] = {}

    def run(self, algorithm: str, parameters: dict) -> dict:
        import processing
        from qgis.core import QgsProcessingFeedback

        class Feedback(QgsProcessingFeedback):
            def __init__(self, log: list[str]) -> None:
                super().__init__()
                self.log = log

            def pushInfo(self, info: str) -> None:  # noqa: N802
                self.log.append(info)
                super().pushInfo(info)

        log: list[str] = []
        started = time.perf_counter()
        result = processing.run(algorithm, parameters, feedback=Feedback(log))
        seconds = time.perf_counter() - started
        print(f"  {algorithm}: {seconds:.1f} s")
        self.lines.append(f"### `{algorithm}` ({seconds:.1f} s)\n")
        self.lines += [f"- {line}" for line in log if line.strip()] + [""]
        self.results[algorithm] = result
        return result


def build_project(gpkg: str, before: str, after: str, cloud_mask: str) -> QgsProject:
    from linzhang_qgis.qgis_glue.styling import add_workspace_to_project

    project = QgsProject.instance()
    project.clear()
    project.setCrs(QgsCoordinateReferenceSystem("EPSG:4547"))
    project.setTitle("示范区 林长制一张图")
    group = add_workspace_to_project(gpkg, project)
    for node in group.findLayers():  # a year of tracks would bury the overview: the patrol dock shows them
        if node.layer().source().endswith("|layername=patrol_tracks"):
            node.setItemVisibilityChecked(False)
    imagery = project.layerTreeRoot().addGroup("卫星影像 (近红外假彩色)")
    for path, name, visible in ((after, "后时相影像", True), (before, "前时相影像", False)):
        layer = QgsRasterLayer(path, name)
        renderer = QgsMultiBandColorRenderer(layer.dataProvider(), 2, 1, 1)  # NIR, red, red
        layer.setRenderer(renderer)
        layer.setContrastEnhancement(QgsContrastEnhancement.ContrastEnhancementAlgorithm.StretchToMinimumMaximum,
                                     QgsRasterMinMaxOrigin.Limits.CumulativeCut)
        project.addMapLayer(layer, False)
        imagery.addLayer(layer).setItemVisibilityChecked(visible)
    cloud = QgsRasterLayer(cloud_mask, "云掩膜")
    project.addMapLayer(cloud, False)
    imagery.addLayer(cloud).setItemVisibilityChecked(False)
    imagery.setItemVisibilityChecked(False)
    return project


def export_map(project: QgsProject, png: str) -> None:
    """A one-page print layout of the district: map, title, legend, scale bar, north arrow."""
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()  # an A4 landscape page
    layout.setName("示范区一张图")
    areas = project.mapLayersByName("林长责任区")[0]
    map_item = QgsLayoutItemMap(layout)
    layout.addLayoutItem(map_item)
    # resize before moving: in QGIS 3.22 moving a map item that still has no size makes its extent NaN
    map_item.attemptResize(QgsLayoutSize(200, 185, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    map_item.attemptMove(QgsLayoutPoint(8, 18, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    map_item.setCrs(QgsCoordinateReferenceSystem("EPSG:4547"))
    extent = areas.extent()
    extent.scale(1.04)
    map_item.zoomToExtent(extent)
    map_item.setFrameEnabled(True)

    title = QgsLayoutItemLabel(layout)
    title.setText("示范区 林长制“一张图”：四级林长责任区、森林资源与变化图斑")
    title.setFont(QFont("Noto Sans CJK SC", 16))
    title.attemptMove(QgsLayoutPoint(8, 5, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    title.attemptResize(QgsLayoutSize(260, 10, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    layout.addLayoutItem(title)

    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("图例")
    legend.setLinkedMap(map_item)
    legend.setLegendFilterByMapEnabled(True)
    legend.setAutoUpdateModel(False)
    legend_root = legend.model().rootGroup()
    legend_root.clear()
    for name in ("林长责任区", "森林资源小班", "森林督查变化图斑"):
        for layer in project.mapLayersByName(name):
            legend_root.addLayer(layer)
    legend.attemptMove(QgsLayoutPoint(212, 18, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    layout.addLayoutItem(legend)

    scale_bar = QgsLayoutItemScaleBar(layout)
    scale_bar.setStyle("Single Box")
    scale_bar.setLinkedMap(map_item)
    scale_bar.applyDefaultSize()
    scale_bar.setUnits(QgsUnitTypes.DistanceUnit.DistanceKilometers)
    scale_bar.setUnitLabel("公里")
    scale_bar.setNumberOfSegments(4)
    scale_bar.setUnitsPerSegment(1)
    scale_bar.attemptMove(QgsLayoutPoint(212, 185, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    layout.addLayoutItem(scale_bar)

    north = QgsLayoutItemPicture(layout)
    north.setPicturePath("/usr/share/qgis/svg/arrows/NorthArrow_02.svg")
    north.attemptMove(QgsLayoutPoint(190, 22, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    north.attemptResize(QgsLayoutSize(14, 14, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    layout.addLayoutItem(north)

    project.layoutManager().addLayout(layout)
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = 120
    result = QgsLayoutExporter(layout).exportToImage(png, settings)
    if result != QgsLayoutExporter.ExportResult.Success:
        raise RuntimeError(f"map export failed ({result})")


DEMO_YEAR = ("2025-11-01", "2026-10-31")  # the demo's year of patrols


def run_patrols(demo: Demo, gpkg: str, tracks_dir: str, out_dir: str) -> list[str]:
    """Issue 3: import the GPX tracks into the workspace, then coverage and compliance with the ledger."""
    folder = os.path.join(out_dir, "patrols")
    os.makedirs(folder)
    areas, tracks = f"{gpkg}|layername=resp_areas", f"{gpkg}|layername=patrol_tracks"
    imported = demo.run("linzhang:importtracks", {
        "INPUT": tracks_dir, "AREAS": areas, "WORKSPACE": gpkg, "OUTPUT": os.path.join(folder, "imported_tracks.gpkg")})
    demo.run("linzhang:patrolcoverage", {
        "TRACKS": tracks, "AREAS": areas, "SWATH_WIDTH": 100, "GRID_SIZE": 200,
        "OUTPUT": os.path.join(folder, "coverage.gpkg"), "GRID": os.path.join(folder, "effort_grid.gpkg")})
    ledger = os.path.join(out_dir, "巡林台账.xlsx")
    demo.run("linzhang:patrolcompliance", {
        "AREAS": areas, "TRACKS": tracks, "RULES": f"{gpkg}|layername=patrol_rules",
        "DATE_FROM": DEMO_YEAR[0], "DATE_TO": DEMO_YEAR[1], "OUTPUT": os.path.join(folder, "compliance.gpkg"),
        "PERIODS": os.path.join(folder, "compliance_periods.gpkg"), "LEDGER": ledger})
    return [f"- 导入巡林轨迹 patrols imported: {imported['IMPORTED']} (skipped files: {imported['SKIPPED_FILES']})",
            f"- 巡林台账 ledger: `{os.path.basename(ledger)}`"] + compliance_against_truth(
        gpkg, os.path.join(folder, "compliance.gpkg"))


def run_forest_loss(demo: Demo, gpkg: str, built: dict, out_dir: str) -> list[str]:
    """Issue 4: change spots from the two demo images into the workspace, checked against the planted clearings."""
    folder = os.path.join(out_dir, "forest_loss")
    os.makedirs(folder)
    spots_path = os.path.join(folder, "change_spots.gpkg")
    result = demo.run("linzhang:detectforestloss", {
        "BEFORE": built["BEFORE"], "AFTER": built["AFTER"], "CLOUD_MASK": built["CLOUD_MASK"],
        "FOREST": f"{gpkg}|layername=forest_stands", "AREAS": f"{gpkg}|layername=resp_areas",
        "WORKSPACE": gpkg, "OUTPUT": spots_path})
    return [f"- 变化图斑 change spots: {result['SPOTS']} (threshold {result['THRESHOLD_USED']:.3f}, added to the "
            f"workspace: {result['ADDED_TO_WORKSPACE']})"] + spots_against_truth(gpkg, spots_path)


PATROL_LINK_DISTANCE_M = 200


def run_inspection_exports(demo: Demo, gpkg: str, built: dict, out_dir: str) -> list[str]:
    """Forest inspection: the verification ledger (核查台账) and one evidence sheet (取证表, PDF) per change
    spot, with the two demo images in the chips."""
    folder = os.path.join(out_dir, "inspection")
    os.makedirs(folder, exist_ok=True)
    linked = demo.run("linzhang:linkspotspatrols", {  # 巡林未发现 in the workspace before the exports
        "SPOTS": f"{gpkg}|layername=change_spots", "TRACKS": f"{gpkg}|layername=patrol_tracks",
        "DISTANCE": PATROL_LINK_DISTANCE_M, "WORKSPACE": gpkg, "OUTPUT": os.path.join(folder, "spots_patrols.gpkg")})
    ledger = os.path.join(folder, "核查台账.xlsx")
    evidence = os.path.join(folder, "evidence")
    result = demo.run("linzhang:exportinspection", {
        "WORKSPACE": gpkg, "LEDGER": ledger, "EVIDENCE_FOLDER": evidence,
        "BEFORE": built["BEFORE"], "AFTER": built["AFTER"]})
    pdfs = sorted(name for name in os.listdir(evidence) if name.endswith(".pdf"))
    size_kb = sum(os.path.getsize(os.path.join(evidence, name)) for name in pdfs) / 1024 / max(len(pdfs), 1)
    with sqlite3.connect(gpkg) as db:
        spots = db.execute("SELECT count(*) FROM change_spots").fetchone()[0]
    return [f"- 巡林关联 patrol link ({PATROL_LINK_DISTANCE_M} m): {linked['LINKED']} spots passed by a dated patrol "
            f"between their two image dates, {linked['MISSED']} missed by patrol (巡林未发现)",
            f"- 核查台账 verification ledger: `inspection/{os.path.basename(ledger)}` ({spots} spots)",
            f"- 图斑核查取证表 evidence sheets: {result['SHEETS']} PDFs in `inspection/evidence/` "
            f"(one A4 page each, {size_kb:.0f} KB on average), e.g. `{pdfs[0] if pdfs else '-'}`"]


def run_chief_areas(demo: Demo, gpkg: str, out_dir: str) -> list[str]:
    """Issue 6: the hierarchy checked (it must be clean), the year's assessment, the district chief's patrol
    handbook and the public list of the chiefs."""
    folder = os.path.join(out_dir, "chiefs")
    os.makedirs(folder)
    areas = f"{gpkg}|layername=resp_areas"
    checked = demo.run("linzhang:checkhierarchy", {"INPUT": areas, "OUTPUT": os.path.join(folder, "hierarchy_problems.gpkg")})
    report = os.path.join(folder, "林长制考核.xlsx")
    assessed = demo.run("linzhang:assessment", {
        "WORKSPACE": gpkg, "YEAR": int(DEMO_YEAR[1][:4]), "AS_OF": DEMO_YEAR[1],
        "OUTPUT": os.path.join(folder, "assessment.gpkg"), "REPORT": report})
    handbooks = os.path.join(folder, "handbooks")
    written = demo.run("linzhang:patrolhandbook", {"WORKSPACE": gpkg, "LEVEL": 0, "AS_OF": DEMO_YEAR[1],
                                                   "OUTPUT_FOLDER": handbooks})
    listed = demo.run("linzhang:publiclist", {"WORKSPACE": gpkg, "XLSX": os.path.join(folder, "林长公示名单.xlsx"),
                                              "CSV": os.path.join(folder, "林长公示名单.csv")})
    pdfs = sorted(name for name in os.listdir(handbooks) if name.endswith(".pdf"))
    return [f"- 层级检查 hierarchy check: {checked['PROBLEMS']} problems (gaps, overlaps, orphans, duplicate codes, "
            "level jumps, invalid polygons)",
            f"- 林长制考核 assessment {DEMO_YEAR[1][:4]} (as of {DEMO_YEAR[1]}): {assessed['CHIEFS']} chiefs, "
            f"{assessed['YELLOW_CARDS']} yellow cards (黄牌警告), {assessed['NEGATIVE_ITEMS']} negative-list items "
            f"(负面清单); report `chiefs/{os.path.basename(report)}`",
            f"- 巡林手册 patrol handbook of the district chief: {written['FILES']} PDF, `chiefs/handbooks/{pdfs[0] if pdfs else '-'}`",
            f"- 林长公示名单 public list: {listed['ROWS']} chiefs, `chiefs/林长公示名单.xlsx` and `.csv`"]


def run_grid(demo: Demo, gpkg: str, out_dir: str) -> list[str]:
    """Issue 7: one management-grid zone per ranger of each village (the rangers table), into the workspace's
    grid_zones; then the 包山包人 responsibility list and one responsibility map (PDF) per ranger."""
    folder = os.path.join(out_dir, "grid")
    os.makedirs(folder)
    built = demo.run("linzhang:managementgrid", {
        "AREAS": f"{gpkg}|layername=resp_areas", "FOREST": f"{gpkg}|layername=forest_stands",
        "RANGERS": f"{gpkg}|layername=rangers", "WORKSPACE": gpkg, "OUTPUT": os.path.join(folder, "grid_zones.gpkg")})
    listing = os.path.join(folder, "护林员包山包人责任清单.xlsx")
    maps = os.path.join(folder, "ranger_maps")
    exported = demo.run("linzhang:exportgrid", {"WORKSPACE": gpkg, "LIST": listing, "MAP_FOLDER": maps})
    pdfs = sorted(name for name in os.listdir(maps) if name.endswith(".pdf"))
    return [f"- 管护网格 management grid: {built['ZONES']} zones (one per ranger), worst balance of forest per "
            f"ranger (max/min in a village) {built['BALANCE']:.3f}, mean compactness {built['COMPACTNESS']:.3f}",
            f"- 包山包人责任清单 responsibility list: `grid/{os.path.basename(listing)}` ({exported['ZONES']} zones, "
            "with a sheet per village)",
            f"- 管护责任图 ranger maps: {exported['MAPS']} A4 PDFs in `grid/ranger_maps/`, e.g. `{pdfs[0] if pdfs else '-'}`"]


def spots_against_truth(gpkg: str, spots_path: str) -> list[str]:
    """Precision and recall by spot and IoU by area against the clearings planted in the demo images."""
    import geopandas as gpd

    from linzhang_qgis.core.change.accuracy import compare

    truth = gpd.read_file(gpkg, layer="demo_truth_clearings")
    spots = gpd.read_file(spots_path)
    visible = truth[~truth["in_cloud"].astype(bool)]
    everything = compare(spots.geometry.values, visible.geometry.values)
    confident = compare(spots[spots["confidence"] != "low"].geometry.values, visible.geometry.values)
    return [f"- 预设采伐斑块 planted clearings: {len(truth)}, of which {len(truth) - len(visible)} under cloud "
            f"(not expected to be found)",
            f"- all spots: {'; '.join(everything.lines())}",
            f"- spots of high or highest confidence: {'; '.join(confident.lines()[:2])}"]


def compliance_against_truth(gpkg: str, compliance_gpkg: str) -> list[str]:
    """How the computed non-compliant chiefs compare with the demo's planted truth."""
    with sqlite3.connect(gpkg) as db:
        truth = {code: bool(ok) for code, ok in db.execute("SELECT area_code, compliant FROM demo_truth_compliance")}
    with sqlite3.connect(compliance_gpkg) as db:
        table = db.execute("SELECT table_name FROM gpkg_contents").fetchone()[0]
        found = {code: bool(ok) for code, ok in db.execute(f'SELECT area_code, compliant FROM "{table}"')}
    flagged = {code for code, ok in found.items() if not ok}
    truly_bad = {code for code, ok in truth.items() if not ok}
    return [f"- 未达标林长 non-compliant chiefs found: {len(flagged)}; planted in the demo: {len(truly_bad)}; "
            f"missed: {len(truly_bad - flagged)}; wrongly flagged: {len(flagged - truly_bad)}"]


def workspace_summary(gpkg: str) -> list[str]:
    from linzhang_qgis.core.schema import AREA_LEVELS, FOREST_CATEGORIES

    with sqlite3.connect(gpkg) as db:
        levels = dict(db.execute("SELECT level, count(*) FROM resp_areas GROUP BY level").fetchall())
        forest_ha = db.execute(
            "SELECT sum(area_ha) FROM forest_stands WHERE land_class IN ('0111','0131','0301','0302','0305','0307')"
        ).fetchone()[0] or 0.0
        stands = db.execute("SELECT count(*) FROM forest_stands").fetchone()[0]
        by_category = db.execute("SELECT forest_cat, round(sum(area_ha), 1) FROM forest_stands "
                                 "WHERE forest_cat IS NOT NULL GROUP BY forest_cat").fetchall()
    lines = ["| 林长级别 level | 责任区 areas |", "|---|---|"]
    lines += [f"| {AREA_LEVELS[level][0]} {AREA_LEVELS[level][1]} | {count} |" for level, count in sorted(levels.items())]
    lines += ["", f"- 小班 stands: {stands}; 林地 forest land: {forest_ha:,.1f} ha = {forest_ha * 15:,.0f} 亩"]
    lines += [f"- {FOREST_CATEGORIES[key][0]} {FOREST_CATEGORIES[key][1]}: {area:,.1f} ha" for key, area in by_category]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "demo_output"))
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    out_dir = os.path.abspath(args.out)
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    app, provider = start_qgis()
    demo = Demo(out_dir)
    print(f"Building the demo district into {out_dir}")
    built = demo.run("linzhang:createdemoworkspace", {
        "OUTPUT_FOLDER": os.path.join(out_dir, "workspace"), "SEED": args.seed, "ADD_TO_PROJECT": False})
    gpkg = built["OUTPUT"]
    demo.run("linzhang:createworkspace", {"OUTPUT": os.path.join(out_dir, "empty_workspace.gpkg"),
                                          "ADD_TO_PROJECT": False})
    patrol_lines = run_patrols(demo, gpkg, built["TRACKS"], out_dir)
    loss_lines = run_forest_loss(demo, gpkg, built, out_dir)
    inspection_lines = run_inspection_exports(demo, gpkg, built, out_dir)
    grid_lines = run_grid(demo, gpkg, out_dir)  # before the handbooks: their maps show the zones
    chief_lines = run_chief_areas(demo, gpkg, out_dir)
    project = build_project(gpkg, built["BEFORE"], built["AFTER"], built["CLOUD_MASK"])
    png = os.path.join(out_dir, "linzhang_demo_map.png")
    export_map(project, png)
    project_path = os.path.join(out_dir, "linzhang_demo.qgz")
    project.writeEntryBool("Paths", "/Absolute", False)
    if not project.write(project_path):
        raise RuntimeError(f"could not write {project_path}")
    summary = ["# 示范区 demo district: summary", "",
               f"Seed {args.seed}. Workspace: `workspace/{os.path.basename(gpkg)}`; project: "
               "`linzhang_demo.qgz`; map: `linzhang_demo_map.png`.", ""]
    summary += workspace_summary(gpkg) + ["", "## Patrols (巡林)", ""] + patrol_lines
    summary += ["", "## Forest inspection (森林督查): change spots", ""] + loss_lines
    summary += ["", "## Forest inspection (森林督查): ledger and evidence sheets", ""] + inspection_lines
    summary += ["", "## Chief responsibility areas (林长责任区)", ""] + chief_lines
    summary += ["", "## Management grid (管护网格)", ""] + grid_lines
    summary += ["", "## Algorithms run", ""] + demo.lines
    with open(os.path.join(out_dir, "summary.md"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(summary) + "\n")
    print("\n".join(workspace_summary(gpkg) + patrol_lines + loss_lines + inspection_lines + chief_lines + grid_lines))
    print(f"Wrote {project_path}, {png} and summary.md")
    project.clear()
    QgsApplication.processingRegistry().removeProvider(provider)
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
