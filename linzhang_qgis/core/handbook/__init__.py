"""The patrol handbook (巡林手册) and the public list (公示名单) of the chiefs, from a one-map workspace.

The seed asks for a 巡林手册 per chief with three lists for the chief's responsibility area: the target
tasks of the year (目标任务清单), the forest resources (森林资源清单) and the key problems (重点问题清单);
and for the chiefs, their areas and duties to be made public (公示). ``lists`` derives the three lists
from the workspace's data, ``public_list`` the rows of the public list and its .xlsx and .csv files.
Pure Python: no Qt, no QGIS (the print layout is in ``qgis_glue.handbook_layout``).
"""
