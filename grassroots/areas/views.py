from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from . import selectors


@login_required
def browser(request):
    """The area browser: starts at the user's own areas."""
    roots = list(selectors.area_roots_for(user=request.user))
    if len(roots) == 1:
        return redirect("areas:detail", code=roots[0].code)
    return render(request, "areas/browser.html", {"roots": roots})


@login_required
def detail(request, code: str):
    area = selectors.area_get_for(user=request.user, code=code)
    return render(
        request,
        "areas/detail.html",
        {
            "area": area,
            "children": selectors.area_children_for(user=request.user, area=area),
            "breadcrumbs": selectors.area_breadcrumbs(area),
        },
    )
