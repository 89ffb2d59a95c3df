"""Every write to users, role grants and the audit log."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock, personal
from grassroots.errors import DomainError

from . import rules
from .models import ApiToken, AuditLog, Role, RoleGrant, User
from .scoping import forget_grants
from .selectors import token_digest


class AccountError(DomainError):
    code = "account_error"


def _request_origin(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    return request.META.get("REMOTE_ADDR"), request.META.get("HTTP_USER_AGENT", "")[:300]


def audit_record(
    *,
    actor: User | None,
    action: str,
    target=None,
    target_type: str = "",
    target_id: str = "",
    area_code: str = "",
    reason: str = "",
    request=None,
    detail: dict | None = None,
) -> AuditLog:
    """Append one audit record: who (actor), what (action, target), when, why (reason), from where."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        area_code = area_code or getattr(target, "area_code", "") or getattr(target, "code", "")
    ip, agent = _request_origin(request)
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=str(actor) if actor is not None and actor.is_authenticated else "",
        action=action,
        target_type=target_type,
        target_id=target_id,
        area_code=area_code,
        reason=reason,
        ip_address=ip,
        user_agent=agent,
        detail=detail or {},
    )


def _phone_fields(phone: str) -> tuple[str, str | None]:
    if not phone:
        return "", None
    digits, digest, _masked = personal.phone_columns(phone)
    if not personal.is_mobile(digits):
        raise AccountError(_("A mobile number has 11 digits and starts with 1."), code="bad_phone")
    return digits, digest


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    display_name: str = "",
    phone: str = "",
    is_synthetic: bool = False,
    actor: User | None = None,
    validate: bool = True,
) -> User:
    """Create a login. Phone numbers are unique across users (checked through their keyed hash)."""
    if User.objects.filter(username__iexact=username).exists():  # logins are matched regardless of case
        raise AccountError(
            _("The username %(username)s is taken.") % {"username": username}, code="username_taken"
        )
    digits, phone_hash = _phone_fields(phone)
    if phone_hash and User.objects.filter(phone_hash=phone_hash).exists():
        raise AccountError(_("Another account already uses this mobile number."), code="phone_taken")
    user = User(
        username=username,
        display_name=display_name,
        phone=digits,
        phone_hash=phone_hash,
        is_synthetic=is_synthetic,
    )
    if password:
        if validate:
            _validate_password(password, user, field="password")
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if actor is not None:
        audit_record(actor=actor, action="user.create", target=user)
    return user


def _validate_password(password: str, user: User, *, field: str) -> None:
    """Refuse a password the validators refuse, in their words, naming the ``field`` it was typed in."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(
            " ".join(str(m) for m in exc.messages), code="weak_password", detail={"field": field}
        ) from exc


@transaction.atomic
def role_grant(*, actor: User | None, user: User, role: str, area, request=None) -> RoleGrant:
    """Grant ``role`` on ``area``. An administrator may grant only inside their own scope."""
    if role not in Role.values:
        raise AccountError(_("Unknown role %(role)s.") % {"role": role}, code="unknown_role")
    if actor is not None:
        rules.require(actor, rules.can_manage_area, area.code)
    grant, created = RoleGrant.objects.get_or_create(
        user=user, role=role, area=area, defaults={"area_code": area.code, "granted_by": actor}
    )
    if created and actor is not None:
        audit_record(
            actor=actor,
            action="role.grant",
            target=user,
            area_code=area.code,
            detail={"role": role, "area": area.code},
            request=request,
        )
    forget_grants(user)
    return grant


@transaction.atomic
def role_revoke(*, actor: User, grant: RoleGrant, request=None) -> None:
    rules.require(actor, rules.can_manage_area, grant.area_code)
    audit_record(
        actor=actor,
        action="role.revoke",
        target=grant.user,
        area_code=grant.area_code,
        detail={"role": grant.role, "area": grant.area_code},
        request=request,
    )
    grant.delete()
    forget_grants(grant.user)


@transaction.atomic
def user_reset_password(*, actor: User, user: User, new_password: str, reason: str, request=None) -> None:
    """An administrator sets a new password for a user in their scope (the user changes it after login)."""
    rules.require(actor, rules.can_manage_user, user)
    if not reason.strip():
        raise AccountError(
            _("Say why the password is being reset."), code="reason_required", detail={"field": "reason"}
        )
    _validate_password(new_password, user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="user.password_reset", target=user, reason=reason, request=request)


@transaction.atomic
def user_phone_set(*, actor: User, user: User, phone: str, request=None) -> None:
    """Replace (or, with an empty ``phone``, remove) a user's mobile number and its keyed hash.

    The number is unique across users and is the login identifier, so only an administrator whose scope
    covers the user may change it; the audit record keeps the masked old and new numbers, never the digits.
    """
    rules.require(actor, rules.can_manage_user, user)
    digits, phone_hash = _phone_fields(phone)
    if phone_hash and User.objects.filter(phone_hash=phone_hash).exclude(pk=user.pk).exists():
        raise AccountError(_("Another account already uses this mobile number."), code="phone_taken")
    before = user.phone_masked
    user.phone, user.phone_hash = digits, phone_hash
    user.save(update_fields=["phone", "phone_hash"])
    audit_record(
        actor=actor,
        action="user.phone_set",
        target=user,
        request=request,
        detail={"from": before, "to": user.phone_masked},
    )


def api_token_issue(*, user: User, name: str) -> str:
    """Issue a bearer token for the JSON API; the raw value is returned once and only its hash is stored."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name[:100], token_hash=token_digest(raw), prefix=raw[:8])
    return raw


def api_token_revoke(*, raw: str) -> bool:
    return bool(
        ApiToken.objects.filter(token_hash=token_digest(raw), revoked_at__isnull=True).update(
            revoked_at=clock.now()
        )
    )
