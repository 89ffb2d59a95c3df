"""Reads of API keys, webhook subscriptions and their deliveries, scoped like every protected read."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from grassroots.accounts.models import User
from grassroots.accounts.rules import ADMIN_ROLES
from grassroots.accounts.scoping import scoped

from .models import ApiKey


def key_digest(raw: str) -> str:
    """The stored form of a key: its SHA-256 (the key is 256 random bits, so no slow hash is needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_for(raw: str) -> ApiKey | None:
    """The active key whose secret is ``raw``, with its system account; None for anything else."""
    if not raw or not isinstance(raw, str) or len(raw) > 200:
        return None
    return (
        ApiKey.objects.select_related("account")
        .filter(key_hash=key_digest(raw), revoked_at__isnull=True, account__is_active=True)
        .first()
    )


def api_key_list_for(*, user: User) -> QuerySet[ApiKey]:
    """The keys issued on areas the administrator administers."""
    return scoped(ApiKey.objects.select_related("area", "issued_by"), user, roles=ADMIN_ROLES)
