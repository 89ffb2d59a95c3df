"""The JSON API: one NinjaAPI at /api/v1 that mounts each app's router, and the one set of error handlers.

Every error answers ``{"code", "message"}`` (and ``detail`` where there is more to say: the invalid fields,
an import's report) with a fitting status, whatever raised it:

====  ======================  ==============================================================================
400   ``unreadable_body``     the body is not JSON (or not the form) the operation reads
401   ``unauthenticated``     no valid token or session
403   ``csrf_failed``         a session cookie without its CSRF token
403   ``not_permitted``       the caller may see the object but not do this (``NotPermitted``)
404   ``not_found``           no such object for this caller (out of scope too), or no such path
405   ``method_not_allowed``  the path does not take this method (``Allow`` lists those it takes)
409   ``conflict`` …          the object changed meanwhile, or is in the wrong state
413   ``too_large``           the request is larger than the server accepts
422   ``invalid``             parameters or body fail the schema (``detail``: each field and why)
422   ``control_characters``  a text with a control character or bidirectional override
429   ``too_many_requests``   slow down (``Retry-After``)
====  ======================  ==============================================================================

A ``DomainError`` of any app answers with its own code and status. The OpenAPI document declares the
``ApiError`` schema for every operation's 4XX answers, so that clients (and the schema fuzz) can rely on it.

Every operation's text input (path, query, form fields and the JSON body, keys included) is checked by
``grassroots.textinput`` before it runs: a control character or bidirectional override answers 422
``control_characters`` naming the field.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import re
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpResponseNotAllowed, HttpResponsePermanentRedirect
from django.urls import Resolver404, re_path, resolve
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from grassroots.accounts.api_auth import api_auth
from grassroots.errors import DomainError
from grassroots.textinput import ControlCharacters, check_tree


class ApiError(Schema):
    """What every error of the API answers."""

    code: str = Field(description="stable, for programs: not_found, invalid, not_permitted, conflict …")
    message: str = Field(description="for people, in the caller's language (Accept-Language)")
    detail: Any = Field(None, description="more, where there is more: the invalid fields, an import's report")


ERROR_RESPONSE = {
    "description": "An error: `{code, message}` (and `detail`), see the API conventions",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
}


class Api(NinjaAPI):
    """The NinjaAPI with the project's answers where ninja's own are not JSON (an unknown path, a method a
    path does not take) and the error schema in its OpenAPI document."""

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = _answered_in_json(pattern.callback)
        return [*patterns, re_path(r"", _unknown_path, name="unknown")]

    def get_openapi_operation_id(self, operation) -> str:
        """``grassroots_<app>_api_<function>``, wherever in the app's API package the function lives, so that
        an operation keeps its id when its module is split (clients generate code from these ids)."""
        module = re.sub(r"^(grassroots\.\w+\.api)\..*$", r"\1", operation.view_func.__module__)
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The OpenAPI document, built once per process, path prefix and language (building it takes about a
        second of CPU: every schema of every operation); each caller gets its own copy."""
        key = (path_prefix, tuple(sorted((path_params or {}).items())), get_language())
        cache = self.__dict__.setdefault("_openapi_documents", {})
        if key not in cache:
            cache[key] = self._openapi_document(path_prefix=path_prefix, path_params=path_params)
        return copy.deepcopy(cache[key])

    def _openapi_document(self, *, path_prefix, path_params):
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document["components"]["schemas"]["ApiError"] = ApiError.model_json_schema()
        error = ERROR_RESPONSE["content"]["application/json"]["schema"]
        for operations in document["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                responses.setdefault("4XX", copy.deepcopy(ERROR_RESPONSE))
                for status, declared in responses.items():
                    # an operation's own answer for a 4xx status (an import's report) or the error any
                    # operation may answer with that status (422 for invalid input, 404 …)
                    content = declared.get("content", {}).get("application/json")
                    if str(status).startswith("4") and content and content["schema"] != error:
                        content["schema"] = {"anyOf": [content["schema"], error]}
        return document


def error_response(request, code: str, message, *, status: int, detail=None, headers=None):
    body = {"code": code, "message": str(message)}
    if detail is not None:
        body["detail"] = detail
    response = api.create_response(request, body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _answered_in_json(view):
    """A view of ninja's answering a method the path does not take, or a 404 outside any operation (the API's
    root), in the API's format."""

    @functools.wraps(view)  # keeps csrf_exempt: the session auth checks CSRF itself
    def answered(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error_response(request, "not_found", _("There is no such address in the API."), status=404)
        if isinstance(response, HttpResponseNotAllowed):
            return error_response(
                request,
                "method_not_allowed",
                _("This address does not take %(method)s; it takes %(allowed)s.")
                % {"method": request.method, "allowed": response["Allow"]},
                status=405,
                headers={"Allow": response["Allow"]},
            )
        return response

    return answered


@csrf_exempt
def _unknown_path(request):
    """No operation has this path. A GET that lacks only the trailing slash is sent on to it, as Django's
    CommonMiddleware does for every other address (it does not, once this view answers the path)."""
    if request.method in ("GET", "HEAD") and not request.path.endswith("/"):
        with contextlib.suppress(Resolver404):
            if resolve(request.path + "/").func is not _unknown_path:
                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
    return error_response(request, "not_found", _("There is no such address in the API."), status=404)


api = Api(
    title="Grassroots API",
    version="1",
    urls_namespace="api",
    auth=api_auth(),
    description="网格化基层治理平台 JSON API. Authenticate with a session cookie (and CSRF token) or "
    "`Authorization: Bearer <token>`. Every error answers `{code, message}` (and `detail`).",
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return error_response(
        request,
        exc.code,
        exc.message,
        status=exc.status,
        detail=exc.detail,
        headers=getattr(exc, "headers", None),
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, "not_found", _("Not found."), status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(request, "unauthenticated", _("Log in first."), status=401)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    return error_response(
        request, "invalid", _("Some fields are missing or invalid."), status=422, detail=exc.errors
    )


@api.exception_handler(PermissionDenied)
def _not_permitted(request, exc):
    return error_response(request, "not_permitted", _("You may not do this."), status=403)


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    return error_response(
        request, "too_large", _("The request is larger than the server accepts; send less."), status=413
    )


@api.exception_handler(SuspiciousOperation)
def _bad_request(request, exc):
    return error_response(request, "bad_request", _("The request could not be read."), status=400)


def _http_errors() -> dict[int, tuple[str, str]]:
    """ninja's own refusals (it raises ``HttpError`` with an English text) by status."""
    return {
        400: ("unreadable_body", _("The request body could not be read: send JSON, or the form fields the operation names.")),
        403: ("not_permitted", _("You may not do this.")),
        429: ("too_many_requests", _("Too many requests; wait a moment and try again.")),
    }  # fmt: skip


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    code, message = _http_errors().get(exc.status_code, ("error", _("The request could not be handled.")))
    return error_response(request, code, message, status=exc.status_code)


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
            return error_response(request, exc.code, exc.message, status=422, detail=detail)
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(refuse_control_characters, mode="view")


def _mount() -> None:
    # The apps' routers import this module (its error helpers): they are imported here, after it is complete.
    from grassroots.accounts.api import router as accounts_router
    from grassroots.areas.api import area_data_router
    from grassroots.areas.api import router as areas_router
    from grassroots.cases.api import router as cases_router
    from grassroots.deliberation.api import router as deliberation_router
    from grassroots.disclosure.api import router as disclosure_router
    from grassroots.insights.api import router as insights_router
    from grassroots.notifications.api import router as notifications_router
    from grassroots.people.api import router as people_router
    from grassroots.workforce.api import router as workforce_router

    _mount_hotline()

    api.add_router("/areas", areas_router)
    api.add_router("/area-data", area_data_router)
    api.add_router("/accounts", accounts_router)
    api.add_router("/cases", cases_router)
    api.add_router("/deliberation", deliberation_router)
    api.add_router("/disclosure", disclosure_router)
    api.add_router("/insights", insights_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/people", people_router)
    api.add_router("/workforce", workforce_router)


def _mount_hotline() -> None:
    """The 12345 hotline exchange (cases) also takes the integrators' API keys (X-Api-Key), before the token
    and the session: the hotline's bridge holds a key on its area (docs/integrations.md)."""
    from grassroots.accounts.api_auth import api_auth
    from grassroots.cases.api import hotline_router
    from grassroots.integrations.auth import ApiKeyAuth

    api.add_router("/hotline", hotline_router, auth=[ApiKeyAuth(), *api_auth()])


_mount()
