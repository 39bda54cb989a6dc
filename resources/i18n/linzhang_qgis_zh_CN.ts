<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
  <context>
    <name>linzhang</name>
    <message>
      <source>missing</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>installed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Done. Restart QGIS so that every tool sees the new packages.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Installed into: {}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>pip failed (exit code {}). Without pip in QGIS's Python, run make install from the plugin's source folder, or apt install python3-pip.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Forest Chief System</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Install…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Missing Python packages: {}. The tools that need them are disabled until they are installed.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>New one-map workspace</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Open one-map workspace</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Workspace opened: {}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>New workspace…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Open workspace…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Build demo district…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Forest Chief tools (Processing)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Install dependencies…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Forest Chief System (linzhang_qgis)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Workspace</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>This tool needs Python packages that are not installed: {}. Use 林长制 &gt; Install dependencies, or run make install.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Create demo district workspace</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>demo,workspace,一张图,示范</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Builds a believable demo district near Ganzhou (CGCS2000 / EPSG:4547) from a seed: towns, villages and groups that tile their parents exactly, forest stands, chiefs and rangers, a year of GPX patrol tracks (some chiefs compliant and some not, one car drive, one track with broken times), and a pair of 10 m red/NIR images with planted clearings and clouds. The truth (planted clearings, which chiefs comply) is kept in layers named demo_truth_*. The same seed always gives the same district.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Demo folder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>The folder to write the demo workspace, imagery and GPX tracks into.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Random seed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>The same seed always gives the same district.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Open the workspace in the project</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Adds the workspace layers to the current project in the group 林长制一张图.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Workspace file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Image before</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Image after</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Cloud mask of the image after</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>GPX track folder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Responsibility areas</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Canceled.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Create one-map workspace</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>workspace,GeoPackage,one map,一张图,工作空间</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Creates an empty one-map workspace: one GeoPackage with the chief responsibility areas, forest stands, patrol tracks, change spots and their history, management-grid zones, rangers and the patrol rules (the district's default rules: district chiefs once a quarter, town level and below once a month). Every layer has Chinese field aliases, value maps for coded fields and a default style stored in the file, so it opens styled in any QGIS.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>GeoPackage (*.gpkg)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>The GeoPackage file to create (.gpkg).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Coordinate reference system</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>A projected CRS in metres; the default is CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547), the zone of Ganzhou.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Replace an existing file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>When false (the default), an existing file is never replaced.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Creating the workspace {}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Default styles stored for {} layers.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>The coordinate reference system is not valid.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Choose a projected CRS in metres (for example EPSG:4547), not a geographic one: areas are measured in it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Choose a CRS with an EPSG code; {} has none.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>DependencyDialog</name>
    <message>
      <source>Python packages of the Forest Chief System</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>The analyses of this plugin need these Python packages. Missing ones can be installed into your QGIS profile; nothing outside it is changed.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Install missing packages</source>
      <translation type="unfinished" />
    </message>
  </context>
</TS>
