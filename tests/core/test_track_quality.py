"""Track quality control and import: synthetic tracks made here, and the three real GPX files."""
from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pytest

from linzhang_qgis.core.patrols.track_import import (
    FILE_NAME,
    FIXED,
    AreaIndex,
    ImportOptions,
    import_tracks,
    list_track_files,
)
from linzhang_qgis.core.patrols.track_quality import QualityParams, clean_track, haversine_m, vehicle_legs
from linzhang_qgis.core.patrols.track_readers import RawTrack, TrackFormatError, read_track_file

START = dt.datetime(2025, 11, 3, 0, 0)  # UTC: 08:00 in Beijing
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
M_PER_DEG_LAT = 111195.0


def track(lat_m: np.ndarray, seconds: np.ndarray, name: str = "t.gpx", start: dt.datetime = START,
          lon0: float = 114.93, lat0: float = 25.83) -> RawTrack:
    """A track heading north from (lon0, lat0): ``lat_m`` metres along, fixes at ``seconds`` after ``start``."""
    times = np.datetime64(start, "s") + np.asarray(seconds, dtype="int64").astype("timedelta64[s]")
    return RawTrack(np.full(len(lat_m), lon0), lat0 + np.asarray(lat_m, dtype=float) / M_PER_DEG_LAT, times,
                    source_file=name)


def walk(minutes: float, kmh: float = 4.0, step_s: int = 10, offset_m: float = 0.0, offset_s: int = 0):
    seconds = np.arange(0, minutes * 60 + 1, step_s) + offset_s
    return offset_m + (seconds - offset_s) * kmh / 3.6, seconds


def clean(raw: RawTrack, **kwargs):
    return clean_track(raw, now=NOW, **kwargs)


def test_a_clean_walk_is_one_dated_foot_patrol():
    [patrol] = clean(track(*walk(60)))
    assert patrol.patrol_id == "t#1" and patrol.source_file == "t.gpx"
    assert patrol.dated and patrol.on_foot and patrol.vehicle_km == 0
    assert patrol.length_km == pytest.approx(4.0, rel=0.01) and patrol.duration_h == pytest.approx(1.0)
    assert patrol.start_time == dt.datetime(2025, 11, 3, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert patrol.n_points == 361 and patrol.qa_note == "质检合格" and patrol.qa_note_en == "passed"
    assert patrol.geometry.geom_type == "MultiLineString"
    x, y = patrol.geometry.geoms[0].coords[0]
    assert x == pytest.approx(593250, abs=500) and y == pytest.approx(2858330, abs=500)  # EPSG:4547 near Ganzhou
    assert patrol.geometry.length / 1000 == pytest.approx(patrol.length_km, rel=0.01)


def test_bad_fixes_at_zero_and_a_jump_are_dropped():
    lat_m, seconds = walk(60)
    raw = track(lat_m, seconds)
    lon, lat = raw.lon.copy(), raw.lat.copy()
    lon[[50, 120, 121]] = 0.0
    lat[[50, 120, 121]] = 0.0
    lat[200] += 0.5  # 55 km north for one fix
    [patrol] = clean(RawTrack(lon, lat, raw.time, source_file="t.gpx"))
    assert patrol.n_points == len(lat_m) - 4
    assert patrol.length_km == pytest.approx(4.0, rel=0.01)
    assert "删除异常点 4 个" in patrol.qa_note and "4 bad fixes dropped" in patrol.qa_note_en


def test_a_run_of_bad_fixes_and_a_jump_at_the_start():
    lat_m, seconds = walk(30)
    raw = track(lat_m, seconds)
    lat = raw.lat.copy()
    lat[[0, 1]] += 1.0  # the first two fixes 111 km away
    lat[[100, 101, 102]] -= 1.0  # a run of three
    [patrol] = clean(RawTrack(raw.lon, lat, raw.time, source_file="t.gpx"))
    assert patrol.n_points == len(lat_m) - 5
    assert len(patrol.geometry.geoms) == 1


def test_a_jump_that_stays_breaks_the_line():
    lat_m, seconds = walk(30)
    lat_m[100:] += 60000.0  # the rest of the track 60 km on: no way to close up
    [patrol] = clean(track(lat_m, seconds))
    assert len(patrol.geometry.geoms) == 2 and patrol.length_km == pytest.approx(2.0, rel=0.02)
    assert "跳点断开" in patrol.qa_note


def test_split_at_a_long_gap_into_two_patrols():
    first, second = walk(60), walk(60, offset_m=4000.0, offset_s=3600 + 3 * 3600)
    raw = track(np.concatenate([first[0], second[0]]), np.concatenate([first[1], second[1]]), "a_b.gpx")
    patrols = clean(raw)
    assert [p.patrol_id for p in patrols] == ["a_b#1", "a_b#2"]
    assert patrols[1].start_time - patrols[0].end_time == dt.timedelta(hours=3)
    assert all("第 {}/2 段".format(i + 1) in p.qa_note for i, p in enumerate(patrols))
    assert len(clean(raw, params=QualityParams(gap_split_min=240))) == 1


def test_a_drive_is_not_on_foot_and_a_short_drive_is_measured():
    [car] = clean(track(*walk(30, kmh=40.0)))
    assert car.on_foot is False and car.vehicle_km == pytest.approx(car.length_km)
    assert "不是步行巡林" in car.qa_note
    walked, drove = walk(120), walk(5, kmh=40.0, offset_m=8000.0, offset_s=7210)
    [mixed] = clean(track(np.concatenate([walked[0], drove[0]]), np.concatenate([walked[1], drove[1]])))
    assert mixed.on_foot is True
    assert mixed.vehicle_km == pytest.approx(3.3, abs=0.25)
    assert "车速路段 3." in mixed.qa_note


def test_one_noisy_fix_does_not_make_a_walk_a_drive():
    lat_m, seconds = walk(30)
    lat_m[90] += 80.0  # 29 km/h in and out of one fix
    [patrol] = clean(track(lat_m, seconds))
    assert patrol.vehicle_km == 0 and patrol.on_foot


def test_vehicle_window_is_vectorised_and_sustained():
    seconds = np.arange(0, 601, 10.0)
    distance = np.full(60, 10.0)  # 3.6 km/h
    distance[30] = 300.0  # one leg at 108 km/h
    assert not vehicle_legs(distance, seconds, QualityParams(vehicle_window_s=300)).any()
    assert vehicle_legs(distance, seconds, QualityParams(vehicle_window_s=10)).sum() == 1


@pytest.mark.parametrize("start, reason", [(dt.datetime(1901, 12, 13, 20, 45), "1901 年"),
                                           (dt.datetime(2031, 1, 1), "时间在未来")])
def test_absurd_times_give_an_undated_track_that_keeps_its_line(start, reason):
    [patrol] = clean(track(*walk(30), start=start))
    assert not patrol.dated and patrol.on_foot is None
    assert patrol.start_time is None and patrol.end_time is None and patrol.duration_h is None
    assert patrol.length_km == pytest.approx(2.0, rel=0.01) and reason in patrol.qa_note


def test_untimed_segments_are_parts_of_one_patrol():
    lat_m = np.arange(0, 1000, 50.0)
    raw = track(lat_m, np.zeros(len(lat_m)))
    raw = RawTrack(raw.lon, raw.lat, np.full(len(lat_m), np.datetime64("NaT", "s")), (0, 10), source_file="u.gpx")
    [patrol] = clean(raw)
    assert not patrol.dated and len(patrol.geometry.geoms) == 2 and "无时间信息" in patrol.qa_note
    assert patrol.length_km == pytest.approx(0.9, abs=0.01)  # the link between the segments is not counted


def test_repeated_and_backward_times_and_positions_are_dropped():
    lat_m, seconds = walk(10)
    seconds = seconds.copy()
    seconds[20] = seconds[19]  # a repeat
    seconds[30] = seconds[25]  # back in time
    lat_m[41:45] = lat_m[40]  # a rest with the same position: its first and last fix stay
    [patrol] = clean(track(lat_m, seconds))
    assert patrol.n_points == len(lat_m) - 2 - 3
    assert "删除时间缺失、重复或倒退的点 2 个" in patrol.qa_note and "删除重复位置点 3 个" in patrol.qa_note


def test_too_few_points_give_no_patrol():
    assert clean(track(np.array([0.0, 10.0]), np.array([0, 10]))) == []
    lat_m, seconds = walk(30)
    lat_m, seconds = np.append(lat_m, lat_m[-1] + 5), np.append(seconds, seconds[-1] + 7200)
    [patrol] = clean(track(lat_m, seconds))  # the lone fix after the gap is dropped
    assert "删除不足 3 点的片段 1 个" in patrol.qa_note


def test_haversine():
    assert haversine_m(np.array([0.0]), np.array([0.0]), np.array([0.0]), np.array([1.0]))[0] == pytest.approx(
        111195, rel=1e-4)


# --- the real files ----------------------------------------------------------------------------

def real(shared_data, name: str):
    [raw] = read_track_file(os.path.join(shared_data, "gpx", name))
    return clean_track(raw)


def test_real_car_drive_is_not_on_foot(shared_data):
    [car] = real(shared_data, "around-visnjan-with-car.gpx")
    assert car.dated and car.on_foot is False and car.vehicle_km > 0.5 * car.length_km
    assert car.length_km == pytest.approx(2.7, abs=0.3)


def test_real_1901_track_is_undated_but_keeps_its_geometry(shared_data):
    [climb] = real(shared_data, "Mojstrovka.gpx")
    assert not climb.dated and climb.on_foot is None and climb.n_points == 184
    assert climb.length_km == pytest.approx(2.7, abs=0.05)
    assert not climb.geometry.is_empty and "1901" in climb.qa_note
    assert "适用范围之外" in climb.qa_note  # Slovenia is far outside EPSG:4547


def test_real_lake_walk_has_a_sensible_length(shared_data):
    [lake] = real(shared_data, "cerknicko-jezero.gpx")
    assert lake.dated and lake.length_km == pytest.approx(13.7, abs=0.4)
    assert lake.start_time.astimezone(dt.timezone.utc).replace(tzinfo=None) == dt.datetime(2010, 8, 5, 14, 23, 59)
    assert lake.duration_h == pytest.approx(2.0, abs=0.01)


# --- importing files and folders ---------------------------------------------------------------

def test_area_index_links_by_code_in_file_name_or_by_chief():
    areas = AreaIndex.from_pairs([("3607", "王林"), ("360702", "李青"), ("360702201", "王林"), (None, "x")])
    assert areas.link("360702_20251103_1", "") == ("李青", "360702")
    assert areas.link("360702_20251103_1", "360702") == ("李青", "360702")
    assert areas.link("360702_20251103_1", "张三") == ("张三", "360702")
    assert areas.link("track", "王林") == ("王林", "3607")  # the chief's highest-level area
    assert areas.link("track", "无名") == ("无名", "")


def test_import_a_folder_skips_the_bad_file(shared_data, tmp_path):
    for name in os.listdir(os.path.join(shared_data, "gpx")):
        (tmp_path / name).write_bytes(open(os.path.join(shared_data, "gpx", name), "rb").read())
    (tmp_path / "broken.gpx").write_text("<gpx><trk>")
    (tmp_path / "readme.md").write_text("not a track")
    assert [os.path.basename(p) for p in list_track_files(str(tmp_path))] == [
        "Mojstrovka.gpx", "around-visnjan-with-car.gpx", "broken.gpx", "cerknicko-jezero.gpx"]
    steps = []
    patrols, problems = import_tracks(str(tmp_path), progress=steps.append)
    assert [p.patrol_id for p in patrols] == ["Mojstrovka#1", "around-visnjan-with-car#1", "cerknicko-jezero#1"]
    assert [p.file_name for p in problems] == ["broken.gpx"] and "XML" in str(problems[0])
    assert steps[-1] == 1.0 and len(steps) == 4
    assert patrols[2].patroller == "ACTIVE LOG"  # the track's name


def test_patroller_sources(tmp_path):
    lonlat = "lon,lat,time,who\n" + "".join(
        "114.93,{:.6f},2025-11-03 08:{:02d}:00,{}\n".format(25.83 + i * 0.0005, i, "甲" if i < 5 else "乙")
        for i in range(10))
    (tmp_path / "3607_x.csv").write_text(lonlat)
    path = str(tmp_path / "3607_x.csv")
    by_file, _ = import_tracks(path, ImportOptions(patroller_source=FILE_NAME))
    assert [p.patroller for p in by_file] == ["3607"]
    fixed, _ = import_tracks(path, ImportOptions(patroller_source=FIXED, patroller="赵六"))
    assert [p.patroller for p in fixed] == ["赵六"]
    by_column, _ = import_tracks(path, ImportOptions(patroller_source="column", patroller="who"),
                                 AreaIndex.from_pairs([("3607", "甲")]))
    assert [(p.patrol_id, p.patroller, p.area_code) for p in by_column] == [("3607_x#1", "甲", "3607"),
                                                                           ("3607_x#2", "乙", "3607")]


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(TrackFormatError, match="No such file or folder"):
        list_track_files(str(tmp_path / "nowhere"))
    with pytest.raises(TrackFormatError, match="holds no track files"):
        import_tracks(str(tmp_path))
