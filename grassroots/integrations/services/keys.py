"""Issuing, using and revoking API keys.

A key is issued by an administrator of its area (or a superuser) to a named system: a system account is made
for it (no password: it can never log in) and granted the key's role on the area through
``accounts.services.role_grant``, so the key sees and files only where that grant reaches. The secret is
returned once; only its digest is kept. Each use is counted against the key's rate per minute; revoking is
immediate and audited, like the issue.

Other apps authenticate a request with :func:`grassroots.integrations.auth.key_from_request` (plain views) or
:class:`grassroots.integrations.auth.ApiKeyAuth` (ninja), which call :func:`api_key_use` here.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts import rules
from grassroots.accounts.models import User
from grassroots.accounts.services import audit_record, role_grant, user_create

from ..errors import IntegrationError, KeyRefused, RateLimited
from ..models import KEY_ROLES, ApiKey, ApiKeyWindow
from ..selectors import api_key_for, key_digest

KEY_PREFIX = "grk_"
MAX_RATE_PER_MINUTE = 10_000


def _new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def api_key_issue(
    *, actor: User | None, name: str, area, role: str, rate_per_minute: int = 120, request=None
) -> tuple[ApiKey, str]:
    """Issue a key to the system ``name`` on ``area`` with ``role``. Returns the key and its secret, which is
    never shown again. ``actor`` None: issued from the command line (``manage.py apikey``), by the operator."""
    name = (name or "").strip()
    if not name:
        raise IntegrationError(_("Name the system that will hold the key."), detail={"field": "name"})
    if role not in KEY_ROLES:
        raise IntegrationError(
            _("A key may hold one of these roles: %(roles)s.") % {"roles": ", ".join(KEY_ROLES)},
            detail={"field": "role"},
        )
    if not 1 <= int(rate_per_minute) <= MAX_RATE_PER_MINUTE:
        raise IntegrationError(
            _("The rate is between 1 and %(n)d requests a minute.") % {"n": MAX_RATE_PER_MINUTE},
            detail={"field": "rate_per_minute"},
        )
    if actor is not None:
        rules.require(actor, rules.can_manage_area, area.code)
    raw = _new_secret()
    account = user_create(
        username=f"key-{secrets.token_hex(6)}", password=None, display_name=name[:100], actor=actor
    )
    role_grant(actor=actor, user=account, role=role, area=area, request=request)
    key = ApiKey.objects.create(
        name=name[:100],
        account=account,
        role=role,
        area=area,
        area_code=area.code,
        key_hash=key_digest(raw),
        prefix=raw[: len(KEY_PREFIX) + 6],
        rate_per_minute=int(rate_per_minute),
        issued_by=actor,
    )
    audit_record(
        actor=actor,
        action="api_key.issue",
        target=key,
        request=request,
        detail={"name": key.name, "role": role, "area": area.code, "prefix": key.prefix},
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, actor: User | None, key: ApiKey, reason: str = "", request=None) -> bool:
    """Revoke ``key`` at once: its next request is refused. Its system account is deactivated. False when it
    was revoked already (nothing written)."""
    if actor is not None:
        rules.require(actor, rules.can_manage_area, key.area_code)
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        return False
    key.revoked_at, key.revoked_by, key.revoke_reason = clock.now(), actor, (reason or "")[:200]
    key.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    User.objects.filter(pk=key.account_id).update(is_active=False)
    audit_record(
        actor=actor, action="api_key.revoke", target=key, reason=key.revoke_reason, request=request,
        detail={"name": key.name, "prefix": key.prefix},
    )  # fmt: skip
    return True


def _count(key: ApiKey, started: dt.datetime) -> int:
    """Add one request to the key's window that began at ``started``; the window's count after it."""
    window = ApiKeyWindow.objects.filter(key=key, started_at=started)
    if not window.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                ApiKeyWindow.objects.create(key=key, started_at=started, count=1)
            ApiKeyWindow.objects.filter(key=key, started_at__lt=started).delete()
            return 1
        except IntegrityError:  # another server opened the window at the same moment
            window.update(count=F("count") + 1)
    return window.values_list("count", flat=True).first() or 0


def api_key_use(raw: str) -> ApiKey:
    """The active key whose secret is ``raw``, counted against its rate; its ``account`` is the user to act
    as. Raises :class:`KeyRefused` (no such active key) or :class:`RateLimited` (too many this minute)."""
    key = api_key_for(raw)
    if key is None:
        raise KeyRefused(_("The API key is missing, unknown or revoked."))
    now = clock.now()
    started = now.replace(second=0, microsecond=0)
    if _count(key, started) > key.rate_per_minute:
        retry = max(1, int((started + dt.timedelta(minutes=1) - now).total_seconds()) + 1)
        raise RateLimited(
            _("This key may make %(n)d requests a minute; wait %(s)d seconds and try again.")
            % {"n": key.rate_per_minute, "s": retry},
            retry_after=retry,
        )
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
