"""From loss polygons to change-spot records: responsible area, number, location, repeats."""
from __future__ import annotations

import datetime as dt

import shapely

from linzhang_qgis.core.change.detect import LossSpot
from linzhang_qgis.core.change.spots import (
    AreaRecord,
    ExistingSpot,
    StandRecord,
    default_round_id,
    next_numbers,
    repeats_of,
    responsible_areas,
    spot_records,
)


def spot(geometry) -> LossSpot:
    return LossSpot(geometry, geometry.area, 0.4, 0.6, geometry.area, 0.3, "highest", 1)


VILLAGE = AreaRecord("V1", "村林长", 3, shapely.box(0, 0, 100, 100))
GROUP_A = AreaRecord("V1-G1", "组林长甲", 4, shapely.box(0, 0, 50, 100))
GROUP_B = AreaRecord("V1-G2", "组林长乙", 4, shapely.box(50, 0, 100, 100))


def test_the_deepest_area_with_the_largest_overlap_is_responsible():
    straddling = shapely.box(40, 10, 70, 20)  # 10 m in group A, 20 m in group B, all in the village
    outside = shapely.box(200, 200, 210, 210)
    owners = responsible_areas([straddling, outside], [VILLAGE, GROUP_A, GROUP_B])
    assert owners == [GROUP_B, None]
    assert responsible_areas([straddling], [VILLAGE]) == [VILLAGE]


def test_numbers_continue_after_those_already_used_per_prefix():
    used = ["V1-G1-0003", "V1-G1-0001", "V1-G2-0009", "odd"]
    assert next_numbers(["V1-G1", "V1-G1", "V1-G2", "20261018"], used) == [
        "V1-G1-0004", "V1-G1-0005", "V1-G2-0010", "20261018-0001"]


def test_repeat_needs_a_tenth_of_the_new_spot_to_overlap():
    old = ExistingSpot("V1-G1-0001", "20251018", shapely.box(0, 0, 10, 10))
    assert repeats_of([shapely.box(5, 0, 15, 10)], [old]) == [old]  # half of it
    assert repeats_of([shapely.box(9.5, 0, 19.5, 10)], [old]) == [None]  # 5 %
    assert repeats_of([shapely.box(0, 0, 10, 10)], []) == [None]


def test_records_carry_area_number_location_dates_and_repeat():
    stands = [StandRecord({"village": "兴背村", "lin_ban": "012", "xiao_ban": "034"}, shapely.box(0, 0, 50, 100)),
              StandRecord({"village": "兴背村", "lin_ban": "012", "xiao_ban": "035"}, shapely.box(50, 0, 100, 100))]
    existing = [ExistingSpot("V1-G1-0001", "20251018", shapely.box(0, 0, 20, 20))]
    new = [spot(shapely.box(0, 0, 20, 20)), spot(shapely.box(60, 60, 80, 80))]
    records = spot_records(new, dt.date(2025, 10, 20), dt.date(2026, 10, 18), default_round_id(dt.date(2026, 10, 18)),
                           "a.tif / b.tif", [VILLAGE, GROUP_A, GROUP_B], existing, stands)
    first, second = (r.values for r in records)
    assert first["repeat_of"] == "V1-G1-0001" and second["repeat_of"] is None
    assert (first["spot_no"], second["spot_no"]) == ("V1-G1-0002", "V1-G2-0001")
    assert (second["area_code"], second["chief_name"]) == ("V1-G2", "组林长乙")
    assert (first["xiao_ban"], second["xiao_ban"]) == ("034", "035") and second["village"] == "兴背村"
    assert second["round_id"] == "20261018" and second["status"] == "issued"
    assert second["area_mu"] == round(400 * 15 / 10000, 2) and second["after_date"] == dt.date(2026, 10, 18)
