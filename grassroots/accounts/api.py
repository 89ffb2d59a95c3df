"""JSON API for accounts (mounted at /api/v1/accounts)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from . import logins, services
from .selectors import user_list_for

router = Router(tags=["accounts"])


class GrantOut(Schema):
    role: str
    area_code: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    phone_masked: str
    grants: list[GrantOut]


class TokenIn(Schema):
    username: str
    password: str
    device: str = "mobile"


class TokenOut(Schema):
    token: str


@router.post(
    "/token",
    auth=None,
    response={201: TokenOut},
    summary="Log in with phone number or username and password; returns a bearer token",
)
def token_issue(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None and getattr(request, "axes_locked_out", False):
        raise services.AccountError(logins.LOCKED_OUT_MESSAGE, code="locked_out", status=429)
    if user is None:
        raise services.AccountError(
            _("Wrong mobile number, username or password. Check them and try again."),
            code="invalid_login",
            status=401,
        )
    return Status(201, {"token": services.api_token_issue(user=user, name=payload.device)})


@router.delete("/token", response={204: None}, summary="Revoke the bearer token used for this call")
def token_revoke(request):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.api_token_revoke(raw=header[7:].strip())
    return Status(204, None)


@router.get("/me", response=MeOut, summary="The caller, with masked phone and role grants")
def me(request):
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "phone_masked": user.phone_masked,
        "grants": list(user.grants.values("role", "area_code")),
    }


class PasswordResetIn(Schema):
    new_password: str
    reason: str


@router.post("/users/{user_id}/password", response={204: None}, summary="Administrator resets a password")
def password_reset(request, user_id: int, payload: PasswordResetIn):
    subject = get_object_or_404(user_list_for(user=request.user), pk=user_id)
    services.user_reset_password(
        actor=request.user,
        user=subject,
        new_password=payload.new_password,
        reason=payload.reason,
        request=request,
    )
    return Status(204, None)
