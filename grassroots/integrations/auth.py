"""How a request made with an API key is recognised: the one module other apps import to accept keys.

- Plain Django views (Open311): :func:`key_from_request` finds the key in the ``X-Api-Key`` header, the
  ``api_key`` query parameter or the ``api_key`` form field (Open311 sends it in the query or the body), or as
  the password of HTTP Basic authentication, counts
  it against its rate and returns it; ``request.user`` becomes the key's system account, so the views and the
  services scope by the same grants as for a person.
- The JSON API (django-ninja): ``auth=ApiKeyAuth()`` on a router or operation (header ``X-Api-Key``; the
  query's ``api_key`` too). A missing, unknown or revoked key answers 403 ``invalid_api_key``, too many requests
  429 ``too_many_requests`` with ``Retry-After``.

Refusals are :class:`~grassroots.integrations.errors.KeyRefused` and
:class:`~grassroots.integrations.errors.RateLimited` (``DomainError``\\ s with stable codes).
"""

from __future__ import annotations

import base64

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyHeader

from .errors import KeyRefused
from .models import ApiKey
from .services.keys import api_key_use

HEADER = "X-Api-Key"


def _basic_password(request: HttpRequest) -> str:
    """The password of HTTP Basic authentication (the user name is not read): clients that cannot add a
    parameter to every request (a GeoReport library's GETs) send the key this way, e.g. from a netrc file."""
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value:
        return ""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[2]


def raw_key_of(request: HttpRequest) -> str:
    """The key as sent: the header first, then the query string, a form body, HTTP Basic's password."""
    raw = request.headers.get(HEADER) or request.GET.get("api_key")
    if (
        not raw
        and request.method == "POST"
        and request.content_type
        in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        )
    ):
        raw = request.POST.get("api_key")
    return (raw or _basic_password(request)).strip()


def key_from_request(request: HttpRequest) -> ApiKey:
    """The request's active key, counted; ``request.user`` set to its system account. Raises
    :class:`KeyRefused` or :class:`RateLimited`."""
    raw = raw_key_of(request)
    if not raw:
        raise KeyRefused(_("Send the API key (the api_key parameter, or the X-Api-Key header)."))
    key = api_key_use(raw)
    request.user = key.account
    request.api_key = key  # type: ignore[attr-defined]
    return key


def optional_key_from_request(request: HttpRequest) -> ApiKey | None:
    """Like :func:`key_from_request` when a key was sent; None when none was (a bad key is still refused)."""
    return key_from_request(request) if raw_key_of(request) else None


class ApiKeyAuth(APIKeyHeader):
    """django-ninja authentication by API key (``X-Api-Key`` header, or ``api_key`` in the query)."""

    param_name = HEADER

    def _get_key(self, request: HttpRequest) -> str | None:
        return raw_key_of(request) or None

    def authenticate(self, request: HttpRequest, key: str | None):
        if not key:
            return None  # 401 through the API's handler: no credentials at all
        found = api_key_use(key)
        request.user = found.account
        request.api_key = found  # type: ignore[attr-defined]
        return found.account
