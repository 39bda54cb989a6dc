"""linzhang:createdemoworkspace: the demo district (示范区), generated from a seed."""
from __future__ import annotations

import os

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputFolder,
    QgsProcessingOutputNumber,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
)

from ..core.errors import LinzhangError
from ..i18n import tr
from .base import LinzhangAlgorithm, raise_for
from .workspace_output import OpensWorkspaceOnCompletion


class CreateDemoWorkspaceAlgorithm(OpensWorkspaceOnCompletion, LinzhangAlgorithm):
    NAME = "createdemoworkspace"
    DISPLAY_NAME = "Create demo district workspace"
    TAGS = "demo,workspace,一张图,示范"
    HELP = ("Builds a believable demo district near Ganzhou (CGCS2000 / EPSG:4547) from a seed: towns, "
            "villages and groups that tile their parents exactly, forest stands, chiefs and rangers, a year "
            "of GPX patrol tracks (some chiefs compliant and some not, one car drive, one track with broken "
            "times), and a pair of 10 m red/NIR images with planted clearings and clouds. The truth (planted "
            "clearings, which chiefs comply) is kept in layers named demo_truth_*. The same seed always "
            "gives the same district.")
    REQUIRES = ("numpy", "shapely")

    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    SEED = "SEED"
    OUTPUT = "OUTPUT"
    BEFORE = "BEFORE"
    AFTER = "AFTER"
    CLOUD_MASK = "CLOUD_MASK"
    TRACKS = "TRACKS"
    AREAS = "AREAS"

    def initAlgorithm(self, config=None):  # noqa: N802
        folder = QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, tr("Demo folder"))
        folder.setHelp(tr("The folder to write the demo workspace, imagery and GPX tracks into."))
        self.addParameter(folder)
        seed = QgsProcessingParameterNumber(self.SEED, tr("Random seed"),
                                            QgsProcessingParameterNumber.Type.Integer, 2026, False, 0)
        seed.setHelp(tr("The same seed always gives the same district."))
        seed.setFlags(seed.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(seed)
        self.add_open_parameter()
        self.addOutput(QgsProcessingOutputFile(self.OUTPUT, tr("Workspace file")))
        self.addOutput(QgsProcessingOutputFile(self.BEFORE, tr("Image before")))
        self.addOutput(QgsProcessingOutputFile(self.AFTER, tr("Image after")))
        self.addOutput(QgsProcessingOutputFile(self.CLOUD_MASK, tr("Cloud mask of the image after")))
        self.addOutput(QgsProcessingOutputFolder(self.TRACKS, tr("GPX track folder")))
        self.addOutput(QgsProcessingOutputNumber(self.AREAS, tr("Number of responsibility areas")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        from ..core.demo import generate_demo
        from ..core.demo.writer import TRUTH_LAYERS
        from ..qgis_glue.styling import save_default_styles

        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        seed = self.parameterAsInt(parameters, self.SEED, context)
        os.makedirs(folder, exist_ok=True)

        def progress(fraction: float, message: str) -> None:
            feedback.setProgress(90 * fraction)
            if message:
                feedback.setProgressText(message)

        try:
            result = generate_demo(folder, seed=seed, progress=progress, is_canceled=feedback.isCanceled)
            save_default_styles(result.gpkg_path, extra_layers=TRUTH_LAYERS)
        except InterruptedError as error:
            raise QgsProcessingException(tr("Canceled.")) from error
        except LinzhangError as error:
            raise_for(error)
        for line in result.summary_lines():
            feedback.pushInfo(line)
        if self.open_requested(parameters, context):
            self.open_when_done(result.gpkg_path)
        feedback.setProgress(100)
        return {
            self.OUTPUT: result.gpkg_path,
            self.BEFORE: result.before_path,
            self.AFTER: result.after_path,
            self.CLOUD_MASK: result.cloud_mask_path,
            self.TRACKS: result.tracks_dir,
            self.AREAS: sum(result.area_counts.values()),
            self.OUTPUT_FOLDER: folder,
        }
