<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
  <context>
    <name>linzhang</name>
    <message>
      <source>yes</source>
      <translation>是</translation>
    </message>
    <message>
      <source>no</source>
      <translation>否</translation>
    </message>
    <message>
      <source>Date</source>
      <translation>日期</translation>
    </message>
    <message>
      <source>Patroller</source>
      <translation>巡林人</translation>
    </message>
    <message>
      <source>km</source>
      <translation>公里</translation>
    </message>
    <message>
      <source>On foot</source>
      <translation>步行</translation>
    </message>
    <message>
      <source>Dated</source>
      <translation>时间有效</translation>
    </message>
    <message>
      <source>Choose the before and after imagery layers</source>
      <translation>请选择前/后时相影像图层</translation>
    </message>
    <message>
      <source>Choose the before imagery layer</source>
      <translation>请选择前时相影像图层</translation>
    </message>
    <message>
      <source>Choose the after imagery layer</source>
      <translation>请选择后时相影像图层</translation>
    </message>
    <message>
      <source>Before image</source>
      <translation>前时相</translation>
    </message>
    <message>
      <source>After image</source>
      <translation>后时相</translation>
    </message>
    <message>
      <source>The before image (older)</source>
      <translation>前时相影像（较早）</translation>
    </message>
    <message>
      <source>The after image (newer)</source>
      <translation>后时相影像（较新）</translation>
    </message>
    <message>
      <source>no image chosen</source>
      <translation>未选择影像</translation>
    </message>
    <message>
      <source>Before: {}</source>
      <translation>前时相：{}</translation>
    </message>
    <message>
      <source>After: {}</source>
      <translation>后时相：{}</translation>
    </message>
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
      <source>Zone</source>
      <translation>网格</translation>
    </message>
    <message>
      <source>Ranger</source>
      <translation>护林员</translation>
    </message>
    <message>
      <source>Forest (ha)</source>
      <translation>林地(公顷)</translation>
    </message>
    <message>
      <source>Forest (mu)</source>
      <translation>林地(亩)</translation>
    </message>
    <message>
      <source>± mean</source>
      <translation>与均值差</translation>
    </message>
    <message>
      <source>Compactness</source>
      <translation>紧凑度</translation>
    </message>
    <message>
      <source>Management grid adjustment</source>
      <translation>管护网格调整</translation>
    </message>
    <message>
      <source>Press on the forest of a management-grid zone.</source>
      <translation>请在管护网格内的林地上按下鼠标。</translation>
    </message>
    <message>
      <source>No Forest Chief workspace is open. Open one with Forest Chief System &gt; Open workspace…, or create the demo workspace.</source>
      <translation>未打开林长制工作空间。请用 林长制 &gt; 打开工作空间… 打开，或生成示范区工作空间。</translation>
    </message>
    <message>
      <source>The workspace has no management-grid zones yet: draw them with the Processing tool “Management grid (one zone per ranger)” (linzhang:managementgrid), then adjust them here.</source>
      <translation>工作空间中还没有管护网格：请先用处理工具“管护网格”（linzhang:managementgrid）划分，再在此调整。</translation>
    </message>
    <message>
      <source>{} {}: {:.2f} ha from {} to {}</source>
      <translation>{} {}：{:.2f} 公顷 由 {} 调入 {}</translation>
    </message>
    <message>
      <source>Moved {:.2f} ha from {} to {}; balance {:.3f}.</source>
      <translation>已将 {:.2f} 公顷由 {} 调入 {}；均衡度 {:.3f}。</translation>
    </message>
    <message>
      <source>The last move was undone; balance {:.3f}.</source>
      <translation>已撤销上一次调整；均衡度 {:.3f}。</translation>
    </message>
    <message>
      <source>{} zones, {:,.2f} ha = {:,.0f} mu of forest, {:,.2f} ha per zone on average</source>
      <translation>{} 个网格，林地 {:,.2f} 公顷 = {:,.0f} 亩，平均每格 {:,.2f} 公顷</translation>
    </message>
    <message>
      <source>No forest stand of zone {} here: hold Shift to move a square cell instead.</source>
      <translation>此处没有网格 {} 的森林小班：按住 Shift 可改为调整方格。</translation>
    </message>
    <message>
      <source>The layer {} is being edited in QGIS: save or discard those edits first, so that neither change is lost.</source>
      <translation>图层 {} 正在 QGIS 中编辑：请先保存或放弃这些编辑，以免两处修改互相覆盖丢失。</translation>
    </message>
    <message>
      <source>Balance (max/min forest): {} — goal ≤ {}</source>
      <translation>均衡度（林地面积 最大/最小）：{}，目标 ≤ {}</translation>
    </message>
    <message>
      <source>Chief areas</source>
      <translation>林长责任区</translation>
    </message>
    <message>
      <source>Saved, with its history row.</source>
      <translation>已保存，并记录修改历史。</translation>
    </message>
    <message>
      <source>This area has no boundary: it cannot be shown on the map.</source>
      <translation>该责任区没有边界，无法在地图上显示。</translation>
    </message>
    <message>
      <source>Choose an area in the tree.</source>
      <translation>请在上方选择责任区。</translation>
    </message>
    <message>
      <source>Nothing to change for this chief.</source>
      <translation>林长信息没有变化。</translation>
    </message>
    <message>
      <source>{} areas, as of {}: </source>
      <translation>共 {} 个责任区，截至 {}：</translation>
    </message>
    <message>
      <source>{} areas point to a parent code that is not in the layer: {}</source>
      <translation>{} 个责任区的上级编码在图层中不存在：{}</translation>
    </message>
    <message>
      <source>codes used twice: {}</source>
      <translation>编码重复：{}</translation>
    </message>
    <message>
      <source>{:,.1f} ha forest</source>
      <translation>林地 {:,.1f} 公顷</translation>
    </message>
    <message>
      <source>patrols met, no open spot</source>
      <translation>巡林达标，无未结图斑</translation>
    </message>
    <message>
      <source>open spots, or a missed period made up since</source>
      <translation>有未结图斑，或曾有周期未达标（已补巡）</translation>
    </message>
    <message>
      <source>patrol overdue</source>
      <translation>巡林逾期</translation>
    </message>
    <message>
      <source>no patrol rule for this level</source>
      <translation>该级别无巡林规则</translation>
    </message>
    <message>
      <source>Area</source>
      <translation>责任区</translation>
    </message>
    <message>
      <source>Chief</source>
      <translation>林长</translation>
    </message>
    <message>
      <source>Forest ha / mu</source>
      <translation>林地 公顷/亩</translation>
    </message>
    <message>
      <source>Patrols this period</source>
      <translation>本期巡林</translation>
    </message>
    <message>
      <source>Open spots</source>
      <translation>未结图斑</translation>
    </message>
    <message>
      <source>week</source>
      <translation>周</translation>
    </message>
    <message>
      <source>month</source>
      <translation>月</translation>
    </message>
    <message>
      <source>quarter</source>
      <translation>季</translation>
    </message>
    <message>
      <source>year</source>
      <translation>年</translation>
    </message>
    <message>
      <source>Patrols this period ({}): {} of {}</source>
      <translation>本期巡林（{}）：{}/{}</translation>
    </message>
    <message>
      <source>Chief: {} {}</source>
      <translation>林长：{} {}</translation>
    </message>
    <message>
      <source>Forest: {:,.1f} ha = {:,.0f} mu</source>
      <translation>林地：{:,.1f} 公顷 = {:,.0f} 亩</translation>
    </message>
    <message>
      <source>State: {}</source>
      <translation>状态：{}</translation>
    </message>
    <message>
      <source>Open change spots (this area and below): {}</source>
      <translation>未结变化图斑（本区域及下级）：{}</translation>
    </message>
    <message>
      <source>{} d overdue</source>
      <translation>逾期 {} 天</translation>
    </message>
    <message>
      <source>Due periods met this year: {} of {}</source>
      <translation>本年已到期周期达标：{}/{}</translation>
    </message>
    <message>
      <source>Last patrol: {}</source>
      <translation>最近巡林：{}</translation>
    </message>
    <message>
      <source>none</source>
      <translation>无</translation>
    </message>
    <message>
      <source>Season or phenology</source>
      <translation>季节或物候差异</translation>
    </message>
    <message>
      <source>Cloud or shadow</source>
      <translation>云或阴影</translation>
    </message>
    <message>
      <source>Harvest with a permit</source>
      <translation>持证采伐</translation>
    </message>
    <message>
      <source>Earlier case</source>
      <translation>以往已查处</translation>
    </message>
    <message>
      <source>Other</source>
      <translation>其他</translation>
    </message>
    <message>
      <source>Spot review</source>
      <translation>图斑核查</translation>
    </message>
    <message>
      <source>Keys: N / P next / previous spot to determine · 1 legal 2 illegal 3 false detection · 4 logging 5 approved use 6 unapproved use 7 clearing for cultivation 8 fire 9 other disaster 0 regeneration · Enter confirm · Ctrl+Z undo · C before/after · S swipe</source>
      <translation>快捷键：N / P 下一个 / 上一个待认定图斑 · 1 合法 2 违法 3 伪变化 · 4 森林采伐 5 经审批使用林地 6 未审批使用林地 7 毁林开垦 8 火灾 9 其它灾害 0 造林更新 · Enter 确认 · Ctrl+Z 撤销 · C 前后对比 · S 卷帘</translation>
    </message>
    <message>
      <source>All statuses</source>
      <translation>全部状态</translation>
    </message>
    <message>
      <source>All rounds</source>
      <translation>全部轮次</translation>
    </message>
    <message>
      <source>No further spot to determine in this list.</source>
      <translation>列表中没有更多待认定的图斑。</translation>
    </message>
    <message>
      <source>(keep the status)</source>
      <translation>（保持当前状态）</translation>
    </message>
    <message>
      <source>Photos of the spot</source>
      <translation>图斑现场照片</translation>
    </message>
    <message>
      <source>Images (*.jpg *.jpeg *.png *.tif *.heic)</source>
      <translation>图片 (*.jpg *.jpeg *.png *.tif *.heic)</translation>
    </message>
    <message>
      <source>No Forest Chief workspace with change spots is open. Open one with Forest Chief System &gt; Open workspace…, then detect forest loss into it.</source>
      <translation>没有打开含变化图斑的林长制工作空间。请用 林长制 › 打开工作空间… 打开，再检测森林减少并写入其中。</translation>
    </message>
    <message>
      <source>No spot in the workspace yet.</source>
      <translation>工作空间中还没有图斑。</translation>
    </message>
    <message>
      <source>Nothing to change on this spot.</source>
      <translation>此图斑没有需要修改的内容。</translation>
    </message>
    <message>
      <source>Before / after</source>
      <translation>前后时相对比</translation>
    </message>
    <message>
      <source>Choose the after image first: no imagery layer to swipe.</source>
      <translation>请先选择后时相影像：没有可卷帘的影像图层。</translation>
    </message>
    <message>
      <source>mu</source>
      <translation>亩</translation>
    </message>
    <message>
      <source>{} spots: </source>
      <translation>共 {} 个图斑：</translation>
    </message>
    <message>
      <source>The spot {} has no geometry: it cannot be shown on the map.</source>
      <translation>图斑 {} 没有几何图形，无法在地图上显示。</translation>
    </message>
    <message>
      <source>No patrol rule for this level</source>
      <translation>该级别没有巡林规则</translation>
    </message>
    <message>
      <source>No period has ended yet</source>
      <translation>尚无已结束的周期</translation>
    </message>
    <message>
      <source>Compliant</source>
      <translation>达标</translation>
    </message>
    <message>
      <source>Not compliant</source>
      <translation>未达标</translation>
    </message>
    <message>
      <source>No QA note: the track passed the import checks.</source>
      <translation>无质检说明：该轨迹通过了导入检查。</translation>
    </message>
    <message>
      <source>Patrol panel</source>
      <translation>巡林面板</translation>
    </message>
    <message>
      <source>…</source>
      <translation>…</translation>
    </message>
    <message>
      <source>No Forest Chief workspace is open. Open one with Forest Chief System &gt; Open workspace…, or build the demo district; its responsibility areas and patrol tracks then appear here.</source>
      <translation>尚未打开林长制工作空间。请通过“林长制 &gt; 打开工作空间…”打开，或生成示范区；其责任区和巡林轨迹随后显示在此处。</translation>
    </message>
    <message>
      <source>The period ends before it starts.</source>
      <translation>统计时段的结束日期早于开始日期。</translation>
    </message>
    <message>
      <source>The track layer is being edited: save or stop editing to show only this area's tracks.</source>
      <translation>巡林轨迹图层正在编辑：请保存或结束编辑，才能只显示该责任区的轨迹。</translation>
    </message>
    <message>
      <source>none recorded</source>
      <translation>无记录</translation>
    </message>
    <message>
      <source>{} responsibility areas. Choose one to see its patrols.</source>
      <translation>共 {} 个责任区。请选择一个查看其巡林情况。</translation>
    </message>
    <message>
      <source>Computing the patrols of {}…</source>
      <translation>正在统计{}的巡林情况…</translation>
    </message>
    <message>
      <source>The patrols could not be computed: {}</source>
      <translation>无法统计巡林情况：{}</translation>
    </message>
    <message>
      <source>{0:.1f} % ({1:.1f} of {2:.1f} ha)</source>
      <translation>{0:.1f} %（{2:.1f} 公顷中的 {1:.1f} 公顷）</translation>
    </message>
    <message>
      <source>{0} done, {1} required</source>
      <translation>已巡 {0} 次，应巡 {1} 次</translation>
    </message>
    <message>
      <source>{0} of {1} ended</source>
      <translation>已结束 {1} 个周期，达标 {0} 个</translation>
    </message>
    <message>
      <source>{0} of {1} cells of {2:.0f} m</source>
      <translation>{1} 个 {2:.0f} 米网格中有 {0} 个</translation>
    </message>
    <message>
      <source>{0}: {1:.1f} km of tracks from {2} to {3}.</source>
      <translation>{0}：{2} 至 {3} 共有轨迹 {1:.1f} 公里。</translation>
    </message>
    <message>
      <source>The patrol panel needs Python packages that are missing: {}. Install them with Forest Chief System &gt; Install dependencies…, then restart QGIS.</source>
      <translation>巡林面板所需的 Python 包缺失：{}。请通过“林长制 &gt; 安装依赖包…”安装，然后重启 QGIS。</translation>
    </message>
    <message>
      <source>The patrol analysis could not be loaded: {}</source>
      <translation>无法加载巡林分析模块：{}</translation>
    </message>
    <message>
      <source>Cell</source>
      <translation>网格</translation>
    </message>
    <message>
      <source>Area code</source>
      <translation>责任区编码</translation>
    </message>
    <message>
      <source>Track km</source>
      <translation>轨迹里程(公里)</translation>
    </message>
    <message>
      <source>Patrols</source>
      <translation>巡林</translation>
    </message>
    <message>
      <source>Patrol days</source>
      <translation>巡林天数</translation>
    </message>
    <message>
      <source>Visited</source>
      <translation>已巡到</translation>
    </message>
    <message>
      <source>Never-visited cells: {}</source>
      <translation>未巡到网格：{}</translation>
    </message>
    <message>
      <source>Patrol summary of {}</source>
      <translation>{}巡林统计</translation>
    </message>
    <message>
      <source>never visited</source>
      <translation>未巡到</translation>
    </message>
    <message>
      <source>visited</source>
      <translation>已巡到</translation>
    </message>
    <message>
      <source>Spot number</source>
      <translation>监测编号</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>核查状态</translation>
    </message>
    <message>
      <source>Suspected cause</source>
      <translation>疑似变化原因</translation>
    </message>
    <message>
      <source>Verified cause</source>
      <translation>核实变化原因</translation>
    </message>
    <message>
      <source>Town</source>
      <translation>乡镇</translation>
    </message>
    <message>
      <source>Village</source>
      <translation>村</translation>
    </message>
    <message>
      <source>Chief area</source>
      <translation>责任区</translation>
    </message>
    <message>
      <source>Area (mu)</source>
      <translation>面积(亩)</translation>
    </message>
    <message>
      <source>Round</source>
      <translation>轮次</translation>
    </message>
    <message>
      <source>Missed by patrol</source>
      <translation>巡林未发现</translation>
    </message>
    <message>
      <source>Confidence</source>
      <translation>置信度</translation>
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
      <source>Chief areas panel</source>
      <translation>林长责任区面板</translation>
    </message>
    <message>
      <source>Spot review panel</source>
      <translation>图斑核查面板</translation>
    </message>
    <message>
      <source>Management grid panel</source>
      <translation>管护网格调整面板</translation>
    </message>
    <message>
      <source>Detect forest loss…</source>
      <translation>检测森林减少（变化图斑）…</translation>
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
      <source>Could not write a feature to the output.</source>
      <translation>无法向输出写入要素。</translation>
    </message>
    <message>
      <source>Canceled.</source>
      <translation>已取消。</translation>
    </message>
    <message>
      <source>Forest chief assessment</source>
      <translation>林长制考核</translation>
    </message>
    <message>
      <source>Chief responsibility areas</source>
      <translation>林长责任区</translation>
    </message>
    <message>
      <source>assessment,forest chief,indicator,weight,yellow card,negative list,Excel,林长制,考核,指标,权重,黄牌警告,负面清单</source>
      <translation>考核,林长,指标,权重,黄牌警告,负面清单,Excel,林长制,assessment,forest chief,yellow card,negative list</translation>
    </message>
    <message>
      <source>Assesses every forest chief of a one-map workspace for a year or a quarter (林长制考核), as the district's plan asks with protective, constructive and influence indicators. Per responsibility area: patrol compliance (periods met of the periods due by the patrol rules), patrol coverage (tracks buffered by half the swath), the change spots of the area and the areas below it verified within the verification days after being issued, the illegal spots rectified (re-checked or closed) within the rectification days after the determination, the share of the sub-area chiefs who are compliant, and the share of spots a patrol passed while the change happened. Each becomes a 0-100 score; the total is their weighted mean over the indicators that apply (the others are 不适用), graded 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else 不合格. A yellow card (黄牌警告) goes to a chief whose compliance is below the minimum, or whose area has a spot past its verification deadline or an illegal spot past its rectification deadline, with the reasons. The negative list (负面清单) lists per town the non-compliant chiefs, overdue spots, unrectified illegal spots and spots missed by patrol below it. Dates of the spots come from their history (spot_history); a spot without history counts as issued on its after-image date. Give your own weights as a table with the columns indicator and weight (optionally category and target). Outputs: the areas with one score field per indicator, total, grade, yellow_card and card_reasons, and an Excel report with the sheets 考核结果, 黄牌警告, 负面清单 and 指标与权重.</source>
      <translation>按年度或季度对一张图工作空间中的每位林长进行考核（林长制考核），按本区方案设保护性、建设性和影响度指标。每个责任区计算：巡林达标率（按巡林规则已达标周期占应巡周期的比例）、巡林覆盖率（轨迹按带宽一半缓冲）、本级及下级责任区变化图斑在下发后规定天数内现地核实的比例、违法图斑在认定后规定天数内整改到位（复核或销号）的比例、下级林长巡林达标的比例，以及图斑变化期间有巡林经过的比例。各项折算为0-100分；总分为适用指标得分的加权平均（其余为“不适用”），等级：优秀 ≥ 90、良好 ≥ 80、合格 ≥ 60，否则不合格。巡林达标率低于达标线、本责任区有图斑超过核实期限或违法图斑超过整改期限的林长给予黄牌警告，并写明原因。负面清单按镇（街）列出其下不达标林长、超期图斑、未整改违法图斑和巡林未发现的图斑。图斑的各环节日期取自核查记录（spot_history）；无核查记录的图斑以后时相日期为下发日期。可用含 indicator（指标）和 weight（权重）列（可选 category 类别、target 目标值）的表自定义权重。输出：含每项指标得分、总分、等级、黄牌警告及原因的责任区图层，以及含考核结果、黄牌警告、负面清单、指标与权重四个工作表的 Excel 报告。</translation>
    </message>
    <message>
      <source>The one-map workspace (.gpkg): its responsibility areas, patrol tracks, change spots, spot history and patrol rules are read; nothing is written into it.</source>
      <translation>林长制一张图工作空间（.gpkg）：读取其中的林长责任区、巡林轨迹、变化图斑、图斑核查记录和巡林规则，不写入任何内容。</translation>
    </message>
    <message>
      <source>The calendar year assessed, e.g. 2026.</source>
      <translation>考核的自然年度，如 2026。</translation>
    </message>
    <message>
      <source>The whole year (default) or one of its quarters.</source>
      <translation>全年（默认）或其中一个季度。</translation>
    </message>
    <message>
      <source>The day the assessment is made: only patrols and spot changes up to it count, and deadlines are checked against it. Empty: the end of the period, or today when that is earlier.</source>
      <translation>考核截止日期：只统计此日及以前的巡林和图斑变更，期限也按此日判断。不填：考核期末，若今天更早则为今天。</translation>
    </message>
    <message>
      <source>Optional table (a layer or a CSV file) with the columns indicator and weight, and optionally category (protective, constructive, influence) and target (the value in % that scores 100). Indicators: patrol_compliance, patrol_coverage, spots_verified, illegal_rectified, children_compliant, spots_patrolled (or their Chinese names). Indicators not listed get weight 0. Empty: the default weights.</source>
      <translation>可选的指标权重表（图层或 CSV 文件），含 indicator（指标）和 weight（权重）列，可选 category（类别：保护性、建设性、影响度）和 target（得满分的目标值，%）。指标：patrol_compliance、patrol_coverage、spots_verified、illegal_rectified、children_compliant、spots_patrolled（或其中文名称）。表中未列出的指标权重为0。不填：使用默认权重。</translation>
    </message>
    <message>
      <source>A chief whose share of patrol periods met is below this percentage is not compliant and gets a yellow card (default 80; 100 asks for every period).</source>
      <translation>巡林达标周期占比低于此百分比的林长为不达标，给予黄牌警告（默认 80；100 表示每个周期都须达标）。</translation>
    </message>
    <message>
      <source>A change spot must be field-verified within this many days of being issued (default 30).</source>
      <translation>变化图斑须在下发后此天数内完成现地核实（默认 30 天）。</translation>
    </message>
    <message>
      <source>An illegal spot must be rectified (re-checked or closed) within this many days of the determination (default 90).</source>
      <translation>违法图斑须在认定后此天数内整改到位（复核或销号）（默认 90 天）。</translation>
    </message>
    <message>
      <source>The width of the strip a patroller watches, for the patrol coverage (default 100 m).</source>
      <translation>巡林人员可观察到的带状宽度，用于计算巡林覆盖率（默认 100 米）。</translation>
    </message>
    <message>
      <source>The responsibility areas with code, name, level, chief_name, one score field per indicator (empty when it does not apply), total, grade, yellow_card, card_reasons and, for towns, the number of negative-list items.</source>
      <translation>林长责任区，含编码、名称、级别、林长姓名、每项指标一个得分字段（不适用时为空）、总分、等级、黄牌警告、警告原因，镇（街）级另有负面清单条数。</translation>
    </message>
    <message>
      <source>Optional Excel workbook (.xlsx) with the sheets 考核结果 (results), 黄牌警告 (yellow cards), 负面清单 (negative list) and 指标与权重 (indicators and weights).</source>
      <translation>可选的 Excel 工作簿（.xlsx），含工作表：考核结果、黄牌警告、负面清单、指标与权重。</translation>
    </message>
    <message>
      <source>Workspace</source>
      <translation>工作空间</translation>
    </message>
    <message>
      <source>Year</source>
      <translation>年度</translation>
    </message>
    <message>
      <source>Quarter</source>
      <translation>季度</translation>
    </message>
    <message>
      <source>As of date</source>
      <translation>统计截至日期</translation>
    </message>
    <message>
      <source>Indicator weights</source>
      <translation>指标权重表</translation>
    </message>
    <message>
      <source>Patrol compliance minimum (%)</source>
      <translation>巡林达标线(%)</translation>
    </message>
    <message>
      <source>Days to verify a spot</source>
      <translation>图斑核实期限(天)</translation>
    </message>
    <message>
      <source>Days to rectify an illegal spot</source>
      <translation>违法图斑整改期限(天)</translation>
    </message>
    <message>
      <source>Swath width (m)</source>
      <translation>巡视带宽度(米)</translation>
    </message>
    <message>
      <source>Assessment</source>
      <translation>林长制考核结果</translation>
    </message>
    <message>
      <source>Assessment report (Excel)</source>
      <translation>考核报告(Excel)</translation>
    </message>
    <message>
      <source>Excel workbook (*.xlsx)</source>
      <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
      <source>Chiefs assessed</source>
      <translation>参加考核的林长数</translation>
    </message>
    <message>
      <source>Chiefs with a yellow card</source>
      <translation>受黄牌警告的林长数</translation>
    </message>
    <message>
      <source>Negative-list items</source>
      <translation>负面清单条数</translation>
    </message>
    <message>
      <source>The workspace's patrol rules table is empty: the district's rules apply (district chiefs once a quarter, town level and below once a month).</source>
      <translation>工作空间的巡林规则表为空：采用本区规定（区级林长每季度至少一次，镇级及以下每月至少一次）。</translation>
    </message>
    <message>
      <source>GeoPackage (*.gpkg)</source>
      <translation>GeoPackage 文件 (*.gpkg)</translation>
    </message>
    <message>
      <source>Whole year</source>
      <translation>全年</translation>
    </message>
    <message>
      <source>Q1 (January-March)</source>
      <translation>第一季度（1-3月）</translation>
    </message>
    <message>
      <source>Q2 (April-June)</source>
      <translation>第二季度（4-6月）</translation>
    </message>
    <message>
      <source>Q3 (July-September)</source>
      <translation>第三季度（7-9月）</translation>
    </message>
    <message>
      <source>Q4 (October-December)</source>
      <translation>第四季度（10-12月）</translation>
    </message>
    <message>
      <source>Assessing {} areas…</source>
      <translation>正在考核 {} 个责任区…</translation>
    </message>
    <message>
      <source>Reading the workspace {} (working CRS {})</source>
      <translation>正在读取工作空间 {}（计算坐标系 {}）</translation>
    </message>
    <message>
      <source>{} areas, {} track features, {} change spots, {} history rows, {} patrol rules.</source>
      <translation>{} 个责任区、{} 条巡林轨迹、{} 个变化图斑、{} 条核查记录、{} 条巡林规则。</translation>
    </message>
    <message>
      <source>Assessment report written: {}</source>
      <translation>考核报告已写入：{}</translation>
    </message>
    <message>
      <source>This tool needs Python packages that are not installed: {}. Use the menu 林长制 &gt; Install dependencies, or run make install.</source>
      <translation>此工具需要尚未安装的 Python 包：{}。请使用菜单“林长制 &gt; 安装依赖包”，或运行 make install。</translation>
    </message>
    <message>
      <source>Check the responsibility area hierarchy</source>
      <translation>检查责任区层级（缝隙、重叠）</translation>
    </message>
    <message>
      <source>hierarchy,topology,gap,overlap,sliver,coverage,forest chief,responsibility area,层级,拓扑,缝隙,重叠,林长,责任区,纵向到底,横向到边</source>
      <translation>层级,拓扑,缝隙,重叠,细碎图斑,覆盖,林长,责任区,纵向到底,横向到边,hierarchy,topology,gap,overlap</translation>
    </message>
    <message>
      <source>Checks that the chiefs' responsibility areas form a complete four-level tree in which the children of every area tile it: no gaps, no overlaps (纵向到底、横向到边). Every area needs a code, the code of its parent and a level (1 district to 4 group). Problems found, one feature each: gap (part of a parent covered by none of its children), overlap (two children of the same parent share land), outside_parent (part of a child outside its parent), orphan (no code, a parent code that is not in the layer, no parent code below the top level, or parent codes running in a circle; the area the orphan lies in is named), duplicate_code, level_mismatch (a child not exactly one level below its parent, or no level) and invalid_geometry (checked as repaired). Gaps, overlaps and outside parts count only when a connected piece is larger than the tolerance; smaller pieces are slivers. With 'Fix slivers' a corrected copy of the areas is written: overlap slivers are cut from the larger area, outside slivers from the child, gap slivers added to the child sharing the longest boundary, from the top level down; nothing larger than the tolerance moves and the input is never changed. Codes are compared as text, so 360799001 stored as a number and as text match. In a geographic CRS areas are measured in the local CGCS2000 Gauss-Kruger (or UTM) zone; the outputs are in the layer's CRS.</source>
      <translation>检查林长责任区是否构成完整的四级树，且每个责任区都被其下级责任区无缝、无重叠地铺满（纵向到底、横向到边）。每个责任区需要编码、上级编码和级别（1 区级至 4 组级）。发现的问题每处一个要素：gap 缝隙（上级中没有任何下级覆盖的部分）、overlap 重叠（同一上级的两个下级占用同一块地）、outside_parent 超出上级（下级超出其上级范围的部分）、orphan 孤立（没有编码、上级编码在图层中不存在、非最高级却没有上级编码，或上级编码形成循环；会指出孤立责任区按位置所在的上级）、duplicate_code 编码重复、level_mismatch 级别跳跃（下级不比上级恰好低一级，或没有级别）以及 invalid_geometry 几何无效（按修复后的图形检查）。缝隙、重叠和超出部分只有当某一连通块大于容差时才算问题，更小的为细碎图斑。勾选“修正细碎图斑”时会另写一份修正后的责任区：重叠细碎从较大的责任区中切除，超出细碎从下级中切除，缝隙细碎并入与其共边最长的下级，自上而下逐级处理；大于容差的部分一概不动，输入图层从不修改。编码按文本比较，所以数值 360799001 与文本 "360799001" 视为相同。地理坐标系的图层在当地 CGCS2000 高斯-克吕格（或 UTM）投影带中计算面积；输出仍为图层的坐标系。</translation>
    </message>
    <message>
      <source>Polygons of the responsibility areas of all levels in one layer, with a code, a parent code and a level, such as the workspace layer resp_areas.</source>
      <translation>各级责任区的面放在同一图层中，带编码、上级编码和级别字段，例如工作空间的 resp_areas 图层。</translation>
    </message>
    <message>
      <source>Gaps, overlaps and parts outside the parent count as problems only when a connected piece is larger than this; smaller ones are slivers (default 1 m²).</source>
      <translation>缝隙、重叠和超出上级的部分，只有某一连通块大于此面积时才算问题；更小的为细碎图斑（默认 1 平方米）。</translation>
    </message>
    <message>
      <source>Write a corrected copy of the areas (the output 'Areas with slivers fixed') in which the slivers of at most the tolerance are given to one area. The input is never changed.</source>
      <translation>另写一份修正后的责任区（输出“细碎图斑已修正的责任区”），把不超过容差的细碎图斑归给一个责任区。输入图层从不修改。</translation>
    </message>
    <message>
      <source>Optional copy of the areas with all their fields, slivers fixed and invalid polygons repaired; written only when 'Fix slivers' is on.</source>
      <translation>可选：责任区的副本，保留全部字段，细碎图斑已修正、无效几何已修复；仅在勾选“修正细碎图斑”时写出。</translation>
    </message>
    <message>
      <source>One feature per problem with its type (problem, problem_zh), a sentence in Chinese and in English, the area's code, the other code (the sibling of an overlap, the parent of a gap or outside part), the level and the area in m².</source>
      <translation>每个问题一个要素：问题类型（problem、problem_zh）、中英文说明、责任区编码、相关编码（重叠的另一方；缝隙或超出部分的上级）、级别和面积（平方米）。</translation>
    </message>
    <message>
      <source>Reading the responsibility areas</source>
      <translation>正在读取责任区</translation>
    </message>
    <message>
      <source>Code field</source>
      <translation>编码字段</translation>
    </message>
    <message>
      <source>The field with each area's code (default: code).</source>
      <translation>保存责任区编码的字段（默认 code）。</translation>
    </message>
    <message>
      <source>Parent code field</source>
      <translation>上级编码字段</translation>
    </message>
    <message>
      <source>The field with the code of the area's parent; empty for the top level (default: parent_code).</source>
      <translation>保存上级责任区编码的字段；最高级为空（默认 parent_code）。</translation>
    </message>
    <message>
      <source>Level field</source>
      <translation>级别字段</translation>
    </message>
    <message>
      <source>The field with the level: 1 district, 2 town, 3 village, 4 group (default: level).</source>
      <translation>保存级别的字段：1 区级、2 镇级、3 村级、4 组级（默认 level）。</translation>
    </message>
    <message>
      <source>Tolerance (m²)</source>
      <translation>容差（平方米）</translation>
    </message>
    <message>
      <source>Fix slivers</source>
      <translation>修正细碎图斑</translation>
    </message>
    <message>
      <source>Areas with slivers fixed</source>
      <translation>细碎图斑已修正的责任区</translation>
    </message>
    <message>
      <source>Hierarchy problems</source>
      <translation>层级问题</translation>
    </message>
    <message>
      <source>Problems found</source>
      <translation>发现的问题数</translation>
    </message>
    <message>
      <source>Slivers fixed</source>
      <translation>已修正的细碎图斑数</translation>
    </message>
    <message>
      <source>The layer has no CRS: its coordinates are taken as metres.</source>
      <translation>图层没有坐标系：坐标按米计算。</translation>
    </message>
    <message>
      <source>'Fix slivers' is on but no output for the corrected areas was given: nothing is written.</source>
      <translation>已勾选“修正细碎图斑”，但没有指定修正后责任区的输出：不写出任何内容。</translation>
    </message>
    <message>
      <source>Checking {} areas</source>
      <translation>正在检查 {} 个责任区</translation>
    </message>
    <message>
      <source>'Fix slivers' is off: the corrected copy of the areas is not written.</source>
      <translation>未勾选“修正细碎图斑”：不写出修正后的责任区。</translation>
    </message>
    <message>
      <source>{} of {} areas changed in the corrected copy.</source>
      <translation>修正后的副本中 {1} 个责任区里有 {0} 个被改动。</translation>
    </message>
    <message>
      <source>… and {} more problems: see the output layer.</source>
      <translation>……另有 {} 处问题，请查看输出图层。</translation>
    </message>
    <message>
      <source>Problems of type {}</source>
      <translation>{} 类问题数</translation>
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
      <source>Number of responsibility areas</source>
      <translation>责任区数量</translation>
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
      <source>Detect forest loss (change spots)</source>
      <translation>森林减少检测（变化图斑）</translation>
    </message>
    <message>
      <source>Forest inspection</source>
      <translation>森林督查</translation>
    </message>
    <message>
      <source>change detection,forest loss,NDVI,NBR,Sentinel-2,satellite,change spot,森林督查,卫片,变化图斑,采伐,毁林</source>
      <translation>变化检测,森林减少,NDVI,NBR,哨兵二号,卫星,变化图斑,森林督查,卫片,采伐,毁林</translation>
    </message>
    <message>
      <source>Finds forest loss between two dates of imagery and turns it into change spots (变化图斑), as the 森林督查 satellite-patch work needs. Per pixel: a vegetation index for each date (NDVI from red and NIR; also NBR when a SWIR band is given; or the index itself when the rasters hold one), its drop, the forest of the first date (the forest polygons, or a before-index of at least the forest minimum), and loss where the drop reaches the threshold. Nodata, zero or saturated reflectance and the cloud mask (with a buffer) are left out. Regions of loss pixels (8-connected) that hold at least one 3×3 block and cover the minimum area become spots; holes smaller than that area are filled; spots are cut to the forest polygons. When the threshold is empty it is found from the data: max(0.15, median + 5 × 1.4826 × MAD) of the drop over (a sample of) the forest pixels, written to the log. Confidence: low, high, highest by how far two independent signals agree over the spot (NDVI and NBR, or the threshold and a strong threshold of twice it): highest over at least the minimum area, high over a quarter of it. The AFTER raster is warped onto the BEFORE grid when they differ; only their overlap is processed, in strips, so rasters larger than memory work. With responsibility areas each spot gets the code and chief of the deepest area it overlaps most, and a number (监测编号) of that code plus a sequence. With a workspace the spots are added to its change spots in one transaction with the round id; a spot overlapping one already there is marked as a repeat (repeat_of) and not added again.</source>
      <translation>从两期影像中找出森林减少，并生成森林督查所需的变化图斑。逐像元计算：每期的植被指数（由红光和近红外计算 NDVI；给出短波红外波段时同时计算 NBR；影像本身就是指数时直接使用）、指数降幅、前时相林地（林地范围图层，或前时相指数不低于林地指数下限），降幅达到阈值即为减少。无数据值、零值或饱和反射率以及云掩膜（含缓冲区）不参与计算。减少像元的连通区域（8 邻域）中至少含一个 3×3 像元块且面积不小于最小面积者成为图斑；小于该面积的内部空洞被填充；图斑按林地范围裁切。阈值留空时由数据确定：林地像元（或其抽样）降幅的 max(0.15, 中位数 + 5 × 1.4826 × MAD)，并写入日志。置信度分低、高、最高三级，依据两个独立信号在图斑内一致的范围（NDVI 与 NBR，或阈值与两倍阈值的强阈值）：一致面积不小于最小面积为最高，不小于其四分之一为高。两期格网不同时后时相重采样到前时相格网；只处理两期重叠部分，并分条带读取，因此可处理大于内存的影像。给出责任区时，每个图斑取其重叠最多的最低一级责任区的编码和林长，监测编号为该编码加序号。给出工作空间时，图斑连同核查轮次在一个事务中写入其变化图斑图层；与已有图斑重叠的记为重复图斑（repeat_of），不再重复添加。</translation>
    </message>
    <message>
      <source>The spots with the fields of the workspace's change spots layer, in the BEFORE raster's CRS.</source>
      <translation>变化图斑，字段同工作空间的变化图斑图层，坐标系为前时相影像的坐标系。</translation>
    </message>
    <message>
      <source>The earlier image (any CRS). Its pixel grid is the working grid.</source>
      <translation>较早一期的影像（任意坐标系），其像元格网即为计算格网。</translation>
    </message>
    <message>
      <source>The later image; warped onto the before image's grid when the grids differ. Only the overlap of the two is processed.</source>
      <translation>较晚一期的影像；格网不同时重采样到前时相格网。只处理两期重叠部分。</translation>
    </message>
    <message>
      <source>True when each raster already holds one vegetation-index band (scaled -1 to 1) instead of red and near-infrared reflectance.</source>
      <translation>每期影像本身已是一个植被指数波段（取值 -1 至 1）而不是红光和近红外反射率时勾选。</translation>
    </message>
    <message>
      <source>Optional raster of the after date where any value other than 0 (and nodata) is cloud or shadow; those pixels are left out.</source>
      <translation>可选：后时相的云掩膜栅格，除 0（及无数据值）以外的值均视为云或云影，这些像元不参与计算。</translation>
    </message>
    <message>
      <source>Cloud buffer (m)</source>
      <translation>云缓冲距离（米）</translation>
    </message>
    <message>
      <source>Pixels this close to the cloud mask are left out too: haze at cloud edges lowers the index (default 60 m).</source>
      <translation>距云掩膜在此距离以内的像元也不参与计算：云边缘的薄雾会降低指数（默认 60 米）。</translation>
    </message>
    <message>
      <source>Optional forest land of the first date, e.g. the workspace's forest stands: when the layer has the field land_class, only the stands of the forest land classes (0111-0307) count. Without it, forest is where the before index reaches the forest minimum.</source>
      <translation>可选：前时相的林地范围，例如工作空间的森林资源小班：图层有 land_class 字段时，只有林地地类（0111-0307）的小班计入。不提供时，以前时相指数达到林地指数下限的像元为林地。</translation>
    </message>
    <message>
      <source>Forest minimum index</source>
      <translation>林地指数下限</translation>
    </message>
    <message>
      <source>Without forest polygons, a pixel is forest when its before index is at least this (default 0.5).</source>
      <translation>没有林地范围图层时，前时相指数不低于此值的像元为林地（默认 0.5）。</translation>
    </message>
    <message>
      <source>Loss threshold (index drop)</source>
      <translation>减少阈值（指数降幅）</translation>
    </message>
    <message>
      <source>The drop of the index that counts as loss (e.g. 0.2). Empty: found from the data as max(0.15, median + 5 × 1.4826 × MAD) of the drop over the forest pixels; the figures are written to the log.</source>
      <translation>指数降幅达到此值即视为减少（例如 0.2）。留空：由数据确定，取林地像元降幅的 max(0.15, 中位数 + 5 × 1.4826 × MAD)，相关数值写入日志。</translation>
    </message>
    <message>
      <source>Strong threshold</source>
      <translation>强阈值</translation>
    </message>
    <message>
      <source>The drop that confirms loss for the confidence tiers when there is no SWIR band. Empty: twice the threshold.</source>
      <translation>没有短波红外波段时用于划分置信度的确认降幅。留空：阈值的两倍。</translation>
    </message>
    <message>
      <source>NBR threshold</source>
      <translation>NBR 阈值</translation>
    </message>
    <message>
      <source>The drop of NBR that counts as loss when a SWIR band is given. Empty: found from the data as for NDVI.</source>
      <translation>给出短波红外波段时，NBR 降幅达到此值即视为减少。留空：与 NDVI 一样由数据确定。</translation>
    </message>
    <message>
      <source>Minimum area (m²)</source>
      <translation>最小面积（平方米）</translation>
    </message>
    <message>
      <source>The minimum mapping unit: smaller spots are dropped (default 666.7 m² = 1 亩).</source>
      <translation>最小上图面积：更小的图斑被舍弃（默认 666.7 平方米 = 1 亩）。</translation>
    </message>
    <message>
      <source>Optional chief responsibility areas with a field code (or area_code) and optionally chief_name and level: each spot gets the deepest area it overlaps most.</source>
      <translation>可选：林长责任区，需有字段 code（或 area_code），可有 chief_name 和 level：每个图斑归属于其重叠最多的最低一级责任区。</translation>
    </message>
    <message>
      <source>Optional name of this detection round (e.g. 2026-Q4). Empty: the after date as YYYYMMDD.</source>
      <translation>可选：本轮检测的名称（例如 2026-Q4）。留空：使用后时相日期 YYYYMMDD。</translation>
    </message>
    <message>
      <source>Optional one-map workspace (.gpkg): the new spots are added to its change spots layer in one transaction; repeats of spots already there are not added.</source>
      <translation>可选：一张图工作空间（.gpkg）：新图斑在一个事务中写入其变化图斑图层；与已有图斑重复的不再添加。</translation>
    </message>
    <message>
      <source>The before or the after image could not be read.</source>
      <translation>无法读取前时相或后时相影像。</translation>
    </message>
    <message>
      <source>Reading the images in strips and finding loss…</source>
      <translation>正在分条带读取影像并检测森林减少……</translation>
    </message>
    <message>
      <source>Change spots</source>
      <translation>变化图斑</translation>
    </message>
    <message>
      <source>Spots found</source>
      <translation>检出图斑数</translation>
    </message>
    <message>
      <source>Threshold used</source>
      <translation>所用阈值</translation>
    </message>
    <message>
      <source>Spots added to the workspace</source>
      <translation>写入工作空间的图斑数</translation>
    </message>
    <message>
      <source>Repeats of earlier spots</source>
      <translation>与以往图斑重复数</translation>
    </message>
    <message>
      <source>Before image (earlier date)</source>
      <translation>前时相影像（较早日期）</translation>
    </message>
    <message>
      <source>After image (later date)</source>
      <translation>后时相影像（较晚日期）</translation>
    </message>
    <message>
      <source>Red band (or index band)</source>
      <translation>红光波段（或指数波段）</translation>
    </message>
    <message>
      <source>The red band number (default 1); with 'rasters hold an index', the band with the index.</source>
      <translation>红光波段号（默认 1）；勾选“影像为指数”时为指数所在波段。</translation>
    </message>
    <message>
      <source>Near-infrared band</source>
      <translation>近红外波段</translation>
    </message>
    <message>
      <source>The near-infrared band number (default 2).</source>
      <translation>近红外波段号（默认 2）。</translation>
    </message>
    <message>
      <source>Short-wave infrared band</source>
      <translation>短波红外波段</translation>
    </message>
    <message>
      <source>Optional SWIR band number (e.g. Sentinel-2 B12): NBR is then computed too and confirms NDVI for the highest confidence.</source>
      <translation>可选：短波红外波段号（例如哨兵二号 B12）：同时计算 NBR，与 NDVI 互相印证以判定最高置信度。</translation>
    </message>
    <message>
      <source>Rasters hold an index (e.g. NDVI)</source>
      <translation>影像为指数（如 NDVI）</translation>
    </message>
    <message>
      <source>Cloud mask</source>
      <translation>云掩膜</translation>
    </message>
    <message>
      <source>Forest polygons</source>
      <translation>林地范围</translation>
    </message>
    <message>
      <source>Responsibility areas</source>
      <translation>林长责任区</translation>
    </message>
    <message>
      <source>Before date</source>
      <translation>前时相日期</translation>
    </message>
    <message>
      <source>After date</source>
      <translation>后时相日期</translation>
    </message>
    <message>
      <source>Optional: the image date when neither the raster's metadata nor its file name has it.</source>
      <translation>可选：影像元数据和文件名中都没有日期时，在此给出影像日期。</translation>
    </message>
    <message>
      <source>Detection round id</source>
      <translation>核查轮次</translation>
    </message>
    <message>
      <source>Also add to workspace</source>
      <translation>同时追加到工作空间</translation>
    </message>
    <message>
      <source>The after image was warped onto the before image's grid.</source>
      <translation>后时相影像已重采样到前时相影像的格网。</translation>
    </message>
    <message>
      <source>An image date was found neither in the metadata nor in the file name; give it with the before/after date parameters.</source>
      <translation>影像元数据和文件名中都找不到影像日期；请用前/后时相日期参数给出。</translation>
    </message>
    <message>
      <source>{} × {} pixels processed: {} valid, {} forest, {} loss; {} spots.</source>
      <translation>已处理 {} × {} 个像元：有效 {}，林地 {}，减少 {}；图斑 {} 个。</translation>
    </message>
    <message>
      <source>{} spots added to the workspace, {} repeats of earlier spots not added.</source>
      <translation>{} 个图斑已写入工作空间，{} 个与以往图斑重复未添加。</translation>
    </message>
    <message>
      <source>Forest: the {} stands of the forest land classes ({}).</source>
      <translation>林地：林地地类（{1}）的 {0} 个小班。</translation>
    </message>
    <message>
      <source>Export responsibility list and ranger maps</source>
      <translation>导出包山包人责任清单和管护责任图</translation>
    </message>
    <message>
      <source>Management grids</source>
      <translation>管护网格</translation>
    </message>
    <message>
      <source>management grid,ranger,responsibility list,Excel,map,PDF,print,管护网格,包山包人,责任清单,护林员,管护责任图,四至</source>
      <translation>管护网格,护林员,责任清单,Excel,地图,PDF,打印,管护网格,包山包人,责任清单,护林员,管护责任图,四至</translation>
    </message>
    <message>
      <source>Exports the management grid (管护网格) of a one-map workspace for the 包山包人 paperwork. The responsibility list (护林员“包山包人”责任清单, Excel) has one row per zone: town, village, zone id, ranger and phone (from the rangers table; blank when there is none), forest area in hectares and 亩, main species and 林种 (the largest by the area of the forest stands inside the zone, and the second when it holds at least 10 %, with their shares), the 四至 and the chief of the area; sorted by town, village and zone, with a total row and a sheet per village (zones, rangers, forest, largest and smallest zone, balance max/min). The 四至 says what lies beyond the zone in each direction: the zone's outline is cut into short pieces, each given the direction (东/南/西/北, 90° each) in which it lies from the zone's centroid and what is just outside it (a neighbouring zone with its ranger, another village, non-forest land with its land class, or the district boundary); what holds at least 15 % of a direction's outline is named, longest first. The responsibility maps (护林员管护责任图) are one A4 PDF per ranger, named 管护责任图_&lt;zone id&gt;_&lt;ranger&gt;.pdf: the zone outlined in red with the forest stands by species beneath, the neighbouring zones labelled with their number and ranger, the village boundaries, a legend, a scale bar, a north arrow, a table of the zone and lines for the signatures. Give area codes (towns or villages) to export their zones only. The zones come from the management grid tool (管护网格划分). Nothing is written when the input is wrong or the run is canceled.</source>
      <translation>导出林长制一张图工作空间的管护网格，用于“包山包人”建档。责任清单（护林员“包山包人”责任清单，Excel）每个网格一行：乡镇、村、网格编号、护林员及联系电话（取自护林员表，没有则留空）、林地面积（公顷和亩）、主要树种和林种（按网格内森林资源小班面积计，列出最大者，第二位占比不少于 10% 时一并列出，均附占比）、四至和责任区林长；按乡镇、村、网格排序，附合计行，另有按村汇总表（网格数、护林员数、林地面积、最大和最小网格、均衡度 最大/最小）。四至说明网格各方位边界外是什么：网格外轮廓被切成短段，每段按其相对网格形心所在的方位（东、南、西、北各 90°）归类，并判断紧邻其外的是什么（相邻网格及其护林员、其他村、非林地及其地类，或区界）；某方位边界中占比不少于 15% 的都列出，按长度排序。管护责任图（护林员管护责任图）每名护林员一页 A4 PDF，文件名为 管护责任图_&lt;网格编号&gt;_&lt;护林员&gt;.pdf：红线标出本网格，底图为按优势树种着色的森林资源小班，相邻网格标注编号和护林员，显示村界，并有图例、比例尺、指北针、网格信息表和签字栏。填写责任区编码（乡镇或村）可只导出其网格。网格由“管护网格划分”工具生成。输入有误或运行被取消时不写出任何文件。</translation>
    </message>
    <message>
      <source>The one-map workspace (.gpkg) whose management-grid zones are exported, with its responsibility areas, rangers and forest stands.</source>
      <translation>要导出其管护网格的林长制一张图工作空间（.gpkg），含责任区、护林员和森林资源小班。</translation>
    </message>
    <message>
      <source>Optional codes of responsibility areas (towns or villages) separated by commas: only the zones of these areas and of the areas below them are exported. Empty: every zone.</source>
      <translation>可选，责任区（乡镇或村）编码，用逗号分隔：只导出这些责任区及其下级责任区内的管护网格。留空：全部网格。</translation>
    </message>
    <message>
      <source>Optional Excel workbook (.xlsx): the 包山包人 responsibility list (sheet 责任清单, one row per zone) and its summary per village (sheet 按村汇总).</source>
      <translation>可选，Excel 工作簿（.xlsx）：包山包人责任清单（工作表“责任清单”，每个网格一行）及按村汇总（工作表“按村汇总”）。</translation>
    </message>
    <message>
      <source>Optional folder for the responsibility maps: one A4 PDF per ranger, named 管护责任图_&lt;zone id&gt;_&lt;ranger&gt;.pdf.</source>
      <translation>可选，管护责任图的输出文件夹：每名护林员一页 A4 PDF，文件名为 管护责任图_&lt;网格编号&gt;_&lt;护林员&gt;.pdf。</translation>
    </message>
    <message>
      <source>Area codes</source>
      <translation>责任区编码</translation>
    </message>
    <message>
      <source>Responsibility list (Excel)</source>
      <translation>包山包人责任清单（Excel）</translation>
    </message>
    <message>
      <source>Ranger maps folder</source>
      <translation>管护责任图文件夹</translation>
    </message>
    <message>
      <source>Zones exported</source>
      <translation>导出的网格数</translation>
    </message>
    <message>
      <source>Ranger maps written</source>
      <translation>已生成的管护责任图数</translation>
    </message>
    <message>
      <source>Reading the workspace {}</source>
      <translation>正在读取工作空间 {}</translation>
    </message>
    <message>
      <source>Describing {} zones: main species, 四至…</source>
      <translation>正在描述 {} 个网格：主要树种、四至…</translation>
    </message>
    <message>
      <source>Done in {:.1f} s.</source>
      <translation>完成，用时 {:.1f} 秒。</translation>
    </message>
    <message>
      <source>{} zones of {} rangers in {} villages: {:,.1f} ha = {:,.0f} mu of forest; worst balance (max/min forest per zone in a village) {}.</source>
      <translation>{} 个网格、{} 名护林员、{} 个村：林地 {:,.1f} 公顷 = {:,.0f} 亩；最差均衡度（村内网格林地面积最大/最小）{}。</translation>
    </message>
    <message>
      <source>{} rangers have no phone in the rangers table (left blank): {}</source>
      <translation>{} 名护林员在护林员表中没有联系电话（留空）：{}</translation>
    </message>
    <message>
      <source>Zones without a polygon get no map: {}</source>
      <translation>以下网格没有多边形，不生成管护责任图：{}</translation>
    </message>
    <message>
      <source>{} ranger maps written to {}</source>
      <translation>已生成 {} 张管护责任图：{}</translation>
    </message>
    <message>
      <source>Writing {} ranger maps…</source>
      <translation>正在生成 {} 张管护责任图…</translation>
    </message>
    <message>
      <source>Responsibility list written: {}</source>
      <translation>责任清单已写入：{}</translation>
    </message>
    <message>
      <source>Export verification ledger and evidence sheets</source>
      <translation>导出核查台账与图斑核查取证表</translation>
    </message>
    <message>
      <source>forest inspection,change spot,ledger,Excel,evidence,PDF,print,森林督查,核查台账,取证表,变化图斑,卫片</source>
      <translation>森林督查,变化图斑,台账,Excel,取证,PDF,打印,核查台账,取证表,卫片,forest inspection,change spot,ledger,evidence</translation>
    </message>
    <message>
      <source>Exports the change spots (变化图斑) of a one-map workspace for the 森林督查 paperwork. The verification ledger (核查台账, Excel) has one row per spot with its latest state (location, responsible chief, image dates, area in 亩 and hectares, suspected and verified cause, determination, status, inspector, patrol link) and the number of recorded changes, a sheet of spots and 亩 per status and per town and village, and every recorded change. The evidence sheets (图斑核查取证表) are one A4 PDF per spot named after its number: the before and after images side by side at the same extent with the spot outlined in yellow, their dates, a scale bar and a north arrow, a table of the spot, a box for the field opinion and lines for the signatures. Without images the sheets show the spot only and say so. Give the spot numbers to export some spots only. Nothing is written when the input is wrong or the run is canceled.</source>
      <translation>为森林督查核查工作导出一张图工作空间中的变化图斑。核查台账（Excel）每个图斑一行，列出其最新状态（位置、责任林长、前后时相、面积（亩、公顷）、疑似与核实变化原因、认定结果、核查状态、核查人、巡林关联）和修改次数；另有按核查状态及按乡镇、村汇总图斑数与亩数的工作表，以及全部核查记录。图斑核查取证表为每个图斑一页 A4 PDF，以监测编号命名：前、后时相影像以相同范围并排显示，图斑以黄色线框标出，注明影像日期，配比例尺和指北针、图斑信息表、现场核实意见栏和签字栏。未提供影像时，取证表仅显示图斑范围并加以说明。填写监测编号可只导出部分图斑。输入有误或运行被取消时不写出任何文件。</translation>
    </message>
    <message>
      <source>The one-map workspace (.gpkg) whose change spots and history are exported.</source>
      <translation>要导出其变化图斑和核查记录的一张图工作空间（.gpkg）。</translation>
    </message>
    <message>
      <source>Optional spot numbers (监测编号) separated by commas: only these spots are exported. Empty: every spot.</source>
      <translation>可选，用逗号分隔的监测编号：只导出这些图斑。留空则导出全部图斑。</translation>
    </message>
    <message>
      <source>Optional image of the earlier date for the evidence sheets. An image loaded from a file with two bands (red, near-infrared) is shown in near-infrared false colour; a layer of the project keeps its style.</source>
      <translation>可选，取证表使用的较早日期影像。从文件加载的双波段（红、近红外）影像以近红外假彩色显示；工程中的图层保留其原有样式。</translation>
    </message>
    <message>
      <source>Optional image of the later date for the evidence sheets, shown as the before image.</source>
      <translation>可选，取证表使用的较晚日期影像，显示方式与前时相影像相同。</translation>
    </message>
    <message>
      <source>Optional Excel workbook (.xlsx), the verification ledger with the sheets 图斑台账 (one row per spot), 按状态汇总 (per status, town and village) and 核查记录 (history).</source>
      <translation>可选的 Excel 工作簿（.xlsx）：核查台账，含“图斑台账”（每个图斑一行）、“按状态汇总”（按核查状态、乡镇和村）和“核查记录”三张工作表。</translation>
    </message>
    <message>
      <source>Optional folder for the evidence sheets: one A4 PDF per spot, named &lt;spot number&gt;.pdf.</source>
      <translation>可选，图斑核查取证表的输出文件夹：每个图斑一页 A4 PDF，文件名为“&lt;监测编号&gt;.pdf”。</translation>
    </message>
    <message>
      <source>Spot numbers</source>
      <translation>监测编号</translation>
    </message>
    <message>
      <source>Verification ledger (Excel)</source>
      <translation>核查台账（Excel）</translation>
    </message>
    <message>
      <source>Evidence sheets folder</source>
      <translation>取证表文件夹</translation>
    </message>
    <message>
      <source>Evidence sheets written</source>
      <translation>已写出的取证表数</translation>
    </message>
    <message>
      <source>{} spots and {} recorded changes read from {}.</source>
      <translation>已读取 {} 个图斑和 {} 条核查记录（{}）。</translation>
    </message>
    <message>
      <source>No images given: the evidence sheets show the spots only.</source>
      <translation>未提供影像：取证表仅显示图斑范围。</translation>
    </message>
    <message>
      <source>before image</source>
      <translation>前时相影像</translation>
    </message>
    <message>
      <source>after image</source>
      <translation>后时相影像</translation>
    </message>
    <message>
      <source>{} evidence sheets written to {}</source>
      <translation>已写出 {} 份取证表至 {}</translation>
    </message>
    <message>
      <source>Writing {} evidence sheets…</source>
      <translation>正在写出 {} 份取证表…</translation>
    </message>
    <message>
      <source>Verification ledger written: {}</source>
      <translation>已写出核查台账：{}</translation>
    </message>
    <message>
      <source>The {} does not cover all of the spots {}.</source>
      <translation>{}未完全覆盖图斑 {}。</translation>
    </message>
    <message>
      <source>Import patrol tracks</source>
      <translation>导入巡林轨迹</translation>
    </message>
    <message>
      <source>patrol,track,GPX,CSV,PLT,GPS,import,quality,巡林,轨迹,导入,质检</source>
      <translation>巡林,轨迹,GPX,CSV,PLT,GPS,导入,质检,patrol,track</translation>
    </message>
    <message>
      <source>Imports patrol tracks (巡林轨迹) from a GPX, CSV or GeoLife PLT file, or from every such file of a folder, and checks their quality before any patrol effort is credited: fixes at (0, 0), repeated or backward times and jumps (longer or faster than the limits) are dropped; a track is split into separate patrols at long time gaps; pieces with too few fixes are dropped; stretches at vehicle speed are measured and a patrol driven for the most part is marked as not on foot; a track whose times are missing or absurd (before 2000, in the future) keeps its line for coverage but is not dated. Each patrol gets a readable QA note. The patroller comes from the file name, the track name, a fixed value or a CSV column; with responsibility areas, an area code in the file name or the chief's name links the patrol to its area. Times are written at the UTC offset given (Beijing time by default). A file that cannot be read is reported and skipped. With a workspace, the patrols are also added to its patrol_tracks layer, skipping patrol ids already there.</source>
      <translation>从 GPX、CSV 或 GeoLife PLT 文件（或文件夹中所有此类文件）导入巡林轨迹，并在计入巡林工作量之前进行质检：删除 (0, 0) 点、时间重复或倒退的点以及跳点（超过距离或速度上限）；在长时间间断处把轨迹分成多次巡林；删除点数过少的片段；量算车速路段，大部分以车速行进的巡林标为非步行巡林；时间缺失或不合理（早于 2000 年、在未来）的轨迹保留线形用于覆盖统计，但不计为有日期的巡林。每次巡林附有易读的质检说明。巡林人取自文件名、轨迹名称、固定值或 CSV 列；提供责任区时，文件名中的责任区编码或林长姓名把巡林关联到责任区。时间按给定的 UTC 时差写出（默认北京时间）。无法读取的文件会报告并跳过。指定工作空间时，巡林也追加到其 patrol_tracks 图层，已有的巡林编号跳过。</translation>
    </message>
    <message>
      <source>File name (the part before the first _)</source>
      <translation>文件名（第一个 _ 之前的部分）</translation>
    </message>
    <message>
      <source>Track name in the file</source>
      <translation>文件中的轨迹名称</translation>
    </message>
    <message>
      <source>Fixed value (PATROLLER)</source>
      <translation>固定值（巡林人参数）</translation>
    </message>
    <message>
      <source>CSV column (PATROLLER)</source>
      <translation>CSV 列（巡林人参数）</translation>
    </message>
    <message>
      <source>No patrol could be imported: {} files were skipped.</source>
      <translation>没有可导入的巡林：跳过了 {} 个文件。</translation>
    </message>
    <message>
      <source>A folder: every .gpx, .csv and .plt file in it is imported, in name order. A single file also works (type or paste its path).</source>
      <translation>文件夹：按文件名顺序导入其中所有 .gpx、.csv 和 .plt 文件。也可以是单个文件（输入或粘贴其路径）。</translation>
    </message>
    <message>
      <source>Where the patroller's name comes from. The track name falls back to the file name when a track has none; demo files are named {area code}_{date}_{n}.gpx.</source>
      <translation>巡林人姓名的来源。轨迹没有名称时改用文件名；示范数据的文件名为 {责任区编码}_{日期}_{序号}.gpx。</translation>
    </message>
    <message>
      <source>The patroller's name for 'Fixed value', or the CSV column holding it for 'CSV column'.</source>
      <translation>选“固定值”时填巡林人姓名，选“CSV 列”时填保存巡林人的列名。</translation>
    </message>
    <message>
      <source>Optional chief responsibility areas with the fields code and chief_name: an area code in the file name links the patrol to that area (and names its chief), else the patroller's name links it to the area of that chief.</source>
      <translation>可选的林长责任区图层，需有 code 和 chief_name 字段：文件名中的责任区编码把巡林关联到该责任区（并取其林长为巡林人），否则按巡林人姓名关联到该林长的责任区。</translation>
    </message>
    <message>
      <source>A projected CRS in metres for the output lines; the default is CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547), the zone of Ganzhou, used when empty.</source>
      <translation>输出线的投影坐标系（单位米）；为空时使用默认的 CGCS2000 / 3 度带高斯-克吕格 中央经线 114°E（EPSG:4547），即赣州所在带。</translation>
    </message>
    <message>
      <source>Largest jump between fixes (km)</source>
      <translation>相邻点最大跳跃距离（公里）</translation>
    </message>
    <message>
      <source>A leg longer than this is a jump: a short run of fixes between jumps is dropped as bad fixes, otherwise the line is broken there.</source>
      <translation>超过此距离的相邻点间距视为跳点：两次跳跃之间的少量点作为异常点删除，否则在此处断开线。</translation>
    </message>
    <message>
      <source>Largest speed between fixes (km/h)</source>
      <translation>相邻点最大速度（公里/小时）</translation>
    </message>
    <message>
      <source>A leg faster than this is a jump, like a leg longer than the largest jump.</source>
      <translation>超过此速度的相邻点间距视为跳点，与超过最大跳跃距离相同。</translation>
    </message>
    <message>
      <source>Split at time gaps over (minutes)</source>
      <translation>时间间断超过多少分钟时分段</translation>
    </message>
    <message>
      <source>A dated track is split into separate patrols where no fix was logged for this long.</source>
      <translation>有日期的轨迹在这么长时间没有记录点的地方分成多次巡林。</translation>
    </message>
    <message>
      <source>Fewest fixes of a patrol</source>
      <translation>一次巡林的最少点数</translation>
    </message>
    <message>
      <source>Pieces with fewer good fixes are dropped.</source>
      <translation>有效点少于此数的片段被删除。</translation>
    </message>
    <message>
      <source>Vehicle speed (km/h)</source>
      <translation>车速（公里/小时）</translation>
    </message>
    <message>
      <source>Stretches whose mean speed over the moving window is above this were driven, not walked; a patrol mostly driven is not on foot.</source>
      <translation>滑动窗口内平均速度高于此值的路段视为乘车而非步行；大部分乘车的巡林不算步行巡林。</translation>
    </message>
    <message>
      <source>Moving window for the vehicle speed (minutes)</source>
      <translation>车速判断的滑动窗口（分钟）</translation>
    </message>
    <message>
      <source>The speed of each leg is the mean over at least this long around it, so that one noisy fix does not make a walk a drive.</source>
      <translation>每段的速度取其前后至少这么长时间内的平均速度，使单个噪声点不会把步行误判为乘车。</translation>
    </message>
    <message>
      <source>Time zone (hours east of UTC)</source>
      <translation>时区（相对 UTC 的东时区小时数）</translation>
    </message>
    <message>
      <source>Patrol times are written at this offset (8: Beijing time); CSV times without a time zone are read at it. GPX and PLT times are in UTC.</source>
      <translation>巡林时间按此时差写出（8 为北京时间）；不带时区的 CSV 时间也按此时差读取。GPX 和 PLT 的时间为 UTC。</translation>
    </message>
    <message>
      <source>The cleaned patrols, with the fields of the workspace's patrol_tracks layer, in the target CRS.</source>
      <translation>质检后的巡林，字段与工作空间 patrol_tracks 图层相同，坐标系为目标坐标系。</translation>
    </message>
    <message>
      <source>Optional one-map workspace (.gpkg): the patrols are added to its patrol_tracks layer in one transaction; patrol ids already there are skipped, so importing twice adds nothing.</source>
      <translation>可选的一张图工作空间（.gpkg）：巡林在一个事务中追加到其 patrol_tracks 图层；已有的巡林编号跳过，因此重复导入不会重复添加。</translation>
    </message>
    <message>
      <source>Give the patroller's name, or the CSV column that holds it, in 'Patroller or CSV column'.</source>
      <translation>请在“巡林人或 CSV 列”中填写巡林人姓名或保存巡林人的 CSV 列名。</translation>
    </message>
    <message>
      <source>Track folder or file</source>
      <translation>轨迹文件夹或文件</translation>
    </message>
    <message>
      <source>Patroller from</source>
      <translation>巡林人来源</translation>
    </message>
    <message>
      <source>Patroller or CSV column</source>
      <translation>巡林人或 CSV 列</translation>
    </message>
    <message>
      <source>Target CRS</source>
      <translation>目标坐标系</translation>
    </message>
    <message>
      <source>CSV longitude column</source>
      <translation>CSV 经度列</translation>
    </message>
    <message>
      <source>Only when the column is not found by its usual names (经度, lon, lng, longitude, x).</source>
      <translation>仅当无法按常用列名（经度、lon、lng、longitude、x）找到该列时填写。</translation>
    </message>
    <message>
      <source>CSV latitude column</source>
      <translation>CSV 纬度列</translation>
    </message>
    <message>
      <source>Only when the column is not found by its usual names (纬度, lat, latitude, y).</source>
      <translation>仅当无法按常用列名（纬度、lat、latitude、y）找到该列时填写。</translation>
    </message>
    <message>
      <source>CSV time column</source>
      <translation>CSV 时间列</translation>
    </message>
    <message>
      <source>Only when the column is not found by its usual names (时间, 定位时间, time, timestamp, datetime, or date and time columns).</source>
      <translation>仅当无法按常用列名（时间、定位时间、time、timestamp、datetime，或日期列加时间列）找到该列时填写。</translation>
    </message>
    <message>
      <source>Patrol tracks</source>
      <translation>巡林轨迹</translation>
    </message>
    <message>
      <source>Patrols imported</source>
      <translation>导入的巡林数</translation>
    </message>
    <message>
      <source>Files skipped</source>
      <translation>跳过的文件数</translation>
    </message>
    <message>
      <source>Patrols added to the workspace</source>
      <translation>追加到工作空间的巡林数</translation>
    </message>
    <message>
      <source>{} responsibility areas for linking.</source>
      <translation>用于关联的责任区 {} 个。</translation>
    </message>
    <message>
      <source>{} patrols from {} files; {} files skipped.</source>
      <translation>从 {1} 个文件导入巡林 {0} 次；跳过文件 {2} 个。</translation>
    </message>
    <message>
      <source>{}: {} patrols, {:.2f} km.</source>
      <translation>{}：巡林 {} 次，{:.2f} 公里。</translation>
    </message>
    <message>
      <source>Workspace {}: {} patrols added, {} already there.</source>
      <translation>工作空间 {}：追加巡林 {} 次，已有 {} 次。</translation>
    </message>
    <message>
      <source>Link change spots to patrols</source>
      <translation>变化图斑关联巡林</translation>
    </message>
    <message>
      <source>patrol,change spot,inspection,missed,track,森林督查,变化图斑,巡林,巡林未发现,轨迹</source>
      <translation>巡林,变化图斑,森林督查,巡林未发现,轨迹,巡护,核查</translation>
    </message>
    <message>
      <source>Links each change spot (变化图斑) to the patrols of its time: a patrol counts for a spot when its track is dated, started on a day from the spot's before date to its after date (both included) and passes within the distance of the spot's polygon. A spot with no such patrol was not passed by any patrol while the change happened; a spot with patrols was passed without the loss being reported. The output is the spots with all their fields plus patrols (the number of such tracks) and patrol_missed (true when no patrol passed; empty when the spot lacks a date or a geometry). Spots need the fields spot_no, before_date and after_date, tracks the fields start_time and dated (as the workspace's change spots and patrol tracks have); undated tracks never count. The layers may have different CRSs: distances are measured in a projected CRS in metres (the spots' own, or the local CGCS2000 3-degree Gauss-Kruger zone). With a workspace, patrol_missed is also written into its change spots, matched by spot number, in one transaction; no history row is written for it, since it is a flag derived from the tracks and not a decision of the review.</source>
      <translation>将每个变化图斑与其变化期间的巡林关联：一次巡林计入某图斑，须其轨迹时间有效、开始日期在该图斑前时相与后时相之间（含两端），且轨迹与图斑多边形的距离不超过设定距离。没有此类巡林的图斑，说明变化发生期间无人巡到；有巡林的图斑，说明巡林经过却未上报林地减少。输出为图斑及其全部字段，另加 patrols（此类轨迹条数）和 patrol_missed（无巡林经过为真；图斑缺日期或几何时为空）。图斑须有字段 spot_no、before_date 和 after_date，轨迹须有字段 start_time 和 dated（与工作空间的变化图斑和巡林轨迹图层相同）；时间无效的轨迹一律不计。两图层的坐标系可以不同：距离在以米为单位的投影坐标系中量算（图斑自身的投影坐标系，或当地 CGCS2000 3 度带高斯-克吕格投影）。指定工作空间时，patrol_missed 还会按监测编号在一个事务中写入其变化图斑图层；该字段由轨迹推算得出，不是核查决定，因此不写核查记录。</translation>
    </message>
    <message>
      <source>The change spots with the fields spot_no, before_date and after_date (the workspace's change spots layer); all their fields are kept in the output.</source>
      <translation>含字段 spot_no、before_date 和 after_date 的变化图斑（工作空间的变化图斑图层）；其全部字段保留在输出中。</translation>
    </message>
    <message>
      <source>Patrol track lines with the fields start_time and dated (the workspace's patrol tracks layer, filled by Import patrol tracks).</source>
      <translation>含字段 start_time 和 dated 的巡林轨迹线（工作空间的巡林轨迹图层，由“导入巡林轨迹”填入）。</translation>
    </message>
    <message>
      <source>A track passing this close to a spot's polygon, in metres, counts as a patrol of the spot (default 200 m; 0: the track must touch the spot).</source>
      <translation>轨迹与图斑多边形的距离（米）不超过此值即计为对该图斑的一次巡林（默认 200 米；0 表示轨迹须接触图斑）。</translation>
    </message>
    <message>
      <source>Optional one-map workspace (.gpkg): patrol_missed is written into its change spots of the same spot numbers, in one transaction, without history rows (a derived flag).</source>
      <translation>可选的一张图工作空间（.gpkg）：patrol_missed 在一个事务中写入其监测编号相同的变化图斑，不写核查记录（推算得出的标记）。</translation>
    </message>
    <message>
      <source>The spots with their fields plus patrols and patrol_missed, in the spots' CRS.</source>
      <translation>图斑及其字段，另加 patrols 和 patrol_missed，坐标系与图斑相同。</translation>
    </message>
    <message>
      <source>The spots or the tracks layer could not be read.</source>
      <translation>无法读取图斑图层或轨迹图层。</translation>
    </message>
    <message>
      <source>Distance (m)</source>
      <translation>距离（米）</translation>
    </message>
    <message>
      <source>Also write to workspace</source>
      <translation>同时写入工作空间</translation>
    </message>
    <message>
      <source>Spots linked to patrols</source>
      <translation>关联巡林的图斑</translation>
    </message>
    <message>
      <source>Spots missed by patrol</source>
      <translation>巡林未发现的图斑数</translation>
    </message>
    <message>
      <source>Spots with patrols</source>
      <translation>有巡林经过的图斑数</translation>
    </message>
    <message>
      <source>Spots without dates or geometry</source>
      <translation>缺日期或几何的图斑数</translation>
    </message>
    <message>
      <source>Workspace spots updated</source>
      <translation>工作空间中更新的图斑数</translation>
    </message>
    <message>
      <source>None of the tracks is dated: no spot can have a patrol, every spot with dates is missed by patrol.</source>
      <translation>没有一条轨迹的时间有效：任何图斑都不会有巡林，所有有日期的图斑均为巡林未发现。</translation>
    </message>
    <message>
      <source>No spot has a spot number: nothing was written to the workspace.</source>
      <translation>没有图斑有监测编号：未向工作空间写入任何内容。</translation>
    </message>
    <message>
      <source>Working CRS: {}</source>
      <translation>计算坐标系：{}</translation>
    </message>
    <message>
      <source>{} spots: {} with patrols in their time, {} missed by patrol, {} without dates or geometry; {} of {} tracks dated.</source>
      <translation>共 {} 个图斑：{} 个在变化期间有巡林经过，{} 个巡林未发现，{} 个缺日期或几何；{} 条轨迹（共 {} 条）时间有效。</translation>
    </message>
    <message>
      <source>patrol_missed written to {} spots of the workspace (no history rows: it is a derived flag).</source>
      <translation>已将 patrol_missed 写入工作空间的 {} 个图斑（推算得出的标记，不写核查记录）。</translation>
    </message>
    <message>
      <source>{} spots lack a before date, an after date or a geometry: patrol_missed stays empty for them.</source>
      <translation>{} 个图斑缺前时相、后时相或几何：其 patrol_missed 保持为空。</translation>
    </message>
    <message>
      <source>{} spot numbers of the spots layer are not in the workspace.</source>
      <translation>图斑图层中有 {} 个监测编号不在工作空间中。</translation>
    </message>
    <message>
      <source>Management grid (one zone per ranger)</source>
      <translation>管护网格划分</translation>
    </message>
    <message>
      <source>management grid,ranger,zone,partition,balance,管护网格,护林员,包山包人,网格化,一格一人,纵向到底,横向到边</source>
      <translation>管护网格,护林员,网格,划分,均衡,包山包人,网格化,一格一人,纵向到底,横向到边</translation>
    </message>
    <message>
      <source>Draws the management grid (管护网格) of each responsibility area: its forest divided into one zone per ranger (包山包人, 一格管一片、一格定一人). The zones of an area cover all of its forest and nothing else, with no gaps and no overlaps (纵向到底、横向到边); they never cross an area boundary; each zone is one connected piece where the forest allows it (a separate forest island joins a zone whole); the forest area per ranger is balanced (max/min at most 1.15 where the shape allows) and the zones are compact. Method: the forest of the area is cut by a fine square grid into cells (forest ∩ square, so the cells add up to the forest exactly); the cells are split recursively into two connected groups holding the share of forest of their number of rangers, cutting across the longer side; then cells that share more boundary with a neighbouring zone than with their own join it (shorter, straighter boundaries), and boundary cells move from heavier to lighter neighbouring zones, always keeping both zones connected. The number of rangers of an area comes from the rangers table (its rangers, not the supervisors, by area_code), else from a numeric field of the areas, else from a target forest area per ranger. The zones get the ids &lt;area code&gt;-01…, the rangers in ranger_id order, their forest in ha and 亩, perimeter, compactness (Polsby–Popper 4πA/P² of the outline: 1 for a disc) and the ids of the neighbouring zones. Layers in other CRSs are reprojected (the work is done in the areas' CRS, or a local Gauss-Kruger or UTM zone when it is geographic); invalid polygons are repaired. With a workspace the zones replace those of the same areas in its management grid layer, in one transaction.</source>
      <translation>为每个责任区划分管护网格：把区内林地分成每名护林员一个网格（包山包人、一格管一片、一格定一人）。一个责任区的网格覆盖其全部林地且只含林地，无缝隙、无重叠（纵向到底、横向到边）；网格不跨责任区界线；林地连片处每个网格为一整块（分离的林地小块整块并入某个网格）；每名护林员的林地面积均衡（形状允许时最大/最小不超过 1.15），网格形状紧凑。方法：用细方格把责任区林地切成格子（林地 ∩ 方格，格子面积之和恰为林地面积）；按护林员人数的林地份额，沿较长方向把格子递归地分成两组连通的格子；然后与相邻网格共边多于与本网格共边的格子并入相邻网格（边界更短更直），边界格子再从较重的网格移到较轻的相邻网格，始终保持两个网格连通。责任区的护林员人数取自护林员表（按 area_code，只计护林员，不计监管员），否则取自责任区的人数字段，否则按每名护林员的目标林地面积计算。网格编号为 &lt;责任区编码&gt;-01…，按 ranger_id 顺序分配护林员，并给出林地面积（公顷和亩）、周长、紧凑度（外轮廓的 Polsby–Popper 4πA/P²：圆为 1）和相邻网格编号。其他坐标系的图层会被重投影（在责任区的坐标系中计算；若为地理坐标系则用当地高斯-克吕格或 UTM 分带）；无效多边形会被修复。指定工作空间时，新网格在一个事务中替换其管护网格图层中相同责任区的网格。</translation>
    </message>
    <message>
      <source>The areas to divide, e.g. the villages of the workspace's responsibility areas. Zones never cross their boundaries. Only areas with rangers get zones, and those must not overlap.</source>
      <translation>要划分的责任区，如工作空间责任区中的村。网格不跨越其边界。只有有护林员的责任区才划分网格，且这些责任区不得相互重叠。</translation>
    </message>
    <message>
      <source>The field of the areas with their code (default code), matched with the area_code of the rangers.</source>
      <translation>责任区的编码字段（默认 code），与护林员的 area_code 对应。</translation>
    </message>
    <message>
      <source>The forest to divide, e.g. the workspace's forest stands: when the layer has the field land_class, only the stands of the forest land classes (0111-0307) count.</source>
      <translation>要划分的林地，如工作空间的森林资源小班：图层有 land_class 字段时，只计林地地类（0111-0307）的小班。</translation>
    </message>
    <message>
      <source>Optional table of rangers with the fields ranger_id, name and area_code (and role: supervisors do not get a zone), e.g. the workspace's rangers table. Each area gets one zone per ranger.</source>
      <translation>可选的护林员表，含字段 ranger_id、name 和 area_code（以及 role：监管员不分配网格），如工作空间的护林员表。每个责任区为每名护林员划一个网格。</translation>
    </message>
    <message>
      <source>Optional numeric field of the areas with their number of rangers, used when there is no rangers table.</source>
      <translation>可选：责任区中记录护林员人数的数值字段，在没有护林员表时使用。</translation>
    </message>
    <message>
      <source>Optional forest area per ranger in hectares, used when neither a rangers table nor a number field is given: each area with forest gets round(forest / target) rangers, at least one.</source>
      <translation>可选：每名护林员的林地面积（公顷），在既无护林员表也无人数字段时使用：每个有林地的责任区按 round(林地面积 / 目标) 确定护林员人数，至少一人。</translation>
    </message>
    <message>
      <source>Optional side of the grid cells in metres. Empty: chosen per area so that each ranger's forest holds about 64 cells. Smaller cells give a finer balance and take longer.</source>
      <translation>可选：网格格子的边长（米）。留空：按责任区自动选取，使每名护林员的林地约含 64 个格子。格子越小均衡越精细，耗时越长。</translation>
    </message>
    <message>
      <source>Optional one-map workspace (.gpkg): its management grid zones of the same areas are replaced by the new ones in one transaction.</source>
      <translation>可选：一张图工作空间（.gpkg）：在一个事务中用新网格替换其中相同责任区的管护网格。</translation>
    </message>
    <message>
      <source>One zone per ranger with the fields of the workspace's management grid layer: zone_id, area_code, ranger_id, ranger, forest_ha, forest_mu, perimeter_m, compactness, neighbours; in the areas' CRS.</source>
      <translation>每名护林员一个网格，字段与工作空间管护网格图层相同：zone_id、area_code、ranger_id、ranger、forest_ha、forest_mu、perimeter_m、compactness、neighbours；坐标系与责任区相同。</translation>
    </message>
    <message>
      <source>Reading the areas and the forest…</source>
      <translation>正在读取责任区和林地…</translation>
    </message>
    <message>
      <source>Cutting the forest into cells and dividing it among the rangers…</source>
      <translation>正在把林地切成格子并分给各护林员…</translation>
    </message>
    <message>
      <source>Area code field</source>
      <translation>责任区编码字段</translation>
    </message>
    <message>
      <source>Rangers table</source>
      <translation>护林员表</translation>
    </message>
    <message>
      <source>Number of rangers field</source>
      <translation>护林员人数字段</translation>
    </message>
    <message>
      <source>Target forest per ranger (ha)</source>
      <translation>每名护林员目标林地面积（公顷）</translation>
    </message>
    <message>
      <source>Cell size (m)</source>
      <translation>格子边长（米）</translation>
    </message>
    <message>
      <source>Management grid zones</source>
      <translation>管护网格</translation>
    </message>
    <message>
      <source>Zones</source>
      <translation>网格数</translation>
    </message>
    <message>
      <source>Worst balance (max/min forest)</source>
      <translation>最差均衡度（林地面积最大/最小）</translation>
    </message>
    <message>
      <source>Mean compactness</source>
      <translation>平均紧凑度</translation>
    </message>
    <message>
      <source>{} zones in {} areas; worst balance {:.3f}, mean compactness {:.3f}; {:.1f} s.</source>
      <translation>{} 个网格，{} 个责任区；最差均衡度 {:.3f}，平均紧凑度 {:.3f}；用时 {:.1f} 秒。</translation>
    </message>
    <message>
      <source>Workspace: {} zones of these areas replaced by {} new ones.</source>
      <translation>工作空间：这些责任区原有的 {} 个网格已替换为 {} 个新网格。</translation>
    </message>
    <message>
      <source>Rangers: {} in the table for {} area codes.</source>
      <translation>护林员：表中共 {} 名，分属 {} 个责任区编码。</translation>
    </message>
    <message>
      <source>The areas are in {}, not a projected CRS in metres: the zones are computed in {} and written in the areas' CRS.</source>
      <translation>责任区的坐标系为 {}，不是以米为单位的投影坐标系：网格在 {} 中计算，并以责任区的坐标系输出。</translation>
    </message>
    <message>
      <source>The forest polygons are in {}: they are reprojected to {}.</source>
      <translation>林地图层的坐标系为 {}：已重投影到 {}。</translation>
    </message>
    <message>
      <source>Area {}: rangers {}, forest {:.1f} ha, cells of {:g} m ({}), balance {:.3f}, compactness {:.3f}.</source>
      <translation>责任区 {}：护林员 {} 名，林地 {:.1f} 公顷，格子边长 {:g} 米（{} 个），均衡度 {:.3f}，紧凑度 {:.3f}。</translation>
    </message>
    <message>
      <source>Patrol compliance and ledger</source>
      <translation>巡林达标与台账</translation>
    </message>
    <message>
      <source>patrol,compliance,forest chief,ledger,Excel,巡林,达标,林长,台账</source>
      <translation>巡林,达标,林长,台账,Excel,patrol,compliance,ledger</translation>
    </message>
    <message>
      <source>Checks whether every forest chief patrolled as often as the rules ask (for example district chiefs once a quarter, town level and below once a month) between two dates. A patrol counts for an area when it is the area's chief's (its area code is the area's, or its patroller is the area's chief), enough of its length lies inside the area, it has a valid date and, by default, it was on foot. For each area it gives the periods required and met, the number of patrols, the last patrol, the days overdue and the next due date, and the share of compliant child areas (villages of a town, towns of the district). Outputs: the areas with these fields, optionally a table with one row per area and period, and an Excel patrol ledger (巡林台账) with the sheets 汇总, 明细 and 按级汇总 in which non-compliant rows are marked red.</source>
      <translation>检查两个日期之间每位林长是否按规则的频次巡林（例如区级林长每季度至少一次，镇级及以下每月至少一次）。一次巡林计入某责任区，须同时满足：是该责任区林长的巡林（轨迹的责任区编码与之相同，或巡林人即该区林长）、轨迹长度有足够比例位于责任区内、时间有效，并且（默认）为步行巡林。对每个责任区给出应巡与达标周期数、巡林次数、最近巡林日期、逾期天数、下次应巡日期，以及下级责任区的达标比例（镇下各村、区下各镇）。输出：带上述字段的责任区图层；可选的逐周期明细表；以及Excel巡林台账，含“汇总”“明细”“按级汇总”三张工作表，未达标的行标红。</translation>
    </message>
    <message>
      <source>Polygons of the chiefs' responsibility areas with the fields code, name, level (1 district to 4 group), parent_code and chief_name, such as the workspace layer resp_areas.</source>
      <translation>林长责任区面图层，需有字段 code、name、level（1 区级至 4 组级）、parent_code 和 chief_name，例如工作空间的 resp_areas 图层。</translation>
    </message>
    <message>
      <source>Patrol track lines with the fields patrol_id, patroller, area_code and start_time, and if present dated and on_foot, such as the workspace layer patrol_tracks.</source>
      <translation>巡林轨迹线图层，需有字段 patrol_id、patroller、area_code 和 start_time，如有则读取 dated 和 on_foot，例如工作空间的 patrol_tracks 图层。</translation>
    </message>
    <message>
      <source>Patrol rules</source>
      <translation>巡林规则</translation>
    </message>
    <message>
      <source>A table with the fields level, period (week, month, quarter or year) and min_count, such as the workspace table patrol_rules. When empty, the district's rules apply: district chiefs once a quarter, town level and below once a month.</source>
      <translation>含字段 level、period（week 周、month 月、quarter 季度或 year 年）和 min_count 的表，例如工作空间的 patrol_rules 表。留空时采用本区规则：区级林长每季度一次，镇级及以下每月一次。</translation>
    </message>
    <message>
      <source>Minimum share of the track inside the area</source>
      <translation>责任区内轨迹最小比例</translation>
    </message>
    <message>
      <source>A patrol counts for an area only when at least this share of its length (0 to 1) lies inside the area.</source>
      <translation>只有轨迹长度中至少有此比例（0 至 1）位于责任区内，该次巡林才计入该责任区。</translation>
    </message>
    <message>
      <source>Count patrols on foot only</source>
      <translation>仅计步行巡林</translation>
    </message>
    <message>
      <source>When true (the default), tracks marked as driven (on_foot false) do not count.</source>
      <translation>为真（默认）时，标记为乘车（on_foot 为假）的轨迹不计入。</translation>
    </message>
    <message>
      <source>Patrol compliance</source>
      <translation>巡林达标情况</translation>
    </message>
    <message>
      <source>The responsibility areas with the periods required and met, compliance, patrols, last patrol, days overdue, next due date and the compliant share of their child areas.</source>
      <translation>责任区及其应巡周期数、达标周期数、是否达标、巡林次数、最近巡林、逾期天数、下次应巡日期和下级责任区达标比例。</translation>
    </message>
    <message>
      <source>Compliance per period</source>
      <translation>逐周期达标明细</translation>
    </message>
    <message>
      <source>Optional table with one row per area and period: required and achieved patrols.</source>
      <translation>可选的表，每个责任区每个周期一行：应巡次数与实巡次数。</translation>
    </message>
    <message>
      <source>Patrol ledger (Excel)</source>
      <translation>巡林台账（Excel）</translation>
    </message>
    <message>
      <source>Optional Excel workbook (.xlsx), the patrol ledger with the sheets 汇总 (summary), 明细 (periods) and 按级汇总 (per level).</source>
      <translation>可选的 Excel 工作簿（.xlsx）：巡林台账，含“汇总”“明细”“按级汇总”三张工作表。</translation>
    </message>
    <message>
      <source>Give both the from date and the to date.</source>
      <translation>请同时给出起始日期和截止日期。</translation>
    </message>
    <message>
      <source>From date</source>
      <translation>起始日期</translation>
    </message>
    <message>
      <source>The first day of the period checked.</source>
      <translation>统计期的第一天。</translation>
    </message>
    <message>
      <source>To date</source>
      <translation>截止日期</translation>
    </message>
    <message>
      <source>The last day of the period checked.</source>
      <translation>统计期的最后一天。</translation>
    </message>
    <message>
      <source>The day the check is made: periods ending later are not yet due and later patrols are not counted. Empty: the to date.</source>
      <translation>进行检查的日期：晚于此日结束的周期尚未到期，此日之后的巡林不计入。留空时为截止日期。</translation>
    </message>
    <message>
      <source>Compliant chiefs</source>
      <translation>达标林长数</translation>
    </message>
    <message>
      <source>Non-compliant chiefs</source>
      <translation>未达标林长数</translation>
    </message>
    <message>
      <source>Reading the patrol tracks</source>
      <translation>正在读取巡林轨迹</translation>
    </message>
    <message>
      <source>The patrol rules table is empty.</source>
      <translation>巡林规则表为空。</translation>
    </message>
    <message>
      <source>The areas are in a geographic CRS; shares of track length are measured in degrees. A projected CRS in metres is better.</source>
      <translation>责任区使用地理坐标系，轨迹长度比例按度计算；建议使用以米为单位的投影坐标系。</translation>
    </message>
    <message>
      <source>{} of {} chiefs met the patrol rules; {} did not.</source>
      <translation>{1} 位林长中 {0} 位巡林达标，{2} 位未达标。</translation>
    </message>
    <message>
      <source>Rules: {}</source>
      <translation>巡林规则：{}</translation>
    </message>
    <message>
      <source>Checking {} areas against {} track features</source>
      <translation>正在以 {1} 条轨迹要素检查 {0} 个责任区</translation>
    </message>
    <message>
      <source>Writing the patrol ledger {}</source>
      <translation>正在写入巡林台账 {}</translation>
    </message>
    <message>
      <source>The tracks have no field {}: every track is taken as {}.</source>
      <translation>轨迹图层没有字段 {}：所有轨迹均视为{}。</translation>
    </message>
    <message>
      <source>dated when it has a start time</source>
      <translation>有开始时间即时间有效</translation>
    </message>
    <message>
      <source>on foot</source>
      <translation>步行</translation>
    </message>
    <message>
      <source>Patrol coverage</source>
      <translation>巡林覆盖率</translation>
    </message>
    <message>
      <source>patrol,coverage,effort,SMART,track,巡林,覆盖率,巡护,轨迹</source>
      <translation>巡林,覆盖率,巡护强度,SMART,轨迹,patrol,coverage,effort</translation>
    </message>
    <message>
      <source>Patrol coverage and effort for each responsibility area, as SMART computes its 'area covered': every track is buffered by half the swath width, the buffers are merged (overlaps count once) and clipped to the area. The output is the areas with all their fields plus covered_ha, coverage_pct (0-100), track_km (length inside), patrols (distinct patrol ids), patrol_days (distinct dates), hours (each track's duration in proportion to its length inside) and last_patrol (latest date). A track crossing two areas counts in both. Tracks need the fields patrol_id, start_time, end_time, dated and on_foot (as the patrol tracks layer of the workspace has). With a date range only dated tracks of those dates count; without one, undated tracks count for coverage and km but never for days, hours or the last patrol. A grid cell size also gives the gridded effort: square cells clipped to each area with km, patrols, patrol days and whether they were visited. The layers may have different CRSs: the work is done in a projected CRS in metres (the areas' own, or the local CGCS2000 3-degree Gauss-Kruger zone) and the outputs are in the areas' CRS.</source>
      <translation>按 SMART 的“覆盖面积”计算每个责任区的巡林覆盖率与巡护强度：每条轨迹按巡视带宽度的一半做缓冲，缓冲区合并（重叠只计一次）后裁剪到责任区。输出为责任区（保留全部字段）并增加 covered_ha（覆盖面积，公顷）、coverage_pct（覆盖率 0-100）、track_km（区内里程）、patrols（不同巡林编号数）、patrol_days（不同巡林日期数）、hours（各轨迹时长按区内里程比例折算）和 last_patrol（最近巡林日期）。穿过两个责任区的轨迹在两处都计入。轨迹需要字段 patrol_id、start_time、end_time、dated 和 on_foot（与工作空间的巡林轨迹图层相同）。设定日期范围时只计该范围内有时间的轨迹；未设定时，无时间的轨迹计入覆盖面积和里程，但不计入日数、时长和最近巡林日期。给出网格边长时另输出网格巡护强度：裁剪到各责任区的方形网格，含里程、巡林次数、巡林日数及是否巡到。两个图层的坐标系可以不同：计算在以米为单位的投影坐标系中进行（责任区自身的投影坐标系，或所在地的 CGCS2000 3 度带高斯-克吕格投影），输出采用责任区图层的坐标系。</translation>
    </message>
    <message>
      <source>Patrol track lines with the fields patrol_id, start_time, end_time, dated and on_foot (the workspace's patrol tracks layer).</source>
      <translation>巡林轨迹线，含字段 patrol_id、start_time、end_time、dated 和 on_foot（即工作空间的巡林轨迹图层）。</translation>
    </message>
    <message>
      <source>The polygons to measure coverage in, e.g. the chief responsibility areas; all their fields are kept in the output.</source>
      <translation>计算覆盖率的多边形，例如林长责任区；其全部字段保留在输出中。</translation>
    </message>
    <message>
      <source>The width of the strip a patroller watches, in metres: each track is buffered by half of it (default 100 m).</source>
      <translation>巡林人员可观察到的带状范围宽度（米）：每条轨迹按其一半做缓冲（默认 100 米）。</translation>
    </message>
    <message>
      <source>Foot patrols only</source>
      <translation>仅计步行巡林</translation>
    </message>
    <message>
      <source>When true, only tracks whose on_foot field is true count (vehicle tracks and tracks of unknown mode are left out).</source>
      <translation>为真时只计 on_foot 字段为真的轨迹（车辆轨迹和方式不明的轨迹不计）。</translation>
    </message>
    <message>
      <source>Grid cell size (m)</source>
      <translation>网格边长(米)</translation>
    </message>
    <message>
      <source>Optional: the side of the square cells of the gridded effort output, in metres (e.g. 500). Empty or 0: no grid.</source>
      <translation>可选：网格巡护强度输出中方形网格的边长（米，例如 500）。为空或 0 时不输出网格。</translation>
    </message>
    <message>
      <source>The areas with their fields plus covered_ha, coverage_pct, track_km, patrols, patrol_days, hours and last_patrol, in the areas' CRS.</source>
      <translation>责任区及其字段，另加 covered_ha、coverage_pct、track_km、patrols、patrol_days、hours 和 last_patrol，坐标系与责任区相同。</translation>
    </message>
    <message>
      <source>Gridded patrol effort</source>
      <translation>网格巡护强度</translation>
    </message>
    <message>
      <source>Written only when a grid cell size is given: cells clipped to each area with cell_id, area_code, km, patrols, patrol_days and visited.</source>
      <translation>仅在给出网格边长时写出：裁剪到各责任区的网格，含 cell_id、area_code、km、patrols、patrol_days 和 visited。</translation>
    </message>
    <message>
      <source>The tracks or the areas layer could not be read.</source>
      <translation>无法读取轨迹图层或责任区图层。</translation>
    </message>
    <message>
      <source>The 'from' date {} is after the 'to' date {}.</source>
      <translation>起始日期 {} 晚于截止日期 {}。</translation>
    </message>
    <message>
      <source>Could not create the output layer.</source>
      <translation>无法创建输出图层。</translation>
    </message>
    <message>
      <source>Optional: only dated tracks that start on or after this date count; undated tracks are then left out.</source>
      <translation>可选：只计在此日期当天或之后开始的有时间轨迹；此时不计无时间的轨迹。</translation>
    </message>
    <message>
      <source>Optional: only dated tracks that start on or before this date count; undated tracks are then left out.</source>
      <translation>可选：只计在此日期当天或之前开始的有时间轨迹；此时不计无时间的轨迹。</translation>
    </message>
    <message>
      <source>The areas layer has no features: the output is empty.</source>
      <translation>责任区图层没有要素：输出为空。</translation>
    </message>
    <message>
      <source>The tracks layer has no features: every area gets zero coverage.</source>
      <translation>轨迹图层没有要素：各责任区覆盖率均为零。</translation>
    </message>
    <message>
      <source>No track reaches any area (after the date and on-foot filters): every area gets zero coverage.</source>
      <translation>（按日期和步行条件筛选后）没有轨迹到达任何责任区：各责任区覆盖率均为零。</translation>
    </message>
    <message>
      <source>The areas have no field 'code': grid cells carry the area's feature id.</source>
      <translation>责任区图层没有“code”字段：网格单元记录责任区的要素编号。</translation>
    </message>
    <message>
      <source>A grid cell size was given but no grid output: the grid is not written.</source>
      <translation>给出了网格边长但未指定网格输出：不写出网格。</translation>
    </message>
    <message>
      <source>No grid cell size was given: the grid output is not written.</source>
      <translation>未给出网格边长：不写出网格。</translation>
    </message>
    <message>
      <source>{} grid cells, {} visited.</source>
      <translation>共 {} 个网格单元，其中 {} 个有巡护。</translation>
    </message>
    <message>
      <source>{} invalid area polygons were repaired before measuring (feature ids: {}).</source>
      <translation>计算前修复了 {} 个无效的责任区多边形（要素编号：{}）。</translation>
    </message>
    <message>
      <source>Patrol handbooks of the chiefs</source>
      <translation>林长巡林手册</translation>
    </message>
    <message>
      <source>patrol handbook,forest chief,atlas,PDF,print,巡林手册,林长,目标任务清单,森林资源清单,重点问题清单</source>
      <translation>巡林手册,林长,图集,PDF,打印,目标任务清单,森林资源清单,重点问题清单,patrol handbook,forest chief,atlas</translation>
    </message>
    <message>
      <source>Writes the patrol handbook (巡林手册) of each chief of a one-map workspace: one two-page A4 PDF per chief, named 巡林手册_&lt;area code&gt;_&lt;chief&gt;.pdf, made with a QGIS print-layout atlas over the chiefs' areas. Page 1 has a map of the chief's area (the boundary, forest stands by forest use 林种, the areas one level below, management-grid zones, patrol tracks of the last 90 days and the open change spots) with a legend, a scale bar and a north arrow, and the target-task list (目标任务清单) of the year: the chief's own patrols against the patrol rule of the level, the chiefs below to supervise, the forest land to protect, the change spots to verify and close, and the rangers and grid zones. Page 2 has the forest-resource list (森林资源清单: hectares and 亩 by 林种, 起源 and 优势树种, forest land only) and the key-problem list (重点问题清单: open change spots, chiefs whose patrols are overdue, spots missed by patrol). A list longer than its room shows its first rows and how many more there are. Give area codes for some chiefs (any level), or a level for all its chiefs. Figures are as of the date given (by default the latest patrol in the workspace). Nothing is written when the input is wrong or the run is canceled.</source>
      <translation>为一张图工作空间中的每位林长生成巡林手册：每位林长一份两页 A4 PDF，文件名为 巡林手册_&lt;责任区编码&gt;_&lt;林长&gt;.pdf，由 QGIS 打印布局图集按林长责任区逐一输出。第1页为林长责任区域地图（责任区边界、按林种着色的森林资源小班、下一级责任区、管护网格、近90天巡林轨迹和未销号变化图斑），附图例、比例尺和指北针，以及本年度目标任务清单：按本级巡林规则完成的林长本人巡林、需督导的下级林长、需保护的林地、需核实整改销号的变化图斑、护林员和管护网格。第2页为森林资源清单（按林种、起源和优势树种统计的公顷和亩，仅林地）和重点问题清单（未销号变化图斑、巡林超期的林长、巡林未发现的图斑）。清单超出版面时列出前若干项并注明另有多少项。可填写责任区编码只为部分林长（任意级别）生成，或选择级别为该级全部林长生成。各项数据统计截至所给日期（默认为工作空间中最近一次巡林的日期）。输入有误或运行被取消时不写出任何文件。</translation>
    </message>
    <message>
      <source>District chiefs</source>
      <translation>区级林长</translation>
    </message>
    <message>
      <source>Town chiefs</source>
      <translation>镇级林长</translation>
    </message>
    <message>
      <source>Village chiefs</source>
      <translation>村级林长</translation>
    </message>
    <message>
      <source>Group chiefs</source>
      <translation>组级林长</translation>
    </message>
    <message>
      <source>The one-map workspace (.gpkg): responsibility areas, forest stands, patrol tracks, change spots, grid zones, rangers and patrol rules.</source>
      <translation>一张图工作空间（.gpkg）：林长责任区、森林资源小班、巡林轨迹、变化图斑、管护网格、护林员和巡林规则。</translation>
    </message>
    <message>
      <source>A handbook for every chief of this level (default: the district chiefs), unless area codes are given.</source>
      <translation>为该级别的每位林长各生成一份手册（默认为区级林长）；填写了责任区编码时以编码为准。</translation>
    </message>
    <message>
      <source>Optional responsibility-area codes separated by commas: handbooks for these chiefs only, of any level. Empty: every chief of the level.</source>
      <translation>可选，以逗号分隔的责任区编码：只为这些林长生成手册，级别不限。留空：该级别的全部林长。</translation>
    </message>
    <message>
      <source>The day the handbook's figures are given for: patrols of its year up to this day, tracks of the 90 days before it. Empty: the day of the latest patrol in the workspace (today when there is none).</source>
      <translation>手册数据的统计截至日期：统计当年截至该日的巡林，地图显示此前90天的巡林轨迹。留空：工作空间中最近一次巡林的日期（无巡林时为今天）。</translation>
    </message>
    <message>
      <source>The folder for the PDFs, one per chief: 巡林手册_&lt;area code&gt;_&lt;chief&gt;.pdf.</source>
      <translation>存放 PDF 的文件夹，每位林长一份：巡林手册_&lt;责任区编码&gt;_&lt;林长&gt;.pdf。</translation>
    </message>
    <message>
      <source>Chief level</source>
      <translation>林长级别</translation>
    </message>
    <message>
      <source>Output folder</source>
      <translation>输出文件夹</translation>
    </message>
    <message>
      <source>Handbooks written</source>
      <translation>已生成的巡林手册</translation>
    </message>
    <message>
      <source>{} handbooks as of {}: {} areas, {} stands, {} track features, {} change spots.</source>
      <translation>共 {} 份巡林手册，统计截至 {}：责任区 {} 个，小班 {} 个，巡林轨迹要素 {} 条，变化图斑 {} 个。</translation>
    </message>
    <message>
      <source>{} patrol handbooks written to {}</source>
      <translation>已将 {} 份巡林手册写入 {}</translation>
    </message>
    <message>
      <source>{} {} ({}): {:,.1f} ha of forest land, {} open change spots, {} chiefs with overdue patrols.</source>
      <translation>{} {}（{}）：林地 {:,.1f} 公顷，未销号变化图斑 {} 个，巡林超期林长 {} 名。</translation>
    </message>
    <message>
      <source>Writing {} handbooks…</source>
      <translation>正在生成 {} 份巡林手册…</translation>
    </message>
    <message>
      <source>Public list of the chiefs</source>
      <translation>林长公示名单</translation>
    </message>
    <message>
      <source>public list,forest chief,duties,Excel,CSV,公示,林长名单,责任区域,两长两员,职责</source>
      <translation>公示,林长名单,责任区域,两长两员,职责,Excel,CSV,public list,forest chief,duties</translation>
    </message>
    <message>
      <source>Writes the public list of the chiefs (林长公示名单) of a one-map workspace for public display: one row per responsibility area in hierarchy order (district, its towns, their villages, their groups) with the chief's level, the area's name and code, the chief's name and title, the area and chief above, the duties of the level (a short text from the district's plan, with the level's patrol rule), the area in hectares and 亩, the grassroots supervisor (基层监管员) and, for villages and groups, the rangers (护林员) of the rangers table. The chiefs' phone numbers are listed only when asked; a supervision phone for the public can be given instead. Written as an Excel workbook and/or a CSV file (UTF-8 with a byte-order mark, which Excel opens with the Chinese intact). Nothing is written when the input is wrong.</source>
      <translation>生成一张图工作空间的林长公示名单，供向社会公示：按层级顺序（区、所辖镇、所辖村、所辖组）每个责任区一行，列出林长级别、责任区域名称和编码、林长姓名和职务、上级责任区域和上级林长、本级林长主要职责（依据区实施方案撰写的简短文字，含本级巡林规则）、面积（公顷和亩）、基层监管员，以及村、组两级的护林员（取自护林员表）。林长联系电话仅在勾选时列出；可另填写面向公众的监督电话。输出为 Excel 工作簿和/或 CSV 文件（带字节顺序标记的 UTF-8，Excel 打开时中文不乱码）。输入有误时不写出任何文件。</translation>
    </message>
    <message>
      <source>The one-map workspace (.gpkg) whose responsibility areas, rangers and patrol rules are listed.</source>
      <translation>要列出其林长责任区、护林员和巡林规则的一张图工作空间（.gpkg）。</translation>
    </message>
    <message>
      <source>When true, a column with each chief's phone number; by default phone numbers, which are personal, are left out.</source>
      <translation>勾选时增加一列林长联系电话；联系电话属于个人信息，默认不列出。</translation>
    </message>
    <message>
      <source>Optional phone number where the public reports problems (监督电话), shown on every row.</source>
      <translation>可选，供公众反映问题的监督电话，每行都显示。</translation>
    </message>
    <message>
      <source>The list as an Excel workbook (.xlsx).</source>
      <translation>以 Excel 工作簿（.xlsx）输出的公示名单。</translation>
    </message>
    <message>
      <source>Optional: the list as a CSV file, UTF-8 with a byte-order mark.</source>
      <translation>可选：以 CSV 文件输出的公示名单（带字节顺序标记的 UTF-8）。</translation>
    </message>
    <message>
      <source>Include the chiefs' phone numbers</source>
      <translation>列出林长联系电话</translation>
    </message>
    <message>
      <source>Supervision phone</source>
      <translation>监督电话</translation>
    </message>
    <message>
      <source>Public list (Excel)</source>
      <translation>公示名单（Excel）</translation>
    </message>
    <message>
      <source>Public list (CSV)</source>
      <translation>公示名单（CSV）</translation>
    </message>
    <message>
      <source>CSV file (*.csv)</source>
      <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
      <source>Chiefs listed</source>
      <translation>列出的林长数</translation>
    </message>
    <message>
      <source>The chiefs' phone numbers are in the list: check before making it public.</source>
      <translation>名单中含有林长联系电话：公示前请核对。</translation>
    </message>
    <message>
      <source>{} chiefs listed; columns: {}</source>
      <translation>共列出 {} 名林长；列：{}</translation>
    </message>
    <message>
      <source>Public list written: {}</source>
      <translation>已写出公示名单：{}</translation>
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
    <message>
      <source>Open the workspace in the project</source>
      <translation>在当前项目中打开工作空间</translation>
    </message>
    <message>
      <source>Adds the workspace layers to the current project in the group 林长制一张图.</source>
      <translation>将工作空间图层添加到当前项目的“林长制一张图”图层组中。</translation>
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
  <context>
    <name>GridPanel</name>
    <message>
      <source>Management grid</source>
      <translation>管护网格</translation>
    </message>
    <message>
      <source>Area</source>
      <translation>责任区</translation>
    </message>
    <message>
      <source>The responsibility areas that have management-grid zones</source>
      <translation>已划分管护网格的责任区</translation>
    </message>
    <message>
      <source>Read the workspace again</source>
      <translation>重新读取工作空间</translation>
    </message>
    <message>
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <source>Move on the map</source>
      <translation>在地图上调整</translation>
    </message>
    <message>
      <source>A forest stand</source>
      <translation>整个小班</translation>
    </message>
    <message>
      <source>Move the part of the forest stand (小班) under the mouse that lies in the zone</source>
      <translation>调整鼠标下的森林小班在该网格内的部分</translation>
    </message>
    <message>
      <source>A square cell of</source>
      <translation>方格，边长</translation>
    </message>
    <message>
      <source>Move the zone's forest in the square of this side under the mouse (the squares lie on multiples of the side)</source>
      <translation>调整鼠标下该边长方格内的网格林地（方格按边长的整数倍排列）</translation>
    </message>
    <message>
      <source>Adjust on the map</source>
      <translation>在地图上调整</translation>
    </message>
    <message>
      <source>Press on forest of a zone, drag it onto a neighbouring zone of the same area and release</source>
      <translation>在网格的林地上按下，拖到同一责任区的相邻网格上松开</translation>
    </message>
    <message>
      <source>Undo last move</source>
      <translation>撤销上一次调整</translation>
    </message>
    <message>
      <source>Changed by</source>
      <translation>修改人</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>说明</translation>
    </message>
    <message>
      <source>e.g. the stand is reached from this ranger's village</source>
      <translation>如：该小班从这名护林员所在村更方便到达</translation>
    </message>
    <message>
      <source>Press on forest of a zone, drag onto a neighbouring zone, release. Shift: a square cell instead of a stand (or the reverse). Esc or right click: cancel.</source>
      <translation>在网格的林地上按下，拖到相邻网格后松开。Shift：改用方格（或改回小班）。Esc 或右键：取消。</translation>
    </message>
    <message>
      <source>Moves in this area, latest first</source>
      <translation>本责任区的调整记录（最新在前）</translation>
    </message>
  </context>
  <context>
    <name>HierarchyPanel</name>
    <message>
      <source>Chief areas</source>
      <translation>林长责任区</translation>
    </message>
    <message>
      <source>Name, code or chief…</source>
      <translation>名称、编码或林长…</translation>
    </message>
    <message>
      <source>As of</source>
      <translation>截至</translation>
    </message>
    <message>
      <source>Patrols are counted up to this day; periods ending after it are not yet due</source>
      <translation>巡林统计到这一天；此后结束的周期尚未到期</translation>
    </message>
    <message>
      <source>Read the workspace again</source>
      <translation>重新读取工作空间</translation>
    </message>
    <message>
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <source>Chief</source>
      <translation>林长</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>姓名</translation>
    </message>
    <message>
      <source>Title</source>
      <translation>职务</translation>
    </message>
    <message>
      <source>Phone</source>
      <translation>联系电话</translation>
    </message>
    <message>
      <source>Grassroots supervisor</source>
      <translation>基层监管员</translation>
    </message>
    <message>
      <source>Changed by</source>
      <translation>修改人</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>说明</translation>
    </message>
    <message>
      <source>e.g. change of post</source>
      <translation>如：职务调整</translation>
    </message>
    <message>
      <source>Save</source>
      <translation>保存</translation>
    </message>
    <message>
      <source>Undo last change</source>
      <translation>撤销上次修改</translation>
    </message>
    <message>
      <source>Changes of this chief's details, latest first</source>
      <translation>林长信息修改记录（最新在前）</translation>
    </message>
    <message>
      <source>Check tiling…</source>
      <translation>检查层级…</translation>
    </message>
    <message>
      <source>Assessment…</source>
      <translation>考核…</translation>
    </message>
    <message>
      <source>Handbook…</source>
      <translation>巡林手册…</translation>
    </message>
    <message>
      <source>Public list…</source>
      <translation>公示名单…</translation>
    </message>
  </context>
  <context>
    <name>InspectionPanel</name>
    <message>
      <source>Spot review</source>
      <translation>图斑核查</translation>
    </message>
    <message>
      <source>Spot number, town, village, chief…</source>
      <translation>监测编号、乡镇、村、林长……</translation>
    </message>
    <message>
      <source>Show only the spots of this status</source>
      <translation>只显示此状态的图斑</translation>
    </message>
    <message>
      <source>Show only the spots of this detection round</source>
      <translation>只显示此核查轮次的图斑</translation>
    </message>
    <message>
      <source>Missed by patrol only</source>
      <translation>只看巡林未发现</translation>
    </message>
    <message>
      <source>Move to</source>
      <translation>转入</translation>
    </message>
    <message>
      <source>Determination</source>
      <translation>认定结果</translation>
    </message>
    <message>
      <source>Verified cause</source>
      <translation>核实变化原因</translation>
    </message>
    <message>
      <source>False-detection reason</source>
      <translation>伪变化原因</translation>
    </message>
    <message>
      <source>Legal basis / permit no.</source>
      <translation>合法依据 / 批准文号</translation>
    </message>
    <message>
      <source>Inspector</source>
      <translation>核查人</translation>
    </message>
    <message>
      <source>Date</source>
      <translation>核查日期</translation>
    </message>
    <message>
      <source>Photos</source>
      <translation>现场照片</translation>
    </message>
    <message>
      <source>Photo files, separated by ;</source>
      <translation>照片文件，以 ; 分隔</translation>
    </message>
    <message>
      <source>Notes</source>
      <translation>备注</translation>
    </message>
    <message>
      <source>Previous (P)</source>
      <translation>上一个 (P)</translation>
    </message>
    <message>
      <source>Next (N)</source>
      <translation>下一个 (N)</translation>
    </message>
    <message>
      <source>Confirm (Enter)</source>
      <translation>确认 (Enter)</translation>
    </message>
    <message>
      <source>Undo (Ctrl+Z)</source>
      <translation>撤销 (Ctrl+Z)</translation>
    </message>
    <message>
      <source>Before/after (C)</source>
      <translation>前后对比 (C)</translation>
    </message>
    <message>
      <source>Swipe (S)</source>
      <translation>卷帘 (S)</translation>
    </message>
    <message>
      <source>Patrol link…</source>
      <translation>巡林关联…</translation>
    </message>
    <message>
      <source>Export…</source>
      <translation>导出…</translation>
    </message>
    <message>
      <source>History</source>
      <translation>核查记录</translation>
    </message>
  </context>
  <context>
    <name>PatrolPanel</name>
    <message>
      <source>Patrols</source>
      <translation>巡林次数</translation>
    </message>
    <message>
      <source>Chief or responsibility area</source>
      <translation>林长或责任区</translation>
    </message>
    <message>
      <source>Search a name, code or chief…</source>
      <translation>搜索名称、编码或林长…</translation>
    </message>
    <message>
      <source>Period</source>
      <translation>统计周期</translation>
    </message>
    <message>
      <source>Month</source>
      <translation>月度</translation>
    </message>
    <message>
      <source>Quarter</source>
      <translation>季度</translation>
    </message>
    <message>
      <source>Year</source>
      <translation>年度</translation>
    </message>
    <message>
      <source>Custom</source>
      <translation>自定义</translation>
    </message>
    <message>
      <source>Previous period</source>
      <translation>上一周期</translation>
    </message>
    <message>
      <source>Next period</source>
      <translation>下一周期</translation>
    </message>
    <message>
      <source>From</source>
      <translation>起</translation>
    </message>
    <message>
      <source>To</source>
      <translation>止</translation>
    </message>
    <message>
      <source>Patrol summary</source>
      <translation>巡林统计</translation>
    </message>
    <message>
      <source>Coverage (100 m swath)</source>
      <translation>覆盖率（100 米视野带）</translation>
    </message>
    <message>
      <source>Periods met</source>
      <translation>达标周期</translation>
    </message>
    <message>
      <source>Last patrol</source>
      <translation>最近巡林</translation>
    </message>
    <message>
      <source>Compliance</source>
      <translation>是否达标</translation>
    </message>
    <message>
      <source>Never-visited cells</source>
      <translation>未巡到网格</translation>
    </message>
    <message>
      <source>Tracks on the map</source>
      <translation>地图上的轨迹</translation>
    </message>
    <message>
      <source>QA note of the selected track</source>
      <translation>所选轨迹的质检说明</translation>
    </message>
  </context>
</TS>
