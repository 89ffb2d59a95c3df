"""Logging in through the form: by username or mobile number, wrong passwords, throttling, language."""

from __future__ import annotations

import pytest
from django.utils import translation

from grassroots.accounts import services
from grassroots.accounts.forms import LoginForm
from grassroots.accounts.models import Role
from tests.factories import area

pytestmark = pytest.mark.django_db

PASSWORD = "Grassroots-2026"
LOGIN = "/accounts/login/"


@pytest.fixture
def wang():
    user = services.user_create(username="wang", password=PASSWORD, phone="13900001111", display_name="王芳")
    services.role_grant(actor=None, user=user, role=Role.VILLAGE_STAFF, area=area("150825100001"))
    return user


@pytest.fixture
def axes_on(settings):
    """tests/conftest.py turns django-axes off for every test; these tests need it on."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    from axes.models import AccessAttempt

    yield
    AccessAttempt.objects.all().delete()


def _post(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_login_page_is_in_chinese_by_default(client):
    body = client.get(LOGIN).content.decode()
    assert '<html lang="zh-hans">' in body
    assert "密码" in body  # Django's own catalogue: the page is rendered in Chinese


@pytest.mark.parametrize("identifier", ["wang", "13900001111", "139 0000 1111", "+86 139-0000-1111"])
def test_login_by_username_or_mobile_number_opens_the_area(client, wang, identifier):
    response = _post(client, identifier, PASSWORD)
    assert response.status_code == 302
    assert response.url == "/areas/"
    assert int(client.session["_auth_user_id"]) == wang.pk
    # and the area browser takes them to their one area
    assert client.get("/areas/").url == "/areas/150825100001/"


def test_login_keeps_where_the_user_was_going(client, wang):
    response = client.post(
        LOGIN + "?next=/grids/150825100001001/",
        {"username": "wang", "password": PASSWORD, "next": "/grids/150825100001001/"},
    )
    assert response.url == "/grids/150825100001001/"


@pytest.mark.parametrize("identifier", ["wang", "13900001111", "nobody", "13900002222"])
def test_wrong_password_says_what_to_do_in_the_users_language(client, wang, identifier):
    response = _post(client, identifier, "wrong-password", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    with translation.override("zh-hans"):
        expected = str(LoginForm.error_messages["invalid_login"])
    # The same words whether the account exists or not (nothing tells which identifiers exist).
    assert f'<div class="error" role="alert">{expected}</div>' in body
    assert '<html lang="zh-hans">' in body


def test_inactive_account_cannot_log_in(client, wang):
    wang.is_active = False
    wang.save()
    response = _post(client, "wang", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sixth_attempt_after_five_wrong_passwords_is_locked_out(client, wang, axes_on):
    # given five wrong passwords for the same account from the same address
    statuses = [_post(client, "wang", f"wrong-{n}").status_code for n in range(5)]
    assert statuses[:4] == [200, 200, 200, 200]
    # when the right password comes sixth
    response = _post(client, "wang", PASSWORD)
    # then the account is locked: 429, the locked-out page, and no session
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_and_a_good_login_resets_the_count(client, wang, axes_on):
    services.user_create(username="li", password=PASSWORD)
    for n in range(4):
        _post(client, "wang", f"wrong-{n}")
    # another account from the same address is not affected
    assert _post(client, "li", PASSWORD).status_code == 302
    client.logout()
    # four failures then a success resets the count: four more failures still do not lock
    assert _post(client, "wang", PASSWORD).status_code == 302
    client.logout()
    for n in range(4):
        assert _post(client, "wang", f"wrong-again-{n}").status_code == 200
    assert _post(client, "wang", PASSWORD).status_code == 302


def test_language_switch_to_english_and_back(client, wang):
    # when the visitor picks English
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    assert response.status_code == 302 and response.url == LOGIN
    body = client.get(LOGIN).content.decode()
    # then the page is English, and offers Chinese in Chinese
    assert '<html lang="en">' in body
    assert ">Password<" in body and ">Log in<" in body
    assert 'value="zh-hans"' in body and "简体中文" in body
    # and the wrong-password message comes in English too
    wrong = _post(client, "wang", "wrong").content.decode()
    assert "Wrong mobile number, username or password" in wrong
    # when they switch back, Chinese again
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": LOGIN})
    assert '<html lang="zh-hans">' in client.get(LOGIN).content.decode()
