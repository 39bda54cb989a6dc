"""The spot store on a real workspace GeoPackage: a change and its history row together, conflicts, undo,
read-only files, a locked database, what OGR reads back, speed, and surviving kill -9 at any moment."""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time

import pytest
import shapely
from pyproj import CRS

import linzhang_qgis
from linzhang_qgis.core import gpkg_sqlite, schema
from linzhang_qgis.core.change.spot_store import append_spots
from linzhang_qgis.core.change.spots import SpotRecord
from linzhang_qgis.core.errors import WorkspaceError
from linzhang_qgis.core.inspection import store
from linzhang_qgis.core.inspection.workflow import WorkflowError, coerce_value
from linzhang_qgis.core.workspace import create_workspace

GK_WKT = CRS.from_epsg(4547).to_wkt()
X0, Y0 = 593000.0, 2858000.0
BEFORE, AFTER = dt.date(2025, 10, 20), dt.date(2026, 10, 18)
T0 = dt.datetime(2026, 11, 2, 9, 30, 15, 250000)


def record(number: str, i: int) -> SpotRecord:
    x = X0 + 200 * i
    return SpotRecord(shapely.box(x, Y0, x + 60, Y0 + 40), {
        "spot_no": number, "county": "章贡区", "village": "水东村", "before_date": BEFORE, "after_date": AFTER,
        "area_m2": 2400.0, "area_mu": 3.6, "confidence": "high", "suspected_cause": 1, "round_id": "20261018",
        "status": "issued"})


def make_workspace(path: str, numbers=("A-0003", "A-0001", "A-0002")) -> str:
    create_workspace(path)
    append_spots(path, [record(number, i) for i, number in enumerate(numbers)], GK_WKT)
    return path


@pytest.fixture()
def workspace(tmp_path):
    return make_workspace(str(tmp_path / "ws.gpkg"))


def by_number(path: str) -> dict:
    return {state.values["spot_no"]: state for state in store.load_spots(path)}


def raw(path: str, sql: str, args=()):
    db = sqlite3.connect(path)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


# --- reading --------------------------------------------------------------------------------------

def test_load_spots_orders_by_number_and_types_the_values(workspace):
    states = store.load_spots(workspace)
    assert [s.values["spot_no"] for s in states] == ["A-0001", "A-0002", "A-0003"]
    first = states[0]
    assert set(first.values) == set(schema.CHANGE_SPOTS.field_names)
    assert first.values["before_date"] == BEFORE and isinstance(first.values["before_date"], dt.date)
    assert first.values["suspected_cause"] == 1 and first.values["area_m2"] == 2400.0
    assert first.values["patrol_missed"] is None and first.history_count == 0
    assert len({s.version for s in states}) == 3
    assert store.load_spot(workspace, first.fid) == first
    with pytest.raises(WorkspaceError, match="no spot with feature id 999"):
        store.load_spot(workspace, 999)


def test_not_a_workspace(tmp_path):
    missing = str(tmp_path / "nothing.gpkg")
    with pytest.raises(WorkspaceError):
        store.load_spots(missing)
    assert not os.path.exists(missing)  # never created by a read
    other = tmp_path / "plain.gpkg"
    other.write_bytes(b"not a geopackage at all")
    with pytest.raises(WorkspaceError, match="not a GeoPackage"):
        store.check_writable(str(other))


# --- changing -------------------------------------------------------------------------------------

def test_apply_change_writes_the_spot_and_its_history_together(workspace):
    state = by_number(workspace)["A-0002"]
    new = store.apply_change(workspace, state.fid, state.version,
                             {"status": "interpreted", "inspector": "李核查", "notes": "影像清晰",
                              "county": "章贡区", "verify_date": dt.date(2026, 11, 2)},
                             "李核查", note="判读通过", now=T0)
    assert new.values["status"] == "interpreted" and new.values["inspector"] == "李核查"
    assert new.values["verify_date"] == dt.date(2026, 11, 2)
    assert new.history_count == 1 and new.version != state.version
    assert store.load_spot(workspace, state.fid) == new
    row = raw(workspace, "SELECT status, inspector, verify_date FROM change_spots WHERE fid = ?", (state.fid,))
    assert row == [("interpreted", "李核查", "2026-11-02")]
    [entry] = store.history(workspace, "A-0002")
    assert entry.changed_at == dt.datetime(2026, 11, 2, 9, 30, 15, 250000)
    assert (entry.changed_by, entry.old_status, entry.new_status, entry.note) == (
        "李核查", "issued", "interpreted", "判读通过")
    # only what really changes: county was already 章贡区
    assert entry.changes == {"status": ["issued", "interpreted"], "inspector": [None, "李核查"],
                             "notes": [None, "影像清晰"], "verify_date": [None, "2026-11-02"]}
    [(changed_at, changes)] = raw(workspace, "SELECT changed_at, changes FROM spot_history")
    assert changed_at == "2026-11-02T09:30:15.250" and json.loads(changes) == entry.changes
    # the other spots did not change
    assert all(s.history_count == 0 for n, s in by_number(workspace).items() if n != "A-0002")
    assert raw(workspace, "PRAGMA integrity_check") == [("ok",)]


def test_a_refused_change_writes_nothing(workspace):
    state = by_number(workspace)["A-0001"]
    with pytest.raises(WorkflowError):
        store.apply_change(workspace, state.fid, state.version, {"status": "closed", "inspector": "x"}, "x")
    assert store.load_spot(workspace, state.fid) == state
    assert raw(workspace, "SELECT count(*) FROM spot_history") == [(0,)]


def test_no_change_writes_nothing_and_a_note_alone_is_recorded(workspace):
    state = by_number(workspace)["A-0001"]
    same = store.apply_change(workspace, state.fid, state.version, {"status": "issued", "county": "章贡区"}, "x")
    assert same == state and raw(workspace, "SELECT count(*) FROM spot_history") == [(0,)]
    noted = store.apply_change(workspace, state.fid, state.version, {}, "王五", note="电话联系了村林长")
    assert noted.history_count == 1 and noted.values == state.values and noted.version != state.version
    assert store.history(workspace, "A-0001")[0].changes == {}


def test_a_stale_version_is_a_conflict(workspace):
    state = by_number(workspace)["A-0003"]
    first = store.apply_change(workspace, state.fid, state.version, {"notes": "窗口一"}, "甲")
    with pytest.raises(store.ConflictError) as caught:  # the second window still holds the old version
        store.apply_change(workspace, state.fid, state.version, {"notes": "窗口二"}, "乙")
    assert "别处" in caught.value.message_zh and "changed elsewhere" in caught.value.message_en
    assert isinstance(caught.value, WorkspaceError)
    assert store.load_spot(workspace, state.fid) == first
    # an edit made by another program (QGIS's attribute table) also changes the version
    db = sqlite3.connect(workspace)  # with the functions OGR's triggers name (as OGR has them)
    store._register_functions(db)
    db.execute("UPDATE change_spots SET photos = 'IMG_1.jpg' WHERE fid = ?", (state.fid,))
    db.commit()
    db.close()
    with pytest.raises(store.ConflictError):
        store.apply_change(workspace, state.fid, first.version, {"notes": "窗口一再改"}, "甲")
    with pytest.raises(store.ConflictError):
        store.undo_last(workspace, state.fid, first.version, "甲")
    assert store.load_spot(workspace, state.fid).history_count == 1


# --- undo -----------------------------------------------------------------------------------------

def test_undo_restores_and_a_second_undo_reverts_the_change_before(workspace):
    state = by_number(workspace)["A-0001"]
    s1 = store.apply_change(workspace, state.fid, state.version,
                            {"status": "interpreted", "inspector": "李核查"}, "李核查", now=T0)
    s2 = store.apply_change(workspace, s1.fid, s1.version,
                            {"status": "field_verified", "verified_cause": 42, "verify_date": "2026-11-03",
                             "photos": "IMG_7.jpg"}, "李核查", now=T0 + dt.timedelta(days=1))
    assert s2.values["verified_cause"] == 42 and s2.values["verify_date"] == dt.date(2026, 11, 3)

    u1 = store.undo_last(workspace, s2.fid, s2.version, "王审核", now=T0 + dt.timedelta(days=2))
    assert {k: u1.values[k] for k in ("status", "verified_cause", "verify_date", "photos", "inspector")} == {
        "status": "interpreted", "verified_cause": None, "verify_date": None, "photos": None, "inspector": "李核查"}
    entries = store.history(workspace, "A-0001")
    assert len(entries) == 3 and u1.history_count == 3
    undo = entries[-1]
    assert undo.note.startswith("undo #") and "撤销" in undo.note and undo.undoes == entries[1].fid
    assert (undo.changed_by, undo.old_status, undo.new_status) == ("王审核", "field_verified", "interpreted")
    assert undo.changes["verified_cause"] == [42, None] and undo.changes["verify_date"] == ["2026-11-03", None]

    u2 = store.undo_last(workspace, u1.fid, u1.version, "王审核")
    assert u2.values == state.values  # back to the spot as issued
    assert store.history(workspace, "A-0001")[-1].undoes == entries[0].fid
    with pytest.raises(store.NothingToUndo) as caught:
        store.undo_last(workspace, u2.fid, u2.version, "王审核")
    assert "撤销" in caught.value.message_zh and "undo" in caught.value.message_en
    assert store.load_spot(workspace, state.fid).history_count == 4

    # a new change after undoing is undone first
    s3 = store.apply_change(workspace, u2.fid, u2.version, {"notes": "重新判读"}, "李核查")
    u3 = store.undo_last(workspace, s3.fid, s3.version, "李核查")
    assert u3.values["notes"] is None and u3.values["status"] == "issued"
    with pytest.raises(store.NothingToUndo):
        store.undo_last(workspace, u3.fid, u3.version, "李核查")


def test_nothing_to_undo_on_a_new_spot(workspace):
    state = by_number(workspace)["A-0002"]
    with pytest.raises(store.NothingToUndo):
        store.undo_last(workspace, state.fid, state.version, "x")
    assert raw(workspace, "SELECT count(*) FROM spot_history") == [(0,)]


# --- read-only and locked ---------------------------------------------------------------------------

def test_a_read_only_file_is_refused_even_for_root(workspace):
    state = by_number(workspace)["A-0001"]
    os.chmod(workspace, 0o444)
    try:
        with pytest.raises(WorkspaceError, match="read-only file"):
            store.check_writable(workspace)
        with pytest.raises(WorkspaceError, match="read-only"):
            store.apply_change(workspace, state.fid, state.version, {"notes": "x"}, "x")
        with pytest.raises(WorkspaceError, match="read-only"):
            store.undo_last(workspace, state.fid, state.version, "x")
        with pytest.raises(WorkspaceError, match="read-only"):
            store.set_patrol_missed(workspace, {"A-0001": True})
        assert store.load_spot(workspace, state.fid) == state  # reading still works
    finally:
        os.chmod(workspace, 0o644)
    assert raw(workspace, "SELECT count(*) FROM spot_history") == [(0,)]
    store.check_writable(workspace)


def test_a_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    path = make_workspace(str(folder / "ws.gpkg"))
    state = store.load_spots(path)[0]
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        with pytest.raises(WorkspaceError, match="folder of the workspace"):
            store.apply_change(path, state.fid, state.version, {"notes": "x"}, "x")
    finally:
        os.chmod(folder, 0o755)
    assert store.load_spot(path, state.fid) == state


def test_a_locked_database_fails_quickly_and_writes_nothing(workspace, monkeypatch):
    monkeypatch.setattr(gpkg_sqlite, "BUSY_TIMEOUT_S", 0.3)
    state = by_number(workspace)["A-0001"]
    other = sqlite3.connect(workspace, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program is writing
    try:
        started = time.monotonic()
        with pytest.raises(WorkspaceError) as caught:
            store.apply_change(workspace, state.fid, state.version, {"status": "interpreted", "inspector": "x"}, "x")
        assert time.monotonic() - started < 2.0
        assert "try again" in caught.value.message_en and "稍后再试" in caught.value.message_zh
        assert not isinstance(caught.value, store.ConflictError)
        with pytest.raises(WorkspaceError, match="try again"):
            store.undo_last(workspace, state.fid, state.version, "x")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.load_spot(workspace, state.fid) == state
    assert raw(workspace, "SELECT count(*) FROM spot_history") == [(0,)]
    store.apply_change(workspace, state.fid, state.version, {"status": "interpreted", "inspector": "x"}, "x")


# --- what OGR (and so QGIS) reads back ---------------------------------------------------------------

def test_ogr_reads_the_dates_times_and_flags_the_store_writes(workspace):
    from osgeo import ogr

    state = by_number(workspace)["A-0002"]
    store.apply_change(workspace, state.fid, state.version,
                       {"verify_date": dt.date(2026, 12, 31), "notes": "复核"}, "李核查", now=T0)
    assert store.set_patrol_missed(workspace, {"A-0002": True, "A-0001": False, "nope": True}) == 2
    ogr.UseExceptions()
    dataset = ogr.Open(workspace)
    spots = dataset.GetLayerByName("change_spots")
    feature = spots.GetFeature(state.fid)
    definition = spots.GetLayerDefn()
    verify = definition.GetFieldDefn(definition.GetFieldIndex("verify_date"))
    assert verify.GetType() == ogr.OFTDate
    assert feature.GetFieldAsDateTime("verify_date")[:3] == [2026, 12, 31]
    assert feature.GetFieldAsDateTime("before_date")[:3] == [2025, 10, 20]
    missed = definition.GetFieldDefn(definition.GetFieldIndex("patrol_missed"))
    assert missed.GetSubType() == ogr.OFSTBoolean and feature.GetField("patrol_missed") == 1
    assert feature.GetField("notes") == "复核" and feature.GetGeometryRef().GetArea() == pytest.approx(2400.0)
    history = dataset.GetLayerByName("spot_history")
    assert history.GetFeatureCount() == 1  # OGR's feature count (kept by the GeoPackage's triggers)
    entry = history.GetNextFeature()
    year, month, day, hour, minute, second, tz_flag = entry.GetFieldAsDateTime("changed_at")
    assert (year, month, day, hour, minute) == (2026, 11, 2, 9, 30) and second == pytest.approx(15.25)
    assert tz_flag in (0, 1)  # local time, no time zone: QGIS shows it as written
    assert entry.GetField("spot_no") == "A-0002"
    dataset = None
    # OGR's cached count stays unknown (NULL: OGR counts) or right, never stale
    assert raw(workspace, "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'spot_history'") in (
        [(None,)], [(1,)])


def test_geometry_triggers_still_work_after_attribute_updates(workspace):
    """The R-tree of the spots stays right: OGR's spatial filter finds the spot where it is."""
    from osgeo import ogr

    state = by_number(workspace)["A-0003"]
    store.apply_change(workspace, state.fid, state.version, {"notes": "x"}, "x")
    dataset = ogr.Open(workspace)
    layer = dataset.GetLayerByName("change_spots")
    layer.SetSpatialFilterRect(X0 + 10, Y0 + 10, X0 + 20, Y0 + 20)
    assert [f.GetField("spot_no") for f in layer] == ["A-0003"]
    dataset = None
    assert store._st_is_empty(None) == 1
    envelope = raw(workspace, "SELECT geom FROM change_spots WHERE fid = ?", (state.fid,))[0][0]
    assert store._envelope(envelope) == pytest.approx((X0, X0 + 60, Y0, Y0 + 40))


# --- speed ----------------------------------------------------------------------------------------

def test_load_spots_of_ten_thousand_spots_is_fast(tmp_path):
    path = str(tmp_path / "big.gpkg")
    create_workspace(path)
    records = []
    for i in range(10_000):
        x, y = X0 + (i % 100) * 100, Y0 + (i // 100) * 100
        records.append(SpotRecord(shapely.box(x, y, x + 50, y + 50), {
            "spot_no": f"B-{i:05d}", "status": "issued", "before_date": BEFORE, "after_date": AFTER,
            "area_m2": 2500.0, "confidence": "high", "suspected_cause": 1}))
    append_spots(path, records, GK_WKT)
    some = store.load_spots(path)[:50]
    for state in some:
        store.apply_change(path, state.fid, state.version, {"notes": "看过"}, "x")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        states = store.load_spots(path)
        timings.append(time.perf_counter() - started)
    assert len(states) == 10_000 and sum(s.history_count for s in states) == 50
    assert min(timings) < 0.5, timings


# --- kill -9 at any moment --------------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import datetime as dt, sys, time
    sys.path.insert(0, sys.argv[1])
    from linzhang_qgis.core.inspection import store
    path, fids, mode = sys.argv[2], [int(f) for f in sys.argv[3].split(",")], sys.argv[4]
    print("ready", flush=True)
    i = 0
    while True:
        fid = fids[i % len(fids)]
        state = store.load_spot(path, fid)
        n = state.history_count + 1
        store.apply_change(path, fid, state.version,
                           {"notes": f"edit {n}", "area_mu": float(n),
                            "verify_date": dt.date(2026, 1, 1) + dt.timedelta(days=n)},
                           "kill-test", note=f"edit {n}")
        print("applied", fid, n, flush=True)
        i += 1
        if mode == "once":
            time.sleep(60)
""")


def start_child(path: str, fids, mode: str) -> subprocess.Popen:
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(linzhang_qgis.__file__)))
    child = subprocess.Popen([sys.executable, "-c", CHILD, package_parent, path, ",".join(map(str, fids)), mode],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    assert line.strip() == "ready", line + child.stderr.read()
    return child


def kill(child: subprocess.Popen) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    child.stderr.close()


def assert_consistent(path: str, initial: dict) -> int:
    """Every spot's values are its initial values with its history replayed, and its edit counter equals its
    number of history rows; the file is intact. Returns the number of history rows."""
    assert raw(path, "PRAGMA integrity_check") == [("ok",)]
    total = 0
    for number, state in by_number(path).items():
        entries = store.history(path, number)
        values = dict(initial[number].values)
        for k, entry in enumerate(entries, start=1):
            for name, (old, new) in entry.changes.items():
                assert coerce_value(name, old) == values[name], (number, k, name)
                values[name] = coerce_value(name, new)
            assert entry.note == f"edit {k}" and entry.changes["notes"][1] == f"edit {k}"
        assert values == state.values, number
        assert state.history_count == len(entries)
        expected = f"edit {len(entries)}" if entries else None
        assert state.values["notes"] == expected and (state.values["area_mu"] == len(entries) or not entries)
        total += len(entries)
    counted = raw(path, "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'spot_history'")
    assert raw(path, "SELECT count(*) FROM spot_history") == [(total,)]
    assert counted in ([(None,)], [(total,)])  # OGR's cached count: unknown (OGR counts) or right
    return total


def test_killed_right_after_apply_change_returns_the_change_is_kept(tmp_path):
    path = make_workspace(str(tmp_path / "ws.gpkg"))
    initial = by_number(path)
    fids = [s.fid for s in initial.values()]
    for round_ in range(3):
        child = start_child(path, [fids[round_]], "once")
        line = child.stdout.readline()  # apply_change has returned
        kill(child)
        assert line.split()[0] == "applied", line
        assert assert_consistent(path, initial) == round_ + 1
        assert store.load_spot(path, fids[round_]).values["notes"] == "edit 1"


HALF_WRITTEN = textwrap.dedent("""
    import sqlite3, sys, time
    sys.path.insert(0, sys.argv[1])
    from linzhang_qgis.core.inspection import store
    db = sqlite3.connect(sys.argv[2], isolation_level=None)
    store._register_functions(db)
    db.execute("PRAGMA cache_size = 2")  # pages spill into the file before the commit
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE change_spots SET notes = 'half-written'")
    db.executemany("INSERT INTO spot_history (spot_no, changed_at, note) VALUES ('A-0001', '2026-01-01T00:00:00.000', ?)",
                   [("x" * 1000,) for _ in range(2000)])
    print("inside", flush=True)
    time.sleep(60)
""")


def test_a_half_written_transaction_of_a_killed_writer_is_rolled_back(tmp_path):
    """Killed while its changes had already reached the file (a hot journal): the store rolls it back on
    opening (a read-only opener could not and would call the file damaged), and nothing of it remains."""
    import hashlib

    path = make_workspace(str(tmp_path / "ws.gpkg"))
    initial = by_number(path)
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(linzhang_qgis.__file__)))
    child = subprocess.Popen([sys.executable, "-c", HALF_WRITTEN, package_parent, path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "inside", child.stderr.read()
    kill(child)
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() != digest  # the file holds half a transaction
    assert os.path.getsize(path + "-journal") > 0
    store.check_writable(path)
    assert by_number(path) == initial
    assert not os.path.exists(path + "-journal")
    assert assert_consistent(path, initial) == 0
    state = initial["A-0001"]
    assert store.apply_change(path, state.fid, state.version, {"notes": "edit 1", "area_mu": 1.0}, "x",
                              note="edit 1").history_count == 1


def test_killed_at_random_moments_every_spot_agrees_with_its_history(tmp_path):
    path = make_workspace(str(tmp_path / "ws.gpkg"))
    initial = by_number(path)
    fids = [s.fid for s in initial.values()]
    rng = random.Random(20261128)
    started = time.monotonic()
    applied_before = 0
    journals = 0
    for _ in range(20):
        child = start_child(path, fids, "loop")
        time.sleep(rng.uniform(0.0, 0.12))
        kill(child)
        journals += os.path.exists(path + "-journal") and os.path.getsize(path + "-journal") > 0
        total = assert_consistent(path, initial)
        assert total >= applied_before  # committed changes are never lost
        applied_before = total
    assert applied_before > 20  # the children did edit between the kills
    assert time.monotonic() - started < 30
    print(f"{applied_before} edits, {journals} kills left a hot journal")
