"""linzhang:linkspotspatrols: change spots linked to patrol effort — was the place patrolled between the two
image dates, and the loss not reported (巡林未发现)?"""
from __future__ import annotations

from qgis.core import (
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ..core.errors import InputDataError
from ..i18n import bilingual, tr, tr_noop
from ..qgis_glue.frames import add_multi_feature
from .base import LinzhangAlgorithm
from .workspace_output import RefreshesSpotLayers

SPOT_FIELDS = ("spot_no", "before_date", "after_date")
TRACK_FIELDS = ("start_time", "dated")


class LinkSpotsPatrolsAlgorithm(RefreshesSpotLayers, LinzhangAlgorithm):
    NAME = "linkspotspatrols"
    DISPLAY_NAME = "Link change spots to patrols"
    GROUP_ID = "inspection"
    GROUP = "Forest inspection"
    TAGS = "patrol,change spot,inspection,missed,track,森林督查,变化图斑,巡林,巡林未发现,轨迹"
    REQUIRES = ("numpy", "shapely", "geopandas", "pyproj")
    HELP = ("Links each change spot (变化图斑) to the patrols of its time: a patrol counts for a spot when its "
            "track is dated, started on a day from the spot's before date to its after date (both included) "
            "and passes within the distance of the spot's polygon. A spot with no such patrol was not passed "
            "by any patrol while the change happened; a spot with patrols was passed without the loss being "
            "reported. The output is the spots with all their fields plus patrols (the number of such tracks) "
            "and patrol_missed (true when no patrol passed; empty when the spot lacks a date or a geometry). "
            "Spots need the fields spot_no, before_date and after_date, tracks the fields start_time and dated "
            "(as the workspace's change spots and patrol tracks have); undated tracks never count. The layers "
            "may have different CRSs: distances are measured in a projected CRS in metres (the spots' own, or "
            "the local CGCS2000 3-degree Gauss-Kruger zone). With a workspace, patrol_missed is also written "
            "into its change spots, matched by spot number, in one transaction; no history row is written for "
            "it, since it is a flag derived from the tracks and not a decision of the review.")

    SPOTS = "SPOTS"
    TRACKS = "TRACKS"
    DISTANCE = "DISTANCE"
    WORKSPACE = "WORKSPACE"
    OUTPUT = "OUTPUT"
    MISSED = "MISSED"
    LINKED = "LINKED"
    UNCHECKED = "UNCHECKED"
    WORKSPACE_UPDATED = "WORKSPACE_UPDATED"

    def initAlgorithm(self, config=None):  # noqa: N802
        self._add(QgsProcessingParameterFeatureSource(self.SPOTS, tr("Change spots"),
                                                      [QgsProcessing.SourceType.TypeVectorPolygon]),
                  tr("The change spots with the fields spot_no, before_date and after_date (the workspace's "
                     "change spots layer); all their fields are kept in the output."))
        self._add(QgsProcessingParameterFeatureSource(self.TRACKS, tr("Patrol tracks"),
                                                      [QgsProcessing.SourceType.TypeVectorLine]),
                  tr("Patrol track lines with the fields start_time and dated (the workspace's patrol tracks "
                     "layer, filled by Import patrol tracks)."))
        self._add(QgsProcessingParameterNumber(self.DISTANCE, tr("Distance (m)"),
                                               QgsProcessingParameterNumber.Type.Double, 200.0, False, 0.0),
                  tr("A track passing this close to a spot's polygon, in metres, counts as a patrol of the spot "
                     "(default 200 m; 0: the track must touch the spot)."))
        self._add(QgsProcessingParameterFile(self.WORKSPACE, tr("Also write to workspace"),
                                             QgsProcessingParameterFile.Behavior.File,
                                             fileFilter=tr("GeoPackage (*.gpkg)"), optional=True),
                  tr("Optional one-map workspace (.gpkg): patrol_missed is written into its change spots of the "
                     "same spot numbers, in one transaction, without history rows (a derived flag)."))
        self._add(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Spots linked to patrols"),
                                                    QgsProcessing.SourceType.TypeVectorPolygon),
                  tr("The spots with their fields plus patrols and patrol_missed, in the spots' CRS."))
        for name, label in ((self.MISSED, tr("Spots missed by patrol")), (self.LINKED, tr("Spots with patrols")),
                            (self.UNCHECKED, tr("Spots without dates or geometry")),
                            (self.WORKSPACE_UPDATED, tr("Workspace spots updated"))):
            self.addOutput(QgsProcessingOutputNumber(name, label))

    # --- running ---------------------------------------------------------------------------------

    def _sources(self, parameters, context):
        spots = self.parameterAsSource(parameters, self.SPOTS, context)
        tracks = self.parameterAsSource(parameters, self.TRACKS, context)
        if spots is None or tracks is None:
            message = tr_noop("The spots or the tracks layer could not be read.")
            raise QgsProcessingException(bilingual(tr(message), message))
        if spots.featureCount() == 0:
            raise InputDataError(f"变化图斑图层“{spots.sourceName()}”没有要素。",
                                 f"The change spots layer '{spots.sourceName()}' has no features.")
        if tracks.featureCount() == 0:
            raise InputDataError(
                f"巡林轨迹图层“{tracks.sourceName()}”没有要素：请先用“导入巡林轨迹”导入轨迹。",
                f"The patrol tracks layer '{tracks.sourceName()}' has no features: import the tracks first "
                "(Import patrol tracks).")
        return spots, tracks

    def _run(self, parameters, context, feedback) -> dict:
        from ..core.inspection.patrol_link import missed_by_patrol
        from ..qgis_glue.frames import require_fields, source_to_frame
        from .patrol_coverage import _centre_lonlat, working_crs

        spots_source, tracks_source = self._sources(parameters, context)
        require_fields(spots_source, SPOT_FIELDS, spots_source.sourceName())
        require_fields(tracks_source, TRACK_FIELDS, tracks_source.sourceName())
        distance = self.parameterAsDouble(parameters, self.DISTANCE, context)
        workspace = self.parameterAsFile(parameters, self.WORKSPACE, context)
        if workspace:
            from ..core.inspection.store import check_writable

            check_writable(workspace)  # before any output: a read-only workspace is refused at once

        spots_crs = spots_source.sourceCrs()
        centre = _centre_lonlat(spots_source, spots_crs) or _centre_lonlat(tracks_source, tracks_source.sourceCrs())
        work_crs = working_crs(spots_crs, centre)
        feedback.pushInfo(tr("Working CRS: {}").format(work_crs.authid() or work_crs.description()))
        spots = source_to_frame(spots_source, list(SPOT_FIELDS), work_crs, feedback, spots_source.sourceName())
        self._check(feedback)
        tracks = source_to_frame(tracks_source, list(TRACK_FIELDS), work_crs, feedback, tracks_source.sourceName())
        self._check(feedback)
        dated = int(sum(1 for value in tracks["dated"].tolist() if value is True or value == 1))
        if dated == 0:
            feedback.pushWarning(tr("None of the tracks is dated: no spot can have a patrol, every spot with "
                                    "dates is missed by patrol."))
        feedback.setProgress(40.0)

        links = missed_by_patrol(
            list(zip(spots.geometry.values, spots["before_date"].tolist(), spots["after_date"].tolist())),
            list(zip(tracks.geometry.values, tracks["start_time"].tolist(), tracks["dated"].tolist())),
            distance)
        by_fid = {int(fid): link for fid, link in zip(spots["fid"].tolist(), links)}
        missed = sum(1 for flag, _ in links if flag is True)
        linked = sum(1 for flag, _ in links if flag is False)
        unchecked = sum(1 for flag, _ in links if flag is None)
        feedback.pushInfo(tr("{} spots: {} with patrols in their time, {} missed by patrol, {} without dates or "
                             "geometry; {} of {} tracks dated.").format(len(links), linked, missed, unchecked,
                                                                        dated, len(tracks)))
        if unchecked:
            feedback.pushWarning(tr("{} spots lack a before date, an after date or a geometry: patrol_missed "
                                    "stays empty for them.").format(unchecked))
        feedback.setProgress(60.0)

        dest = self._write(parameters, context, spots_source, by_fid, feedback)
        updated = 0
        if workspace:
            updated = self._update_workspace(workspace, spots, links, feedback)
        feedback.setProgress(100.0)
        return {self.OUTPUT: dest, self.MISSED: missed, self.LINKED: linked, self.UNCHECKED: unchecked,
                self.WORKSPACE_UPDATED: updated}

    def _write(self, parameters, context, spots_source, by_fid, feedback):
        fields = QgsFields(spots_source.fields())
        for name, kind in (("patrols", QVariant.Int), ("patrol_missed", QVariant.Bool)):
            if fields.indexFromName(name) < 0:
                fields.append(QgsField(name, kind))
        patrols_index, missed_index = fields.indexFromName("patrols"), fields.indexFromName("patrol_missed")
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields,
                                          QgsWkbTypes.multiType(spots_source.wkbType()), spots_source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        total = max(spots_source.featureCount(), 1)
        extra = len(fields) - len(spots_source.fields())
        for count, feature in enumerate(spots_source.getFeatures()):
            if count % 500 == 0:
                self._check(feedback)
                feedback.setProgress(60.0 + 30.0 * count / total)
            missed, patrols = by_fid.get(int(feature.id()), (None, 0))
            attributes = list(feature.attributes()) + [None] * extra
            attributes[patrols_index] = patrols
            attributes[missed_index] = missed
            add_multi_feature(sink, fields, feature.geometry(), attributes)
        return dest

    def _update_workspace(self, workspace: str, spots, links, feedback) -> int:
        from ..core.inspection.store import set_patrol_missed

        flags = {}
        for spot_no, (missed, _patrols) in zip(spots["spot_no"].tolist(), links):
            if isinstance(spot_no, str) and spot_no.strip():
                flags[spot_no] = missed
        if not flags:
            feedback.pushWarning(tr("No spot has a spot number: nothing was written to the workspace."))
            return 0
        updated = set_patrol_missed(workspace, flags)
        self._refresh_after_run = workspace
        feedback.pushInfo(tr("patrol_missed written to {} spots of the workspace (no history rows: it is a "
                             "derived flag).").format(updated))
        if updated < len(flags):
            feedback.pushWarning(tr("{} spot numbers of the spots layer are not in the workspace.").format(
                len(flags) - updated))
        return updated
