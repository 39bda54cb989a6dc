"""What every linzhang algorithm shares: translation, grouping, help, and the dependency check."""
from __future__ import annotations

import os

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingParameterDefinition
from qgis.PyQt.QtGui import QIcon

from .. import dependencies
from ..core.errors import LinzhangError
from ..i18n import bilingual, tr, tr_noop

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class LinzhangAlgorithm(QgsProcessingAlgorithm):
    """Base class. Subclasses set NAME, DISPLAY_NAME, GROUP_ID, GROUP, HELP, TAGS and REQUIRES."""

    NAME = ""
    DISPLAY_NAME = ""
    GROUP_ID = "workspace"
    GROUP = "Workspace"
    HELP = ""
    TAGS = ""
    REQUIRES: tuple[str, ...] = ()  # import names of the optional packages the algorithm needs
    MAIN_THREAD = False  # True for algorithms that build print layouts (graphics scenes live on the main thread)

    def createInstance(self):  # noqa: N802
        return type(self)()

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:  # noqa: N802
        return tr(self.DISPLAY_NAME)

    def group(self) -> str:
        return tr(self.GROUP)

    def groupId(self) -> str:  # noqa: N802
        return self.GROUP_ID

    def tags(self) -> list[str]:
        return [tag.strip() for tag in tr(self.TAGS).split(",") if tag.strip()]

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(self.HELP)

    def icon(self) -> QIcon:
        return QIcon(os.path.join(PLUGIN_DIR, "resources", "icons", "linzhang.svg"))

    def _add(self, parameter, help_text: str, advanced: bool = False) -> None:
        """Add ``parameter`` with its help text (the tooltip in the dialog), among the advanced ones if asked."""
        parameter.setHelp(help_text)
        if advanced:
            parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(parameter)

    def missing_packages(self) -> list[str]:
        return dependencies.missing_packages(self.REQUIRES)

    def canExecute(self):  # noqa: N802
        missing = self.missing_packages()
        if not missing:
            return True, ""
        message = tr_noop("This tool needs Python packages that are not installed: {}. "
                   "Use the menu 林长制 > Install dependencies, or run make install.")
        packages = dependencies.describe(missing)
        return False, bilingual(tr(message).format(packages), message.format(packages))

    def flags(self):
        if self.MAIN_THREAD:
            return super().flags() | QgsProcessingAlgorithm.Flag.FlagNoThreading
        return super().flags()

    def workspace_path(self, parameters, context, name: str = "WORKSPACE") -> str:
        """The one-map workspace given as the file parameter ``name``; InputDataError when the file does not
        exist, WorkspaceError when it is not a workspace this plugin can open."""
        from ..core.errors import InputDataError
        from ..core.workspace import read_workspace_info

        path = self.parameterAsFile(parameters, name, context)
        if not path or not os.path.isfile(path):
            raise InputDataError(f"工作空间文件 {path} 不存在。", f"The workspace file {path} does not exist.")
        read_workspace_info(path)
        return path

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        """Runs ``_run``; a core error becomes the Chinese and English sentence QGIS shows, never a traceback."""
        try:
            return self._run(parameters, context, feedback)
        except LinzhangError as error:
            raise_for(error)

    def _run(self, parameters, context, feedback) -> dict:
        raise NotImplementedError

    @staticmethod
    def _check(feedback) -> None:
        """Stop with "Canceled." when the user cancelled the run."""
        if feedback.isCanceled():
            raise QgsProcessingException(tr("Canceled."))

    def checkParameterValues(self, parameters, context):  # noqa: N802
        can_run, message = self.canExecute()
        if not can_run:
            return False, message
        return super().checkParameterValues(parameters, context)


def raise_for(error: LinzhangError) -> None:
    """Turn a core error into the Processing error QGIS shows (Chinese, then English)."""
    raise QgsProcessingException(str(error)) from error
