"""Attributes of the forest stands (森林资源小班): land class, origin, category, use, species, age, canopy.

Valleys are farmed, built up near the town seats, with ponds at the lowest points; the hills are
forest, the higher ones public-welfare (公益林) pine and broadleaf, the lower ones commercial fir,
slash pine, eucalyptus, oil tea and navel orange.
"""
from __future__ import annotations

import numpy as np
import shapely

from . import geometry as geo
from .fields import Terrain
from .hierarchy import DISTRICT_NAME, Area

NON_FOREST_SHARE = 0.19  # of the land, by area
WATER_SHARE = 0.02
BUILT_SHARE = 0.045
FOREST_CLASS_WEIGHTS = {"0111": 0.78, "0131": 0.08, "0301": 0.05, "0302": 0.03, "0305": 0.04, "0307": 0.02}

# species -> (origin probability planted, age range, forest use when commercial)
SPECIES_TRAITS = {
    "masson_pine": (0.4, (10, 45), "timber"),
    "chinese_fir": (0.95, (5, 30), "timber"),
    "slash_pine": (1.0, (8, 30), "timber"),
    "broadleaf_mix": (0.1, (15, 60), "energy"),
    "camphor": (0.5, (10, 50), "timber"),
    "moso_bamboo": (0.6, (3, 15), "timber"),
    "oil_tea": (1.0, (5, 40), "economic"),
    "eucalyptus": (1.0, (3, 8), "timber"),
    "navel_orange": (1.0, (4, 20), "economic"),
}
PUBLIC_SPECIES = {"masson_pine": 0.38, "broadleaf_mix": 0.37, "camphor": 0.1, "chinese_fir": 0.15}
COMMERCIAL_SPECIES = {"chinese_fir": 0.33, "masson_pine": 0.08, "slash_pine": 0.17, "eucalyptus": 0.1,
                      "oil_tea": 0.14, "navel_orange": 0.14, "broadleaf_mix": 0.04}


def _choice(rng: np.random.Generator, weights: dict) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def land_classes(rng: np.random.Generator, points: np.ndarray, areas: np.ndarray, elevation: np.ndarray,
                 seats: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The land class of each stand, and its relative height (standardised, with some noise)."""
    z = (elevation - elevation.mean()) / elevation.std() + rng.normal(0, 0.15, len(elevation))
    order = np.argsort(z, kind="stable")
    below = np.cumsum(areas[order]) / areas.sum()
    classes = np.array([""] * len(z), dtype=object)
    low = order[below <= NON_FOREST_SHARE]
    classes[order[below <= WATER_SHARE]] = "1100"
    seat_distance = np.min(np.hypot(points[low, 0, None] - seats[None, :, 0],
                                    points[low, 1, None] - seats[None, :, 1]), axis=1)
    built_budget = BUILT_SHARE * areas.sum()
    for stand in low[np.argsort(seat_distance, kind="stable")]:
        if classes[stand] == "" and built_budget > 0:
            classes[stand] = "0700"
            built_budget -= areas[stand]
    classes[low[classes[low] == ""]] = "0100"
    for stand in np.flatnonzero(classes == ""):
        classes[stand] = _choice(rng, FOREST_CLASS_WEIGHTS)
    return list(classes), z


def _forest_attributes(rng: np.random.Generator, land_class: str, z: float) -> dict:
    if land_class == "0307":  # 宜林地: bare, nothing growing yet
        return {"origin": None, "forest_cat": "commercial", "forest_use": "timber", "species": None,
                "age": None, "canopy": 0.0}
    public = rng.random() < 1 / (1 + np.exp(-2.2 * (z - 0.45)))
    if land_class == "0131":
        species = "moso_bamboo"
    elif land_class == "0301":
        species = "broadleaf_mix"
    elif land_class == "0305":
        species = _choice(rng, {"chinese_fir": 0.5, "eucalyptus": 0.3, "slash_pine": 0.2})
    elif land_class == "0302":
        species = "masson_pine"
    else:
        species = _choice(rng, PUBLIC_SPECIES if public else COMMERCIAL_SPECIES)
    if species in ("oil_tea", "navel_orange", "eucalyptus"):
        public = False
    planted_p, (age_min, age_max), commercial_use = SPECIES_TRAITS[species]
    origin = "planted" if (land_class == "0305" or rng.random() < planted_p) else "natural"
    if public:
        forest_use = "special" if rng.random() < 0.12 else "protection"
    else:
        forest_use = commercial_use
    age = int(rng.integers(1, 4)) if land_class == "0305" else int(rng.integers(age_min, age_max + 1))
    canopy = {"0111": rng.uniform(0.35, 0.9), "0131": rng.uniform(0.5, 0.9), "0301": rng.uniform(0.3, 0.6),
              "0302": rng.uniform(0.1, 0.19), "0305": rng.uniform(0.05, 0.18)}[land_class]
    return {"origin": origin, "forest_cat": "public" if public else "commercial", "forest_use": forest_use,
            "species": species, "age": age, "canopy": round(float(canopy), 2)}


def _numbering(rng: np.random.Generator, points: np.ndarray, weights: np.ndarray) -> list[tuple[str, str]]:
    """(lin_ban, xiao_ban) for the stands of one village: compartments of ~15 stands, numbered
    from the north-west, sub-compartments numbered within each compartment."""
    k = max(1, int(round(len(points) / 15)))
    labels = geo.kmeans(rng, points, weights, k, iterations=8)
    present = list(np.unique(labels))
    centres = {lab: points[labels == lab].mean(axis=0) for lab in present}
    order = sorted(present, key=lambda lab: (-round(centres[lab][1] / 800.0), centres[lab][0]))
    result: list[tuple[str, str]] = [("", "")] * len(points)
    for lin_ban, lab in enumerate(order, start=1):
        members = np.flatnonzero(labels == lab)
        members = sorted(members, key=lambda i: (-round(points[i][1] / 250.0), points[i][0]))
        for xiao_ban, i in enumerate(members, start=1):
            result[i] = (f"{lin_ban:03d}", f"{xiao_ban:03d}")
    return result


def stand_rows(rng: np.random.Generator, faces: np.ndarray, areas: list[Area], terrain: Terrain) -> list[dict]:
    """One attribute row per stand face, in the field names of schema.FOREST_STANDS."""
    points = shapely.get_coordinates(shapely.point_on_surface(faces))
    sizes = shapely.area(faces)
    seats = np.array([shapely.get_coordinates(shapely.point_on_surface(a.geometry))[0]
                      for a in areas if a.level in (2, 3)])
    classes, z = land_classes(rng, points, sizes, terrain(points[:, 0], points[:, 1]), seats)
    rows: list[dict] = [{} for _ in faces]
    for village in (a for a in areas if a.level == 3):
        numbers = _numbering(rng, points[village.stands], sizes[village.stands])
        groups = {int(s): code for code in village.children for s in _stands_of(areas, code)}
        for stand, (lin_ban, xiao_ban) in zip(village.stands, numbers):
            stand = int(stand)
            ha = sizes[stand] / 10000.0
            row = {"county": DISTRICT_NAME, "town": village.town, "village": village.name,
                   "lin_ban": lin_ban, "xiao_ban": xiao_ban, "land_class": classes[stand],
                   "origin": None, "forest_cat": None, "forest_use": None, "species": None,
                   "age": None, "canopy": None, "area_code": groups[stand],
                   "area_ha": round(ha, 4), "area_mu": round(ha * 15.0, 3)}
            if classes[stand] in FOREST_CLASS_WEIGHTS:
                row.update(_forest_attributes(rng, classes[stand], float(z[stand])))
            rows[stand] = row
    return rows


def _stands_of(areas: list[Area], code: str) -> np.ndarray:
    return next(a.stands for a in areas if a.code == code)
