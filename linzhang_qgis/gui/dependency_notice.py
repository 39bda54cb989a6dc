"""Tell the user once which optional packages are missing, with a button that offers to install them."""
from __future__ import annotations

from typing import Callable

from qgis.core import Qgis
from qgis.PyQt.QtWidgets import QPushButton

from .. import dependencies
from ..i18n import tr
from ..settings import Settings


def notify_missing_once(iface, show_dialog: Callable[[], None]) -> list[str]:
    """Push a message-bar warning when packages are missing and the user was not told about this set yet."""
    missing = dependencies.missing_packages()
    key = ",".join(missing)
    if not missing or Settings.dependencies_notified_for() == key:
        return missing
    Settings.set_dependencies_notified_for(key)
    bar = iface.messageBar()
    item = bar.createMessage(
        tr("Forest Chief System"),
        tr("Missing Python packages: {}. The tools that need them are disabled until they are installed.").format(
            dependencies.describe(missing)))
    button = QPushButton(tr("Install…"), item)
    button.clicked.connect(show_dialog)
    item.layout().addWidget(button)
    bar.pushWidget(item, Qgis.MessageLevel.Warning, 0)
    return missing
