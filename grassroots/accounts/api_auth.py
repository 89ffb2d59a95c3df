"""How the JSON API knows who is asking: a bearer token from ``ApiToken`` or the browser session (with CSRF).

``api_auth()`` is the whole API's default; ``public_auth()`` is for reads open to anyone (a public committee's
timeline, a published notice), where a caller who is logged in is still recognised so that the selectors can
show them what their roles allow.
"""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from .selectors import user_for_api_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


def _anyone(request):
    """Whoever is asking, logged in or not (visibility is decided by the selectors)."""
    return getattr(request, "user", None) or True


def api_auth() -> list:
    """Bearer token first, then the session cookie (ninja tries each in turn)."""
    return [BearerToken(), SessionAuth()]


def public_auth() -> list:
    """The token or the session when there is one, else anyone."""
    return [*api_auth(), _anyone]
