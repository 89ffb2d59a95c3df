"""The three columns that stand for one piece of personal data: ciphertext, keyed hash, mask.

``phone_columns("138 0013 8000")`` → ``("13800138000", <hmac>, "138****8000")``; the services store all three
together so that lookup uses the hash, lists use the mask and only "show in full" decrypts.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots import fieldcrypt
from grassroots.accounts.models import normalise_phone
from grassroots.masking import mask_id_number, mask_phone

from . import idnumber
from .errors import PeopleError


def phone_digits(raw: str) -> str:
    """Digits of a phone number, validated: a mobile (11 digits, starts with 1) or a landline
    (7–8 digits, or 10–12 with the area code starting with 0)."""
    digits = normalise_phone(raw)
    if not digits:
        return ""
    if len(digits) == 11 and digits.startswith("1"):
        return digits
    if (len(digits) in (7, 8) and not digits.startswith(("0", "1"))) or (
        10 <= len(digits) <= 12 and digits.startswith("0")
    ):
        return digits
    raise PeopleError(
        _(
            "A phone number is a mobile number (11 digits starting with 1) or a landline with its area "
            "code (e.g. 0478-8123456); %(masked)s is neither."
        )
        % {"masked": mask_phone(digits)},
        code="bad_phone",
    )


def phone_columns(raw: str) -> tuple[str, str | None, str]:
    digits = phone_digits(raw)
    if not digits:
        return "", None, ""
    return digits, phone_hash(digits), mask_phone(digits)


def id_hash(number18: str) -> str:
    return fieldcrypt.keyed_hash("id:" + number18)


def phone_hash(digits: str) -> str:
    return fieldcrypt.keyed_hash(digits)


def id_columns(raw: str) -> tuple[idnumber.IdNumber | None, str | None, str]:
    """Parse (raising IdNumberError) and return (parsed, hash, mask); all empty for a blank value."""
    if not (raw or "").strip():
        return None, None, ""
    parsed = idnumber.parse(raw)
    return parsed, id_hash(parsed.number), mask_id_number(parsed.number)
