"""How detected spots compare with reference polygons (the demo's planted clearings, or field truth).

By spot: a detected spot is a true positive when it overlaps a reference polygon; precision = true
positives / spots. A reference polygon is found when a spot overlaps it; recall = found / references
(those that could be seen: the caller leaves out what lay under cloud). By area: IoU = area of the
intersection of both unions / area of their union (false spots and missed references lower it), and
per reference polygon against the spots that overlap it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import shapely


@dataclass(frozen=True)
class Accuracy:
    spots: int
    true_spots: int
    references: int
    found: int
    iou: float  # over everything
    iou_per_reference: tuple[float, ...]

    @property
    def precision(self) -> float:
        return self.true_spots / self.spots if self.spots else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.references if self.references else 1.0

    def lines(self) -> list[str]:
        median = float(np.median(self.iou_per_reference)) if self.iou_per_reference else 0.0
        return [f"precision {self.true_spots}/{self.spots} = {self.precision:.2f}",
                f"recall {self.found}/{self.references} = {self.recall:.2f}",
                f"IoU by area {self.iou:.2f} (median per clearing {median:.2f})"]


def compare(spots: Sequence, references: Sequence) -> Accuracy:
    """Precision and recall by spot, IoU by area, of ``spots`` against ``references`` (shapely polygons,
    one CRS)."""
    spots = np.asarray(list(spots), dtype=object)
    references = np.asarray(list(references), dtype=object)
    if references.size and spots.size:
        tree = shapely.STRtree(references)
        spot_index, reference_index = tree.query(spots, predicate="intersects")
    else:
        spot_index = reference_index = np.array([], dtype=int)
    true_spots = len(set(spot_index.tolist()))
    found = len(set(reference_index.tolist()))
    detected = shapely.union_all(spots) if spots.size else shapely.Polygon()
    truth = shapely.union_all(references) if references.size else shapely.Polygon()
    union = shapely.union(detected, truth).area
    iou = shapely.intersection(detected, truth).area / union if union else 1.0
    per_reference = []
    for index, reference in enumerate(references):
        touching = spots[spot_index[reference_index == index]]
        overlapping = shapely.union_all(touching) if touching.size else shapely.Polygon()
        joint = shapely.union(overlapping, reference).area
        per_reference.append(shapely.intersection(overlapping, reference).area / joint if joint else 0.0)
    return Accuracy(int(spots.size), true_spots, int(references.size), found, float(iou), tuple(per_reference))
