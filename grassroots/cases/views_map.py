"""Cases on the maps of an area, a grid and the queue: their points coloured by state, with the legend.

The points are the user's queue (:func:`selectors.case_points_for`: the same scope and filters), so a map never
shows another area's cases; a resident, who has no queue, gets none.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from grassroots.areas.codes import CODE_LENGTH, Level

from . import selectors
from .forms import QueueFilterForm
from .models import State

TOWNSHIP_CODE_LENGTH = CODE_LENGTH[Level.TOWNSHIP]

# One colour per state, the same in every map's legend (maps.css draws them: .state-<value>).
STATE_COLOURS = {
    State.REPORTED: "#dc2626",
    State.ACCEPTED: "#ea580c",
    State.DISPATCHED: "#ca8a04",
    State.HANDLED: "#2563eb",
    State.SHELVED: "#6b7280",
    State.CLOSED: "#16a34a",
    State.CANCELLED: "#9ca3af",
}


def _filters(request) -> selectors.QueueFilters:
    form = QueueFilterForm(request.GET or None, categories=selectors.categories_for_choice())
    d = form.cleaned_data if form.is_valid() else {}
    area = request.GET.get("area", "")
    return selectors.QueueFilters(
        state=d.get("state") or "",
        overdue=bool(d.get("overdue")),
        category=d.get("category") or "",
        level=d.get("level"),
        source=d.get("source") or "",
        area=area if area.isdigit() else "",
        since=d.get("since") if isinstance(d.get("since"), dt.date) else None,
        until=d.get("until") if isinstance(d.get("until"), dt.date) else None,
    )


@login_required
@require_GET
def points(request):
    """GeoJSON points of the user's queue under ``area`` (and the queue's filters), with the legend."""
    filters = _filters(request)
    found = selectors.case_points_for(user=request.user, filters=filters)
    detail = reverse("cases:detail", kwargs={"pk": 0}).replace("/0/", "/ID/")
    features = [
        {
            "type": "Feature",
            "id": p["id"],
            "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
            "properties": {
                "reference": p["reference"],
                "state": p["state"],
                "category": p["category"],
                "colour": STATE_COLOURS.get(p["state"], "#6b7280"),
            },
        }
        for p in found
    ]
    shown = {p["state"] for p in found}
    legend = [
        {"state": value, "label": str(label), "colour": STATE_COLOURS[value]}
        for value, label in State.choices
        if value in shown
    ]
    # the outlines around the cases: of the area asked for, else of the user's one queue area, from a
    # township down (a county's every grid is the area page's business)
    areas = selectors.queue_areas_for(user=request.user)
    around = filters.area or (areas[0] if len(areas) == 1 else "")
    outlines = (
        reverse("api:area_outlines", kwargs={"code": around}) if len(around) >= TOWNSHIP_CODE_LENGTH else ""
    )
    response = JsonResponse(
        {
            "outlines_url": outlines,
            "type": "FeatureCollection",
            "features": features,
            "legend": legend,
            "detail_url": detail,
            "truncated": len(found) >= selectors.MAP_POINTS_LIMIT,
        }
    )
    response["Content-Type"] = "application/geo+json"
    response["Cache-Control"] = "private, no-store"
    return response
