"""The columns that stand for a phone or ID number: the value (encrypted by its field), keyed hash, mask.

Every table that keeps a phone number — logins, grid workers, households, residents, places, the reporter of
a case — stores the digits :func:`normalise_phone` gives and the hash :func:`phone_hash` computes from them,
so that the same number in any spelling (``138 0013 8000``, ``+86 138-0013-8000``) has the same hash
everywhere. Links depend on that: a case is shown on the register's page of the resident whose phone hash
equals the reporter's, and a login by phone finds its account through the hash. Which numbers a form
accepts (a mobile only, or a landline too) is the caller's rule; computing the columns is this module's.

``phone_columns("138 0013 8000")`` → ``("13800138000", <hmac>, "138****8000")``.
"""

from __future__ import annotations

import unicodedata

from grassroots import fieldcrypt
from grassroots.masking import mask_id_number, mask_phone


def normalise_phone(raw: str) -> str:
    """ASCII digits only (full-width digits count as theirs), without a leading +86/0086 country code."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", raw or "") if "0" <= ch <= "9")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits


def is_mobile(digits: str) -> bool:
    """Whether normalised digits are a mainland mobile number (11 digits starting with 1)."""
    return len(digits) == 11 and digits.startswith("1")


def is_landline(digits: str) -> bool:
    """Whether normalised digits are a landline: 7–8 digits, or 10–12 with an area code starting with 0."""
    return (len(digits) in (7, 8) and not digits.startswith(("0", "1"))) or (
        10 <= len(digits) <= 12 and digits.startswith("0")
    )


def phone_hash(raw: str) -> str:
    """The keyed hash of a phone number in any spelling (of its normalised digits)."""
    return fieldcrypt.keyed_hash(normalise_phone(raw))


def phone_columns(raw: str) -> tuple[str, str | None, str]:
    """(digits, keyed hash, mask) of a phone number in any spelling; ``("", None, "")`` for none."""
    digits = normalise_phone(raw)
    if not digits:
        return "", None, ""
    return digits, phone_hash(digits), mask_phone(digits)


def id_hash(number18: str) -> str:
    """The keyed hash of a checked 18-character citizen ID number (upper-case check character)."""
    return fieldcrypt.keyed_hash("id:" + number18)


def id_columns(number18: str) -> tuple[str, str]:
    """(keyed hash, mask) of a checked 18-character citizen ID number."""
    return id_hash(number18), mask_id_number(number18)


__all__ = [
    "id_columns",
    "id_hash",
    "is_landline",
    "is_mobile",
    "normalise_phone",
    "phone_columns",
    "phone_hash",
]
