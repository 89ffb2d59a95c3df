"""API keys: issued by an administrator of the area (audited, secret shown once and stored hashed), scoped
like a grant, rate-limited per key, revocable."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from grassroots.accounts.models import AuditLog, Role
from grassroots.accounts.scoping import OutOfScope, in_scope, scope_codes
from grassroots.areas.models import Area
from grassroots.errors import NotPermitted
from grassroots.integrations.errors import IntegrationError, KeyRefused, RateLimited
from grassroots.integrations.models import ApiKey
from grassroots.integrations.selectors import key_digest
from grassroots.integrations.services.keys import api_key_issue, api_key_revoke, api_key_use
from tests.cases.conftest import COUNTY
from tests.factories import UserFactory, area, user_with


def test_an_issued_key_is_stored_hashed_and_acts_inside_its_area_only(county_key):
    key, raw = county_key
    assert raw.startswith("grk_") and len(raw) > 40
    assert key.key_hash == key_digest(raw) and raw not in key.key_hash
    assert not ApiKey.objects.filter(key_hash=raw).exists()
    used = api_key_use(raw)
    assert used.pk == key.pk
    assert scope_codes(used.account) == [COUNTY]
    assert in_scope(used.account, COUNTY + "100200001")
    assert not in_scope(used.account, "150826100200001")
    assert not used.account.has_usable_password() and not used.account.is_staff


def test_issue_and_revoke_are_audited(city):
    admin = user_with(Role.ADMINISTRATOR, COUNTY, is_staff=True)
    key, raw = api_key_issue(
        actor=admin, name="小程序", area=Area.objects.get(code=COUNTY), role=Role.VILLAGE_STAFF
    )
    assert AuditLog.objects.filter(action="api_key.issue", target_id=str(key.pk), actor=admin).exists()
    assert api_key_revoke(actor=admin, key=key, reason="合同结束")
    assert AuditLog.objects.filter(action="api_key.revoke", target_id=str(key.pk), reason="合同结束").exists()
    with pytest.raises(KeyRefused):
        api_key_use(raw)
    assert not api_key_revoke(actor=admin, key=key)  # once only


def test_an_administrator_issues_keys_only_inside_their_area(city):
    admin = user_with(Role.ADMINISTRATOR, "150826", is_staff=True)
    before = ApiKey.objects.count()
    with pytest.raises((NotPermitted, OutOfScope)):
        api_key_issue(actor=admin, name="越界", area=Area.objects.get(code=COUNTY), role=Role.COUNTY_STAFF)
    assert ApiKey.objects.count() == before


def test_a_key_cannot_hold_an_administrators_role(city):
    with pytest.raises(IntegrationError):
        api_key_issue(actor=None, name="x", area=Area.objects.get(code=COUNTY), role=Role.ADMINISTRATOR)
    assert not ApiKey.objects.exists()


def test_a_key_is_refused_past_its_rate_and_counted_per_key(city, settings):
    _fast, fast_raw = api_key_issue(
        actor=None, name="a", area=Area.objects.get(code=COUNTY), role=Role.COUNTY_STAFF, rate_per_minute=3
    )
    _other, other_raw = api_key_issue(
        actor=None, name="b", area=Area.objects.get(code=COUNTY), role=Role.COUNTY_STAFF, rate_per_minute=3
    )
    for _ in range(3):
        api_key_use(fast_raw)
    with pytest.raises(RateLimited) as refused:
        api_key_use(fast_raw)
    assert 1 <= refused.value.retry_after <= 61
    assert api_key_use(other_raw)  # the other key has its own count


def test_unknown_and_empty_keys_are_refused(db):
    for raw in ("", "grk_nothing", "x" * 500):
        with pytest.raises(KeyRefused):
            api_key_use(raw)


def test_the_command_issues_lists_and_revokes(city, capsys):
    call_command("apikey", "issue", "--name", "热线对接", "--area", COUNTY, "--role", "county_staff")
    out = capsys.readouterr().out
    raw = out.strip().splitlines()[-1]
    key = api_key_use(raw)
    call_command("apikey", "list")
    listed = capsys.readouterr().out
    assert key.prefix in listed and raw not in listed
    call_command("apikey", "revoke", key.prefix, "--reason", "test")
    with pytest.raises(KeyRefused):
        api_key_use(raw)


def test_the_admin_page_shows_the_secret_once_and_scopes_the_list(city, client: Client):
    admin = user_with(Role.ADMINISTRATOR, COUNTY, is_staff=True)
    api_key_issue(actor=None, name="邻县系统", area=area("150826"), role=Role.COUNTY_STAFF)
    client.force_login(admin)
    response = client.post(
        "/admin/integrations/apikey/add/",
        {"name": "县系统", "role": "county_staff", "area_code": COUNTY, "rate_per_minute": "60"},
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(name="县系统")
    shown = [str(m) for m in response.context["messages"]]
    secret = next(s.split("<code>")[1].split("</code>")[0] for s in shown if "<code>" in s)
    assert api_key_use(secret).pk == key.pk
    listing = client.get("/admin/integrations/apikey/")
    assert "县系统" in listing.content.decode() and "邻县系统" not in listing.content.decode()
    assert secret not in client.get(f"/admin/integrations/apikey/{key.pk}/change/").content.decode()
    outside = ApiKey.objects.get(name="邻县系统")
    assert client.get(f"/admin/integrations/apikey/{outside.pk}/change/").status_code == 404


def test_a_resident_cannot_reach_the_key_admin(city, client: Client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/integrations/apikey/").status_code in (302, 403)
