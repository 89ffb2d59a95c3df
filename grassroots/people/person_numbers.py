"""A person's phone and ID numbers as the register takes them: checked here, stored as the columns that
``grassroots.personal`` computes (ciphertext, keyed hash, mask).

``phone_columns("138 0013 8000")`` → ``("13800138000", <hmac>, "138****8000")``; the services store all three
together so that lookup uses the hash, lists use the mask and only "show in full" decrypts.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots import personal
from grassroots.masking import mask_phone

from . import idnumber
from .errors import PeopleError


def phone_digits(raw: str) -> str:
    """Digits of a phone number, validated: a mobile (11 digits, starts with 1) or a landline
    (7–8 digits, or 10–12 with the area code starting with 0)."""
    digits = personal.normalise_phone(raw)
    if not digits or personal.is_mobile(digits) or personal.is_landline(digits):
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
    """(digits, hash, mask) of a checked phone number; all empty for a blank value."""
    return personal.phone_columns(phone_digits(raw))


def id_columns(raw: str) -> tuple[idnumber.IdNumber | None, str | None, str]:
    """Parse (raising IdNumberError) and return (parsed, hash, mask); all empty for a blank value."""
    if not (raw or "").strip():
        return None, None, ""
    parsed = idnumber.parse(raw)
    return parsed, *personal.id_columns(parsed.number)
