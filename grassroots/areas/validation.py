"""Rules about areas that need no database: which kinds fit which level, the code ranges of
DESIGN.md section 4, the names people write kinds with, and the report every import returns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from .codes import Level, local_part
from .models import AreaKind, GridKind

KINDS_BY_LEVEL: dict[int, frozenset[str]] = {
    Level.PROVINCE: frozenset({AreaKind.PROVINCE}),
    Level.CITY: frozenset({AreaKind.CITY, AreaKind.LEAGUE}),
    # A county-level city (县级市, e.g. 丰镇市) is a "city" one level down.
    Level.COUNTY: frozenset({AreaKind.DISTRICT, AreaKind.COUNTY, AreaKind.BANNER, AreaKind.CITY}),
    Level.TOWNSHIP: frozenset({AreaKind.STREET, AreaKind.TOWN, AreaKind.TOWNSHIP, AreaKind.SUMU}),
    Level.VILLAGE: frozenset({AreaKind.COMMUNITY, AreaKind.VILLAGE, AreaKind.GACHA}),
    Level.GRID: frozenset({AreaKind.GRID}),
}

# Code ranges of the statistical division codes (统计用区划代码): the 3 digits a township or village adds.
KIND_RANGES: dict[str, tuple[int, int]] = {
    AreaKind.STREET: (1, 99),
    AreaKind.TOWN: (100, 199),
    AreaKind.TOWNSHIP: (200, 399),
    AreaKind.SUMU: (200, 399),
    AreaKind.COMMUNITY: (1, 199),
    AreaKind.VILLAGE: (200, 399),
    AreaKind.GACHA: (200, 399),
}

# What people write in a spreadsheet's kind column: the stored value, or the usual Chinese word.
# The first Chinese word of each kind is what exports write.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    AreaKind.PROVINCE: ("省", "自治区", "直辖市"),
    AreaKind.CITY: ("市",),
    AreaKind.LEAGUE: ("盟",),
    AreaKind.DISTRICT: ("区",),
    AreaKind.COUNTY: ("县",),
    AreaKind.BANNER: ("旗",),
    AreaKind.STREET: ("街道",),
    AreaKind.TOWN: ("镇",),
    AreaKind.TOWNSHIP: ("乡",),
    AreaKind.SUMU: ("苏木",),
    AreaKind.COMMUNITY: ("社区", "居委会"),
    AreaKind.VILLAGE: ("村", "村委会"),
    AreaKind.GACHA: ("嘎查",),
    AreaKind.GRID: ("网格",),
}
GRID_KIND_WORDS: dict[str, tuple[str, ...]] = {
    GridKind.COMMUNITY: ("社区网格",),
    GridKind.DEDICATED: ("专属网格",),
    GridKind.RURAL: ("农牧区网格", "农村网格", "牧区网格"),
}


def _lookup(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table = {}
    for value, names in words.items():
        table[value.lower()] = value
        for name in names:
            table[name] = value
    return table


_AREA_KIND_BY_WORD = _lookup(KIND_WORDS)
_GRID_KIND_BY_WORD = _lookup(GRID_KIND_WORDS)


def area_kind_from_word(word: str) -> str | None:
    """The AreaKind value for what a person wrote ("嘎查", "gacha"), or None."""
    return _AREA_KIND_BY_WORD.get(word.strip().lower())


def grid_kind_from_word(word: str) -> str | None:
    return _GRID_KIND_BY_WORD.get(word.strip().lower())


def area_kind_word(kind: str) -> str:
    return KIND_WORDS.get(kind, (kind,))[0]


def grid_kind_word(kind: str) -> str:
    return GRID_KIND_WORDS.get(kind, (kind,))[0]


def kind_fits_level(kind: str, level: int) -> bool:
    return kind in KINDS_BY_LEVEL.get(level, frozenset())


def kind_level_message(kind: str, level: int):
    allowed = "、".join(area_kind_word(k) for k in sorted(KINDS_BY_LEVEL[level]))
    return _("A %(level)s cannot be of kind %(kind)s; use one of: %(allowed)s.") % {
        "level": Level(level).label,
        "kind": kind,
        "allowed": allowed,
    }


def code_range_warning(code: str, kind: str):
    """A message when a township's or village's code lies outside the range usual for its kind, else None.

    Only a warning: real codes do not always follow the ranges (farms, pastures, development zones)."""
    bounds = KIND_RANGES.get(kind)
    if bounds is None:
        return None
    number = int(local_part(code))
    low, high = bounds
    if low <= number <= high:
        return None
    return _(
        "Code %(code)s ends in %(part)s; a %(kind)s is usually numbered %(low)03d–%(high)03d. "
        "Check the code or the kind."
    ) % {"code": code, "part": local_part(code), "kind": AreaKind(kind).label, "low": low, "high": high}


@dataclasses.dataclass
class Problem:
    """One error or warning of an import, pointing at the place in the file that caused it.

    ``row`` is the spreadsheet row number (1 is the header) or, for GeoJSON, the index of the feature
    in ``features`` (from 0); None for the file as a whole."""

    message: str
    row: int | None = None
    column: str = ""
    code: str = ""
    sheet: str = ""

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": str(self.message),
        }


@dataclasses.dataclass
class ImportReport:
    """What an import did (or, in a dry run or when refused, would have done)."""

    kind: str  # "tree" or "boundaries"
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[Problem] = dataclasses.field(default_factory=list)
    warnings: list[Problem] = dataclasses.field(default_factory=list)
    written: bool = False
    # Problems beyond MAX_PROBLEMS are counted, not kept: a broken 10,000-row file needs no 10,000 lines.
    errors_left_off: int = 0
    warnings_left_off: int = 0

    MAX_PROBLEMS = 1000

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_left_off

    def error(self, message, **where) -> None:
        if len(self.errors) < self.MAX_PROBLEMS:
            self.errors.append(Problem(message, **where))
        else:
            self.errors_left_off += 1

    def warn(self, message, **where) -> None:
        if len(self.warnings) < self.MAX_PROBLEMS:
            self.warnings.append(Problem(message, **where))
        else:
            self.warnings_left_off += 1

    def extend(self, problems: Iterable[Problem], *, as_errors: bool) -> None:
        for p in problems:
            (self.error if as_errors else self.warn)(
                p.message, row=p.row, column=p.column, code=p.code, sheet=p.sheet
            )

    def sort(self, sheets: tuple[str, ...] = ()) -> None:
        """Order errors and warnings as they stand in the file: by sheet, then row (file-wide first)."""

        def key(p: Problem):
            sheet = sheets.index(p.sheet) if p.sheet in sheets else len(sheets)
            return (sheet, -1 if p.row is None else p.row)

        self.errors.sort(key=key)
        self.warnings.sort(key=key)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "written": self.written,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "errors_left_off": self.errors_left_off,
            "warnings_left_off": self.warnings_left_off,
        }
