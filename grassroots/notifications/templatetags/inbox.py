"""``{% inbox_link %}``: the inbox link of the header with the number of unread notifications."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("notifications/_inbox_link.html", takes_context=True)
def inbox_link(context):
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "unread": selectors.unread_count_for(user=user)}
