"""The Processing provider "linzhang" (林长制)."""
from __future__ import annotations

import os
import pkgutil

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .i18n import tr

ICON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resources", "icons", "linzhang.svg")


def algorithm_classes() -> list[type]:
    """Every algorithm of the plugin: the LinzhangAlgorithm subclasses of processing_algorithms/*.py.

    One algorithm per file; a new file is picked up without a list to edit. Each module imports only
    QGIS at load time: heavy packages load when an algorithm runs.
    """
    from . import processing_algorithms as package
    from .processing_algorithms.base import LinzhangAlgorithm

    classes = []
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        # __import__, not importlib: QGIS records a plugin's modules through its hook on __import__
        # and purges them on reload; modules it never saw would survive with the old base class
        module = __import__(f"{package.__name__}.{module_info.name}", fromlist=[module_info.name])
        classes += [value for value in vars(module).values()
                    if isinstance(value, type) and issubclass(value, LinzhangAlgorithm)
                    and value.__module__ == module.__name__ and value.NAME]
    return classes


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
