"""Importing patrol tracks (巡林轨迹导入): a file or a folder to cleaned, attributed patrols.

``import_tracks(path, options, areas)`` reads every ``.gpx``, ``.csv`` and ``.plt`` file (a folder's in
name order), runs the quality control, names the patroller and links each patrol to a responsibility
area. A file that cannot be read is reported as a :class:`Problem` and skipped; the others are
imported. ``append_to_workspace`` adds the patrols to a workspace's ``patrol_tracks`` layer in one
transaction, skipping the patrol ids already there, so importing the same files twice adds nothing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

import numpy as np
import shapely

from .. import schema
from ..errors import LinzhangError, WorkspaceError
from .track_quality import Patrol, QualityParams, clean_track
from .track_readers import TRACK_EXTENSIONS, CsvColumns, RawTrack, TrackFormatError, read_track_file

# Where the patroller's name comes from.
FILE_NAME, TRACK_NAME, FIXED, COLUMN = "file_name", "track_name", "fixed", "column"
PATROLLER_SOURCES = (FILE_NAME, TRACK_NAME, FIXED, COLUMN)


@dataclass(frozen=True)
class ImportOptions:
    quality: QualityParams = QualityParams()
    epsg: int = schema.DEFAULT_EPSG
    patroller_source: str = TRACK_NAME
    patroller: str = ""  # the fixed name, or the CSV column holding it
    csv_columns: CsvColumns = CsvColumns()
    utc_offset_h: float = 8.0  # patrol times are given at this offset; CSV times without a zone are read at it
    now: Optional[dt.datetime] = None  # "now" for the check against future times (tests)


@dataclass(frozen=True)
class Problem:
    """A file that was skipped, and why (Chinese and English)."""

    file_name: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return "{}\n{}".format(self.message_zh, self.message_en)


@dataclass(frozen=True)
class AreaIndex:
    """Responsibility areas by code, and the areas of each chief, for linking tracks to areas."""

    chief_of: dict[str, str]  # area code -> chief name ("" when none)
    areas_of: dict[str, tuple[str, ...]]  # chief name -> area codes, the highest level first

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[object, object]]) -> "AreaIndex":
        chief_of = {}
        for code, chief in pairs:
            if code is not None and str(code).strip():
                chief_of[str(code).strip()] = "" if chief is None else str(chief).strip()
        areas_of: dict[str, list[str]] = {}
        for code in sorted(chief_of, key=lambda c: (len(c), c)):
            if chief_of[code]:
                areas_of.setdefault(chief_of[code], []).append(code)
        return cls(chief_of, {name: tuple(codes) for name, codes in areas_of.items()})

    def link(self, stem: str, patroller: str) -> tuple[str, str]:
        """(patroller, area code): an area code in the file name links directly (and names its chief
        when the patroller is unknown or is that code); else a chief's name links to their area."""
        code = next((t for t in re.split(r"[_\-\s]+", stem) if t in self.chief_of), "")
        if code:
            if (not patroller or patroller == code) and self.chief_of[code]:
                patroller = self.chief_of[code]
            return patroller, code
        codes = self.areas_of.get(patroller.strip(), ())
        return patroller, codes[0] if codes else ""


def list_track_files(path: str) -> list[str]:
    """``path`` itself when it is a file; a folder's .gpx, .csv and .plt files in name order."""
    if os.path.isfile(path):
        return [path]
    if not os.path.isdir(path):
        raise TrackFormatError("找不到文件或文件夹：{}".format(path), "No such file or folder: {}".format(path))
    names = sorted(n for n in os.listdir(path) if os.path.splitext(n)[1].lower() in TRACK_EXTENSIONS
                   and os.path.isfile(os.path.join(path, n)))
    if not names:
        raise TrackFormatError("文件夹 {} 中没有轨迹文件（.gpx、.csv、.plt）。".format(path),
                               "The folder {} holds no track files (.gpx, .csv, .plt).".format(path))
    return [os.path.join(path, n) for n in names]


def patroller_of(raw: RawTrack, source: str, value: str = "") -> str:
    """The patroller of a raw track: from the file name (before the first ``_``), the track's name
    (the file name when it has none), a fixed value, or a CSV column (read into the track's name)."""
    from_file = raw.stem.split("_")[0] or raw.stem
    if source == FILE_NAME:
        return from_file
    if source == FIXED:
        return value.strip()
    return raw.name.strip() or from_file


def import_file(path: str, options: ImportOptions = ImportOptions(),
                areas: Optional[AreaIndex] = None) -> list[Patrol]:
    """The patrols of one file; raises TrackFormatError when it cannot be read."""
    column = options.patroller if options.patroller_source == COLUMN else ""
    raws = read_track_file(path, options.csv_columns, column, options.utc_offset_h)
    patrols: list[Patrol] = []
    for raw in raws:
        patroller = patroller_of(raw, options.patroller_source, options.patroller)
        area_code = ""
        if areas is not None:
            patroller, area_code = areas.link(raw.stem, patroller)
        for patrol in clean_track(raw, options.quality, options.epsg, options.utc_offset_h, options.now,
                                  first_number=len(patrols) + 1):
            patrols.append(dataclasses.replace(patrol, patroller=patroller[:32], area_code=area_code))
    return patrols


def import_tracks(path: str, options: ImportOptions = ImportOptions(), areas: Optional[AreaIndex] = None,
                  progress: Optional[Callable[[float], None]] = None,
                  is_canceled: Optional[Callable[[], bool]] = None) -> tuple[list[Patrol], list[Problem]]:
    """Every patrol of a file or folder, and the files skipped (a file without usable fixes too)."""
    files = list_track_files(path)
    patrols: list[Patrol] = []
    problems: list[Problem] = []
    for index, file_path in enumerate(files):
        if is_canceled is not None and is_canceled():
            raise InterruptedError("canceled")
        found, problem = import_one(file_path, options, areas)
        patrols += found
        problems += [problem] if problem else []
        if progress is not None:
            progress((index + 1) / len(files))
    return patrols, problems


def import_one(path: str, options: ImportOptions,
               areas: Optional[AreaIndex] = None) -> tuple[list[Patrol], Optional[Problem]]:
    """One file's patrols, or the problem that made it skipped."""
    name = os.path.basename(path)
    try:
        patrols = import_file(path, options, areas)
    except LinzhangError as error:
        return [], Problem(name, error.message_zh, error.message_en)
    if not patrols:
        q = options.quality
        return [], Problem(name, "{}：质检后没有可用的轨迹（每段至少需要 {} 个有效点）。".format(name, q.min_points),
                           "{}: nothing usable is left after quality control (each piece needs at least {} good "
                           "fixes).".format(name, q.min_points))
    return patrols, None


# --- the workspace -----------------------------------------------------------------------------

def existing_patrol_ids(path: str) -> set[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return {row[0] for row in db.execute(f'SELECT patrol_id FROM "{schema.PATROL_TRACKS.name}"')}


def _reprojector(source_epsg: int, target_epsg: int) -> Optional[Callable]:
    if source_epsg == target_epsg:
        return None
    from pyproj import Transformer

    transformer = Transformer.from_crs(source_epsg, target_epsg, always_xy=True)
    return lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))


def _set_field(feature, name: str, value) -> None:
    if value is None:
        feature.SetFieldNull(name)
    elif isinstance(value, dt.datetime):  # the wall-clock time at the import's offset, as the output layer has it
        feature.SetField(name, value.year, value.month, value.day, value.hour, value.minute, float(value.second), 0)
    elif isinstance(value, bool):
        feature.SetField(name, int(value))
    else:
        feature.SetField(name, value)


def append_to_workspace(path: str, patrols: Iterable[Patrol], epsg: int) -> tuple[int, int]:
    """Add ``patrols`` (geometry in ``epsg``) to the workspace's patrol tracks in one transaction,
    skipping the patrol ids already there. Returns (added, skipped)."""
    from osgeo import ogr

    from ..workspace import read_workspace_info

    info = read_workspace_info(path)
    seen = existing_patrol_ids(path)
    patrols = list(patrols)
    new = []
    for patrol in patrols:
        if patrol.patrol_id not in seen:
            seen.add(patrol.patrol_id)
            new.append(patrol)
    skipped = len(patrols) - len(new)
    reproject = _reprojector(epsg, info.epsg)
    ogr.UseExceptions()
    dataset = ogr.Open(path, update=1)
    if dataset is None:
        raise WorkspaceError("无法写入工作空间 {}。".format(path), "Cannot write to the workspace {}.".format(path))
    layer = dataset.GetLayerByName(schema.PATROL_TRACKS.name)
    dataset.StartTransaction()
    try:
        for patrol in new:
            layer.CreateFeature(_feature(layer.GetLayerDefn(), patrol, reproject, ogr))
    except Exception:
        dataset.RollbackTransaction()
        raise
    dataset.CommitTransaction()
    dataset = None
    return len(new), skipped


def patrol_record(patrol: Patrol) -> dict:
    """The PATROL_TRACKS fields of a patrol; times as naive wall-clock times at the import's offset."""
    record = {name: getattr(patrol, name) for name in schema.PATROL_TRACKS.field_names}
    for key in ("start_time", "end_time"):
        if record[key] is not None:
            record[key] = record[key].replace(tzinfo=None)
    return record


def _feature(definition, patrol: Patrol, reproject: Optional[Callable], ogr):
    feature = ogr.Feature(definition)
    for name, value in patrol_record(patrol).items():
        _set_field(feature, name, value)
    geometry = patrol.geometry if reproject is None else shapely.transform(patrol.geometry, reproject)
    feature.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(geometry)))
    return feature
