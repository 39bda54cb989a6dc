"""linzhang:managementgrid through real QGIS Processing on the demo district (its villages, forest stands and
rangers table), written into a copy of its workspace; the number of rangers from a field or a target area;
layers in other CRSs and invalid polygons; bad input; and one run from qgis_process.bin."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess

import geopandas as gpd
import numpy as np
import pytest
import shapely
from qgis.core import QgsProcessingException, QgsProcessingFeedback

from linzhang_qgis.core import schema

ALGORITHM = "linzhang:managementgrid"
FOREST_CLASSES = list(schema.FOREST_LAND_CLASSES)


class Feedback(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def pushInfo(self, info):  # noqa: N802
        self.messages.append(info)

    def pushWarning(self, warning):  # noqa: N802
        self.messages.append(warning)


@pytest.fixture(scope="module")
def demo(full_demo, tmp_path_factory):
    """A copy of the full demo workspace to write into, its villages, forest and rangers read once."""
    folder = tmp_path_factory.mktemp("grid")
    gpkg = str(folder / "workspace.gpkg")
    shutil.copy(full_demo.gpkg_path, gpkg)
    areas = gpd.read_file(gpkg, layer="resp_areas")
    stands = gpd.read_file(gpkg, layer="forest_stands")
    rangers = gpd.read_file(gpkg, layer="rangers")
    return {"gpkg": gpkg, "folder": folder, "villages": areas[areas["level"] == 3].reset_index(drop=True),
            "forest": stands[stands["land_class"].isin(FOREST_CLASSES)].geometry.values,
            "rangers": rangers[rangers["role"] == "ranger"]}


def layer(gpkg: str, name: str) -> str:
    return f"{gpkg}|layername={name}"


@np.errstate(invalid="ignore")  # GEOS 3.11 warns on the empty intersections of disjoint shapes
def check_demo_rules(zones, villages, forest, counts) -> None:
    """Coverage (0.1 %), no overlap, inside the village, connected where the forest is, balance, counts."""
    forest_union = shapely.union_all(forest)
    for code, village in zip(villages["code"], villages.geometry):
        mine = zones[zones["area_code"] == code]
        assert len(mine) == counts.get(code, 0)
        if not len(mine):
            continue
        expected = shapely.intersection(forest_union, village)
        geoms = np.asarray(mine.geometry.values, dtype=object)
        assert abs(shapely.area(geoms).sum() - expected.area) <= 1e-3 * expected.area
        assert shapely.symmetric_difference(shapely.union_all(geoms), expected).area <= 1e-3 * expected.area
        first, second = np.triu_indices(len(geoms), 1)
        assert shapely.area(shapely.intersection(geoms[first], geoms[second])).sum() <= 1e-6 * expected.area
        assert shapely.area(shapely.difference(geoms, village.buffer(0.01))).sum() < 1.0
        for piece in shapely.get_parts(expected):
            for geometry in geoms:
                parts = shapely.get_parts(shapely.intersection(geometry, piece))
                assert ((shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 1e-3)).sum() <= 1
        assert mine["forest_ha"].max() / mine["forest_ha"].min() <= 1.15


def test_demo_villages_with_the_rangers_table_into_the_workspace(processing, demo):
    gpkg = demo["gpkg"]
    out = str(demo["folder"] / "zones.gpkg")
    feedback = Feedback()
    result = processing.run(ALGORITHM, {
        "AREAS": layer(gpkg, "resp_areas"), "FOREST": layer(gpkg, "forest_stands"),
        "RANGERS": layer(gpkg, "rangers"), "WORKSPACE": gpkg, "OUTPUT": out}, feedback=feedback)
    zones = gpd.read_file(out)
    counts = demo["rangers"].groupby("area_code").size().to_dict()
    assert result["ZONES"] == len(zones) == sum(counts.values())  # supervisors get no zone
    check_demo_rules(zones, demo["villages"], demo["forest"], counts)
    assert result["BALANCE"] <= 1.15 and 0 < result["COMPACTNESS"] <= 1
    assert set(zones["ranger_id"]) == set(demo["rangers"]["ranger_id"])
    by_id = demo["rangers"].set_index("ranger_id")["name"]
    assert all(by_id[row.ranger_id] == row.ranger for row in zones.itertuples())
    assert all(row.zone_id.startswith(row.area_code + "-") for row in zones.itertuples())
    assert list(zones.columns[:-1]) == list(schema.GRID_ZONES.field_names)
    assert any("balance" in message for message in feedback.messages)
    # the workspace holds them, and a second run replaces them instead of adding more
    stored = gpd.read_file(gpkg, layer="grid_zones")
    assert sorted(stored["zone_id"]) == sorted(zones["zone_id"])
    assert stored.area.sum() == pytest.approx(zones.area.sum(), rel=1e-6)
    processing.run(ALGORITHM, {"AREAS": layer(gpkg, "resp_areas"), "FOREST": layer(gpkg, "forest_stands"),
                               "RANGERS": layer(gpkg, "rangers"), "WORKSPACE": gpkg, "OUTPUT": "TEMPORARY_OUTPUT"})
    with sqlite3.connect(gpkg) as db:
        assert db.execute("SELECT count(*) FROM grid_zones").fetchone()[0] == len(zones)


def test_number_field_and_target_area(processing, demo, tmp_path):
    villages = demo["villages"].copy()
    villages["n_rangers"] = [3 if index % 2 else 0 for index in range(len(villages))]
    path = str(tmp_path / "villages.gpkg")
    villages[["code", "n_rangers", "geometry"]].to_file(path, layer="villages", driver="GPKG")
    forest = layer(demo["gpkg"], "forest_stands")
    by_field = processing.run(ALGORITHM, {"AREAS": path, "FOREST": forest, "RANGERS_FIELD": "n_rangers",
                                          "OUTPUT": str(tmp_path / "by_field.gpkg")})
    zones = gpd.read_file(by_field["OUTPUT"])
    counts = {code: n for code, n in zip(villages["code"], villages["n_rangers"]) if n}
    check_demo_rules(zones, villages, demo["forest"], counts)
    assert zones["ranger_id"].isna().all()
    by_target = processing.run(ALGORITHM, {"AREAS": path, "FOREST": forest, "TARGET_HA": 150.0,
                                           "OUTPUT": str(tmp_path / "by_target.gpkg")})
    zones = gpd.read_file(by_target["OUTPUT"])
    forest_ha = {code: shapely.intersection(shapely.union_all(demo["forest"]), village).area / 10_000
                 for code, village in zip(villages["code"], villages.geometry)}
    expected = {code: max(1, round(ha / 150.0)) for code, ha in forest_ha.items()}
    assert zones.groupby("area_code").size().to_dict() == expected


def test_areas_in_degrees_and_an_invalid_polygon(processing, demo, tmp_path):
    villages = demo["villages"][["code", "geometry"]].copy()
    # the first village's ring makes a small loop inwards through one of its vertices (a self-intersection):
    # it is repaired, with a line in the log
    polygon = shapely.get_parts(villages.geometry.iloc[0])[0]
    ring = list(polygon.exterior.coords)
    vertex, centre = np.array(ring[5]), np.array(polygon.centroid.coords[0])
    inwards = (centre - vertex) / np.linalg.norm(centre - vertex) * 30
    across = np.array([-inwards[1], inwards[0]])
    ring[6:6] = [tuple(vertex + inwards + across), tuple(vertex + inwards - across), tuple(vertex)]
    villages.loc[0, "geometry"] = shapely.Polygon(ring)
    assert not villages.geometry.iloc[0].is_valid
    path = str(tmp_path / "villages_4326.gpkg")
    villages.to_crs("EPSG:4326").to_file(path, layer="villages", driver="GPKG")
    feedback = Feedback()
    result = processing.run(ALGORITHM, {"AREAS": path, "FOREST": layer(demo["gpkg"], "forest_stands"),
                                        "RANGERS": layer(demo["gpkg"], "rangers"),
                                        "OUTPUT": str(tmp_path / "zones.gpkg")}, feedback=feedback)
    text = "\n".join(feedback.messages)
    assert "EPSG:4326" in text and "EPSG:4547" in text and "make_valid" in text
    zones = gpd.read_file(result["OUTPUT"])
    assert zones.crs.to_epsg() == 4326  # written in the areas' CRS
    counts = demo["rangers"].groupby("area_code").size().to_dict()
    check_demo_rules(zones.to_crs("EPSG:4547"), villages.set_crs("EPSG:4547", allow_override=True).assign(
        geometry=villages.geometry.make_valid()), demo["forest"], counts)


def run_error(processing, parameters, out) -> str:
    with pytest.raises(QgsProcessingException) as caught:
        processing.run(ALGORITHM, dict(parameters, OUTPUT=str(out)))
    assert not os.path.exists(out)  # no output at all
    message = str(caught.value)
    assert "Traceback" not in message
    return message


def test_bad_inputs_give_one_clear_sentence(processing, demo, tmp_path):
    gpkg = demo["gpkg"]
    villages = demo["villages"][["code", "geometry"]].copy()
    villages["n_rangers"] = 1
    villages.loc[0, "n_rangers"] = 100_000  # far more rangers than its forest allows
    many = str(tmp_path / "many.gpkg")
    villages.to_file(many, layer="villages", driver="GPKG")
    message = run_error(processing, {"AREAS": many, "FOREST": layer(gpkg, "forest_stands"),
                                     "RANGERS_FIELD": "n_rangers"}, tmp_path / "a.gpkg")
    assert "不够分给 100000 名护林员" in message and "too little for 100000 rangers" in message

    villages.loc[0, "n_rangers"] = 1
    villages.loc[1, "geometry"] = shapely.box(0, 0, 1000, 1000)  # far from any forest
    bare = str(tmp_path / "bare.gpkg")
    villages.to_file(bare, layer="villages", driver="GPKG")
    code = villages.loc[1, "code"]
    message = run_error(processing, {"AREAS": bare, "FOREST": layer(gpkg, "forest_stands"),
                                     "RANGERS_FIELD": "n_rangers"}, tmp_path / "b.gpkg")
    assert f"{code} 内没有林地" in message and f"{code} holds no forest" in message

    message = run_error(processing, {"AREAS": many, "FOREST": layer(gpkg, "forest_stands")}, tmp_path / "c.gpkg")
    assert "没有护林员人数" in message and "no number of rangers" in message

    message = run_error(processing, {"AREAS": layer(gpkg, "resp_areas"), "FOREST": layer(gpkg, "forest_stands"),
                                     "TARGET_HA": 100.0}, tmp_path / "d.gpkg")
    assert "相互重叠" in message and "overlap" in message  # the district, towns and villages all at once

    cropland = f"{layer(gpkg, 'forest_stands')}|subset=land_class = '0100'"
    message = run_error(processing, {"AREAS": many, "FOREST": cropland, "TARGET_HA": 100.0}, tmp_path / "e.gpkg")
    assert "没有林地多边形" in message and "holds no forest polygon" in message


def test_from_qgis_process(enabled_config, demo, tmp_path):
    gpkg = demo["gpkg"]
    out = str(tmp_path / "zones.gpkg")
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=enabled_config, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(["/usr/bin/qgis_process.bin", "run", ALGORITHM, "--json", "--",
                           f"AREAS={layer(gpkg, 'resp_areas')}", f"FOREST={layer(gpkg, 'forest_stands')}",
                           f"RANGERS={layer(gpkg, 'rangers')}", f"OUTPUT={out}"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(done.stdout[done.stdout.index("{"):])["results"]
    assert results["ZONES"] == len(demo["rangers"]) == len(gpd.read_file(out))
    assert results["BALANCE"] <= 1.15
