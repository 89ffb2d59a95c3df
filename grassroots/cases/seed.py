"""The default service types (服务类型): the seed's examples plus the common urban-management event and
component classes. Top classes carry the time limits (children inherit them) and canned replies.

Used by migration 0002 and by ``manage.py seed_categories``; both only add what is missing, so an
administrator's edits survive a second run.
"""

from __future__ import annotations

from .seed_names import NAMES

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
    added = 0
    fields = _other_fields(Category)
    for order, (code, name, klass, urgency, level, handler, limits, replies, children) in enumerate(TREE):
        top, created = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                **_other_names(code, fields),
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
                    **_other_names(child_code, fields),
                    "parent": top,
                    "category_class": klass,
                    "default_urgency": urgency,
                    "handler_level": level,
                    "handler_type": handler,
                    "sort_order": order * 100 + position + 1,
                },
            )
            added += created
    fill_other_names(Category)
    return added


def _other_fields(Category) -> set[str]:
    # Migrations run this on historical models, which may not have the names in other languages yet.
    return {"name_en", "name_mn"} & {field.name for field in Category._meta.get_fields()}


def _other_names(code: str, fields: set[str]) -> dict[str, str]:
    english, mongolian = NAMES.get(code, ("", ""))
    return {
        field: value for field, value in (("name_en", english), ("name_mn", mongolian)) if field in fields
    }


def fill_other_names(Category) -> int:
    """Give the seeded service types the English and Mongolian names they lack (an administrator's own wording
    stays); returns how many names were filled."""
    fields = _other_fields(Category)
    filled = 0
    for code in NAMES:
        for field, value in _other_names(code, fields).items():
            if value:
                filled += Category.objects.filter(code=code, **{field: ""}).update(**{field: value})
    return filled
