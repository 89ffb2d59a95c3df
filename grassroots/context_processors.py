from django.conf import settings
from django.utils import translation

from grassroots.accounts.scoping import STAFF_ROLES, has_role
from grassroots.cases.rules import can_enter_calendar
from grassroots.disclosure.rules import can_use_disclosure_desk
from grassroots.insights.rules import can_use_insights
from grassroots.people.rules import can_use_register
from grassroots.workforce.navigation import check_in_link_shown, grid_workers_link_shown


def site(request):
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    staff = signed_in and has_role(user, STAFF_ROLES)
    return {
        # Mongolian pages (traditional script) load the Mongolian font and the vertical layout
        # (static/grassroots/mongolian.css); other pages never download the font.
        "MONGOLIAN": is_mongolian(translation.get_language()),
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "MAP_TILE_SUBDOMAINS": settings.MAP_TILE_SUBDOMAINS,
        # Staff links only for users whose role opens them somewhere (a link that answers 404 is a dead
        # end); the pages check scope again themselves.
        "NAV_STAFF": staff,
        # Every staff page asks for the calendar warning (cases:calendar_warning, loaded after the page, so
        # that it adds no query to any page) and administrators get the link to enter the holidays.
        "NAV_CALENDAR": signed_in and can_enter_calendar(user),
        "NAV_REGISTER": signed_in and can_use_register(user),
        "NAV_DISCLOSURE": signed_in and can_use_disclosure_desk(user),
        "NAV_INSIGHTS": signed_in and can_use_insights(user),
        # party members (often residents with no staff role) reach their check-in from the header
        "NAV_CHECK_IN": signed_in and check_in_link_shown(request),
        # residents of a grid reach its workers (tap-to-call work phones) from the header
        "NAV_MY_GRID_WORKERS": signed_in and grid_workers_link_shown(user),
    }


def is_mongolian(language: str | None) -> bool:
    """Whether a language code is Mongolian in the traditional script (mn-mong, mn-Mong-CN, ...)."""
    return (language or "").lower().startswith("mn")
