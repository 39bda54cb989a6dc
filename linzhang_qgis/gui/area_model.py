"""Item models of the patrol dock (巡林面板): the searchable list of areas and the table of tracks.

``AreaListModel`` holds one row per responsibility area, shown as "name (code) · chief";
``AreaFilterProxyModel`` keeps the rows whose name, code or chief name contain every word typed.
``TrackTableModel`` lists the tracks shown on the map (date, patroller, km, on foot, dated).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional, Sequence

from qgis.PyQt.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

from ..core import schema
from ..i18n import tr

SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1  # lower-case text the search box matches
CODE_ROLE = Qt.ItemDataRole.UserRole + 2  # the area code
FID_ROLE = Qt.ItemDataRole.UserRole + 3  # the feature id (tracks and areas)


@dataclass(frozen=True)
class AreaEntry:
    """One responsibility area (林长责任区) as the dock lists it."""

    fid: int
    code: str
    name: str
    level: Optional[int]
    parent_code: str = ""
    chief_name: str = ""
    chief_title: str = ""

    @property
    def label(self) -> str:
        text = "{} ({})".format(self.name, self.code)
        return "{} · {}".format(text, self.chief_name) if self.chief_name else text

    @property
    def search_text(self) -> str:
        return " ".join((self.name, self.code, self.chief_name, self.chief_title)).lower()


@dataclass(frozen=True)
class TrackRow:
    """One patrol track of the table."""

    fid: int
    patrol_id: str
    patroller: str
    start_time: Optional[dt.datetime]
    length_km: Optional[float]
    on_foot: Optional[bool]
    dated: Optional[bool]
    qa_note: str = ""


class AreaListModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._entries: list[AreaEntry] = []

    def set_entries(self, entries: Sequence[AreaEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entries(self) -> list[AreaEntry]:
        return list(self._entries)

    def entry(self, row: int) -> AreaEntry:
        return self._entries[row]

    def row_of(self, code: str) -> int:
        for row, entry in enumerate(self._entries):
            if entry.code == code:
                return row
        return -1

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt names
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.label
        if role == Qt.ItemDataRole.ToolTipRole:
            level = schema.code_label("area_level", entry.level) if entry.level is not None else ""
            return " ".join(part for part in (level, entry.chief_title, entry.chief_name) if part)
        if role == SEARCH_ROLE:
            return entry.search_text
        if role == CODE_ROLE:
            return entry.code
        if role == FID_ROLE:
            return entry.fid
        return None


class AreaFilterProxyModel(QSortFilterProxyModel):
    """Keeps the areas whose name, code, chief name or title contain every word of the search text."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._terms: list[str] = []

    def set_search_text(self, text: str) -> None:
        self._terms = [term for term in text.lower().split() if term]
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802
        if not self._terms:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        text = self.sourceModel().data(index, SEARCH_ROLE) or ""
        return all(term in text for term in self._terms)


def _yes_no(value: Optional[bool]) -> str:
    if value is None:
        return ""
    return tr("yes") if value else tr("no")


class TrackTableModel(QAbstractTableModel):
    COLUMNS = ("date", "patroller", "km", "on_foot", "dated")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[TrackRow] = []
        self._headers = (tr("Date"), tr("Patroller"), tr("km"), tr("On foot"), tr("Dated"))

    def set_rows(self, rows: Sequence[TrackRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def track(self, row: int) -> TrackRow:
        return self._rows[row]

    def rows(self) -> list[TrackRow]:
        return list(self._rows)

    def row_of_fid(self, fid: int) -> int:
        for row, track in enumerate(self._rows):
            if track.fid == fid:
                return row
        return -1

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        track = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "date":
                return track.start_time.strftime("%Y-%m-%d") if track.start_time else ""
            if column == "patroller":
                return track.patroller
            if column == "km":
                return "" if track.length_km is None else "{:.1f}".format(track.length_km)
            if column == "on_foot":
                return _yes_no(track.on_foot)
            if column == "dated":
                return _yes_no(track.dated)
        if role == Qt.ItemDataRole.ToolTipRole:
            return track.qa_note or track.patrol_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "km":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == FID_ROLE:
            return track.fid
        return None
