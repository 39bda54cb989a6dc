"""Typed accessors over QgsSettings, all under the plugin's own prefix."""
from __future__ import annotations

import os

from qgis.core import QgsSettings

PREFIX = "linzhang_qgis/"


class Settings:
    @staticmethod
    def last_folder() -> str:
        return str(QgsSettings().value(PREFIX + "last_folder", os.path.expanduser("~")) or os.path.expanduser("~"))

    @staticmethod
    def set_last_folder(path: str) -> None:
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        QgsSettings().setValue(PREFIX + "last_folder", folder)

    @staticmethod
    def dependencies_notified_for() -> str:
        """The list of missing packages the user was last told about ("" = none)."""
        return str(QgsSettings().value(PREFIX + "dependencies_notified_for", "") or "")

    @staticmethod
    def set_dependencies_notified_for(missing: str) -> None:
        QgsSettings().setValue(PREFIX + "dependencies_notified_for", missing)

    @staticmethod
    def inspector() -> str:
        """The name the review dock puts as inspector, remembered between sessions."""
        return str(QgsSettings().value(PREFIX + "inspector", "") or "")

    @staticmethod
    def set_inspector(name: str) -> None:
        QgsSettings().setValue(PREFIX + "inspector", name)
