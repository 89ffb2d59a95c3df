"""Where a notification leads: the page of what it is about (the inbox page and the API both say it)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

# Model label → URL name taking ``pk``. Named by string so that this low app imports none of the apps that
# notify.
TARGET_URLS = {
    "cases.case": "cases:detail",
    "disclosure.notice": "disclosure:notice",
    "disclosure.objection": "disclosure:objection",
    "deliberation.topic": "deliberation:topic",
}
# Model label → (URL name of a list page, the anchor of the row on it, formatted with ``pk``).
TARGET_ROWS = {"workforce.checkin": ("workforce:check_in_list", "check-in-{pk}")}


def target_url(notification) -> str:
    """The path of the page the notification is about, or "" when there is none."""
    if not notification.target_id.isdigit():
        return ""
    pk = int(notification.target_id)
    try:
        if notification.target_type in TARGET_ROWS:
            name, anchor = TARGET_ROWS[notification.target_type]
            return reverse(name) + "#" + anchor.format(pk=pk)
        name = TARGET_URLS.get(notification.target_type)
        return reverse(name, kwargs={"pk": pk}) if name else ""
    except NoReverseMatch:
        return ""
