"""The review dock's table of change spots: one row per spot (a ``core.inspection.store.SpotState``), Chinese
labels for the coded fields, sortable by the raw values, filtered by status, round, patrol link and text."""
from __future__ import annotations

from typing import Optional

from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

from ..core import schema
from ..i18n import tr_noop

FID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
UNVERIFIED = ("issued", "interpreted", "field_verified")  # not yet determined: what N / P step through

# (field, header); the headers are translated where the model is shown
COLUMNS = (
    ("spot_no", tr_noop("Spot number")),
    ("status", tr_noop("Status")),
    ("suspected_cause", tr_noop("Suspected cause")),
    ("verified_cause", tr_noop("Verified cause")),
    ("town", tr_noop("Town")),
    ("village", tr_noop("Village")),
    ("area_code", tr_noop("Chief area")),
    ("area_mu", tr_noop("Area (mu)")),
    ("round_id", tr_noop("Round")),
    ("patrol_missed", tr_noop("Missed by patrol")),
    ("confidence", tr_noop("Confidence")),
)
CODE_LISTS = {"status": "spot_status", "suspected_cause": "suspected_cause", "verified_cause": "verified_cause",
              "confidence": "confidence"}


def display_value(field: str, value, lang: str = "zh") -> str:
    """How a field's value reads in the table: Chinese labels for codes, 亩 to one decimal, 是/否."""
    if value is None or value == "":
        return ""
    if field in CODE_LISTS:
        return schema.code_label(CODE_LISTS[field], value, lang)
    if field == "area_mu":
        return f"{float(value):.1f}"
    if field == "patrol_missed":
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    return str(value)


class SpotTableModel(QAbstractTableModel):
    def __init__(self, parent=None, translate=lambda text: text, lang: str = "zh") -> None:
        super().__init__(parent)
        self._states: list = []
        self._row_of_fid: dict[int, int] = {}
        self._translate = translate
        self._lang = lang
        self._cells: list[list[str]] = []

    # --- content ----------------------------------------------------------------------------

    def set_states(self, states: list) -> None:
        self.beginResetModel()
        self._states = list(states)
        self._row_of_fid = {state.fid: row for row, state in enumerate(self._states)}
        self._cells = [self._row_cells(state) for state in self._states]
        self.endResetModel()

    def replace_state(self, state) -> None:
        """Show the new state of one spot (after an edit)."""
        row = self._row_of_fid.get(state.fid)
        if row is None:
            return
        self._states[row] = state
        self._cells[row] = self._row_cells(state)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _row_cells(self, state) -> list[str]:
        return [display_value(field, state.values.get(field), self._lang) for field, _ in COLUMNS]

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows in Python on the raw values (numbers as numbers, empty last): far faster than a
        proxy calling data() for every comparison on 10,000 spots."""
        field = COLUMNS[column][0]

        def key(state):
            value = state.values.get(field)
            if value is None or value == "":
                return (1, 0.0, "")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return (0, float(value), "")
            return (0, 0.0, str(value))

        self.layoutAboutToBeChanged.emit()
        old_fids = [state.fid for state in self._states]
        order_rows = sorted(range(len(self._states)), key=lambda row: key(self._states[row]),
                            reverse=order == Qt.SortOrder.DescendingOrder)
        self._states = [self._states[row] for row in order_rows]
        self._cells = [self._cells[row] for row in order_rows]
        self._row_of_fid = {state.fid: row for row, state in enumerate(self._states)}
        old_indexes = self.persistentIndexList()
        new_indexes = [self.index(self._row_of_fid[old_fids[index.row()]], index.column()) if index.isValid()
                       else index for index in old_indexes]
        self.changePersistentIndexList(old_indexes, new_indexes)
        self.layoutChanged.emit()

    def state(self, row: int):
        return self._states[row]

    def states(self) -> list:
        return self._states

    def row_of_fid(self, fid: int) -> int:
        return self._row_of_fid.get(fid, -1)

    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(schema.SPOT_STATUSES, 0)
        for state in self._states:
            status = state.values.get("status")
            if status in counts:
                counts[status] += 1
        return counts

    # --- Qt -----------------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._states)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._translate(COLUMNS[section][1])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][index.column()]
        state = self._states[index.row()]
        if role == FID_ROLE:
            return state.fid
        if role == SORT_ROLE:
            value = state.values.get(COLUMNS[index.column()][0])
            if value is None:
                return ""
            return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[index.column()][0] == "area_mu":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class SpotFilterProxy(QSortFilterProxyModel):
    """Filters by status, round, 'missed by patrol' and a text found in the number, town, village,
    chief area or chief."""

    TEXT_FIELDS = ("spot_no", "town", "village", "area_code", "chief_name", "lin_ban", "xiao_ban")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(False)
        self._status: Optional[str] = None
        self._round: Optional[str] = None
        self._missed_only = False
        self._text = ""

    def set_filters(self, status: Optional[str] = None, round_id: Optional[str] = None, missed_only: bool = False,
                    text: str = "") -> None:
        self._status, self._round, self._missed_only = status or None, round_id or None, missed_only
        self._text = text.strip().lower()
        self.invalidateFilter()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """The table's header sorts the source model (in Python, once) rather than this proxy."""
        if column >= 0:
            self.sourceModel().sort(column, order)

    def set_text(self, text: str) -> None:
        self._text = text.strip().lower()
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802
        values = self.sourceModel().state(source_row).values
        if self._status and values.get("status") != self._status:
            return False
        if self._round and values.get("round_id") != self._round:
            return False
        if self._missed_only and not values.get("patrol_missed"):
            return False
        if self._text:
            return any(self._text in str(values.get(field) or "").lower() for field in self.TEXT_FIELDS)
        return True
