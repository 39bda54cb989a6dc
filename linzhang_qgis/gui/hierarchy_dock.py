"""The hierarchy dock (林长责任区面板): the four-level tree of chief responsibility areas of the open workspace.

Each area shows its chief, forest area (ha and 亩), this period's patrols and open change spots, with a dot
coloured by its state (``core.hierarchy.figures``). Typing filters by name, code or chief; clicking zooms the
map to the area and selects it. The form below edits the chief's details through ``core.hierarchy.area_store``:
one transaction with its history row, refused when the area changed elsewhere or the layer is being edited
in QGIS; "Undo last change" reverts the latest change. The buttons open the chief-area algorithms prefilled.
"""
from __future__ import annotations

import datetime as dt
import getpass
import os
from typing import Optional

from qgis.core import Qgis, QgsProject, QgsVectorLayer
from qgis.PyQt import uic
from qgis.PyQt.QtCore import QDate, QItemSelectionModel, pyqtSignal
from qgis.PyQt.QtWidgets import QHeaderView

from ..core import schema
from ..core.errors import LinzhangError
from ..i18n import tr, tr_noop
from ..settings import Settings
from .hierarchy_model import CODE_ROLE, FID_ROLE, STATE_COLOURS, STATE_NAMES, AreaTreeFilter, build_tree_model
from .workspace_panel import WorkspaceDock, WorkspaceLayerPanel, workspace_layer

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORM_CLASS, _ = uic.loadUiType(os.path.join(PLUGIN_DIR, "forms", "hierarchy_dock.ui"))
DOCK_OBJECT_NAME = "linzhang_hierarchy_dock"
FIELD_EDITS = {"chief_name": "chiefNameEdit", "chief_title": "chiefTitleEdit", "chief_phone": "chiefPhoneEdit",
               "supervisor": "supervisorEdit"}


def area_layer(project: QgsProject) -> Optional[QgsVectorLayer]:
    """The responsibility-area layer of the workspace open in the project (the highest in the layer tree)."""
    return workspace_layer(project, schema.RESP_AREAS.name)


class HierarchyPanel(WorkspaceLayerPanel, FORM_CLASS):
    """The dock's content; ``areaShown`` is emitted with the code of each area put on screen."""

    TITLE = tr_noop("Chief areas")
    TABLE = schema.RESP_AREAS.name
    areaShown = pyqtSignal(str)
    changed = pyqtSignal(str)

    def __init__(self, iface, parent=None) -> None:
        super().__init__(iface, parent)
        self.hierarchy = None
        self.figures: dict = {}
        self.current_state = None  # core.hierarchy.area_store.AreaState of the area in the form
        self.model = None
        self.proxy = AreaTreeFilter(self)
        self.areaTree.setModel(self.proxy)
        self.areaTree.selectionModel().currentRowChanged.connect(self._row_changed)
        self.asOfDate.setDate(QDate.currentDate())
        self.authorEdit.setText(Settings.inspector() or getpass.getuser())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.searchEdit.textChanged.connect(self._search)
        self.asOfDate.dateChanged.connect(lambda _date: self.refresh_workspace(force=True))
        self.refreshButton.clicked.connect(lambda: self.refresh_workspace(force=True))
        self.saveButton.clicked.connect(self.save)
        self.undoButton.clicked.connect(self.undo)
        self.checkButton.clicked.connect(lambda: self._run("linzhang:checkhierarchy", {"INPUT": self._layer_id()}))
        self.assessButton.clicked.connect(lambda: self._run("linzhang:assessment", {
            "WORKSPACE": self.path, "YEAR": self.asOfDate.date().year()}))
        self.handbookButton.clicked.connect(self._run_handbook)
        self.publicButton.clicked.connect(lambda: self._run("linzhang:publiclist", {"WORKSPACE": self.path}))

        self._watch_project()
        self.refresh_workspace()

    # --- the workspace ----------------------------------------------------------------------------

    def _layer_id(self) -> Optional[str]:
        return self.layer.id() if self.layer is not None else None

    def as_of(self) -> dt.date:
        return self.asOfDate.date().toPyDate()

    def _load_workspace(self) -> None:
        """(Re)load the tree of the workspace's responsibility areas and its figures."""
        from ..core.hierarchy.figures import load_workspace_figures

        keep = self.current_code()
        try:
            self.hierarchy, self.figures = load_workspace_figures(self.path, self.as_of())
        except (LinzhangError, ImportError) as error:
            self._forget()
            self.show_message(str(error))
            return
        self.pageStack.setCurrentWidget(self.mainPage)
        self.model = build_tree_model(self.hierarchy, self.figures, self)
        self.proxy.setSourceModel(self.model)
        header = self.areaTree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._expand_to_level(3)
        for column in range(self.model.columnCount()):
            self.areaTree.resizeColumnToContents(column)
        header.resizeSection(0, header.sectionSize(0) + 2 * self.areaTree.indentation())  # groups sit deeper
        self._update_summary()
        self._show_read_only()
        if not self.select_code(keep or (self.hierarchy.roots[0] if self.hierarchy.roots else "")):
            self._show_area(None)

    def _forget(self) -> None:
        self.layer, self.path, self.hierarchy, self.figures, self.current_state = None, "", None, {}, None

    def _expand_to_level(self, deepest: int) -> None:
        """Expand the areas above ``deepest`` (district and towns open, villages closed)."""
        def expand(parent, depth: int) -> None:
            for row in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(row, 0, parent)
                if depth < deepest - 1:
                    self.areaTree.setExpanded(index, True)
                    expand(index, depth + 1)

        expand(self.areaTree.rootIndex(), 1)

    def _update_summary(self) -> None:
        counts = {state: 0 for state in STATE_COLOURS}
        for figures in self.figures.values():
            counts[figures.state] += 1
        parts = [f"<span style='color:{STATE_COLOURS[state]}'>●</span> {tr(STATE_NAMES[state])} <b>{count}</b>"
                 for state, count in counts.items() if count]
        problems = []
        if self.hierarchy.orphans:
            problems.append(tr("{} areas point to a parent code that is not in the layer: {}").format(
                len(self.hierarchy.orphans), ", ".join(self.hierarchy.orphans[:5])))
        if self.hierarchy.duplicates:
            problems.append(tr("codes used twice: {}").format(", ".join(self.hierarchy.duplicates[:5])))
        text = tr("{} areas, as of {}: ").format(len(self.hierarchy), self.as_of().isoformat()) + " · ".join(parts)
        if problems:
            text += "<br><span style='color:#d73027'>" + "; ".join(problems) + "</span>"
        self.summaryLabel.setText(text)

    def _set_editable(self, editable: bool) -> None:
        for name in list(FIELD_EDITS.values()) + ["authorEdit", "noteEdit", "saveButton", "undoButton"]:
            getattr(self, name).setEnabled(editable)

    # --- moving around ----------------------------------------------------------------------------

    def _search(self, text: str) -> None:
        self.proxy.set_text(text)
        if text.strip():
            self.areaTree.expandAll()

    def _find(self, code: str, parent=None):
        parent = parent if parent is not None else self.proxy.index(-1, -1)
        for row in range(self.proxy.rowCount(parent)):
            index = self.proxy.index(row, 0, parent)
            if index.data(CODE_ROLE) == code:
                return index
            found = self._find(code, index)
            if found is not None:
                return found
        return None

    def select_code(self, code: str) -> bool:
        """Make the area ``code`` the current one (as a click would); the search is cleared if it hides it."""
        if not code or self.hierarchy is None or code not in self.hierarchy:
            return False
        index = self._find(code)
        if index is None and self.searchEdit.text():
            self.searchEdit.clear()
            index = self._find(code)
        if index is None:
            return False
        self.areaTree.scrollTo(index)
        self.areaTree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        return True

    def current_code(self) -> str:
        index = self.areaTree.currentIndex()
        return str(index.siblingAtColumn(0).data(CODE_ROLE) or "") if index.isValid() else ""

    def _row_changed(self, current, _previous) -> None:
        if not current.isValid():
            return
        code = str(current.siblingAtColumn(0).data(CODE_ROLE))
        fid = current.siblingAtColumn(0).data(FID_ROLE)
        self._load_state(fid)
        self.zoom_to(fid)
        self.areaShown.emit(code)

    def _load_state(self, fid) -> None:
        from ..core.hierarchy import area_store

        self.current_state = None
        if fid is not None:
            try:
                self.current_state = area_store.load_area(self.path, int(fid))
            except LinzhangError as error:
                self._warn(str(error))
        self._show_area(self.current_state)

    def zoom_to(self, fid) -> None:
        """The map on the area, and the area selected in its layer."""
        if self.layer is None or fid is None:
            return
        feature = self.layer.getFeature(int(fid))
        if not feature.isValid() or not feature.hasGeometry():
            self._warn(tr("This area has no boundary: it cannot be shown on the map."))
            return
        self.layer.selectByIds([int(fid)])
        box = self._canvas_box(self.layer.crs(), feature.geometry().boundingBox())
        if box is None:
            return
        box.scale(1.1)
        self._show_extent(box)

    # --- the form ---------------------------------------------------------------------------------

    def _show_area(self, state) -> None:
        from ..core.hierarchy import area_store

        self.historyList.clear()
        if state is None:
            self.areaTitle.setText(tr("Choose an area in the tree."))
            for name in FIELD_EDITS.values():
                getattr(self, name).clear()
            return
        values = state.values
        level = schema.AREA_LEVELS.get(values.get("level"), ("", ""))[0]
        figures = self.figures.get(str(values.get("code")))
        extra = ""
        if figures is not None:
            extra = " · " + tr("{:,.1f} ha forest").format(figures.forest_ha)
        self.areaTitle.setText(f"<b>{values.get('name') or ''}</b> ({values.get('code')}) · {level}{extra}")
        for field, name in FIELD_EDITS.items():
            getattr(self, name).setText(values.get(field) or "")
        self.noteEdit.clear()
        try:
            entries = area_store.history(self.path, str(values.get("code")))
        except LinzhangError as error:
            self._warn(str(error))
            entries = []
        for entry in reversed(entries):
            changes = "，".join(f"{schema.RESP_AREAS.field(name).alias_zh}: {old or '—'} → {new or '—'}"
                               for name, (old, new) in entry.changes.items() if name in FIELD_EDITS)
            when = f"{entry.changed_at:%Y-%m-%d %H:%M}" if entry.changed_at else ""
            self.historyList.addItem(f"{when} {entry.changed_by}: {changes or entry.note}")

    def pending_changes(self) -> dict:
        values = self.current_state.values if self.current_state is not None else {}
        form = {field: getattr(self, name).text().strip() or None for field, name in FIELD_EDITS.items()}
        return {field: value for field, value in form.items() if value != (values.get(field) or None)}

    def _edit_blocked(self) -> bool:
        return self._writing_refused() or self.current_state is None

    def save(self) -> bool:
        """Write the form to the area (one transaction with its history row); False and a message when refused."""
        from ..core.hierarchy import area_store

        if self._edit_blocked():
            return False
        changes = self.pending_changes()
        if not changes:
            self._warn(tr("Nothing to change for this chief."), Qgis.MessageLevel.Info)
            return False
        who = self.authorEdit.text().strip()
        state = self.current_state
        new_state = self._write(lambda: area_store.apply_chief_change(
            self.path, state.fid, state.version, changes, who, self.noteEdit.text().strip()),
            area_store.ConflictError, lambda: self._load_state(state.fid))
        if new_state is None:
            return False
        Settings.set_inspector(who)
        self._changed(new_state)
        return True

    def undo(self) -> bool:
        from ..core.hierarchy import area_store

        if self._edit_blocked():
            return False
        state = self.current_state
        new_state = self._write(lambda: area_store.undo_last(
            self.path, state.fid, state.version, self.authorEdit.text().strip()),
            area_store.ConflictError, lambda: self._load_state(state.fid))
        if new_state is None:
            return False
        self._changed(new_state)
        return True

    def _changed(self, new_state) -> None:
        """Show the written values in the form and the tree, and let QGIS re-read the layer."""
        self.current_state = new_state
        code = str(new_state.values.get("code"))
        node = self.hierarchy.nodes.get(code)
        if node is not None:
            for field in FIELD_EDITS:
                setattr(node, field, new_state.values.get(field) or "")
        index = self._find(code)
        if index is not None:
            source = self.proxy.mapToSource(index)
            self.model.itemFromIndex(source.siblingAtColumn(1)).setText(new_state.values.get("chief_name") or "")
        self._show_area(new_state)
        self._reload_layer()
        self._warn(tr("Saved, with its history row."), Qgis.MessageLevel.Success)
        self.changed.emit(code)

    # --- algorithms -------------------------------------------------------------------------------

    def _run(self, algorithm: str, defaults: dict) -> None:
        import processing

        processing.execAlgorithmDialog(algorithm, {key: value for key, value in defaults.items() if value})

    def _run_handbook(self) -> None:
        code = self.current_code()
        node = self.hierarchy.nodes.get(code) if self.hierarchy is not None else None
        defaults = {"WORKSPACE": self.path, "AREA_CODES": code}
        if node is not None and node.level:
            defaults["LEVEL"] = node.level - 1
        self._run("linzhang:patrolhandbook", defaults)


class HierarchyDock(WorkspaceDock):
    """林长责任区面板 in QGIS's right dock area."""

    PANEL = HierarchyPanel
    OBJECT_NAME = DOCK_OBJECT_NAME


__all__ = ["HierarchyDock", "HierarchyPanel", "area_layer"]
