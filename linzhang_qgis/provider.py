"""The Processing provider "linzhang" (林长制)."""
from __future__ import annotations

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .i18n import tr

ICON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resources", "icons", "linzhang.svg")


def algorithm_classes() -> list[type]:
    """Every algorithm of the plugin; each module imports only QGIS, heavy packages load when run."""
    from .processing_algorithms.create_demo_workspace import CreateDemoWorkspaceAlgorithm
    from .processing_algorithms.create_workspace import CreateWorkspaceAlgorithm

    return [CreateWorkspaceAlgorithm, CreateDemoWorkspaceAlgorithm]


class LinzhangProvider(QgsProcessingProvider):
    def id(self) -> str:  # noqa: A003 - QGIS API name
        return "linzhang"

    def name(self) -> str:
        return tr("Forest Chief System")

    def longName(self) -> str:  # noqa: N802
        return tr("Forest Chief System (linzhang_qgis)")

    def icon(self) -> QIcon:
        return QIcon(ICON)

    def loadAlgorithms(self) -> None:  # noqa: N802
        for algorithm_class in algorithm_classes():
            self.addAlgorithm(algorithm_class())
