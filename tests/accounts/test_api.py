import pytest

from grassroots.accounts import services
from grassroots.accounts.models import ApiToken, AuditLog, Role, User
from tests.factories import user_with

pytestmark = pytest.mark.django_db


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_login_by_phone_gives_a_token_that_authenticates(client):
    services.user_create(username="wang", password="Grassroots-2026", phone="13900001111", display_name="王")
    response = client.post(
        "/api/v1/accounts/token",
        {"username": "139 0000 1111", "password": "Grassroots-2026"},
        content_type="application/json",
    )
    assert response.status_code == 201
    token = response.json()["token"]
    assert ApiToken.objects.get().token_hash != token  # only the hash is stored
    me = client.get("/api/v1/accounts/me", **_bearer(token)).json()
    assert me["username"] == "wang"
    assert me["phone_masked"] == "139****1111"
    assert "13900001111" not in str(me)


def test_wrong_password_gives_a_clear_error_in_chinese(client):
    services.user_create(username="wang", password="Grassroots-2026")
    response = client.post(
        "/api/v1/accounts/token",
        {"username": "wang", "password": "nope"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_login"


def test_revoked_token_no_longer_works(client):
    user = services.user_create(username="wang", password="Grassroots-2026")
    raw = services.api_token_issue(user=user, name="phone")
    assert client.delete("/api/v1/accounts/token", **_bearer(raw)).status_code == 204
    response = client.get("/api/v1/accounts/me", **_bearer(raw))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_anonymous_api_call_is_401_with_code(client):
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("role", "admin_area", "expected"),
    [
        (Role.ADMINISTRATOR, "150825", 204),  # inside scope
        (Role.ADMINISTRATOR, "150826", 404),  # outside scope
        (Role.SUPERVISOR, "150825", 404),  # not an administrator: the user list is empty for them
        (Role.GRID_WORKER, "150825100001001", 404),
    ],
)
def test_password_reset_api_matrix(client, role, admin_area, expected):
    actor = user_with(role, admin_area)
    subject = user_with(Role.GRID_WORKER, "150825100001001")
    before = User.objects.get(pk=subject.pk).password
    token = services.api_token_issue(user=actor, name="t")
    response = client.post(
        f"/api/v1/accounts/users/{subject.pk}/password",
        {"new_password": "Another-pass-2026", "reason": "lost phone"},
        content_type="application/json",
        **_bearer(token),
    )
    assert response.status_code == expected, response.content
    changed = User.objects.get(pk=subject.pk).password != before
    assert changed is (expected == 204)
    assert AuditLog.objects.filter(action="user.password_reset").exists() is (expected == 204)


def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/accounts/token" in paths


def test_a_token_records_its_use_at_most_once_a_minute(client):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grassroots import clock

    user = services.user_create(username="li", password="Grassroots-2026")
    raw = services.api_token_issue(user=user, name="phone")
    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def token_writes(at) -> int:
        with clock.frozen(at), CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/accounts/me", **_bearer(raw)).status_code == 200
        return sum(1 for q in queries if q["sql"].startswith("UPDATE") and "api" in q["sql"].lower())

    assert token_writes(t0) == 1  # first use
    assert ApiToken.objects.get().last_used_at == t0
    assert token_writes(t0 + dt.timedelta(seconds=20)) == 0
    assert token_writes(t0 + dt.timedelta(seconds=59)) == 0
    assert ApiToken.objects.get().last_used_at == t0
    assert token_writes(t0 + dt.timedelta(seconds=61)) == 1
    assert ApiToken.objects.get().last_used_at == t0 + dt.timedelta(seconds=61)
