"""Glue between the pure core and QGIS objects (layers, styles, the project)."""
