<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
  <context>
    <name>linzhang</name>
    <message>
      <source>missing</source>
      <translation>缺少</translation>
    </message>
    <message>
      <source>installed</source>
      <translation>已安装</translation>
    </message>
    <message>
      <source>Done. Restart QGIS so that every tool sees the new packages.</source>
      <translation>安装完成。请重启 QGIS，使所有工具都能使用新安装的包。</translation>
    </message>
    <message>
      <source>Installed into: {}</source>
      <translation>安装位置：{}</translation>
    </message>
    <message>
      <source>pip failed (exit code {}). Without pip in QGIS's Python, run make install from the plugin's source folder, or apt install python3-pip.</source>
      <translation>pip 安装失败（退出码 {}）。如果 QGIS 的 Python 中没有 pip，请在插件源码目录运行 make install，或执行 apt install python3-pip。</translation>
    </message>
    <message>
      <source>Forest Chief System</source>
      <translation>林长制</translation>
    </message>
    <message>
      <source>Install…</source>
      <translation>安装…</translation>
    </message>
    <message>
      <source>Missing Python packages: {}. The tools that need them are disabled until they are installed.</source>
      <translation>缺少 Python 包：{}。需要这些包的工具在安装之前不可用。</translation>
    </message>
    <message>
      <source>New one-map workspace</source>
      <translation>新建一张图工作空间</translation>
    </message>
    <message>
      <source>Open one-map workspace</source>
      <translation>打开一张图工作空间</translation>
    </message>
    <message>
      <source>Workspace opened: {}</source>
      <translation>已打开工作空间：{}</translation>
    </message>
    <message>
      <source>New workspace…</source>
      <translation>新建工作空间…</translation>
    </message>
    <message>
      <source>Open workspace…</source>
      <translation>打开工作空间…</translation>
    </message>
    <message>
      <source>Build demo district…</source>
      <translation>生成示范区…</translation>
    </message>
    <message>
      <source>Forest Chief tools (Processing)</source>
      <translation>林长制处理工具</translation>
    </message>
    <message>
      <source>Install dependencies…</source>
      <translation>安装依赖包…</translation>
    </message>
    <message>
      <source>Forest Chief System (linzhang_qgis)</source>
      <translation>林长制一张图 (linzhang_qgis)</translation>
    </message>
    <message>
      <source>Workspace</source>
      <translation>工作空间</translation>
    </message>
    <message>
      <source>This tool needs Python packages that are not installed: {}. Use the menu 林长制 &gt; Install dependencies, or run make install.</source>
      <translation>此工具需要尚未安装的 Python 包：{}。请使用菜单“林长制 &gt; 安装依赖包”，或运行 make install。</translation>
    </message>
    <message>
      <source>Create demo district workspace</source>
      <translation>生成示范区工作空间</translation>
    </message>
    <message>
      <source>demo,workspace,一张图,示范</source>
      <translation>示范区,工作空间,一张图,演示,demo</translation>
    </message>
    <message>
      <source>Builds a believable demo district near Ganzhou (CGCS2000 / EPSG:4547) from a seed: towns, villages and groups that tile their parents exactly, forest stands, chiefs and rangers, a year of GPX patrol tracks (some chiefs compliant and some not, one car drive, one track with broken times), and a pair of 10 m red/NIR images with planted clearings and clouds. The truth (planted clearings, which chiefs comply) is kept in layers named demo_truth_*. The same seed always gives the same district.</source>
      <translation>按随机种子生成赣州附近一个逼真的示范区（CGCS2000 / EPSG:4547）：镇、村、组逐级无缝铺满上级责任区，森林资源小班，林长与护林员，一年的 GPX 巡林轨迹（部分林长达标、部分未达标，含一条驾车轨迹和一条时间错误的轨迹），以及两期 10 米红光/近红外影像（含人为设置的采伐斑块和云）。真值（设置的采伐斑块、哪些林长达标）保存在 demo_truth_* 图层中。相同的种子总是生成相同的示范区。</translation>
    </message>
    <message>
      <source>Demo folder</source>
      <translation>示范区输出文件夹</translation>
    </message>
    <message>
      <source>The folder to write the demo workspace, imagery and GPX tracks into.</source>
      <translation>写入示范区工作空间、影像和 GPX 轨迹的文件夹。</translation>
    </message>
    <message>
      <source>Random seed</source>
      <translation>随机种子</translation>
    </message>
    <message>
      <source>The same seed always gives the same district.</source>
      <translation>相同的种子总是生成相同的示范区。</translation>
    </message>
    <message>
      <source>Open the workspace in the project</source>
      <translation>在当前项目中打开工作空间</translation>
    </message>
    <message>
      <source>Adds the workspace layers to the current project in the group 林长制一张图.</source>
      <translation>将工作空间图层添加到当前项目的“林长制一张图”图层组中。</translation>
    </message>
    <message>
      <source>Workspace file</source>
      <translation>工作空间文件</translation>
    </message>
    <message>
      <source>Image before</source>
      <translation>前时相影像</translation>
    </message>
    <message>
      <source>Image after</source>
      <translation>后时相影像</translation>
    </message>
    <message>
      <source>Cloud mask of the image after</source>
      <translation>后时相影像云掩膜</translation>
    </message>
    <message>
      <source>GPX track folder</source>
      <translation>GPX 轨迹文件夹</translation>
    </message>
    <message>
      <source>Responsibility areas</source>
      <translation>责任区数量</translation>
    </message>
    <message>
      <source>Canceled.</source>
      <translation>已取消。</translation>
    </message>
    <message>
      <source>Create one-map workspace</source>
      <translation>新建一张图工作空间</translation>
    </message>
    <message>
      <source>workspace,GeoPackage,one map,一张图,工作空间</source>
      <translation>工作空间,GeoPackage,一张图,workspace,one map</translation>
    </message>
    <message>
      <source>Creates an empty one-map workspace: one GeoPackage with the chief responsibility areas, forest stands, patrol tracks, change spots and their history, management-grid zones, rangers and the patrol rules (the district's default rules: district chiefs once a quarter, town level and below once a month). Every layer has Chinese field aliases, value maps for coded fields and a default style stored in the file, so it opens styled in any QGIS.</source>
      <translation>新建一个空的一张图工作空间：一个 GeoPackage 文件，包含林长责任区、森林资源小班、巡林轨迹、森林督查变化图斑及其核查记录、管护网格、护林员与监管员、巡林规则（默认采用本区规定：区级林长每季度不少于 1 次，镇级以下林长每月不少于 1 次）。每个图层都带中文字段别名、代码字段的值映射和保存在文件中的默认样式，在任何 QGIS 中打开都有样式。</translation>
    </message>
    <message>
      <source>GeoPackage (*.gpkg)</source>
      <translation>GeoPackage 文件 (*.gpkg)</translation>
    </message>
    <message>
      <source>The GeoPackage file to create (.gpkg).</source>
      <translation>要新建的 GeoPackage 文件（.gpkg）。</translation>
    </message>
    <message>
      <source>Coordinate reference system</source>
      <translation>坐标参考系</translation>
    </message>
    <message>
      <source>A projected CRS in metres; the default is CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547), the zone of Ganzhou, used when empty.</source>
      <translation>以米为单位的投影坐标系；留空时使用默认的 CGCS2000 / 3 度带高斯-克吕格 中央经线 114°E（EPSG:4547），即赣州所在的投影带。</translation>
    </message>
    <message>
      <source>Replace an existing file</source>
      <translation>覆盖已有文件</translation>
    </message>
    <message>
      <source>When false (the default), an existing file is never replaced.</source>
      <translation>为否（默认）时，绝不覆盖已有文件。</translation>
    </message>
    <message>
      <source>Creating the workspace {}</source>
      <translation>正在创建工作空间 {}</translation>
    </message>
    <message>
      <source>Default styles stored for {} layers.</source>
      <translation>已为 {} 个图层保存默认样式。</translation>
    </message>
    <message>
      <source>The coordinate reference system is not valid.</source>
      <translation>坐标参考系无效。</translation>
    </message>
    <message>
      <source>Choose a projected CRS in metres (for example EPSG:4547), not a geographic one: areas are measured in it.</source>
      <translation>请选择以米为单位的投影坐标系（例如 EPSG:4547），不要选择地理坐标系：面积要在该坐标系中量算。</translation>
    </message>
    <message>
      <source>Choose a CRS with an EPSG code; {} has none.</source>
      <translation>请选择有 EPSG 代码的坐标系；{} 没有 EPSG 代码。</translation>
    </message>
  </context>
  <context>
    <name>DependencyDialog</name>
    <message>
      <source>Python packages of the Forest Chief System</source>
      <translation>林长制插件的 Python 依赖包</translation>
    </message>
    <message>
      <source>The analyses of this plugin need these Python packages. Missing ones can be installed into your QGIS profile; nothing outside it is changed.</source>
      <translation>本插件的分析功能需要以下 Python 包。缺少的包可以安装到您的 QGIS 用户配置目录中，不会改动该目录以外的任何内容。</translation>
    </message>
    <message>
      <source>Install missing packages</source>
      <translation>安装缺少的包</translation>
    </message>
  </context>
</TS>
