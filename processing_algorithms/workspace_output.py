"""Shared by the algorithms that write a workspace: CRS checks and opening the result in the project."""
from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
)

from ..i18n import bilingual, tr, tr_noop


def crs_to_epsg(crs: QgsCoordinateReferenceSystem) -> int:
    """The EPSG code of a projected CRS in metres, or a clear error."""
    if not crs.isValid():
        message = tr_noop("The coordinate reference system is not valid.")
        raise QgsProcessingException(bilingual(tr(message), message))
    if crs.isGeographic():
        message = tr_noop("Choose a projected CRS in metres (for example EPSG:4547), "
                   "not a geographic one: areas are measured in it.")
        raise QgsProcessingException(bilingual(tr(message), message))
    authid = crs.authid()
    if not authid.upper().startswith("EPSG:"):
        message = tr_noop("Choose a CRS with an EPSG code; {} has none.")
        raise QgsProcessingException(bilingual(tr(message).format(crs.description()),
                                               message.format(crs.description())))
    return int(authid.split(":")[1])


class OpensWorkspaceOnCompletion:
    """Mixin: opens the written workspace as the 林长制一张图 group once the algorithm has finished.

    Layers may only be added to a project on the main thread, which is where QGIS calls
    postProcessAlgorithm. Each run has its own algorithm instance (createInstance), so keeping
    the path on it between the two calls is safe.
    """

    ADD_TO_PROJECT = "ADD_TO_PROJECT"
    _workspace_to_open: str = ""

    def add_open_parameter(self) -> None:
        add = QgsProcessingParameterBoolean(self.ADD_TO_PROJECT, tr("Open the workspace in the project"), True)
        add.setHelp(tr("Adds the workspace layers to the current project in the group 林长制一张图."))
        add.setFlags(add.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(add)

    def open_requested(self, parameters: dict, context: QgsProcessingContext) -> bool:
        return self.parameterAsBoolean(parameters, self.ADD_TO_PROJECT, context)

    def open_when_done(self, path: str) -> None:
        self._workspace_to_open = path

    def postProcessAlgorithm(self, context: QgsProcessingContext, feedback):  # noqa: N802
        from ..core.errors import WorkspaceError
        from ..qgis_glue.styling import add_workspace_to_project

        project = context.project()
        if self._workspace_to_open and project is not None:
            try:
                add_workspace_to_project(self._workspace_to_open, project)
            except WorkspaceError as error:
                feedback.reportError(str(error))
        return {}


def refresh_spot_layers(project, workspace: str) -> None:
    """Layers of ``project`` showing the workspace's change spots re-read it (after a write behind QGIS)."""
    from ..core import schema

    for layer in project.mapLayers().values():
        source = layer.source()
        if source.split("|")[0] == workspace and source.endswith(f"|layername={schema.CHANGE_SPOTS.name}"):
            layer.reload()
            layer.triggerRepaint()


class RefreshesSpotLayers:
    """Mixin: after a run that wrote into a workspace's change spots (``self._refresh_after_run`` = its
    path), the project's layers of them re-read it on the main thread, so the new values show at once."""

    _refresh_after_run = ""

    def postProcessAlgorithm(self, context: QgsProcessingContext, feedback):  # noqa: N802
        project = context.project()
        if self._refresh_after_run and project is not None:
            refresh_spot_layers(project, self._refresh_after_run)
        return {}
