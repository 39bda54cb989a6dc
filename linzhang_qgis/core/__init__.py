"""The pure core of linzhang_qgis: no Qt and no QGIS imports anywhere below this package.

Usable from a plain Python script; the QGIS glue (Processing algorithms, docks) translates
between QGIS objects and these functions.
"""
