"""How the JSON API knows who is asking: a bearer token from ``ApiToken`` or the browser session (with CSRF).

``api_auth()`` is the whole API's default; ``public_auth()`` is for reads open to anyone (a public committee's
timeline, a published notice), where a caller who is logged in is still recognised so that the selectors can
show them what their roles allow.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from grassroots.errors import DomainError

from .selectors import user_for_api_token


class CsrfFailed(DomainError):
    """A request with the session cookie but without the CSRF token of that session."""

    code = "csrf_failed"
    status = 403


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


class SessionCookie(SessionAuth):
    """The browser session. Its CSRF check runs only when a session cookie came with the request: without
    one there is no session a forged request could ride on, and the caller is simply not logged in (401)."""

    def __call__(self, request):
        if not request.COOKIES.get(self.param_name):
            return None
        return super().__call__(request)

    def _get_key(self, request):
        try:
            return super()._get_key(request)
        except HttpError:
            raise CsrfFailed(
                _("The security token of this session is missing or wrong: reload the page and try again.")
            ) from None


def _anyone(request):
    """Whoever is asking, logged in or not (visibility is decided by the selectors)."""
    return getattr(request, "user", None) or True


def api_auth() -> list:
    """Bearer token first, then the session cookie (ninja tries each in turn)."""
    return [BearerToken(), SessionCookie()]


def public_auth() -> list:
    """The token or the session when there is one, else anyone."""
    return [*api_auth(), _anyone]
