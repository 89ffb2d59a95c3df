"""JSON API for the area tree (mounted at /api/v1/areas)."""

from __future__ import annotations

from ninja import Router, Schema

from . import selectors

router = Router(tags=["areas"])


class AreaOut(Schema):
    code: str
    name: str
    level: int
    kind: str
    parent_code: str | None
    is_synthetic: bool

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


@router.get("/", response=list[AreaOut], summary="The areas the caller's scope starts from")
def area_roots(request):
    return list(selectors.area_roots_for(user=request.user).select_related("parent"))


@router.get("/{code}", response=AreaOut, summary="One area (404 outside the caller's scope)")
def area_detail(request, code: str):
    return selectors.area_get_for(user=request.user, code=code)


@router.get("/{code}/children", response=list[AreaOut], summary="The visible children of an area")
def area_children(request, code: str):
    area = selectors.area_get_for(user=request.user, code=code)
    return list(selectors.area_children_for(user=request.user, area=area).select_related("parent"))
