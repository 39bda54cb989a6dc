"""管护网格 (management grid): the forest of each responsibility area cut into one zone per ranger, 包山包人.

"一格管一片、一格定一人": every piece of forest in exactly one zone, every zone with one ranger, no gaps and
no overlaps ("纵向到底、横向到边"). Pure: numpy, scipy, shapely 2 and geopandas; no Qt, no QGIS.

- ``cells``: the forest of an area cut by a square grid into cells, and which cells share a boundary;
- ``partition``: a balanced, contiguity-preserving partition of the cell graph into k zones;
- ``inputs``: repaired polygons, rangers per area from a table, a count or a target area per ranger;
- ``zones``: ``management_grid(...)``, the zones with their fields, the balance and the compactness;
- ``store``: the zones of some areas replaced in the workspace's grid_zones in one transaction.

The other modules here work on a grid once drawn (changing it by hand, the lists exported from it).
"""
