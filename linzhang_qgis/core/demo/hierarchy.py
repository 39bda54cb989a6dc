"""The four levels of responsibility areas (区 → 镇/街道 → 村 → 组), each a union of whole stands."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from . import geometry as geo
from .fields import wave_field
from .people import NameMaker, chief_title, group_name

DISTRICT_CODE = "360799"  # 3607 is Ganzhou; 99 is not a real district
DISTRICT_NAME = "示范区"
WARP_AMPLITUDE = {2: 900.0, 3: 420.0, 4: 200.0}  # metres: how much each level's boundaries wiggle


@dataclass
class Area:
    code: str
    name: str
    level: int
    parent_code: str | None
    stands: np.ndarray  # indices into the stand faces
    geometry: object = None
    town: str = ""
    village: str = ""
    chief_name: str = ""
    chief_title: str = ""
    chief_phone: str = ""
    supervisor: str = ""
    children: list[str] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        """示范区东岭镇杨梅村第一组 and the like."""
        parts = [DISTRICT_NAME, self.town if self.level >= 2 else "", self.village if self.level >= 3 else "",
                 self.name if self.level == 4 else ""]
        return "".join(parts)

    @property
    def area_ha(self) -> float:
        return float(self.geometry.area) / 10000.0


def _split(rng: np.random.Generator, faces: np.ndarray, members: np.ndarray, k: int, level: int,
           neighbours) -> list[np.ndarray]:
    """Split the stands ``members`` into ``k`` compact, connected, ordered (north-west first) parts."""
    origin = tuple(shapely.get_coordinates(shapely.centroid(faces[members[0]]))[0])
    fx = wave_field(rng, 5, (1500.0, 6000.0), origin)
    fy = wave_field(rng, 5, (1500.0, 6000.0), origin)
    points = shapely.get_coordinates(shapely.point_on_surface(faces[members]))
    weights = shapely.area(faces[members])
    labels = geo.kmeans(rng, geo.warp(points, fx, fy, WARP_AMPLITUDE[level]), weights, k)
    labels = geo.make_contiguous(labels, members, neighbours)
    parts = [members[labels == lab] for lab in np.unique(labels)]
    centres = [np.average(points[labels == lab], axis=0, weights=weights[labels == lab])
               for lab in np.unique(labels)]
    order = sorted(range(len(parts)), key=lambda i: (-round(centres[i][1] / 1500.0), centres[i][0]))
    return [parts[i] for i in order]


def build_areas(rng: np.random.Generator, faces: np.ndarray, names: NameMaker) -> list[Area]:
    """All areas, parents before children: 1 district, 3 towns, 3-4 villages each, 2-3 groups each."""
    neighbours = geo.adjacency(faces).neighbours(len(faces))
    everything = np.arange(len(faces))
    district = Area(DISTRICT_CODE, DISTRICT_NAME, 1, None, everything)
    areas = [district]
    towns = _split(rng, faces, everything, 3, 2, neighbours)
    centre = shapely.get_coordinates(shapely.centroid(shapely.coverage_union_all(faces)))[0]
    seat = int(np.argmin([np.hypot(*(shapely.get_coordinates(shapely.centroid(
        shapely.coverage_union_all(faces[t])))[0] - centre)) for t in towns]))
    town_numbers = iter(range(101, 200))
    for t_index, town_stands in enumerate(towns):
        subdistrict = t_index == seat
        town_code = DISTRICT_CODE + ("001" if subdistrict else f"{next(town_numbers):03d}")
        town_name = names.town(subdistrict)
        town = Area(town_code, town_name, 2, DISTRICT_CODE, town_stands, town=town_name)
        areas.append(town)
        district.children.append(town_code)
        for v_index, village_stands in enumerate(_split(rng, faces, town_stands, int(rng.integers(3, 5)), 3,
                                                        neighbours)):
            village_code = town_code + f"{201 + v_index:03d}"
            village = Area(village_code, names.village(), 3, town_code, village_stands, town=town_name)
            village.village = village.name
            areas.append(village)
            town.children.append(village_code)
            for g_index, group_stands in enumerate(_split(rng, faces, village_stands, int(rng.integers(2, 4)), 4,
                                                          neighbours)):
                group_code = village_code + f"{g_index + 1:03d}"
                group = Area(group_code, group_name(g_index + 1), 4, village_code, group_stands,
                             town=town_name, village=village.name)
                areas.append(group)
                village.children.append(group_code)
    areas.sort(key=lambda a: (a.level, a.code))
    for area in areas:
        area.geometry = shapely.coverage_union_all(faces[area.stands])
    _assign_chiefs(areas, names)
    return areas


def _assign_chiefs(areas: list[Area], names: NameMaker) -> None:
    supervisors: dict[str, str] = {}
    for area in areas:
        area.chief_name = names.person()
        area.chief_title = chief_title(area.level, area.name)
        area.chief_phone = names.phone()
        if area.level <= 3:
            supervisors[area.code] = names.person()
        area.supervisor = supervisors[area.code if area.level <= 3 else area.parent_code]


def stand_area_codes(areas: list[Area], n_stands: int) -> list[str]:
    """The group code of every stand."""
    codes = [""] * n_stands
    for area in areas:
        if area.level == 4:
            for s in area.stands:
                codes[int(s)] = area.code
    return codes
