"""Made-up Chinese names, places, titles and phone numbers for the demo district.

Names are drawn from common surnames (weighted towards the Hakka surnames of southern Jiangxi) and
given-name characters; every person and every place name is unique within one demo.
"""
from __future__ import annotations

import numpy as np

# common surnames; those of southern Jiangxi (Hakka) appear twice to weigh them up
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙朱胡郭何林罗郑梁谢宋唐许韩邓曹彭曾肖"
            "钟赖温邱廖叶袁潘蔡余杜程魏丁沈卢江傅熊汤严龚"
            "刘黄钟曾赖温邱廖谢陈")
GIVEN = ("伟强军平华明国建文辉勇斌林春海志荣新光金红燕玲英芳秀兰梅丽霞云永德福发生清水桂香财贵"
         "祥庆远飞涛鹏浩俊杰磊晨宇波峰洪亮东南坤龙凤桃根连茂盛鑫达良新民立冬雪琴萍丹")

# pieces of made-up place names, in the style of southern Jiangxi
PLACE_HEADS = "竹杨梅石黄白桐樟松枫桂茶莲龙凤沙高新上下长湖潭岭塘田坪溪富安和兴隆禾丰"
PLACE_TAILS = "坑坪塘岭岗背坝陂田埠口湾排源溪山垇寨坳洲"
TOWN_HEADS = ("东岭", "白沙", "城西", "梅林", "水口", "龙岗", "樟溪", "茶园", "新圩", "竹坝")

CHIEF_TITLES = {
    1: "区委书记",
    2: "镇党委书记",
    3: "村党支部书记",
    4: "村民小组长",
}
SUBDISTRICT_CHIEF_TITLE = "街道党工委书记"
MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158",
                   "159", "177", "180", "181", "182", "183", "186", "187", "188", "189", "198", "199")
CHINESE_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")


class NameMaker:
    """Unique person and place names from one random generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make) -> str:
        for _ in range(1000):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("ran out of unique demo names")

    def person(self) -> str:
        def make() -> str:
            surname = SURNAMES[self.rng.integers(len(SURNAMES))]
            n_given = 1 if self.rng.random() < 0.3 else 2
            given = "".join(GIVEN[self.rng.integers(len(GIVEN))] for _ in range(n_given))
            return surname + given
        return self._unique(make)

    def village(self) -> str:
        def make() -> str:
            head = PLACE_HEADS[self.rng.integers(len(PLACE_HEADS))]
            tail = PLACE_TAILS[self.rng.integers(len(PLACE_TAILS))]
            return head + tail + "村"
        return self._unique(make)

    def town(self, subdistrict: bool) -> str:
        free = [head for head in TOWN_HEADS if head not in self.used]  # a head is used once, whatever the suffix
        head = free[self.rng.integers(len(free))]
        self.used.add(head)
        return head + ("街道" if subdistrict else "镇")

    def phone(self) -> str:
        def make() -> str:
            prefix = MOBILE_PREFIXES[self.rng.integers(len(MOBILE_PREFIXES))]
            return prefix + "".join(str(d) for d in self.rng.integers(0, 10, 8))
        return self._unique(make)


def group_name(index: int) -> str:
    """第一组, 第二组, ... (index from 1)."""
    if index <= 10:
        return "第" + CHINESE_NUMERALS[index - 1] + "组"
    return "第" + str(index) + "组"


def chief_title(level: int, name: str) -> str:
    if level == 2 and name.endswith("街道"):
        return SUBDISTRICT_CHIEF_TITLE
    return CHIEF_TITLES[level]


def rangers(names: NameMaker, villages: list[tuple[str, str]]) -> list[dict]:
    """Rows of schema.RANGERS: one or two rangers (护林员) and the supervisor (基层监管员) of each village.

    ``villages`` holds (village code, supervisor name) pairs.
    """
    rows = []
    for code, supervisor in villages:
        rows.append({"ranger_id": f"{code}-S01", "name": supervisor, "role": "supervisor",
                     "phone": names.phone(), "area_code": code,
                     "birth_year": int(names.rng.integers(1972, 1996))})
        for n in range(1, 2 + int(names.rng.random() < 0.6)):
            rows.append({"ranger_id": f"{code}-R{n:02d}", "name": names.person(), "role": "ranger",
                         "phone": names.phone(), "area_code": code,
                         "birth_year": int(names.rng.integers(1958, 1992))})
    return rows
