"""Reads of users, grants and the audit log, always scoped."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db.models import Q, QuerySet

from grassroots import clock

from .models import ApiToken, AuditLog, RoleGrant, User
from .rules import ADMIN_ROLES, OVERSIGHT_ROLES
from .scoping import is_unrestricted, scope_q, scoped

# How stale a token's ``last_used_at`` may be: a bearer-token request writes it at most this often.
TOKEN_USE_RECORDED_EVERY = dt.timedelta(minutes=1)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def user_for_api_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RECORDED_EVERY:
        # At most one write a minute per token, not one per request; the condition again in the UPDATE, so
        # that of the workers that read the old time at once only the first writes.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOKEN_USE_RECORDED_EVERY)
        ).update(last_used_at=now)
    return token.user


def user_list_for(*, user: User) -> QuerySet[User]:
    """Users with at least one grant inside the administrator's scope."""
    if is_unrestricted(user):
        return User.objects.all().order_by("username")
    grants = RoleGrant.objects.filter(scope_q(user, roles=ADMIN_ROLES))
    return User.objects.filter(grants__in=grants).distinct().order_by("username")


def grant_list_for(*, user: User, subject: User) -> QuerySet[RoleGrant]:
    return scoped(RoleGrant.objects.filter(user=subject).select_related("area"), user, roles=ADMIN_ROLES)


def audit_list_for(*, user: User, area_code: str | None = None) -> QuerySet[AuditLog]:
    qs = scoped(AuditLog.objects.select_related("actor"), user, roles=OVERSIGHT_ROLES)
    if area_code:
        qs = qs.filter(area_code__startswith=area_code)
    return qs
