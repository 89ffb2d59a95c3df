"""``{% workforce_nav code %}``: the links between the workforce pages, by what the user may do.

Built from the user's grants only (cached on the user for the request), so it adds no query to a page.
``code`` is the area the page is about, when it has one: the area links then point there if the user may
use them; otherwise they point at the areas of the user's own grants."""

from django import template

from grassroots.accounts.models import Role
from grassroots.accounts.scoping import STAFF_ROLES, has_role, scope_codes

from .. import rules

register = template.Library()
MAX_AREA_LINKS = 3


def _area_links(user, code: str, roles, allowed) -> list[str]:
    if code and allowed(user, code):
        return [code]
    return scope_codes(user, roles=roles)[:MAX_AREA_LINKS]


@register.inclusion_tag("workforce/_nav.html", takes_context=True)
def workforce_nav(context, code: str = "", current: str = ""):
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    roster_code = code[:12] if len(code) > 12 else code  # a grid's roster page is its village's
    return {
        "show": True,
        "current": current,
        "patrols": has_role(user, {Role.GRID_WORKER, *rules.SUPERVISOR_ROLES}),
        "check_ins": has_role(user, STAFF_ROLES),
        "workload": _area_links(user, code, rules.SUPERVISOR_ROLES, rules.can_supervise_worker),
        "roster": _area_links(user, roster_code, rules.WORKFORCE_MANAGER_ROLES, rules.can_manage_workforce),
    }
