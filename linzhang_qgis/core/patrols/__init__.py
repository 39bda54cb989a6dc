"""Patrols (巡林): track quality, coverage and effort, compliance. Pure: no Qt, no QGIS."""
