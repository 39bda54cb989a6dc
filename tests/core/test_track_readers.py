"""Reading GPX, CSV and PLT tracks into raw tracks, and refusing bad files with two sentences."""
from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pytest

from linzhang_qgis.core.demo.gpx import gpx_text
from linzhang_qgis.core.errors import LinzhangError
from linzhang_qgis.core.patrols.track_readers import (
    CsvColumns,
    TrackFormatError,
    parse_times,
    read_track_file,
)

UTC = dt.timezone.utc


def write(path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


def utc(*args) -> np.datetime64:
    return np.datetime64(dt.datetime(*args), "s")


def test_gpx_11_track_with_name_and_utc_times(tmp_path):
    times = [dt.datetime(2025, 11, 3, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))) + dt.timedelta(seconds=20 * i)
             for i in range(4)]
    lonlat = np.array([[114.93, 25.83], [114.9302, 25.8301], [114.9304, 25.8302], [114.9306, 25.8303]])
    path = write(tmp_path / "360702001_20251103_1.gpx", gpx_text("张三", "巡林", lonlat, np.zeros(4), times))
    [raw] = read_track_file(path)
    assert raw.name == "张三" and raw.source_file == "360702001_20251103_1.gpx" and raw.stem == "360702001_20251103_1"
    np.testing.assert_allclose(raw.lon, lonlat[:, 0])
    np.testing.assert_allclose(raw.lat, lonlat[:, 1])
    assert raw.time[0] == utc(2025, 11, 3, 0, 30) and raw.time[-1] == utc(2025, 11, 3, 0, 31)


def test_gpx_10_real_files(shared_data):
    [mojstrovka] = read_track_file(os.path.join(shared_data, "gpx", "Mojstrovka.gpx"))
    assert mojstrovka.n == 184
    assert np.all(mojstrovka.time == utc(1901, 12, 13, 20, 45, 52))
    [lake] = read_track_file(os.path.join(shared_data, "gpx", "cerknicko-jezero.gpx"))
    assert lake.n == 296 and len(lake.segment_starts) == 7  # 8 tracks, one of them empty; waypoints ignored
    assert lake.segment_starts[:2] == (0, 173)
    assert not np.isnat(lake.time).any()


def test_gpx_route_and_timed_waypoints(tmp_path):
    route = write(tmp_path / "route.gpx", '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><rte>'
                  '<name>r</name><rtept lat="25.8" lon="114.9"/><rtept lat="25.81" lon="114.91"/>'
                  '<rtept lat="25.82" lon="114.92"/></rte></gpx>')
    [raw] = read_track_file(route)
    assert raw.n == 3 and raw.name == "r" and np.isnat(raw.time).all()
    waypoints = write(tmp_path / "wpt.gpx", '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
                      '<wpt lat="25.81" lon="114.91"><time>2025-11-03T01:00:00Z</time></wpt>'
                      '<wpt lat="25.80" lon="114.90"><time>2025-11-03T00:00:00Z</time></wpt></gpx>')
    [raw] = read_track_file(waypoints)
    assert raw.lat.tolist() == [25.80, 25.81]  # sorted by time


@pytest.mark.parametrize("name, content, zh, en", [
    ("broken.gpx", "<gpx><trk><trkseg><trkpt lat=", "XML 格式错误", "malformed XML"),
    ("empty.gpx", "  \n", "文件是空的", "the file is empty"),
    ("nothing.gpx", '<gpx version="1.1"></gpx>', "没有轨迹点", "no track points"),
    ("places.gpx", '<gpx version="1.1"><wpt lat="25.8" lon="114.9"/><wpt lat="25.9" lon="114.9"/></gpx>',
     "只有 2 个航点", "only 2 waypoints"),
    ("empty.csv", "", "文件是空的", "the file is empty"),
    ("nocoords.csv", "名称,时间\na,2025-11-03 08:00:00\n", "找不到经度、纬度列", "no longitude and latitude columns"),
    ("header.csv", "lon,lat,time\n", "没有数据行", "no rows"),
    ("swapped.csv", "lon,lat\n25.8,114.9\n25.9,114.9\n", "可能写反了", "look swapped"),
    ("swapped_china.csv", "经度,纬度\n40.1,80.2\n40.2,80.3\n", "像中国的纬度", "look like latitudes in China"),
    ("range.csv", "lon,lat\n114.9,25.8\n214.9,25.8\n", "超出范围", "out of range"),
    ("notes.txt", "hello", "不支持的文件类型", "unsupported file type"),
    ("bad.plt", "1\n2\n3\n4\n5\n6\n25.8 114.9\n", "不是 GeoLife PLT 格式", "not a GeoLife PLT file"),
])
def test_bad_files_raise_two_sentences(tmp_path, name, content, zh, en):
    path = write(tmp_path / name, content)
    with pytest.raises(TrackFormatError) as caught:
        read_track_file(path)
    error = caught.value
    assert isinstance(error, LinzhangError) and isinstance(error, ValueError)
    assert zh in error.message_zh and name in error.message_zh
    assert en in error.message_en and name in error.message_en
    assert str(error) == error.message_zh + "\n" + error.message_en


def test_csv_chinese_headers_gbk_and_beijing_time(tmp_path):
    text = "序号,经度(°),纬度(°),定位时间\n1,114.93,25.83,2025/11/3 8:30:00\n2,114.931,25.831,2025/11/3 8:30:20\n" \
           "3,abc,25.8,2025/11/3 8:30:40\n"
    [raw] = read_track_file(write(tmp_path / "巡林.csv", text, "gb18030"))
    assert raw.n == 2 and raw.unreadable_rows == 1
    assert raw.time[0] == utc(2025, 11, 3, 0, 30)  # read as Beijing time
    [raw] = read_track_file(str(tmp_path / "巡林.csv"), utc_offset_h=0.0)
    assert raw.time[0] == utc(2025, 11, 3, 8, 30)


def test_csv_english_headers_epoch_ms_semicolons_date_and_time(tmp_path):
    [raw] = read_track_file(write(tmp_path / "a.csv", "Latitude;Longitude;Timestamp\n25.83;114.93;1762129800000\n"))
    assert raw.lon[0] == 114.93 and raw.time[0] == utc(2025, 11, 3, 0, 30)
    [raw] = read_track_file(write(tmp_path / "b.csv", "date,time,lng,lat\n2025-11-03,08:30:00,114.93,25.83\n"))
    assert raw.time[0] == utc(2025, 11, 3, 0, 30)
    [raw] = read_track_file(write(tmp_path / "c.csv", "x,y\n114.93,25.83\n"))
    assert np.isnat(raw.time).all()


def test_csv_explicit_columns_and_patroller_column(tmp_path):
    text = "E,N,T,who\n114.93,25.83,2025-11-03T00:30:00Z,甲\n114.94,25.84,2025-11-03T00:31:00Z,乙\n" \
           "114.95,25.85,2025-11-03T00:32:00Z,甲\n"
    path = write(tmp_path / "team.csv", text)
    with pytest.raises(TrackFormatError, match="no longitude and latitude columns"):
        read_track_file(path)
    tracks = read_track_file(path, CsvColumns("E", "N", "T"), patroller_column="who")
    assert [(t.name, t.n) for t in tracks] == [("甲", 2), ("乙", 1)]
    assert tracks[0].time[1] == utc(2025, 11, 3, 0, 32)
    with pytest.raises(TrackFormatError, match="no column 'lat'"):
        read_track_file(path, CsvColumns("E", "lat"))


def test_plt_geolife(tmp_path):
    header = "Geolife trajectory\nWGS 84\nAltitude is in Feet\nReserved 3\n0,2,255,My Track,0,0,2,8421376\n0\n"
    rows = "39.984702,116.318417,0,492,39744.1201851852,2008-10-23,02:53:04\n" \
           "39.984683,116.31845,0,492,39744.1202546296,2008-10-23,02:53:10\n"
    [raw] = read_track_file(write(tmp_path / "20081023025304.plt", header + rows))
    assert raw.n == 2 and raw.lon[0] == 116.318417 and raw.lat[0] == 39.984702
    assert raw.time[0] == utc(2008, 10, 23, 2, 53, 4) and raw.time[1] == utc(2008, 10, 23, 2, 53, 10)


def test_parse_times_formats():
    seconds = parse_times(["2025-11-03T00:30:00Z", "2025-11-03 08:30:00+08:00", "2025年11月3日 8时30分",
                           "2025-11-03 08:30", "", "soon"], utc_offset_h=8.0)
    expected = (dt.datetime(2025, 11, 3, 0, 30, tzinfo=UTC)).timestamp()
    assert seconds[:4].tolist() == [expected] * 4
    assert np.isnan(seconds[4:]).all()
