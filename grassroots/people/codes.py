"""Code lists of the register: ethnic groups (GB 3304), relations to the head (after GB/T 4761), political
status (after GB/T 4762), residence types, key groups and attention levels.

Each list is a ``TextChoices`` with English labels (translated in the app's locale). The standard Chinese
names are kept beside them as data, because the import reads them from spreadsheets whatever the language of
the page, and the export writes them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Ethnicity(models.TextChoices):
    """The 56 ethnic groups of GB 3304-91 by their two-digit codes, and the two special codes."""

    HAN = "01", _("Han")
    MONGOL = "02", _("Mongol")
    HUI = "03", _("Hui")
    TIBETAN = "04", _("Tibetan")
    UYGUR = "05", _("Uygur")
    MIAO = "06", _("Miao")
    YI = "07", _("Yi")
    ZHUANG = "08", _("Zhuang")
    BUYEI = "09", _("Buyei")
    KOREAN = "10", _("Korean")
    MAN = "11", _("Manchu")
    DONG = "12", _("Dong")
    YAO = "13", _("Yao")
    BAI = "14", _("Bai")
    TUJIA = "15", _("Tujia")
    HANI = "16", _("Hani")
    KAZAK = "17", _("Kazak")
    DAI = "18", _("Dai")
    LI = "19", _("Li")
    LISU = "20", _("Lisu")
    VA = "21", _("Va")
    SHE = "22", _("She")
    GAOSHAN = "23", _("Gaoshan")
    LAHU = "24", _("Lahu")
    SUI = "25", _("Sui")
    DONGXIANG = "26", _("Dongxiang")
    NAXI = "27", _("Naxi")
    JINGPO = "28", _("Jingpo")
    KIRGIZ = "29", _("Kirgiz")
    TU = "30", _("Tu")
    DAUR = "31", _("Daur")
    MULAO = "32", _("Mulao")
    QIANG = "33", _("Qiang")
    BLANG = "34", _("Blang")
    SALAR = "35", _("Salar")
    MAONAN = "36", _("Maonan")
    GELAO = "37", _("Gelao")
    XIBE = "38", _("Xibe")
    ACHANG = "39", _("Achang")
    PUMI = "40", _("Pumi")
    TAJIK = "41", _("Tajik")
    NU = "42", _("Nu")
    UZBEK = "43", _("Uzbek")
    RUSS = "44", _("Russ")
    EWENKI = "45", _("Ewenki")
    DEANG = "46", _("Deang")
    BONAN = "47", _("Bonan")
    YUGUR = "48", _("Yugur")
    GIN = "49", _("Gin")
    TATAR = "50", _("Tatar")
    DERUNG = "51", _("Derung")
    OROQEN = "52", _("Oroqen")
    HEZHEN = "53", _("Hezhen")
    MONBA = "54", _("Monba")
    LHOBA = "55", _("Lhoba")
    JINO = "56", _("Jino")
    UNIDENTIFIED = "97", _("other (unidentified)")
    NATURALISED = "98", _("Chinese citizen of foreign origin")


ETHNICITY_ZH: dict[str, str] = dict(
    zip(
        Ethnicity.values,
        [
            "汉族",
            "蒙古族",
            "回族",
            "藏族",
            "维吾尔族",
            "苗族",
            "彝族",
            "壮族",
            "布依族",
            "朝鲜族",
            "满族",
            "侗族",
            "瑶族",
            "白族",
            "土家族",
            "哈尼族",
            "哈萨克族",
            "傣族",
            "黎族",
            "傈僳族",
            "佤族",
            "畲族",
            "高山族",
            "拉祜族",
            "水族",
            "东乡族",
            "纳西族",
            "景颇族",
            "柯尔克孜族",
            "土族",
            "达斡尔族",
            "仫佬族",
            "羌族",
            "布朗族",
            "撒拉族",
            "毛南族",
            "仡佬族",
            "锡伯族",
            "阿昌族",
            "普米族",
            "塔吉克族",
            "怒族",
            "乌孜别克族",
            "俄罗斯族",
            "鄂温克族",
            "德昂族",
            "保安族",
            "裕固族",
            "京族",
            "塔塔尔族",
            "独龙族",
            "鄂伦春族",
            "赫哲族",
            "门巴族",
            "珞巴族",
            "基诺族",
            "其他",
            "外国血统中国籍人士",
        ],
        strict=True,
    )
)


class Relation(models.TextChoices):
    """Relation to the head of the household (after GB/T 4761)."""

    HEAD = "head", _("head of household")  # 户主
    SPOUSE = "spouse", _("spouse")  # 配偶
    SON = "son", _("son")  # 子
    DAUGHTER = "daughter", _("daughter")  # 女
    CHILD_IN_LAW = "child_in_law", _("son- or daughter-in-law")  # 儿媳/女婿
    GRANDCHILD = "grandchild", _("grandchild")  # 孙子女/外孙子女
    PARENT = "parent", pgettext_lazy("relation", "parent")  # 父母
    GRANDPARENT = "grandparent", _("grandparent")  # 祖父母
    SIBLING = "sibling", _("brother or sister")  # 兄弟姐妹
    OTHER = "other", _("other")  # 其他


RELATION_ZH: dict[str, list[str]] = {
    Relation.HEAD: ["户主", "本人"],
    Relation.SPOUSE: ["配偶", "妻", "夫", "妻子", "丈夫"],
    Relation.SON: ["子", "儿子", "长子", "次子"],
    Relation.DAUGHTER: ["女", "女儿", "长女", "次女"],
    Relation.CHILD_IN_LAW: ["儿媳", "女婿", "儿媳/女婿"],
    Relation.GRANDCHILD: ["孙子女", "孙子", "孙女", "外孙子", "外孙女", "外孙子女"],
    Relation.PARENT: ["父母", "父亲", "母亲"],
    Relation.GRANDPARENT: ["祖父母", "祖父", "祖母", "外祖父", "外祖母"],
    Relation.SIBLING: ["兄弟姐妹", "兄", "弟", "姐", "妹"],
    Relation.OTHER: ["其他"],
}


class PoliticalStatus(models.TextChoices):
    """After GB/T 4762."""

    PARTY_MEMBER = "party_member", _("Communist Party member")  # 中共党员
    PROBATIONARY = "probationary", _("probationary party member")  # 中共预备党员
    LEAGUE_MEMBER = "league_member", _("Communist Youth League member")  # 共青团员
    DEMOCRATIC_PARTY = "democratic_party", _("member of a democratic party")  # 民主党派
    NON_PARTISAN = "non_partisan", _("without party affiliation")  # 无党派人士
    MASSES = "masses", _("ordinary citizen")  # 群众


POLITICAL_STATUS_ZH: dict[str, str] = {
    PoliticalStatus.PARTY_MEMBER: "中共党员",
    PoliticalStatus.PROBATIONARY: "中共预备党员",
    PoliticalStatus.LEAGUE_MEMBER: "共青团员",
    PoliticalStatus.DEMOCRATIC_PARTY: "民主党派",
    PoliticalStatus.NON_PARTISAN: "无党派人士",
    PoliticalStatus.MASSES: "群众",
}


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("registered resident")  # 户籍人口
    MIGRANT = "migrant", _("migrant")  # 流动人口
    OTHER = "other", _("other")  # 其他 (人户分离 …)


RESIDENCE_TYPE_ZH: dict[str, str] = {
    ResidenceType.REGISTERED: "户籍",
    ResidenceType.MIGRANT: "流动",
    ResidenceType.OTHER: "其他",
}


class KeyGroup(models.TextChoices):
    """Key groups (重点人群) the grid worker looks after. Sensitive: visible only within scope."""

    ELDERLY_ALONE = "elderly_alone", _("elderly living alone")  # 独居老人
    EMPTY_NEST = "empty_nest", _("empty-nest elderly")  # 空巢老人
    LEFT_BEHIND_CHILD = "left_behind_child", _("left-behind child")  # 留守儿童
    DISABLED = "disabled", _("person with a disability")  # 残疾人
    MINIMUM_ALLOWANCE = "minimum_allowance", _("minimum-allowance household")  # 低保户
    EXTREME_POVERTY = "extreme_poverty", _("extreme-poverty support")  # 特困供养人员
    VETERAN = "veteran", _("veteran")  # 退役军人
    SERIOUS_ILLNESS = "serious_illness", _("serious illness")  # 大病患者
    MENTAL_DISORDER = "mental_disorder", _("severe mental disorder")  # 严重精神障碍患者
    COMMUNITY_CORRECTION = "community_correction", _("under community correction")  # 社区矫正对象
    RELEASED_PRISONER = "released_prisoner", _("released from prison")  # 刑满释放人员
    OTHER = "other", _("other key group")  # 其他


KEY_GROUP_ZH: dict[str, str] = {
    KeyGroup.ELDERLY_ALONE: "独居老人",
    KeyGroup.EMPTY_NEST: "空巢老人",
    KeyGroup.LEFT_BEHIND_CHILD: "留守儿童",
    KeyGroup.DISABLED: "残疾人",
    KeyGroup.MINIMUM_ALLOWANCE: "低保户",
    KeyGroup.EXTREME_POVERTY: "特困人员",
    KeyGroup.VETERAN: "退役军人",
    KeyGroup.SERIOUS_ILLNESS: "大病患者",
    KeyGroup.MENTAL_DISORDER: "严重精神障碍患者",
    KeyGroup.COMMUNITY_CORRECTION: "社区矫正对象",
    KeyGroup.RELEASED_PRISONER: "刑满释放人员",
    KeyGroup.OTHER: "其他",
}


class Attention(models.IntegerChoices):
    """关注程度: how closely a key-group member is followed; sets the household's visit interval."""

    GENERAL = 1, _("general attention")  # 一般关注
    FOCUS = 2, _("focused attention")  # 重点关注
    CLOSE = 3, _("close attention")  # 密切关注


ATTENTION_ZH: dict[int, str] = {Attention.GENERAL: "一般", Attention.FOCUS: "重点", Attention.CLOSE: "密切"}

# Days between visits for a household whose most closely followed member has this level.
VISIT_INTERVAL_DAYS: dict[int, int] = {Attention.GENERAL: 90, Attention.FOCUS: 30, Attention.CLOSE: 7}


class PlaceKind(models.TextChoices):
    SHOP = "shop", _("shop")  # 商铺
    SCHOOL = "school", _("school")  # 学校
    CLINIC = "clinic", _("clinic or hospital")  # 卫生室/医院
    ENTERPRISE = "enterprise", _("enterprise")  # 企业
    PROPERTY_COMPANY = "property_company", _("property management company")  # 物业公司
    CO_BUILDING_UNIT = "co_building_unit", _("co-building unit")  # 共建单位
    DEPARTMENT = "department", _("government department")  # 职能部门
    SOCIAL_ORGANISATION = "social_organisation", _("social organisation")  # 社会组织
    OTHER = "other", _("other place")  # 其他


def lookup_zh(table: dict, text: str):
    """The code whose Chinese name (or one of its names) is ``text``; None when unknown."""
    text = (text or "").strip()
    for code, names in table.items():
        if text == names or (isinstance(names, list) and text in names):
            return code
    return None
