"""林长制考核 (forest chief assessment): indicators and weights, scores per chief and period, 黄牌警告 (yellow
cards), the 负面清单 (negative list) per town, and the Excel report. Pure Python: no Qt, no QGIS."""
