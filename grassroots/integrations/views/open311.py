"""Open311 GeoReport v2 at /open311/v2/, in JSON and XML (the address's ``.json`` / ``.xml``), with mySociety's
``servicerequestupdates`` extension. docs/integrations.md shows each operation with curl.

- ``discovery``, ``services``, ``services/{service_code}``: open to anyone (what can be reported, and how).
- ``requests`` (GET and POST), ``requests/{service_request_id}``, ``tokens/{token}``, ``servicerequestupdates``
  (GET and POST): with an API key (``api_key`` in the query or the form body, the ``X-Api-Key`` header, or
  HTTP Basic's password), scoped to the key's area like a person's grant: a case outside it does not exist
  (404). Reports are filed through the one intake pipeline, statuses moved through the case workflow.
- ``jurisdiction_id``: an area code narrowing the answer to that area; empty is the same as absent.
- Errors: a list of ``{code, description}`` with 400 (a parameter missing or wrong), 403 (no valid key),
  404 (no such service, request, token or jurisdiction), and 405 / 429 where HTTP needs them.
- Nothing private: descriptions, addresses and notes pass the one free-text masker (``grassroots.masking``);
  the reporter's name, phone and account are never in an answer.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from grassroots.accounts.scoping import covers
from grassroots.errors import DomainError
from grassroots.masking import mask_numbers_in_text
from grassroots.messages import Message
from grassroots.textinput import ControlCharacters, check_tree

from .. import statuses
from ..auth import key_from_request
from ..selectors import (
    RequestFilters,
    area_names,
    jurisdiction_area,
    open311_request_get,
    open311_request_list,
    open311_service,
    open311_services,
    open311_token_get,
    open311_update_list,
)
from ..services.open311 import (
    ATTRIBUTES,
    Open311Invalid,
    RequestSent,
    attribute_choices,
    open311_request_submit,
    open311_update_post,
)
from .open311_format import answer, errors

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00+08:00"  # the date of the last change to what this endpoint answers
MAX_PAGE_SIZE = 1000  # the specification's most per answer
DEFAULT_WINDOW = dt.timedelta(days=90)  # the specification's default and widest date range


def _iso(value: dt.datetime | None) -> str | None:
    """A time in the specification's W3C format, in local time with its offset (``2026-12-07T09:30:00+08:00``)."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _param(request: HttpRequest, name: str) -> str:
    value = request.POST.get(name) if request.method == "POST" else None
    return (value if value is not None else request.GET.get(name, "")).strip()


def _jurisdiction(request: HttpRequest, key) -> str | None:
    """The area a ``jurisdiction_id`` names (empty: absent); unknown, or outside the key's area: 404."""
    code = _param(request, "jurisdiction_id")
    if not code:
        return None
    found = jurisdiction_area(code)
    if found is None or (key is not None and not covers(key.account, found.code)):
        raise Http404(
            _("jurisdiction_id %(code)s is not a jurisdiction of this endpoint.") % {"code": code[:20]}
        )
    return found.code


def endpoint(*methods: str, needs_key: bool):
    """An Open311 operation: the format from the address, the methods it takes, the key when it needs one,
    the jurisdiction; every refusal in the specification's error list, in the format asked for."""

    def wrap(operation):
        @csrf_exempt
        @functools.wraps(operation)
        def view(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if request.method not in methods:
                return errors(
                    fmt, 405, [_("This address takes %(methods)s.") % {"methods": ", ".join(methods)}],
                    headers={"Allow": ", ".join(methods)},
                )  # fmt: skip
            try:
                check_tree({k: request.GET.getlist(k) for k in request.GET}, field="")
                if request.method == "POST":
                    check_tree({k: request.POST.getlist(k) for k in request.POST}, field="")
                key = key_from_request(request) if needs_key else None
                jurisdiction = _jurisdiction(request, key)
                return operation(request, fmt, key=key, jurisdiction=jurisdiction, **kwargs)
            except ControlCharacters as exc:
                return errors(fmt, 400, [exc.message])
            except Http404 as exc:
                text = str(exc) if exc.args and str(exc) else _("Not found.")
                return errors(fmt, 404, [text])
            except DomainError as exc:
                status = exc.status if exc.status in (403, 404, 429) else 400
                return errors(fmt, status, [str(exc.message)], headers=getattr(exc, "headers", None))

        return view

    return wrap


# --- discovery and services ---------------------------------------------------------------------------------


@endpoint("GET", needs_key=False)
def discovery(request, fmt, *, key, jurisdiction):
    url = request.build_absolute_uri(reverse("open311:root"))
    body = {
        "changeset": CHANGESET,
        "contact": _("Ask the administrator of your area."),
        "key_service": _("An administrator of your area issues API keys (admin: API keys)."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url.rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return answer(fmt, body, root="discovery")


def _service_row(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.name,
        "metadata": True,  # every service takes the attributes of services/{service_code}
        "type": "realtime",
        "keywords": "",
        "group": category.parent.name if category.parent_id else "",
    }


@endpoint("GET", needs_key=False)
def services(request, fmt, *, key, jurisdiction):
    return answer(fmt, [_service_row(c) for c in open311_services()], root="services", item="service")


@endpoint("GET", needs_key=False)
def service_definition(request, fmt, *, key, jurisdiction, code):
    category = open311_service(code)
    if category is None:
        raise Http404(_("service_code %(code)s is not a service of this endpoint.") % {"code": code[:40]})
    attributes = [
        {
            "variable": True,
            "code": attr_code,
            "datatype": "singlevaluelist",
            "required": required,
            "datatype_description": "",
            "order": order,
            "description": str(text),
            "values": [{"key": k, "name": name} for k, name in attribute_choices(values)],
        }
        for order, (attr_code, text, required, values) in enumerate(ATTRIBUTES, start=1)
    ]
    return answer(fmt, {"service_code": category.code, "attributes": attributes}, root="service_definition")


# --- requests -----------------------------------------------------------------------------------------------


def _request_row(case, names: dict[str, str]) -> dict:
    row = statuses.row_for(case.state, case.close_reason)
    submission = getattr(case, "open311_submission", None)
    due = case.handling_due_at or case.response_due_at
    return {
        "service_request_id": case.reference,
        "status": row.open311,
        "status_notes": mask_numbers_in_text(case.cancel_reason) if case.cancel_reason else "",
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": mask_numbers_in_text(case.description),
        "agency_responsible": names.get(case.area_code, ""),
        "service_notice": "",
        "requested_datetime": _iso(case.reported_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(due) if case.is_open else None,
        "address": mask_numbers_in_text(case.address),
        "address_id": case.origin_code,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": submission.media_url if submission is not None and submission.media_url else None,
    }


def _requests_answer(fmt, cases, status: int = 200) -> HttpResponse:
    names = area_names(c.area_code for c in cases)
    rows = [_request_row(c, names) for c in cases]
    return answer(fmt, rows, root="service_requests", item="request", status=status)


def _time(request, name: str, *, end: bool = False) -> dt.datetime | None:
    text = _param(request, name)
    if not text:
        return None
    parsed = parse_datetime(text.replace(" ", "+")) if "T" in text else None
    if parsed is None and "T" not in text:
        day = parse_date(text) if len(text) == 10 else None
        if day is not None:
            parsed = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    if parsed is None:
        raise Open311Invalid(
            _("%(name)s must be a date and time like 2026-12-01T00:00:00+08:00.") % {"name": name}
        )
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _window(request) -> tuple[dt.datetime, dt.datetime]:
    """start_date and end_date: at most 90 days apart; the last 90 days when neither is given."""
    start, end = _time(request, "start_date"), _time(request, "end_date", end=True)
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - DEFAULT_WINDOW  # type: ignore[operator]
    if end is None:
        end = start + DEFAULT_WINDOW
    if end < start:
        raise Open311Invalid(_("end_date lies before start_date."))
    if end - start > DEFAULT_WINDOW:
        raise Open311Invalid(_("start_date and end_date may be at most 90 days apart."))
    return start, end


def _page(request, rows):
    """The page/page_size extension: 1-based pages of at most 1,000 (the default size)."""
    try:
        page = int(_param(request, "page") or 1)
        size = int(_param(request, "page_size") or MAX_PAGE_SIZE)
    except ValueError:
        raise Open311Invalid(_("page and page_size are whole numbers.")) from None
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise Open311Invalid(
            _("page starts at 1 and page_size is between 1 and %(n)d.") % {"n": MAX_PAGE_SIZE}
        )
    return list(rows[(page - 1) * size : page * size])


def _listed(request, name: str) -> list[str] | None:
    text = _param(request, name)
    if not text:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


@endpoint("GET", "POST", needs_key=True)
def requests(request, fmt, *, key, jurisdiction):
    if request.method == "POST":
        return _request_post(request, fmt, key=key)
    references = _listed(request, "service_request_id")
    filters = RequestFilters(references=references)
    if references is None:
        status_q = None
        wanted = _listed(request, "status")
        if wanted is not None:
            status_q = statuses.cases_q(wanted)
            if status_q is None:
                raise Open311Invalid(
                    _("status must be open or closed, or one of: %(values)s.")
                    % {"values": ", ".join(statuses.EXTENDED)}
                )
        start, end = _window(request)
        filters = RequestFilters(
            service_codes=_listed(request, "service_code"), status_q=status_q, start=start, end=end
        )
    cases = _page(request, open311_request_list(user=key.account, filters=filters, jurisdiction=jurisdiction))
    return _requests_answer(fmt, cases)


def _request_post(request, fmt, *, key) -> HttpResponse:
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Invalid(_("Send the request as a form (application/x-www-form-urlencoded)."))
    attributes = {
        name[len("attribute[") : -1]: value.strip()
        for name, value in request.POST.items()
        if name.startswith("attribute[") and name.endswith("]")
    }
    sent = RequestSent(
        service_code=_param(request, "service_code"),
        description=_param(request, "description"),
        lat=_param(request, "lat"),
        long=_param(request, "long"),
        address_string=_param(request, "address_string"),
        address_id=_param(request, "address_id"),
        first_name=_param(request, "first_name"),
        last_name=_param(request, "last_name"),
        phone=_param(request, "phone"),
        media_url=_param(request, "media_url"),
        account_id=_param(request, "account_id"),
        idempotency_key=request.headers.get("Idempotency-Key", "") or _param(request, "idempotency_key"),
        attributes=attributes,
    )
    submission = open311_request_submit(key=key, sent=sent)
    body = [
        {
            "service_request_id": submission.case.reference,
            "token": submission.token,
            "service_notice": "",
            "account_id": submission.account_id or None,
        }
    ]
    return answer(fmt, body, root="service_requests", item="request")


@endpoint("GET", needs_key=True)
def request_one(request, fmt, *, key, jurisdiction, reference_text):
    case = open311_request_get(user=key.account, reference_text=reference_text, jurisdiction=jurisdiction)
    return _requests_answer(fmt, [case])


@endpoint("GET", needs_key=True)
def token(request, fmt, *, key, jurisdiction, token_text):
    submission = open311_token_get(user=key.account, token=token_text, jurisdiction=jurisdiction)
    body = [{"service_request_id": submission.case.reference, "token": submission.token}]
    return answer(fmt, body, root="service_requests", item="request")


# --- mySociety's servicerequestupdates ----------------------------------------------------------------------


def _update_row(event) -> dict:
    closed_as = (
        "merged"
        if event.action == "merge"
        else (event.case.close_reason if event.new_state == "closed" else "")
    )
    row = statuses.row_for(event.new_state, closed_as)
    words = Message.from_data(event.message_data).text() if event.message_data else event.message
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.reference,
        "status": row.extended,
        "updated_datetime": _iso(event.at),
        "description": mask_numbers_in_text(str(words)),
        "media_url": None,
        "external_status_code": event.action,
    }


@endpoint("GET", "POST", needs_key=True)
def updates(request, fmt, *, key, jurisdiction):
    if request.method == "POST":
        return _update_post(request, fmt, key=key, jurisdiction=jurisdiction)
    start, end = _window(request)
    events = open311_update_list(
        user=key.account,
        start=start,
        end=end,
        references=_listed(request, "service_request_id"),
        jurisdiction=jurisdiction,
    )
    rows = [_update_row(e) for e in _page(request, events)]
    return answer(fmt, rows, root="service_request_updates", item="request_update")


def _update_post(request, fmt, *, key, jurisdiction) -> HttpResponse:
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Invalid(_("Send the update as a form (application/x-www-form-urlencoded)."))
    reference_text = _param(request, "service_request_id")
    status_text = _param(request, "status")
    if not reference_text or not status_text:
        raise Open311Invalid(_("service_request_id and status are required."))
    case = open311_request_get(user=key.account, reference_text=reference_text, jurisdiction=jurisdiction)
    event = open311_update_post(
        actor=key.account, case=case, status=status_text, description=_param(request, "description")
    )
    body = [{"update_id": str(event.pk)}]
    return answer(fmt, body, root="service_request_updates", item="request_update")


def unknown(request, path: str = "") -> HttpResponse:
    fmt = "json" if path.endswith(".json") else "xml"
    return errors(fmt, 404, [_("There is no such address in the Open311 endpoint.")])
