"""How each kind of party member checks in (报到): one table, read by the check-in service, its page and the
grid branch's roll.

| kind (``MemberKind``)                         | basis        | checks in to                                      |
|-----------------------------------------------|--------------|---------------------------------------------------|
| in-service member 在职党员                     | residence    | the branch of the grid where they live            |
| retired member or old cadre 离退休党员、老干部   | residence    | the branch of the grid where they live            |
| member of a property company or co-building   | organisation | a grid branch where their unit is: the unit's     |
| unit 物业公司、共建单位党员                      |              | grid, or a grid of the village or community (or   |
|                                               |              | larger area) the unit belongs to                   |
| member of a branch here 本地党员               | residence    | the branch of the grid where they live, when that  |
|                                               |              | is not their own branch                            |

For every kind: nobody checks in to their own branch (they are on its roll already), one live check-in per
member and year, and the branch confirms or declines. The roll of a grid's branch lists its own members and
the year's check-ins by the kind the member had when checking in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grassroots.people.codes import PlaceKind

from .models import MemberKind

RESIDENCE = "residence"
ORGANISATION = "organisation"


@dataclass(frozen=True)
class KindRule:
    basis: str  # RESIDENCE or ORGANISATION
    heading: Promise  # the check-in form's heading
    explanation: Promise  # one sentence under it: where the check-in goes and why
    pledge_examples: Promise  # what members of this kind commonly pledge
    roll_heading: Promise  # the roll's section for the year's check-ins of this kind
    unit_kinds: frozenset[str] = frozenset()  # ORGANISATION: the kinds of unit that count


RULES: dict[str, KindRule] = {
    MemberKind.IN_SERVICE: KindRule(
        basis=RESIDENCE,
        heading=_("Check in to the branch of the grid where you live"),
        explanation=_(
            "In-service members check in where they live (在职党员到居住地报到) and serve there outside working "
            "hours."
        ),
        pledge_examples=_("for example: tutoring children at weekends, evening patrols, a free consultation"),
        roll_heading=_("In-service members, by residence"),
    ),
    MemberKind.RETIRED: KindRule(
        basis=RESIDENCE,
        heading=_("Check in to the branch of the grid where you live"),
        explanation=_(
            "Retired members and old cadres whose party membership stays with their former unit check in "
            "where they live, and serve as their health allows."
        ),
        pledge_examples=_("for example: mediating between neighbours, visiting elders who live alone"),
        roll_heading=_("Retired members and old cadres, by residence"),
    ),
    MemberKind.ORGANISATION: KindRule(
        basis=ORGANISATION,
        heading=_("Check in with your unit to a grid branch where it serves"),
        explanation=_(
            "Members working in a property company or a co-building unit check in where their unit is "
            "(单位党员到驻地报到), to a grid of the community it belongs to."
        ),
        pledge_examples=_(
            "for example: repairs in the residential compound, free legal advice, a power check"
        ),
        unit_kinds=frozenset({PlaceKind.PROPERTY_COMPANY, PlaceKind.CO_BUILDING_UNIT}),
        roll_heading=_("Members of property companies and co-building units, by organisation"),
    ),
    MemberKind.LOCAL: KindRule(
        basis=RESIDENCE,
        heading=_("Check in to the branch of the grid where you live"),
        explanation=_(
            "Your branch is here. If you live in another grid than your branch's, you may also serve the "
            "grid where you live."
        ),
        pledge_examples=_("for example: keeping the stairwells clean, helping at the grid's activities"),
        roll_heading=_("Members of other branches here, by residence"),
    ),
}

# The order in which the roll lists the kinds checked in.
ROLL_ORDER = (MemberKind.IN_SERVICE, MemberKind.RETIRED, MemberKind.ORGANISATION, MemberKind.LOCAL)


def rule_for(kind: str) -> KindRule:
    return RULES.get(kind, RULES[MemberKind.LOCAL])
