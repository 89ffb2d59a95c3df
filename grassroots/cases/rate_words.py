"""The words of each published rate: its name, short name, what its numerator and denominator count, and its
definition as the metrics page and the dashboards show it (the formulas themselves are ``metrics.FORMULAS``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RateWords:
    label: object
    short_label: object
    numerator: object
    denominator: object
    definition: object


# In the order the pages show them. The satisfaction rate's numerator and definition depend on whether
# "basically satisfied" counts (``SATISFACTION_STRICT``).
WORDS: dict[str, RateWords] = {
    "closure": RateWords(
        _("Closure rate (办结率)"),
        _("closure"),
        _("closed"),
        _("due to close"),
        _("Closure rate (结案率, shown as 办结率) = closed / due to close."),
    ),
    "on_time_closure": RateWords(
        _("On-time closure rate (按期结案率)"),
        _("on-time closure"),
        _("closed on time"),
        _("due to close"),
        _("On-time closure rate (按期结案率) = closed by the handling deadline / due to close."),
    ),
    "on_time_handling": RateWords(
        _("On-time handling rate (按期处置率)"),
        _("on-time handling"),
        _("handled on time"),
        _("due to handle"),
        _("On-time handling rate (按期处置率) = handled by the handling deadline / due to handle."),
    ),
    "rework": RateWords(
        _("Rework rate (返工率)"),
        _("rework"),
        _("failed verifications"),
        _("handled"),
        _("Rework rate (返工率) = failed verifications / handled. Each failed check counts."),
    ),
    "satisfaction": RateWords(
        _("Satisfaction rate (满意率)"),
        _("satisfaction"),
        _("satisfied or basically satisfied"),
        _("ratings given"),
        _(
            "Satisfaction rate (满意率) = (satisfied + basically satisfied) / ratings given. Every rating given "
            "in the period counts, one per closure: reopening a case never removes its rating."
        ),
    ),
    "solved": RateWords(
        _("Really solved rate (实质性解决率)"),
        _("really solved"),
        _("answered: really solved"),
        _("answered"),
        _(
            "Really solved rate (实质性解决率) = ratings saying the problem was really solved / ratings "
            "answering whether it was. The same ratings as the satisfaction rate."
        ),
    ),
    "reopened": RateWords(
        _("Closures reopened (重办率)"),
        _("reopened"),
        _("reopenings"),
        _("closures"),
        _(
            "Closures reopened (重办率) = reopenings / closures, where closures = reopenings + cases closed "
            "now: every closure of a counted case, the reopened ones and the one standing."
        ),
    ),
    "response": RateWords(
        _("Response rate (响应率)"),
        _("response"),
        _("accepted within the response limit"),
        _("reported"),
        _("Response rate (响应率) = accepted within the response limit / reported."),
    ),
    "closed_at_grid": RateWords(
        _("Closed in the grid (小事不出网格)"),
        _("closed in the grid"),
        _("closed at grid level"),
        _("closed"),
        _("Share closed at grid level = closed at grid level / closed."),
    ),
    "closed_at_village": RateWords(
        _("Closed in the village or community (大事不出社区)"),
        _("closed in the village"),
        _("closed at village / community level or below"),
        _("closed"),
        _("Share closed at village / community level or below = closed there / closed."),
    ),
    "self_verified": RateWords(
        _("Closures verified by their handler (自处自核)"),
        _("self-verified"),
        _("closures verified by their handler"),
        _("closures"),
        _(
            "Closures verified by their handler (自处自核) = closures verified by the person who handled the "
            "case or reported it handled / closures. Verification is independent of handling: the workflow "
            "refuses such a verification, so these are closures from before the rule, counted from the case "
            "timelines; the figure should be 0 %."
        ),
    ),
}

SATISFACTION_STRICT = RateWords(
    WORDS["satisfaction"].label,
    WORDS["satisfaction"].short_label,
    _("satisfied"),
    WORDS["satisfaction"].denominator,
    _(
        "Satisfaction rate (满意率) = satisfied / ratings given; basically satisfied does not count here. "
        "Every rating given in the period counts, one per closure: reopening a case never removes its "
        "rating."
    ),
)
