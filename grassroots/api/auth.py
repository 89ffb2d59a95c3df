"""API authentication: the browser session (with CSRF) or a bearer token from accounts.ApiToken."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from grassroots.accounts.selectors import user_for_api_token


class _Bearer(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


def api_auth() -> list:
    """Bearer token first, then the session cookie (ninja tries each in turn)."""
    return [_Bearer(), SessionAuth()]
