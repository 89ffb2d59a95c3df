"""The integrations' refusals, each with a stable code (``grassroots.errors``)."""

from __future__ import annotations

from grassroots.errors import DomainError


class IntegrationError(DomainError):
    code = "integration_error"


class KeyRefused(IntegrationError):
    """No key, an unknown key or a revoked one: the same answer for all three."""

    code = "invalid_api_key"
    status = 403


class RateLimited(IntegrationError):
    """The key made more requests this minute than it may; ``retry_after`` seconds until the next minute."""

    code = "too_many_requests"
    status = 429

    def __init__(self, message, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
