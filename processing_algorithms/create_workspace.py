"""linzhang:createworkspace: a new, empty one-map workspace (一张图工作空间)."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputFile,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterFileDestination,
)

from ..core import schema, workspace
from ..core.errors import LinzhangError
from ..i18n import tr
from .base import LinzhangAlgorithm, raise_for
from .workspace_output import OpensWorkspaceOnCompletion, crs_to_epsg


class CreateWorkspaceAlgorithm(OpensWorkspaceOnCompletion, LinzhangAlgorithm):
    NAME = "createworkspace"
    DISPLAY_NAME = "Create one-map workspace"
    TAGS = "workspace,GeoPackage,one map,一张图,工作空间"
    HELP = ("Creates an empty one-map workspace: one GeoPackage with the chief responsibility areas, "
            "forest stands, patrol tracks, change spots and their history, management-grid zones, rangers "
            "and the patrol rules (the district's default rules: district chiefs once a quarter, town level "
            "and below once a month). Every layer has Chinese field aliases, value maps for coded fields "
            "and a default style stored in the file, so it opens styled in any QGIS.")

    OUTPUT = "OUTPUT"
    CRS = "CRS"
    OVERWRITE = "OVERWRITE"

    def initAlgorithm(self, config=None):  # noqa: N802
        output = QgsProcessingParameterFileDestination(self.OUTPUT, tr("Workspace file"), tr("GeoPackage (*.gpkg)"))
        output.setHelp(tr("The GeoPackage file to create (.gpkg)."))
        self.addParameter(output)
        crs = QgsProcessingParameterCrs(self.CRS, tr("Coordinate reference system"),
                                        f"EPSG:{schema.DEFAULT_EPSG}", optional=True)
        crs.setHelp(tr("A projected CRS in metres; the default is CGCS2000 / 3-degree Gauss-Kruger CM 114E "
                       "(EPSG:4547), the zone of Ganzhou, used when empty."))
        self.addParameter(crs)
        overwrite = QgsProcessingParameterBoolean(self.OVERWRITE, tr("Replace an existing file"), False)
        overwrite.setHelp(tr("When false (the default), an existing file is never replaced."))
        overwrite.setFlags(overwrite.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(overwrite)
        self.add_open_parameter()
        self.addOutput(QgsProcessingOutputFile(self.OUTPUT, tr("Workspace file")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        from ..qgis_glue.styling import save_default_styles

        path = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        epsg = crs_to_epsg(crs) if crs.isValid() else schema.DEFAULT_EPSG
        overwrite = self.parameterAsBoolean(parameters, self.OVERWRITE, context)
        try:
            feedback.pushInfo(tr("Creating the workspace {}").format(path))
            workspace.create_workspace(path, epsg=epsg, overwrite=overwrite)
            feedback.setProgress(50)
            styled = save_default_styles(path)
            feedback.pushInfo(tr("Default styles stored for {} layers.").format(len(styled)))
        except LinzhangError as error:
            raise_for(error)
        if self.open_requested(parameters, context):
            self.open_when_done(path)
        feedback.setProgress(100)
        return {self.OUTPUT: path}


