"""What an intake is given, checked before anything is routed or written: the service type, kind,
urgency, description and point of a report (:func:`_check`, every problem named by its field at once), and
when a call or visit taken earlier was received (:func:`_check_received`)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots import clock, geo

from .. import reference
from ..models import CaseKind, Category, Urgency
from ..workflow import ReportInvalid

MAX_DESCRIPTION = 2000


@dataclass
class _Checked:
    category: Category
    kind: str
    urgency: str
    description: str
    lon: float | None
    lat: float | None
    crs: str
    accuracy_m: float | None


def _number(value, field, problems) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems[field] = _("%(field)s must be a number.") % {"field": field}
        return None
    if not math.isfinite(number):
        problems[field] = _("%(field)s must be a finite number.") % {"field": field}
        return None
    return number


def category_by_code(code) -> Category | None:
    if isinstance(code, Category):
        return code if code.is_active else None
    if not code:
        return None
    return reference.category(str(code))  # the process's copy (the service types change rarely)


def _check(*, category, kind, urgency, description, lon, lat, crs, accuracy_m, need_point: bool) -> _Checked:
    problems: dict[str, str] = {}
    text = (description or "").strip() if isinstance(description, str) else ""
    if not text:
        problems["description"] = str(_("Describe the problem in a few words."))
    elif len(text) > MAX_DESCRIPTION:
        problems["description"] = str(
            _("The description is too long: at most %(n)d characters.") % {"n": MAX_DESCRIPTION}
        )
    found = None
    if category in (None, ""):
        problems["category"] = str(_("Choose a service type."))
    else:
        found = category_by_code(category)
        if found is None:
            problems["category"] = str(
                _("Unknown service type %(code)s. Choose one from the list.") % {"code": category}
            )
    kind = kind or CaseKind.PROBLEM
    if kind not in CaseKind.values:
        problems["kind"] = str(
            _("Kind must be one of: %(choices)s.") % {"choices": ", ".join(CaseKind.values)}
        )
    if urgency and urgency not in Urgency.values:
        problems["urgency"] = str(
            _("Urgency must be one of: %(choices)s.") % {"choices": ", ".join(Urgency.values)}
        )
    x = _number(lon, "lon", problems)
    y = _number(lat, "lat", problems)
    if x is not None and not geo.is_lon(x):
        problems["lon"] = str(_("Longitude must be between -180 and 180; %(value)s is not.") % {"value": lon})
    if y is not None and not geo.is_lat(y):
        problems["lat"] = str(_("Latitude must be between -90 and 90; %(value)s is not.") % {"value": lat})
    if (x is None) != (y is None) and "lon" not in problems and "lat" not in problems:
        problems["lat" if y is None else "lon"] = str(_("Give both longitude and latitude, or neither."))
    if need_point and x is None and y is None and "lon" not in problems and "lat" not in problems:
        problems["location"] = str(_("Mark where the problem is on the map, or allow the location."))
    accuracy = _number(accuracy_m, "accuracy_m", problems)
    if accuracy is not None and accuracy < 0:
        problems["accuracy_m"] = str(_("Accuracy is a distance in metres and cannot be negative."))
    if problems or found is None:  # no service type found is always one of the problems
        raise ReportInvalid(" ".join(problems.values()), detail=problems)
    return _Checked(
        category=found,
        kind=kind,
        urgency=urgency or found.default_urgency,
        description=text,
        lon=x,
        lat=y,
        crs=(crs or "wgs84").strip().lower(),
        accuracy_m=accuracy,
    )


ENTRY_MAX_AGE = dt.timedelta(days=30)
# A phone's or a desk computer's clock may run a little ahead of the server's.
ENTRY_CLOCK_SKEW = dt.timedelta(minutes=5)


def _check_received(received_at) -> dt.datetime | None:
    """When a call or visit was taken: an aware time (a naive one is local time), not in the future, at most
    :data:`ENTRY_MAX_AGE` ago; None when it was taken just now."""
    if received_at is None or received_at == "":
        return None
    if not isinstance(received_at, dt.datetime):
        raise ReportInvalid(
            _("Give the time the call or visit was received as a date and time."),
            detail={"received_at": "not a time"},
        )
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    now = clock.now()
    if received_at > now + ENTRY_CLOCK_SKEW:
        raise ReportInvalid(
            _("The time received lies in the future; check the date and time."),
            detail={"received_at": "future"},
        )
    if received_at < now - ENTRY_MAX_AGE:
        raise ReportInvalid(
            _("The time received is more than %(days)d days ago; enter such an old matter with today's date.")
            % {"days": ENTRY_MAX_AGE.days},
            detail={"received_at": "too old"},
        )
    return min(received_at, now).astimezone(dt.UTC)
