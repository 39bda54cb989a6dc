"""linzhang_qgis: the Forest Chief System (林长制) one-map plugin for QGIS.

Kept tiny: QGIS calls ``classFactory``; the plugin class and everything heavy load from there.
"""


def classFactory(iface):  # noqa: N802 - the name QGIS looks for
    from .plugin import LinzhangPlugin

    return LinzhangPlugin(iface)
