"""Reads of users, grants and the audit log, always scoped."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from grassroots import clock

from .models import ApiToken, AuditLog, RoleGrant, User
from .rules import ADMIN_ROLES, OVERSIGHT_ROLES
from .scoping import is_unrestricted, scope_q, scoped


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
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
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
