"""Coverage on the whole demo district agrees with an independent shapely computation within 0.1 %."""
from __future__ import annotations

import geopandas as gpd
import pytest
import shapely


def test_demo_district_coverage_matches_direct_union_and_intersection(processing, tmp_path):
    from linzhang_qgis.core.demo import generate_demo

    demo = generate_demo(str(tmp_path / "demo"))
    gpkg = demo.gpkg_path
    areas_uri, tracks_uri = f"{gpkg}|layername=resp_areas", f"{gpkg}|layername=patrol_tracks"
    processing.run("linzhang:importtracks", {"INPUT": demo.tracks_dir, "AREAS": areas_uri, "WORKSPACE": gpkg,
                                             "OUTPUT": str(tmp_path / "imported.gpkg")})
    out = str(tmp_path / "coverage.gpkg")
    processing.run("linzhang:patrolcoverage", {"TRACKS": tracks_uri, "AREAS": areas_uri, "SWATH_WIDTH": 100,
                                               "OUTPUT": out})
    computed = gpd.read_file(out).set_index("code")

    tracks = gpd.read_file(gpkg, layer="patrol_tracks")
    areas = gpd.read_file(gpkg, layer="resp_areas").set_index("code")
    assert len(tracks) > 300 and len(areas) == len(computed)
    swaths = shapely.buffer(tracks.geometry.values, 50.0, quad_segs=8)
    for code, area in areas.geometry.items():
        touching = swaths[shapely.intersects(swaths, area)]
        expected_m2 = shapely.union_all(touching).intersection(area).area if len(touching) else 0.0
        assert computed.loc[code, "covered_ha"] * 10_000 == pytest.approx(expected_m2, rel=1e-3, abs=1.0), code
        assert computed.loc[code, "coverage_pct"] == pytest.approx(100 * expected_m2 / area.area, rel=1e-3, abs=1e-3)
    assert computed["coverage_pct"].max() > 5  # the demo's chiefs do walk their areas
