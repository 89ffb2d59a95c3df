from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from grassroots.areas import selectors as area_selectors
from grassroots.areas.models import GridKind

from . import selectors


@login_required
def grid(request, code: str):
    """A grid: its code, kind, village, village groups, target households, boundary and who serves it."""
    grid = area_selectors.grid_get_for(user=request.user, code=code)
    return render(
        request,
        "workforce/grid.html",
        {
            "grid": grid,
            "area": grid.area,
            "breadcrumbs": area_selectors.area_breadcrumbs(grid.area)[:-1],
            "assignments": list(selectors.assignment_list_for_grid(user=request.user, grid_code=code)),
            # The grids of its village, so that the neighbours show around it (as far as the user may see).
            "grids_geojson_url": reverse(
                "api:area_grids_geojson",
                kwargs={"code": grid.area.parent.code if grid.area.parent_id else code},
            ),
            "grid_kinds": GridKind.choices,
        },
    )
