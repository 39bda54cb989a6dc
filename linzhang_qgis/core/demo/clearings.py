"""Planted clearings (the truth behind the change detection): irregular patches cut inside tree forest."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from .geometry import GRID, blob

CAUSE_WEIGHTS = {1: 0.5, 3: 0.2, 2: 0.15, 4: 0.15}  # 采伐, 毁林开垦, 占地, 灾害
MIN_AREA = 1000.0  # m²: 0.1 ha
MAX_AREA = 30000.0  # m²: 3 ha
ORCHARD_SPECIES = ("navel_orange", "oil_tea")


@dataclass(frozen=True)
class Clearing:
    clearing_id: str
    geometry: object
    cause: int
    stand: int  # index of the stand it lies in
    ndvi_after: float  # the vegetation index the patch shows after the change


def make_clearings(rng: np.random.Generator, faces: np.ndarray, rows: list[dict]) -> list[Clearing]:
    """10-20 clearings of 0.1-3 ha, each inside a different tree-forest (0111) stand (not an orchard),
    10 m from its edge."""
    candidates = [i for i, row in enumerate(rows) if row["land_class"] == "0111" and row["area_ha"] > 4.0
                  and row["species"] not in ORCHARD_SPECIES]
    order = rng.permutation(candidates)
    wanted = int(rng.integers(12, 19))
    causes = list(CAUSE_WEIGHTS)
    p = np.array([CAUSE_WEIGHTS[c] for c in causes])
    result: list[Clearing] = []
    for stand in order:
        if len(result) == wanted:
            break
        shape = _patch(rng, faces[int(stand)])
        if shape is None:
            continue
        cause = causes[int(rng.choice(len(causes), p=p / p.sum()))]
        ndvi = {1: rng.uniform(0.25, 0.35), 3: rng.uniform(0.2, 0.3), 2: rng.uniform(0.15, 0.22),
                4: rng.uniform(0.2, 0.32)}[cause]
        result.append(Clearing(f"DEMO-{len(result) + 1:03d}", shape, cause, int(stand), float(ndvi)))
    return result


def _patch(rng: np.random.Generator, stand):
    inner = stand.buffer(-10.0)
    if inner.is_empty:
        return None
    area = float(np.exp(rng.uniform(np.log(MIN_AREA * 1.3), np.log(MAX_AREA * 0.8))))
    minx, miny, maxx, maxy = inner.bounds
    for _ in range(50):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(inner, x, y):
            break
    else:
        return None
    shape = blob(rng, (x, y), np.sqrt(area / np.pi), 0.9, n=64, stretch=rng.uniform(1.0, 1.8))
    shape = shapely.set_precision(shapely.intersection(shape, inner), GRID)
    parts = [g for g in shapely.get_parts(shape) if g.geom_type == "Polygon"]
    if not parts:
        return None
    shape = max(parts, key=lambda g: g.area)
    return shape if MIN_AREA <= shape.area <= MAX_AREA else None
