"""The real places the demo city is built around (DESIGN.md section 4) and the name pools for the rest.

Real: 内蒙古自治区 (15), 巴彦淖尔市 (1508) and its seven county-level units with their GB/T 2260 codes,
and the places the seed names: 乌拉特后旗 巴音宝力格镇 塞上社区, 杭锦后旗 陕坝镇, 乌拉特中旗 海流图镇
教育路社区 (with the grid 一中街坊平房区), 临河区 干召庙镇 民主村; also the seat towns of 五原县, 磴口县 and
乌拉特前旗. Their names are real and their rows are not marked synthetic, but below the county level
their CODES ARE PLACEHOLDERS: the real statistical codes (统计用区划代码) are not part of this project, so the
generator gives them codes in the ranges of DESIGN.md section 4, and their outlines are invented.
Seat coordinates are approximate (WGS-84, about a kilometre).
Everything else the generator makes (names, towns, villages, grids, people, outlines) is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass

from grassroots.areas.models import AreaKind

PROVINCE = ("15", "内蒙古自治区", AreaKind.PROVINCE)
CITY = ("1508", "巴彦淖尔市", AreaKind.CITY)


@dataclass(frozen=True)
class County:
    code: str
    name: str
    kind: str
    seat: tuple[float, float]  # (lon, lat) of the seat town or district centre
    seat_name: str  # the real seat town; "" for a district whose centre is streets (街道)
    pastoral: bool  # banners with sumu and gacha (苏木, 嘎查) beside towns and villages
    # Where the rest of its townships lie as seen from the seat (degrees, 0 = east, 90 = north).
    bearing: float
    communities: int  # at city scale (the seed city: 140 in all)
    villages: int  # at city scale (the seed city: 652 in all)


COUNTIES: tuple[County, ...] = (
    County("150802", "临河区", AreaKind.DISTRICT, (107.39, 40.75), "", False, 60, 52, 151),
    County("150821", "五原县", AreaKind.COUNTY, (108.27, 41.09), "隆兴昌镇", False, 0, 16, 110),
    County("150822", "磴口县", AreaKind.COUNTY, (107.01, 40.33), "巴彦高勒镇", False, 225, 12, 60),
    County("150823", "乌拉特前旗", AreaKind.BANNER, (108.65, 40.74), "乌拉山镇", True, 340, 18, 100),
    County("150824", "乌拉特中旗", AreaKind.BANNER, (108.52, 41.57), "海流图镇", True, 90, 14, 75),
    County("150825", "乌拉特后旗", AreaKind.BANNER, (107.07, 41.08), "巴音宝力格镇", True, 135, 10, 40),
    County("150826", "杭锦后旗", AreaKind.BANNER, (107.14, 40.89), "陕坝镇", False, 180, 18, 116),
)
COUNTY_BY_CODE = {c.code: c for c in COUNTIES}

# The seed's places below the county level: (county code, township name, village name or "", grid name or "").
SEED_COMMUNITIES: dict[str, tuple[str, str]] = {
    # county code → (seat town, community named in the seed)
    "150825": ("巴音宝力格镇", "塞上社区"),
    "150824": ("海流图镇", "教育路社区"),
}
SEED_GRIDS: dict[str, str] = {"教育路社区": "一中街坊平房区"}  # community → its first grid's name
SEED_TOWN = ("150802", "干召庙镇", "民主村")  # 临河区 干召庙镇 民主村, a rural town and its village
SEED_TOWN_OFFSET = (0.16, 0.12)  # 干召庙镇 lies north-east of the 临河 centre (approximate, degrees)
SEED_VILLAGE_GROUPS = 6  # 民主村 gets six village groups (for the five-person groups that come later)

# Name pools for synthetic places. Combinations are drawn without repetition inside a county.
TOWN_FIRST = "永新丰胜红东西南北光联民富兴和太长建友团前双万利复跃星乐安德"
TOWN_SECOND = "丰胜兴光明安和华合进乐盛荣利源旺泉平义强"
STREET_NAMES = (
    "城关",
    "城东",
    "城西",
    "城南",
    "城北",
    "新区",
    "站前",
    "河东",
    "河西",
    "滨河",
    "北园",
    "南园",
)
COMMUNITY_NAMES = (
    "幸福", "和谐", "阳光", "康宁", "朝阳", "文化", "团结", "北苑", "南苑", "春晖", "金桥", "丽景", "绿园",
    "锦绣", "安康", "振兴", "育才", "工农", "花园", "新建", "胜利", "友谊", "光明", "长青", "东城", "西城",
    "滨河", "北环", "利民", "富源", "惠民", "兴盛", "永安", "和平", "建设", "前进", "曙光", "翠园", "银河",
    "星光", "丰泽", "怡园", "馨苑", "嘉园", "龙泉", "泰和", "康乐", "凤凰", "紫荆", "广场", "体育", "铁南",
    "园丁", "长安", "新风",
)  # fmt: skip
MONGOLIAN_FIRST = (
    "巴音", "乌兰", "查干", "宝力格", "哈日", "呼和", "赛罕", "额尔登", "阿拉腾", "乌力吉", "海力素", "温都尔",
    "那仁", "希热", "布日都", "阿古拉", "德日苏", "图门", "新忽热", "乌宁",
)  # fmt: skip
MONGOLIAN_SECOND = ("", "宝力格", "陶勒盖", "敖包", "塔拉", "淖尔", "乌苏", "高勒", "诺尔", "哈达", "温都日")
INSTITUTIONS = (
    ("school", "中学"),
    ("school", "小学"),
    ("hospital", "医院"),
    ("market", "农贸市场"),
    ("park", "公园"),
    ("enterprise", "工业园"),
)
