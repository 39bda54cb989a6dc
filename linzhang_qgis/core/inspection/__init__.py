"""The 森林督查 review of change spots (变化图斑核查): the workflow rules, the store that changes a spot and
writes its history in one transaction (with undo), and the link between spots and patrol tracks.

- ``workflow``: 下发 → 判读审核 → 现地核实 → 认定 → 立案 → 整改 → 复核 → 销号, and what each step needs.
- ``store``: sqlite3 on the workspace GeoPackage: load spots, apply a change, undo, read the history.
- ``patrol_link``: was the place of a spot patrolled between its two image dates?
"""
