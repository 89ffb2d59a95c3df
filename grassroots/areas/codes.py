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

# The provincial-level divisions of GB/T 2260 (the first two digits of every real area code).
# fmt: off
PROVINCE_CODES: frozenset[str] = frozenset({
    "11", "12", "13", "14", "15",  # North China (Inner Mongolia 15)
    "21", "22", "23",  # Northeast
    "31", "32", "33", "34", "35", "36", "37",  # East
    "41", "42", "43", "44", "45", "46",  # Central-South
    "50", "51", "52", "53", "54",  # Southwest
    "61", "62", "63", "64", "65",  # Northwest
    "71", "81", "82",  # Taiwan, Hong Kong, Macao
})
# fmt: on


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


def parent_of(code: str) -> str:
    """The code of the area that contains ``code``, an area below the province level (a grid's village)."""
    parent = parent_code(code)
    if parent is None:
        raise ValueError(f"a province ({code}) lies in no other area")
    return parent


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
        if code not in PROVINCE_CODES:
            raise CodeError(
                _("Province code %(code)s does not exist in GB/T 2260 (Inner Mongolia is 15).")
                % {"code": code}
            )
        return found
    if code[:2] not in PROVINCE_CODES:
        raise CodeError(
            _("Code %(code)s starts with %(province)s, which is no province code of GB/T 2260.")
            % {"code": code, "province": code[:2]}
        )
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
    # Every segment of the path counts, not only the last one: 150000100 hangs under the
    # non-existent city 1500.
    for lv in Level:
        if Level.PROVINCE < lv <= found:
            segment = code[CODE_LENGTH[Level(lv - 1)] : CODE_LENGTH[lv]]
            if set(segment) == {"0"}:
                raise CodeError(
                    _("Digits %(start)d–%(end)d of code %(code)s (the %(level)s part) may not all be zero.")
                    % {
                        "start": CODE_LENGTH[Level(lv - 1)] + 1,
                        "end": CODE_LENGTH[lv],
                        "code": code,
                        "level": lv.label,
                    }
                )
    return found


def local_part(code: str) -> str:
    """The digits a code adds to its parent's code ("100" for the township 150825100)."""
    level = level_of(code)
    if level == Level.PROVINCE:
        return code
    return code[CODE_LENGTH[Level(level - 1)] :]


def grid_code(village_code: str, sequence: int) -> str:
    """The code of the grid numbered ``sequence`` (1–999) in a village or community."""
    if level_of(village_code) != Level.VILLAGE:
        raise CodeError(_("A grid belongs to a village or community (a 12-digit code)."))
    if not 1 <= sequence <= 999:
        raise CodeError(_("A grid number runs from 1 to 999."))
    return f"{village_code}{sequence:03d}"
