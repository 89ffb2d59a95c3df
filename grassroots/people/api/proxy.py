"""Proxy services (代办) in scope: the list, one service, moving it along."""

from __future__ import annotations

from ninja import Query, Router

from grassroots.paging import Paging

from .. import selectors, services
from .schemas import ProxyServiceOut, ServiceActionIn, ServiceDetailOut

router = Router()


@router.get("/services", response=list[ProxyServiceOut], summary="Proxy services in scope")
def service_list(request, page: Query[Paging], status: str | None = None):
    return list(page.window(selectors.service_list_for(user=request.user, status=status)))


@router.get("/services/{service_id}", response=ServiceDetailOut)
def service_detail(request, service_id: int):
    return selectors.service_get_for(user=request.user, pk=service_id)


@router.post(
    "/services/{service_id}/actions", response=ServiceDetailOut, summary="Move a proxy service along"
)
def service_act(request, service_id: int, payload: ServiceActionIn):
    service = selectors.service_get_for(user=request.user, pk=service_id)
    services.service_act(actor=request.user, service=service, request=request, **payload.dict())
    return selectors.service_get_for(user=request.user, pk=service_id)
