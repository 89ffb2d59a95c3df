"""``{% cases_nav %}``: the case links of the header, by what the user may do (the grants are cached on the
user for the request, so this costs no query after the first scope check)."""

from django import template

from grassroots.accounts.models import Role
from grassroots.accounts.scoping import has_role

from .. import rules, selectors

register = template.Library()


@register.inclusion_tag("cases/_nav.html", takes_context=True)
def cases_nav(context):
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        "queue": selectors.has_queue(user),
        "tasks": has_role(user, {Role.GRID_WORKER, Role.DEPARTMENT_HANDLER}),
        "on_the_spot": rules.can_resolve_on_the_spot(user),
    }
