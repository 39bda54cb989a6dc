"""The tree of the hierarchy dock (林长责任区面板): 区 → 镇 → 村 → 组 with each area's figures.

``build_tree_model`` turns a ``core.hierarchy`` tree and its ``AreaFigures`` into a QStandardItemModel (one
row per area: name with a state dot, chief, forest ha and 亩, this period's patrols, open spots);
``AreaTreeFilter`` keeps the areas whose name, code or chief (or those of an area above them) contain every
word typed, and the areas above them so the tree stays readable.
"""
from __future__ import annotations

from typing import Mapping

from qgis.PyQt.QtCore import QSortFilterProxyModel, Qt
from qgis.PyQt.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap, QStandardItem, QStandardItemModel

from ..core.hierarchy.figures import AreaFigures
from ..core.hierarchy.tree import AreaNode, Hierarchy
from ..i18n import tr, tr_noop

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
FID_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3
STATE_ROLE = Qt.ItemDataRole.UserRole + 4
STATE_COLOURS = {"ok": "#1a9850", "attention": "#f39c12", "overdue": "#d73027", "none": "#9e9e9e"}
STATE_NAMES = {
    "ok": tr_noop("patrols met, no open spot"),
    "attention": tr_noop("open spots, or a missed period made up since"),
    "overdue": tr_noop("patrol overdue"),
    "none": tr_noop("no patrol rule for this level"),
}
HEADERS = (tr_noop("Area"), tr_noop("Chief"), tr_noop("Forest ha / mu"), tr_noop("Patrols this period"),
           tr_noop("Open spots"))
PERIOD_SHORT = {"week": tr_noop("week"), "month": tr_noop("month"), "quarter": tr_noop("quarter"),
                "year": tr_noop("year")}


def state_icon(state: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#404040"))
    painter.setBrush(QBrush(QColor(STATE_COLOURS[state])))
    painter.drawEllipse(2, 2, 10, 10)
    painter.end()
    return QIcon(pixmap)


def _period_text(figures: AreaFigures) -> str:
    if figures.period_kind is None:
        return "—"
    text = f"{tr(PERIOD_SHORT[figures.period_kind])} {figures.period_done}/{figures.period_required}"
    if figures.days_overdue > 0:
        text += " · " + tr("{} d overdue").format(figures.days_overdue)
    return text


def _tooltip(node: AreaNode, figures: AreaFigures) -> str:
    lines = [f"<b>{node.name}</b> ({node.code}) · {node.level_zh}",
             tr("Patrols this period ({}): {} of {}").format(figures.period_label or "—", figures.period_done,
                                                            figures.period_required),
             tr("Chief: {} {}").format(node.chief_name, node.chief_title),
             tr("Forest: {:,.1f} ha = {:,.0f} mu").format(figures.forest_ha, figures.forest_mu),
             tr("State: {}").format(tr(STATE_NAMES[figures.state]))]
    if figures.period_kind is not None:
        lines.append(tr("Due periods met this year: {} of {}").format(figures.periods_met, figures.periods_due))
        lines.append(tr("Last patrol: {}").format(figures.last_patrol or tr("none")))
    lines.append(tr("Open change spots (this area and below): {}").format(figures.open_spots))
    return "<br>".join(lines)


def _row(node: AreaNode, figures: AreaFigures, icons: Mapping[str, QIcon]) -> list[QStandardItem]:
    name = QStandardItem(icons[figures.state], f"{node.name}")
    name.setData(node.code, CODE_ROLE)
    name.setData(node.fid, FID_ROLE)
    name.setData(figures.state, STATE_ROLE)
    name.setData(" ".join((node.name, node.code, node.chief_name, node.chief_title)).lower(), SEARCH_ROLE)
    tooltip = _tooltip(node, figures)
    cells = [name, QStandardItem(node.chief_name),
             QStandardItem(f"{figures.forest_ha:,.1f} / {figures.forest_mu:,.0f}"),
             QStandardItem(_period_text(figures)), QStandardItem(str(figures.open_spots) if figures.open_spots else "")]
    for column, cell in enumerate(cells):
        cell.setEditable(False)
        cell.setToolTip(tooltip)
        if column in (2, 4):
            cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if figures.days_overdue > 0:
        cells[3].setForeground(QBrush(QColor(STATE_COLOURS["overdue"])))
    if figures.open_spots:
        cells[4].setForeground(QBrush(QColor(STATE_COLOURS["overdue"])))
    return cells


def build_tree_model(hierarchy: Hierarchy, figures: Mapping[str, AreaFigures], parent=None) -> QStandardItemModel:
    model = QStandardItemModel(parent)
    model.setHorizontalHeaderLabels([tr(text) for text in HEADERS])
    icons = {state: state_icon(state) for state in STATE_COLOURS}
    empty = AreaFigures()

    def add(parent_item, code: str) -> None:
        node = hierarchy.nodes[code]
        row = _row(node, figures.get(code, empty), icons)
        parent_item.appendRow(row)
        for child in node.children:
            add(row[0], child)

    for root in hierarchy.roots:
        add(model.invisibleRootItem(), root)
    return model


class AreaTreeFilter(QSortFilterProxyModel):
    """Keeps areas matching every typed word (their own text or an ancestor's) and their ancestors."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.words: list[str] = []
        self.setRecursiveFilteringEnabled(True)  # the ancestors of a match stay

    def set_text(self, text: str) -> None:
        self.words = text.lower().split()
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row, source_parent) -> bool:  # noqa: N802
        if not self.words:
            return True
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        texts = []
        while index.isValid():
            texts.append(str(index.data(SEARCH_ROLE) or ""))
            index = index.parent()
        haystack = " ".join(texts)
        return all(word in haystack for word in self.words)

