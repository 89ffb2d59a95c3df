"""Reporting, staff entry, the lists, one case and its dispatch targets."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Header, Query, Status
from ninja.files import UploadedFile

from .. import integrations, selectors, services
from .common import (  # the shared schemas and answer
    CaseDetailOut,
    CasePage,
    CategoryOut,
    EntryIn,
    ListQuery,
    ReportIn,
    TargetOut,
    _detail,
    router,
)

# --- endpoints ---------------------------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], summary="The active service types, tree order")
def category_list(request):
    return list(selectors.categories_for_choice())


def _idempotency_key():
    """The ``Idempotency-Key`` header, declared as the parameter of each operation that honours it."""
    return Header(
        "",
        alias="Idempotency-Key",
        max_length=64,
        description="made by the client for each report and sent again with each retry of it: the case made "
        "the first time is answered (200) and no second one is made",
    )


@router.post(
    "/",
    response={200: CaseDetailOut, 201: CaseDetailOut},
    summary="Report a case (multipart; repeat with the same Idempotency-Key to retry safely)",
)
def case_submit(
    request: HttpRequest,
    payload: Form[ReportIn],
    photos: File[list[UploadedFile]] = None,
    idempotency_key: str = _idempotency_key(),
):
    case = integrations.case_report_on_patrol(
        actor=request.user,
        patrol_id=payload.patrol_id,
        kind=payload.kind,
        urgency=payload.urgency,
        anonymous=payload.anonymous,
        photo_files=photos or [],
        source="api",
        idempotency_key=idempotency_key,
        confirm_far=payload.confirm_far,
        **_place(payload),
    )
    return _made(request, case)


def _place(payload) -> dict:
    """The place and words every intake body has, as the services take them."""
    return {
        "category": payload.category,
        "description": payload.description,
        "lon": payload.lon,
        "lat": payload.lat,
        "crs": payload.crs,
        "accuracy_m": payload.accuracy_m,
        "address": payload.address,
    }


def _made(request, case):
    """201 with the case just written (answered from what the service kept), or 200 with the case a retry
    with the same Idempotency-Key made the first time."""
    if case.replayed:
        return Status(200, _detail(request, selectors.case_get_for(user=request.user, pk=case.pk)))
    return Status(201, _detail(request, case, fresh=True))


@router.post(
    "/entries",
    response={200: CaseDetailOut, 201: CaseDetailOut},
    summary="Staff enter a call, hotline ticket, visit or walk-in (multipart; Idempotency-Key as for reports)",
)
def case_entry(
    request: HttpRequest,
    payload: Form[EntryIn],
    photos: File[list[UploadedFile]] = None,
    idempotency_key: str = _idempotency_key(),
):
    """The staff entry page's service and permission (staff who take calls and visits, for places inside
    their area; 403 for anyone else). The caller's phone is kept encrypted and answered masked."""
    case = services.case_enter(
        actor=request.user,
        source=payload.source,
        area_code=payload.area_code or None,
        kind=payload.kind,
        urgency=payload.urgency,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        anonymous=payload.anonymous,
        received_at=payload.received_at,
        photo_files=photos or [],
        idempotency_key=idempotency_key,
        **_place(payload),
    )
    return _made(request, case)


@router.get("/", response=CasePage, summary="Cases: the caller's queue, own reports or tasks, paged")
def case_list(request, q: Query[ListQuery]):
    user = request.user
    if q.scope == "mine":
        qs = selectors.my_reports_for(user=user)
    elif q.scope == "tasks":
        qs = selectors.my_tasks_for(user=user)
    else:
        qs = selectors.case_queue_for(
            user=user,
            filters=selectors.QueueFilters(
                state=q.state, overdue=q.overdue, category=q.category, level=q.level, source=q.source,
                area=q.area, since=q.since, until=q.until,
            ),
        )  # fmt: skip
    return {"count": qs.count(), "items": list(q.window(qs))}


@router.get(
    "/{int:case_id}", response=CaseDetailOut, summary="One case with its timeline and the caller's actions"
)
def case_detail(request, case_id: int):
    return _detail(request, selectors.case_get_for(user=request.user, pk=case_id))


@router.get(
    "/{int:case_id}/dispatch-targets",
    response=list[TargetOut],
    summary="The handlers the caller may dispatch the case to (the same list as the case page)",
)
def dispatch_targets(request, case_id: int):
    case = selectors.case_get_for(user=request.user, pk=case_id)
    return selectors.dispatch_targets_for(case=case, actor=request.user)
