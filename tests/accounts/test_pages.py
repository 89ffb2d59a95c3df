"""The password-reset page: a refused password stands on its field; a good one is set and audited."""

import pytest
from django.urls import reverse

from grassroots.accounts.models import AuditLog, Role
from tests.factories import user_with

pytestmark = pytest.mark.django_db


def test_a_refused_password_is_shown_on_its_field_and_nothing_changes(client):
    admin = user_with(Role.ADMINISTRATOR, "150825")
    subject = user_with(Role.GRID_WORKER, "150825100001001")
    before = subject.password
    client.force_login(admin)
    response = client.post(
        reverse("accounts:password_reset", args=[subject.pk]),
        {"new_password": "12345678", "reason": "forgot it"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["new_password"] and "__all__" not in form.errors
    subject.refresh_from_db()
    assert subject.password == before
    assert not AuditLog.objects.filter(action="user.password_reset").exists()


def test_a_good_password_is_set_and_audited(client):
    admin = user_with(Role.ADMINISTRATOR, "150825")
    subject = user_with(Role.GRID_WORKER, "150825100001001")
    client.force_login(admin)
    response = client.post(
        reverse("accounts:password_reset", args=[subject.pk]),
        {"new_password": "New-pass-2026", "reason": "forgot it"},
    )
    assert response.status_code == 302
    subject.refresh_from_db()
    assert subject.check_password("New-pass-2026")
    assert AuditLog.objects.filter(action="user.password_reset").exists()
