"""Reading the uploaded file: the upload checks, the rows of the first sheet, the header row, cell text, and
the errors collected by row and column."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from grassroots.sheets import ImportFileError, XlsxBook, sniff_xlsx

from ...codes import Attention
from ...errors import ImportRejected, PeopleError
from .sheet import (
    ATTENTION_BY_NAME,
    COLUMNS,
    HEADER_OF,
    KEY_GROUP_BY_NAME,
    KEY_OF,
    MAX_REPORTED_ERRORS,
    MAX_UNZIPPED_BYTES,
)


class Errors:
    def __init__(self):
        self.items: list[dict] = []
        self.count = 0

    def add(self, line: int | None, column: str, message) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append({"row": line, "column": column, "message": str(message)})


def cell_text(value) -> str:
    """A cell value as one line of text (a whole float without its ".0")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def open_rows(path: Path) -> Iterator[tuple]:
    """The rows of the first sheet; formulas read as their text ("=…"), so that the row check refuses them."""
    try:
        with XlsxBook(path, formulas=True) as book:
            if not book.worksheets:
                return
            yield from book.worksheets[0].iter_rows()
    except ImportFileError as exc:
        raise ImportRejected(exc.message, code=exc.code) from None


def check_file(path: Path) -> None:
    try:
        sniff_xlsx(path, max_unzipped=MAX_UNZIPPED_BYTES)
    except ImportFileError as exc:
        raise ImportRejected(exc.message, code=exc.code) from None


def header_map(header_row, errors: Errors) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(header_row or ()):
        header = cell_text(value).rstrip("*").strip()
        if not header:
            continue
        key = KEY_OF.get(header)
        if key is None:
            errors.add(
                1, header, _("Unknown column “%(header)s”; use the template's headers.") % {"header": header}
            )
        elif key in found:
            errors.add(1, header, _("Column “%(header)s” appears twice.") % {"header": header})
        else:
            found[key] = index
    missing = [HEADER_OF[k] for k, _h, required in COLUMNS if required and k not in found]
    if missing:
        errors.add(
            1,
            "",
            _("Required columns are missing: %(columns)s. Use the template.")
            % {"columns": "、".join(missing)},
        )
    return found


def parse_key_groups(raw: str) -> list[tuple[str, int]]:
    groups = []
    for part in raw.replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        name, _sep, level = part.replace("：", ":").partition(":")
        kind = KEY_GROUP_BY_NAME.get(name.strip())
        if kind is None:
            raise PeopleError(_("Unknown key group “%(name)s”.") % {"name": name.strip()})
        attention = ATTENTION_BY_NAME.get(level.strip(), None) if level.strip() else Attention.GENERAL
        if attention is None:
            raise PeopleError(
                _("Unknown attention level “%(level)s”; use 一般, 重点 or 密切.") % {"level": level.strip()}
            )
        groups.append((kind, int(attention)))
    return groups
