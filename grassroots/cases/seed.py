"""The default service types (服务类型): the seed's examples plus the common urban-management event and
component classes. Top classes carry the time limits (children inherit them) and canned replies.

Used by migration 0002 and by ``manage.py seed_categories``; both only add what is missing, so an
administrator's edits survive a second run.
"""

from __future__ import annotations

# (code, name, class, default urgency, handler level, handler type, limits, canned replies, children)
# limits: {urgency: (response amount, unit, handling amount, unit)}; units: hours, days, clock_hours.
H, D, C = "hours", "days", "clock_hours"
GRID, VILLAGE, TOWNSHIP, COUNTY = 6, 5, 4, 3

_STANDARD = {"normal": (1, D, 7, D), "urgent": (4, H, 3, D), "emergency": (1, C, 24, C)}
_QUICK = {"normal": (1, D, 2, D), "urgent": (4, H, 1, D), "emergency": (1, C, 4, C)}

TREE = [
    ("01", "市容环境", "event", "normal", GRID, "grid_worker", _QUICK,
     ["已联系保洁人员清理。", "已清理完毕，感谢您的反映。"],
     [("0101", "乱扔垃圾、暴露垃圾"), ("0102", "积存垃圾渣土"), ("0103", "道路不洁"),
      ("0104", "违规张贴小广告"), ("0105", "焚烧垃圾、秸秆"), ("0106", "动物尸体"), ("0107", "污水外溢")]),
    ("02", "公共设施（部件）", "component", "normal", VILLAGE, "community", _STANDARD,
     ["已登记，已通知维修单位。", "设施已修复，欢迎监督。"],
     [("0201", "公告栏、宣传栏损坏"), ("0202", "健身器材损坏"), ("0203", "座椅及休闲设施损坏"),
      ("0204", "垃圾桶、果皮箱损坏"), ("0205", "公共厕所"), ("0206", "路灯不亮或损坏"),
      ("0207", "井盖缺失或损坏")]),
    ("03", "道路交通（部件）", "component", "normal", TOWNSHIP, "department", _STANDARD,
     ["已转交通、市政部门处理。"],
     [("0301", "路面破损、坑洼"), ("0302", "交通标志、信号灯损坏"), ("0303", "护栏、隔离设施损坏"),
      ("0304", "占道停车、乱停放")]),
    ("04", "市政公用", "component", "urgent", TOWNSHIP, "department",
     {"normal": (4, H, 24, C), "urgent": (2, H, 12, C), "emergency": (1, C, 4, C)},
     ["已联系供水（供热、燃气、供电）单位抢修。"],
     [("0401", "供水问题、停水"), ("0402", "排水不畅、下水道堵塞"), ("0403", "供暖问题"),
      ("0404", "燃气问题"), ("0405", "供电、线缆问题")]),
    ("05", "园林绿化", "event", "normal", VILLAGE, "unit", _STANDARD,
     ["已通知园林养护单位。"],
     [("0501", "绿地损毁"), ("0502", "树木倒伏、枯死"), ("0503", "毁绿种菜")]),
    ("06", "房屋土地", "event", "normal", TOWNSHIP, "department",
     {"normal": (1, D, 15, D), "urgent": (4, H, 7, D), "emergency": (1, C, 24, C)},
     ["已转相关部门核查。"],
     [("0601", "违法建设、私搭乱建"), ("0602", "危房"), ("0603", "圈占公共用地")]),
    ("07", "街面秩序", "event", "normal", VILLAGE, "community",
     {"normal": (4, H, 1, D), "urgent": (2, H, 4, H), "emergency": (1, C, 2, C)},
     ["已劝导整改。"],
     [("0701", "占道经营"), ("0702", "流动摊贩"), ("0703", "噪音扰民"), ("0704", "车辆乱停放")]),
    ("08", "安全隐患", "event", "urgent", VILLAGE, "community",
     {"normal": (4, H, 3, D), "urgent": (2, H, 1, D), "emergency": (1, C, 2, C)},
     ["已现场查看并设置警示。", "隐患已排除。"],
     [("0801", "消防隐患、堵塞消防通道"), ("0802", "电动车违规充电"), ("0803", "燃气使用隐患"),
      ("0804", "危墙、危险构筑物"), ("0805", "防汛、地质灾害隐患")]),
    ("09", "矛盾纠纷", "event", "normal", VILLAGE, "community",
     {"normal": (1, D, 15, D), "urgent": (4, H, 3, D), "emergency": (1, C, 24, C)},
     ["已约双方调解。", "经调解双方达成一致。"],
     [("0901", "邻里纠纷"), ("0902", "婚姻家庭纠纷"), ("0903", "物业纠纷"), ("0904", "劳资纠纷、欠薪"),
      ("0905", "土地、草场纠纷")]),
    ("10", "民生服务", "service", "normal", VILLAGE, "community", _STANDARD,
     ["已上门了解情况。", "已按政策帮扶。"],
     [("1001", "困难帮扶、临时救助"), ("1002", "独居老人关爱"), ("1003", "残疾人服务"),
      ("1004", "就业帮扶"), ("1005", "医疗卫生")]),
    ("11", "政策咨询", "consultation", "normal", GRID, "grid_worker",
     {"normal": (1, D, 3, D), "urgent": (4, H, 1, D), "emergency": (2, H, 4, H)},
     ["已电话答复政策。", "相关政策已当面解释。"],
     [("1101", "社保、医保政策"), ("1102", "低保、救助政策"), ("1103", "户籍政策"),
      ("1104", "惠农惠牧政策")]),
    ("12", "代办帮办", "service", "normal", GRID, "grid_worker",
     {"normal": (1, D, 5, D), "urgent": (4, H, 2, D), "emergency": (2, H, 1, D)},
     ["材料已收齐，正在代办。", "已办结，请查收。"],
     [("1201", "证件代办"), ("1202", "社保医保缴费"), ("1203", "补贴申领"), ("1204", "证明开具")]),
    ("13", "应急事件", "event", "emergency", TOWNSHIP, "township",
     {"normal": (1, C, 4, C), "urgent": (1, C, 2, C), "emergency": (1, C, 2, C)},
     ["已启动应急处置。"],
     [("1301", "火灾"), ("1302", "自然灾害"), ("1303", "突发公共卫生事件"), ("1304", "群体性事件"),
      ("1305", "安全生产事故")]),
    ("99", "其他", "event", "normal", VILLAGE, "community", _STANDARD, [], []),
]  # fmt: skip


def seed_categories(Category, CategoryLimit) -> int:
    """Add the default categories and limits that are missing; returns how many categories were added."""
    # Migration 0002 runs this with the model as it was then, before service types had English names.
    has_english = any(f.name == "name_en" for f in Category._meta.get_fields())

    def english(code: str) -> dict:
        return {"name_en": NAMES_EN.get(code, "")} if has_english else {}

    added = 0
    for order, (code, name, klass, urgency, level, handler, limits, replies, children) in enumerate(TREE):
        top, created = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category_class": klass,
                "default_urgency": urgency,
                "handler_level": level,
                "handler_type": handler,
                "canned_replies": replies,
                "sort_order": order * 100,
            },
        )
        added += created
        for key, (r_amount, r_unit, h_amount, h_unit) in limits.items():
            CategoryLimit.objects.get_or_create(
                category=top,
                urgency=key,
                defaults={
                    "response_amount": r_amount,
                    "response_unit": r_unit,
                    "handling_amount": h_amount,
                    "handling_unit": h_unit,
                },
            )
        for position, (child_code, child_name) in enumerate(children):
            _child, created = Category.objects.get_or_create(
                code=child_code,
                defaults={
                    "name": child_name,
                    **english(child_code),
                    "parent": top,
                    "category_class": klass,
                    "default_urgency": urgency,
                    "handler_level": level,
                    "handler_type": handler,
                    "sort_order": order * 100 + position + 1,
                },
            )
            added += created
    if has_english:
        fill_english_names(Category)
    return added


# English names of the seeded service types, shown when the reader's language is English (Category.name_en).
NAMES_EN = {
    "01": "City appearance and environment",
    "0101": "Litter, exposed rubbish", "0102": "Piled-up rubbish or spoil", "0103": "Dirty road",
    "0104": "Illegal posters and flyers", "0105": "Burning rubbish or straw", "0106": "Dead animal",
    "0107": "Sewage overflow",
    "02": "Public facilities (components)",
    "0201": "Damaged notice or publicity board", "0202": "Damaged fitness equipment",
    "0203": "Damaged benches or leisure facilities", "0204": "Damaged rubbish bin", "0205": "Public toilet",
    "0206": "Street light out or damaged", "0207": "Missing or damaged manhole cover",
    "03": "Roads and traffic (components)",
    "0301": "Damaged road surface, potholes", "0302": "Damaged traffic sign or signal",
    "0303": "Damaged guardrail or barrier", "0304": "Parking on the road, disorderly parking",
    "04": "Public utilities",
    "0401": "Water supply problem, water cut", "0402": "Poor drainage, blocked sewer", "0403": "Heating problem",
    "0404": "Gas problem", "0405": "Power supply or cable problem",
    "05": "Parks and greenery",
    "0501": "Damaged green space", "0502": "Fallen or dead tree", "0503": "Green space dug up for vegetables",
    "06": "Buildings and land",
    "0601": "Illegal construction", "0602": "Dangerous building", "0603": "Public land fenced off",
    "07": "Street order",
    "0701": "Trading on the road", "0702": "Street vendors", "0703": "Noise nuisance",
    "0704": "Vehicles parked in disorder",
    "08": "Safety hazards",
    "0801": "Fire hazard, blocked fire lane", "0802": "Unsafe e-bike charging", "0803": "Unsafe gas use",
    "0804": "Dangerous wall or structure", "0805": "Flood or geological hazard",
    "09": "Disputes",
    "0901": "Dispute between neighbours", "0902": "Marriage or family dispute", "0903": "Property management dispute",
    "0904": "Labour dispute, unpaid wages", "0905": "Land or grassland dispute",
    "10": "Livelihood services",
    "1001": "Hardship help, temporary relief", "1002": "Care for elderly living alone",
    "1003": "Services for people with disabilities", "1004": "Help finding work", "1005": "Health care",
    "11": "Policy questions",
    "1101": "Social insurance and medical insurance", "1102": "Subsistence allowance and relief",
    "1103": "Household registration", "1104": "Support for farmers and herders",
    "12": "Errands on residents' behalf",
    "1201": "Papers and certificates on one's behalf", "1202": "Social and medical insurance payments",
    "1203": "Applying for subsidies", "1204": "Issuing certificates",
    "13": "Emergencies",
    "1301": "Fire", "1302": "Natural disaster", "1303": "Public health emergency", "1304": "Mass incident",
    "1305": "Work safety accident",
    "99": "Other",
}  # fmt: skip


def fill_english_names(Category) -> int:
    """Give the seeded service types their English names where none is set (an administrator's own wording
    stays); returns how many were filled."""
    filled = 0
    for code, name_en in NAMES_EN.items():
        filled += Category.objects.filter(code=code, name_en="").update(name_en=name_en)
    return filled
