from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from . import selectors
from .codes import Level
from .models import GridKind


@login_required
def browser(request):
    """The area browser: starts at the user's own areas."""
    roots = list(selectors.area_roots_for(user=request.user))
    if len(roots) == 1:
        return redirect("areas:detail", code=roots[0].code)
    return render(request, "areas/browser.html", {"roots": roots})


@login_required
def detail(request, code: str):
    """An area: where it sits, what it contains, and its grids on a map."""
    area = selectors.area_get_for(user=request.user, code=code)
    if area.level == Level.GRID:
        # A grid has its own page (with its workers); the area URL of a grid leads there.
        return redirect("workforce:grid", code=area.code)
    return render(
        request,
        "areas/detail.html",
        {
            "area": area,
            "children": list(selectors.area_children_for(user=request.user, area=area)),
            "breadcrumbs": selectors.area_breadcrumbs(area)[:-1],
            "grids_geojson_url": reverse("api:area_grids_geojson", kwargs={"code": area.code}),
            "grid_kinds": GridKind.choices,
        },
    )
