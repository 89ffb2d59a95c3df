"""Where a notification leads: the page of what it is about (the inbox page and the API both say it)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

# Model label → URL name taking ``pk``. Named by string so that this low app imports none of the apps that
# notify.
TARGET_URLS = {"cases.case": "cases:detail", "disclosure.notice": "disclosure:notice"}


def target_url(notification) -> str:
    """The path of the page the notification is about, or "" when there is none."""
    name = TARGET_URLS.get(notification.target_type)
    if not name or not notification.target_id.isdigit():
        return ""
    try:
        return reverse(name, kwargs={"pk": int(notification.target_id)})
    except NoReverseMatch:
        return ""
