"""JSON API for accounts (mounted at /api/v1/accounts)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from . import services
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
    return 204, None
