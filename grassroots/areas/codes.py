"""Area codes: the path of significant digits that every scoped row carries (DESIGN.md section 3).

province 2 · city/league 4 · county/banner/district 6 (GB/T 2260) · township/sumu/street 9 ·
village/gacha/community 12 (统计用区划代码) · grid 15 (village code + 3-digit sequence).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("province")  # 省/自治区
    CITY = 2, _("city / league")  # 市/盟
    COUNTY = 3, _("county / banner / district")  # 县/旗/区
    TOWNSHIP = 4, _("township / sumu / street")  # 乡镇/苏木/街道
    VILLAGE = 5, _("village / gacha / community")  # 村/嘎查/社区
    GRID = 6, _("grid")  # 网格


CODE_LENGTH: dict[int, int] = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
    Level.GRID: 15,
}
LEVEL_BY_LENGTH: dict[int, Level] = {length: Level(level) for level, length in CODE_LENGTH.items()}


class CodeError(ValueError):
    """A code that cannot be an area code; ``message`` is translatable and says what is wrong."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def level_of(code: str) -> Level:
    """The level a code's length stands for; raises CodeError for any other shape."""
    if not isinstance(code, str) or not code.isascii() or not code.isdigit():
        raise CodeError(_("An area code contains digits only."))
    try:
        return LEVEL_BY_LENGTH[len(code)]
    except KeyError:
        raise CodeError(
            _("An area code has 2, 4, 6, 9, 12 or 15 digits; this one has %(n)d.") % {"n": len(code)}
        ) from None


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == Level.PROVINCE:
        return None
    return code[: CODE_LENGTH[Level(level - 1)]]


def ancestor_codes(code: str) -> list[str]:
    """Codes from the province down to (and including) ``code``."""
    level = level_of(code)
    return [code[: CODE_LENGTH[lv]] for lv in Level if lv <= level]


def validate_code(code: str, *, level: int | None = None, parent: str | None = None) -> Level:
    """Check a code's shape, its level and that it extends its parent's code. Returns the level."""
    found = level_of(code)
    if level is not None and found != level:
        raise CodeError(
            _("A %(level)s code has %(n)d digits.") % {"level": Level(level).label, "n": CODE_LENGTH[level]}
        )
    if found == Level.PROVINCE:
        if parent:
            raise CodeError(_("A province has no parent area."))
        if code == "00":
            raise CodeError(_("Province code 00 does not exist."))
        return found
    if parent is not None and code[: len(parent)] != parent:
        raise CodeError(
            _("Code %(code)s does not extend its parent's code %(parent)s.")
            % {"code": code, "parent": parent}
        )
    if parent is not None and len(parent) != CODE_LENGTH[Level(found - 1)]:
        raise CodeError(
            _("A %(level)s must sit directly under a %(parent_level)s.")
            % {"level": found.label, "parent_level": Level(found - 1).label}
        )
    suffix = code[CODE_LENGTH[Level(found - 1)] :]
    if set(suffix) == {"0"}:
        raise CodeError(
            _("The last %(n)d digits of code %(code)s may not all be zero.")
            % {"n": len(suffix), "code": code}
        )
    return found
