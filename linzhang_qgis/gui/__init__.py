"""QGIS desktop glue: actions, dialogs and docks. Loaded only by initGui, never by qgis_process."""
