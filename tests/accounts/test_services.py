import pytest
from django.db import IntegrityError, connection, transaction

from grassroots import fieldcrypt
from grassroots.accounts import services
from grassroots.accounts.models import AuditLog, Role, RoleGrant, User
from grassroots.accounts.scoping import OutOfScope, in_scope
from grassroots.errors import DomainError, NotPermitted
from tests.factories import UserFactory, area, user_with

pytestmark = pytest.mark.django_db


def test_phone_is_encrypted_at_rest_and_found_by_its_hash():
    user = services.user_create(username="li", password="Grassroots-2026", phone="+86 138-0013-5678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_hash FROM accounts_user WHERE id = %s", [user.pk])
        stored, stored_hash = cursor.fetchone()
    assert "13800135678" not in stored
    assert stored_hash == fieldcrypt.keyed_hash("13800135678")
    assert User.objects.get(pk=user.pk).phone == "13800135678"
    assert user.phone_masked == "138****5678"


def test_a_phone_belongs_to_one_account_and_must_be_a_mobile_number():
    services.user_create(username="a", password="Grassroots-2026", phone="13800135678")
    with pytest.raises(DomainError) as exc:
        services.user_create(username="b", password="Grassroots-2026", phone="138 0013 5678")
    assert exc.value.code == "phone_taken"
    with pytest.raises(DomainError) as exc:
        services.user_create(username="c", password="Grassroots-2026", phone="12345")
    assert exc.value.code == "bad_phone"
    assert User.objects.filter(username__in=["b", "c"]).count() == 0


def test_weak_password_is_refused_with_the_validators_words():
    with pytest.raises(DomainError) as exc:
        services.user_create(username="weak", password="12345678")
    assert exc.value.code == "weak_password" and exc.value.detail == {"field": "password"}
    assert not User.objects.filter(username="weak").exists()


def test_audit_log_is_append_only_in_the_database():
    record = services.audit_record(actor=None, action="test.read", target_type="x", target_id="1")
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    # The database itself refuses, even past the model (bulk update / raw delete).
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        AuditLog.objects.filter(pk=record.pk).update(reason="rewritten")
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        AuditLog.objects.filter(pk=record.pk).delete()
    assert AuditLog.objects.get(pk=record.pk).reason == ""


def test_admin_grants_roles_only_inside_own_scope():
    admin = user_with(Role.ADMINISTRATOR, "150825")
    subject = UserFactory()
    inside, outside = area("150825100"), area("150826100")
    services.role_grant(actor=admin, user=subject, role=Role.TOWNSHIP_STAFF, area=inside)
    assert in_scope(subject, "150825100001")
    with pytest.raises(OutOfScope):
        services.role_grant(actor=admin, user=subject, role=Role.TOWNSHIP_STAFF, area=outside)
    assert not RoleGrant.objects.filter(user=subject, area=outside).exists()
    assert AuditLog.objects.filter(action="role.grant", target_id=str(subject.pk)).count() == 1


def test_staff_who_is_not_admin_cannot_grant_in_own_area():
    staff = user_with(Role.TOWNSHIP_STAFF, "150825100")
    subject = UserFactory()
    with pytest.raises(NotPermitted):
        services.role_grant(actor=staff, user=subject, role=Role.RESIDENT, area=area("150825100001"))
    assert not RoleGrant.objects.filter(user=subject).exists()


def test_password_reset_by_admin_in_scope_is_audited():
    admin = user_with(Role.ADMINISTRATOR, "150825")
    subject = user_with(Role.GRID_WORKER, "150825100001001")
    services.user_reset_password(actor=admin, user=subject, new_password="New-pass-2026", reason="forgot it")
    subject.refresh_from_db()
    assert subject.check_password("New-pass-2026")
    record = AuditLog.objects.get(action="user.password_reset")
    assert (record.actor, record.target_id, record.reason) == (admin, str(subject.pk), "forgot it")


def test_password_reset_outside_scope_is_404_and_changes_nothing():
    admin = user_with(Role.ADMINISTRATOR, "150826")
    subject = user_with(Role.GRID_WORKER, "150825100001001")
    before = User.objects.get(pk=subject.pk).password
    with pytest.raises(OutOfScope):
        services.user_reset_password(actor=admin, user=subject, new_password="New-pass-2026", reason="x")
    assert User.objects.get(pk=subject.pk).password == before
    assert not AuditLog.objects.filter(action="user.password_reset").exists()


def test_password_reset_needs_a_reason():
    admin = user_with(Role.ADMINISTRATOR, "150825")
    subject = user_with(Role.GRID_WORKER, "150825100001001")
    with pytest.raises(DomainError) as exc:
        services.user_reset_password(actor=admin, user=subject, new_password="New-pass-2026", reason="  ")
    assert exc.value.code == "reason_required" and exc.value.detail == {"field": "reason"}


def test_role_grant_is_unique_per_user_role_area():
    user = user_with(Role.RESIDENT, "150825100001")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(
            user=user, role=Role.RESIDENT, area=area("150825100001"), area_code="150825100001"
        )
