"""The JSON API: one NinjaAPI at /api/v1 that mounts each app's router.

Errors from the domain (``grassroots.errors.DomainError``) become ``{"code", "message"}`` with their status;
out-of-scope lookups become 404 with code ``not_found``. Every operation's text input (path, query, form
fields and the JSON body, keys included) is checked by ``grassroots.textinput`` before it runs: a control
character or bidirectional override answers 422 ``control_characters`` naming the field.
"""

from __future__ import annotations

import contextlib
import functools
import json

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from grassroots.accounts.api_auth import api_auth
from grassroots.errors import DomainError
from grassroots.textinput import ControlCharacters, check_tree

api = NinjaAPI(
    title="Grassroots API",
    version="1",
    urls_namespace="api",
    auth=api_auth(),
    description="网格化基层治理平台 JSON API. Authenticate with a session cookie (and CSRF token) or "
    "`Authorization: Bearer <token>`.",
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    body = {"code": exc.code, "message": str(exc.message)}
    if exc.detail is not None:
        body["detail"] = exc.detail
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(
        request, {"code": "unauthenticated", "message": _("Log in first.")}, status=401
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    return api.create_response(
        request,
        {"code": "invalid", "message": _("Some fields are missing or invalid."), "detail": exc.errors},
        status=422,
    )


def _sent(request, path_params: dict):
    """(field, value) of everything a caller sent: path, query and form values, and the JSON body whole."""
    yield from path_params.items()
    lists = list(request.GET.lists())
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if (request.content_type or "").startswith(
            ("multipart/form-data", "application/x-www-form-urlencoded")
        ):
            lists += request.POST.lists()
        elif request.body:
            with contextlib.suppress(ValueError, UnicodeDecodeError):  # unreadable: the operation says so
                yield "", json.loads(request.body)
    for key, values in lists:
        yield key, values[0] if len(values) == 1 else values


def refuse_control_characters(run):
    """Wraps every operation (before authentication and validation): no text with a control character or
    a bidirectional override reaches an operation."""

    @functools.wraps(run)
    def checked(request, *args, **kwargs):
        try:
            for field, value in _sent(request, kwargs):
                check_tree(value, field=field)
        except ControlCharacters as exc:
            detail = {"field": exc.field, "character": exc.character}
            return api.create_response(
                request, {"code": exc.code, "message": exc.message, "detail": detail}, status=422
            )
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(refuse_control_characters, mode="view")


def _mount() -> None:
    from grassroots.accounts.api import router as accounts_router
    from grassroots.areas.api import router as areas_router
    from grassroots.areas.api_io import router as area_data_router
    from grassroots.cases.api import router as cases_router
    from grassroots.deliberation.api import router as deliberation_router
    from grassroots.disclosure.api import router as disclosure_router
    from grassroots.notifications.api import router as notifications_router
    from grassroots.people.api import router as people_router
    from grassroots.workforce.api import router as workforce_router

    api.add_router("/areas", areas_router)
    api.add_router("/area-data", area_data_router)
    api.add_router("/accounts", accounts_router)
    api.add_router("/cases", cases_router)
    api.add_router("/deliberation", deliberation_router)
    api.add_router("/disclosure", disclosure_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/people", people_router)
    api.add_router("/workforce", workforce_router)


_mount()
