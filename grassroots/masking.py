"""Masks for personal data, the one place where every list, export, log and public page gets them.

ID number (GB 11643): first 6 and last 4 shown, ``150825********123X``.
Mobile phone: first 3 and last 4 shown, ``138****5678``; other numbers keep only their last 4 digits.
Names on public rosters: ``张*明`` (first and last character kept; two-character names keep the first).
Numbers in free text (:func:`mask_numbers_in_text`): every mobile and ID number a person wrote, in any
spelling, masked where it stands; templates say ``|masked``, API answers use :data:`MaskedText`, log lines
pass :class:`MaskingLogFilter`.
Public rosters (:func:`public_roster_row`): only the fields of ``PUBLIC_ROSTER_FIELDS`` ever leave, the name
masked by the board's style; ID, phone, bank account, income and health detail never do.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from typing import Annotated, NamedTuple

from django.utils.translation import gettext
from pydantic import PlainSerializer


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    value = value.strip()
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


# --- numbers in free text ------------------------------------------------------------------------------------
# People type numbers in many spellings: 13812345678, 138 1234 5678, 138-1234-5678, 138.1234.5678,
# +86 138…, 0086…, (+86)…, full-width １３８…, Mongolian ᠑᠓᠘…, 150825 19900101 1234, 15-digit IDs of before 1999. A "run" is
# found in the text as written (full-width digits and every separator people use are part of the pattern),
# then read group by group: the masked digits are replaced where they stand and everything else (separators,
# full-width digits, the words around) is left as written.

_D = "0-9\uff10-\uff19\u1810-\u1819"  # ASCII, full-width and Mongolian digits (᠐–᠙, typed in Mongolian text)
# Separators people put between the groups of a number: spaces (ordinary, no-break, thin, ideographic), tab,
# dots, hyphens and dashes (ASCII, Unicode, full-width), the middle dots.
_S = " \u00a0\u2009\u202f\u3000\t.\\-\u2010-\u2015\u2212\uff0d\uff0e\u00b7\u30fb"
# A run: an optional country code (+86, 0086, (+86) …), then digits with at most three separators between
# any two of them, then an optional X (the check character of an ID). Never next to another digit.
_RUN = re.compile(
    rf"(?<![{_D}])"
    rf"(?P<prefix>[(（]?(?:[+＋][{_S}]?|[0０][0０][{_S}]?)[8８][6６][)）]?[{_S}]{{0,3}})?"
    rf"(?P<body>[{_D}](?:[{_S}]{{0,3}}[{_D}])*(?:[{_S}]{{0,3}}[XxＸｘ])?)"
    rf"(?![{_D}])"
)
_ANY_DIGIT = re.compile(f"[{_D}]")
# How each character of a number reads: full-width and Mongolian digits as digits, any X as X.
_READ = (
    {str(i): str(i) for i in range(10)}
    | {chr(0xFF10 + i): str(i) for i in range(10)}
    | {chr(0x1810 + i): str(i) for i in range(10)}
    | dict.fromkeys("XxＸｘ", "X")
)
_SEPARATOR = re.compile(f"[{_S}]+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# First two digits of a mainland ID: the provinces (GB/T 2260), and 81/82/83 of the residence permits of
# Hong Kong, Macao and Taiwan residents.
_PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
})  # fmt: skip


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _is_id_number(chars: str) -> bool:
    """Whether ``chars`` (digits, perhaps a final X) is a mainland ID number: 18 characters (17 digits and a
    digit or X) or 15 digits, starting with a province and carrying a real birth date. A mistyped check
    character still counts (it is still someone's number); a date or province that cannot be does not, which
    keeps reference numbers (a case's 20260302 + 7 digits) and other long numbers as they are."""
    if len(chars) == 18 and chars[:17].isdigit() and (chars[17].isdigit() or chars[17] in "Xx"):
        year, month, day = int(chars[6:10]), int(chars[10:12]), int(chars[12:14])
        return chars[:2] in _PROVINCES and 1800 <= year <= 2099 and _is_date(year, month, day)
    if len(chars) == 15 and chars.isdigit():
        return chars[:2] in _PROVINCES and _is_date(
            1900 + int(chars[6:8]), int(chars[8:10]), int(chars[10:12])
        )
    return False


class FoundNumber(NamedTuple):
    kind: str  # "mobile" or "id_number"
    start: int  # the span in the text, as written
    end: int
    masked: str  # the span as every rendering shows it


_LENGTHS = frozenset({11, 13, 15, 18})  # a mobile, +86 and a mobile, the two IDs


def _found_in_run(text: str, match: re.Match) -> list[FoundNumber]:
    """The numbers of one run: from each group on, the longest ID or mobile number made of whole groups."""
    if len(_SEPARATOR.sub("", match.group("body"))) < 11:
        return []  # too short for any number: most runs (dates, amounts, counts) end here
    groups: list[list[tuple[str, int]]] = [[]]  # (digit or X, its index in the text) per group
    for k, c in enumerate(match.group("body"), start=match.start("body")):
        digit = _READ.get(c)
        if digit is not None:
            groups[-1].append((digit, k))
        elif groups[-1]:  # a separator ends a group
            groups.append([])
    prefixed = match.group("prefix") is not None
    found: list[FoundNumber] = []
    i = 0
    while i < len(groups):
        ends, length = [], 0
        for j in range(i, len(groups)):
            length += len(groups[j])
            if length > 19:
                break
            ends.append((j, length))
        for j, length in reversed(ends):
            chars = [c for g in groups[i : j + 1] for c in g]
            hit = _classify(chars) if length in _LENGTHS else None
            if hit is None and chars[-1][0] == "X" and length - 1 in _LENGTHS:
                chars = chars[:-1]  # an X after a mobile number or an old ID is not part of it
                hit = _classify(chars)
            if hit is None:
                continue
            kind, lo, hi = hit
            masked_at = {pos for _, pos in chars[lo:hi]}
            start = match.start() if i == 0 and prefixed and kind == "mobile" else chars[0][1]
            end = chars[-1][1] + 1
            masked = "".join("*" if k in masked_at else text[k] for k in range(start, end))
            found.append(FoundNumber(kind, start, end, masked))
            i = j
            break
        i += 1
    return found


def _classify(chars: list[tuple[str, int]]) -> tuple[str, int, int] | None:
    """(kind, first masked character, end of the masked characters) of a number, or None."""
    digits = "".join(c for c, _ in chars)
    if _is_id_number(digits):
        return ("id_number", 6, len(digits) - 4)
    if len(digits) == 11 and _MOBILE.fullmatch(digits):
        return ("mobile", 3, 7)
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        return ("mobile", 5, 9)
    return None


def find_numbers(text: str | None) -> list[FoundNumber]:
    """Every mainland mobile and ID number written in ``text``, in any of the spellings people use."""
    if not text or not _ANY_DIGIT.search(text):
        return []
    found: list[FoundNumber] = []
    for match in _RUN.finditer(text):
        found.extend(_found_in_run(text, match))
    return found


def mask_numbers_in_text(text: str | None) -> str:
    """Free text with every mobile and ID number in it masked where it stands (ID: first 6 and last 4
    digits shown, mobile: first 3 and last 4), separators and everything else left as written.

    The one rule for text that others read: every public page, print sheet, chat text, loudspeaker script,
    API answer, staff list, export and log line passes user-written text through it (templates with the
    ``masked`` filter, logs with :class:`MaskingLogFilter`), at rendering time: the stored text stays as
    written."""
    if not text:
        return "" if text is None else text
    text = str(text)
    found = find_numbers(text)
    if not found:
        return text
    out, last = [], 0
    for number in found:
        out.append(text[last : number.start])
        out.append(number.masked)
        last = number.end
    out.append(text[last:])
    return "".join(out)


def restore_masked(sent: str, stored: str | None) -> str:
    """An edit of a text that was shown masked (``sent``), with each masked number it kept as shown put back
    as ``stored`` has it: editing the words around a number does not lose the number."""
    if not stored:
        return sent
    for number in find_numbers(stored):
        sent = sent.replace(number.masked, stored[number.start : number.end], 1)
    return sent


def numbers_found(*texts: str | None) -> list[str]:
    """The numbers found in ``texts`` as others will see them (``138****5678``): what the writer is told
    before publishing."""
    return [n.masked.strip() for text in texts for n in find_numbers(text)]


def number_warnings(texts: dict) -> list[str]:
    """What the writer is told before publishing: for each text (``{field label: text}``) in which a mobile
    or ID number was found, one sentence naming the field and the numbers as others will see them."""
    warnings = []
    for field, text in texts.items():
        found = numbers_found(text) if isinstance(text, str) else []
        if found:
            warnings.append(
                gettext(
                    "“%(field)s” contains a phone or ID number (%(numbers)s): everyone else will see it masked "
                    "like this."
                )
                % {"field": field, "numbers": "、".join(found)}
            )
    return warnings


def masked_value(value):
    """``value`` with its numbers masked when it is text, else as it is (for filters and serializers that
    also meet numbers, dates and None)."""
    if isinstance(value, str):
        return mask_numbers_in_text(value)
    return value


# An API answer's free text: validated as a str, masked when the answer is written.
MaskedText = Annotated[str, PlainSerializer(mask_numbers_in_text, return_type=str)]


class MaskingLogFilter(logging.Filter):
    """Masks the numbers of every log line (its message with the arguments put in, and the text of an
    exception) before a handler writes it: settings.LOGGING puts it on every handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers_in_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers_in_text(record.exc_text)
        return True


class NameStyle:
    """How a public roster shows a name (a board's setting)."""

    MIDDLE = "middle"  # 张*明 (mask_name)
    SURNAME = "surname"  # 张** : only the family name
    FULL = "full"  # 张小明 : where the notice legally requires the whole name
    ALL = (MIDDLE, SURNAME, FULL)


def mask_name_as(value: str | None, style: str) -> str:
    """A name for a public roster in the board's ``style``; an unknown style masks the most."""
    if not value:
        return ""
    value = value.strip()
    if style == NameStyle.FULL:
        return value
    if style == NameStyle.MIDDLE:
        return mask_name(value)
    return value[0] + "*" * (len(value) - 1)


# The only fields of a roster row that any public rendering (page, print, chat text, loudspeaker script,
# API) may show. Anything else in a row (ID number, phone, bank account, income, health) is dropped here.
PUBLIC_ROSTER_FIELDS = (
    "name",
    "village_group",
    "household_size",
    "amount",
    "previous_amount",
    "change",
    "reason",
    "period",
    "starts_on",
    "due",
    "paid",
    "unpaid",
)


def public_roster_row(row: dict, *, name_style: str) -> dict:
    """The public face of one roster row: whitelisted fields only, the name masked, free text scrubbed of
    ID and mobile numbers."""
    out = {}
    for key in PUBLIC_ROSTER_FIELDS:
        if key not in row or row[key] in (None, ""):
            continue
        value = row[key]
        if key == "name":
            value = mask_name_as(str(value), name_style)
        elif isinstance(value, str):
            value = mask_numbers_in_text(value)
        out[key] = value
    return out
