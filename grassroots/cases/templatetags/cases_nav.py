"""``{% cases_nav %}``: the case links of the header, by what the user may do (the grants are cached on the
user for the request, so this costs no query after the first scope check)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from grassroots.accounts.models import Role
from grassroots.accounts.scoping import has_role

from .. import rules, selectors

register = template.Library()

FIGURES_IN_HEADER = {Role.LEADER, Role.SUPERVISOR, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.VILLAGE_STAFF}


@register.inclusion_tag("cases/_nav.html", takes_context=True)
def cases_nav(context):
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    areas = selectors.queue_areas_for(user=user)
    return {
        "show": True,
        "queue": bool(areas),
        # the figures of the user's own (first) area, for the desk roles (a leader opens them first); grid
        # workers on a phone reach them from their area's page
        "figures": next((code for code in areas if code), "") if has_role(user, FIGURES_IN_HEADER) else "",
        "tasks": has_role(user, {Role.GRID_WORKER, Role.DEPARTMENT_HANDLER}),
        "on_the_spot": rules.can_resolve_on_the_spot(user),
        "callbacks": rules.can_call_back(user),
        "hotline": rules.can_use_hotline(user),
    }


@register.simple_tag(takes_context=True)
def case_figures_link(context, code: str) -> str:
    """ " · case figures" after an area's name, for a user who may see that area's figures (else nothing):
    the area page lives in the areas app, which does not know the cases' rule."""

    user = context.get("user")
    if user is None or not user.is_authenticated or not selectors.may_see_metrics(user=user, code=code):
        return ""
    return format_html(' · <a href="{}">{}</a>', reverse("cases:metrics", args=[code]), _("Case figures"))
