"""Citizen ID numbers (公民身份号码, GB 11643-1999): validation, derived facts, legacy upgrade.

18 characters = 6 address code + 8 birth date (YYYYMMDD) + 3 order code (odd male, even female) + 1 check
character. The check character: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 over the first 17 digits, the sum
mod 11 indexes ``1 0 X 9 8 7 6 5 4 3 2``. Legacy 15-digit numbers (before 1999) have a 2-digit year and no
check character; they are upgraded by inserting ``19`` before the year and appending the check character.

Pure functions, no database: the registry, the import and the demo generator all use them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator

from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.masking import mask_id_number

from .errors import IdNumberError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"

# Province-level codes of GB/T 2260 (the first two digits of every address code).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip
EARLIEST_BIRTH = dt.date(1880, 1, 1)

_FULL_WIDTH = str.maketrans("０１２３４５６７８９ＸｘＸ", "0123456789XXX")


class Sex:
    MALE = "male"
    FEMALE = "female"


@dataclasses.dataclass(frozen=True)
class IdNumber:
    number: str  # the 18-character form, upper-case X
    birth_date: dt.date
    sex: str  # Sex.MALE or Sex.FEMALE
    address_code: str
    upgraded_from_15: bool = False

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)


def normalise(raw: str) -> str:
    """Strip blanks, turn full-width digits into ASCII and a lower-case x into X."""
    return "".join((raw or "").translate(_FULL_WIDTH).split()).upper()


def check_character(first17: str) -> str:
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("the check character needs exactly 17 digits")
    total = sum(map(operator.mul, map(int, first17), WEIGHTS))
    return CHECK_CHARACTERS[total % 11]


def upgrade_15(number15: str) -> str:
    """A legacy 15-digit number in its 18-character form (the year gains ``19``, a check is appended)."""
    if len(number15) != 15 or not number15.isascii() or not number15.isdigit():
        raise ValueError("a legacy ID number has exactly 15 digits")
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_character(first17)


def parse(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """Validate an ID number and derive its facts; raise :class:`IdNumberError` saying what is wrong.

    Error messages show the number masked: they end up in import reports and logs.
    """
    value = normalise(raw)
    upgraded = False
    if not value:
        raise IdNumberError(_("Enter the ID number."), code="id_missing")
    if len(value) == 15:
        if not value.isascii() or not value.isdigit():
            raise IdNumberError(
                _("A 15-digit ID number (%(masked)s) has digits only; check it against the ID card.")
                % {"masked": mask_id_number(value)},
                code="id_bad_characters",
            )
        value = upgrade_15(value)
        upgraded = True
    if len(value) != 18:
        raise IdNumberError(
            _("An ID number has 18 characters (or 15 for an old card); %(masked)s has %(n)d.")
            % {"masked": mask_id_number(value), "n": len(value)},
            code="id_bad_length",
        )
    if not value.isascii() or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise IdNumberError(
            _("An ID number has 17 digits and then a digit or X; %(masked)s has other characters.")
            % {"masked": mask_id_number(value)},
            code="id_bad_characters",
        )
    if value[:2] not in PROVINCE_CODES:
        raise IdNumberError(
            _("The ID number %(masked)s does not start with a province code; check the first two digits.")
            % {"masked": mask_id_number(value)},
            code="id_bad_region",
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError(
            _("Digits 7 to 14 of the ID number %(masked)s are not a real birth date; check them.")
            % {"masked": mask_id_number(value)},
            code="id_bad_birth_date",
        ) from None
    today = today or clock.today()
    if birth < EARLIEST_BIRTH or birth > today:
        raise IdNumberError(
            _("The birth date in the ID number %(masked)s is impossible; check digits 7 to 14.")
            % {"masked": mask_id_number(value)},
            code="id_bad_birth_date",
        )
    expected = check_character(value[:17])
    if value[17] != expected:
        raise IdNumberError(
            _(
                "The last character of the ID number %(masked)s does not match its check digit; "
                "one of the digits was probably mistyped."
            )
            % {"masked": mask_id_number(value)},
            code="id_bad_check_digit",
        )
    sex = Sex.MALE if int(value[16]) % 2 == 1 else Sex.FEMALE
    return IdNumber(
        number=value, birth_date=birth, sex=sex, address_code=value[:6], upgraded_from_15=upgraded
    )


def compose(address_code: str, birth_date: dt.date, order: int) -> str:
    """An 18-character number from its parts (for the demo and the benchmark generator)."""
    if not 0 <= order <= 999:
        raise ValueError("the order code has three digits")
    first17 = f"{address_code}{birth_date:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)
