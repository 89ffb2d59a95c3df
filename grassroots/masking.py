"""Masks for personal data, the one place where every list, export, log and public page gets them.

ID number (GB 11643): first 6 and last 4 shown, ``150825********123X``.
Mobile phone: first 3 and last 4 shown, ``138****5678``; other numbers keep only their last 4 digits.
Names on public rosters: ``张*明`` (first and last character kept; two-character names keep the first).
Public rosters (:func:`public_roster_row`): only the fields of ``PUBLIC_ROSTER_FIELDS`` ever leave, the name
masked by the board's style; ID, phone, bank account, income and health detail never do.
"""

from __future__ import annotations

import re


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


_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1\d{2})[- ]?(\d{4})[- ]?(\d{4})(?!\d)")


def mask_numbers_in_text(text: str | None) -> str:
    """Free text (notes, visit findings) with any ID or mobile number in it masked, for lists and exports."""
    if not text:
        return ""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(1)), text)
    return _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


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
