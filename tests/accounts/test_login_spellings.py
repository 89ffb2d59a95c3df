"""Every spelling of a login is the one account, for logging in and for the lock-out (issue 12, item 3).

Failures are counted per account (from any address, in any spelling) and per address (over any accounts);
the page, the admin's login and the API token endpoint share both, and the locked API answers JSON.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt

from grassroots.accounts import services
from grassroots.accounts.logins import normalise_login, user_for_login

pytestmark = pytest.mark.django_db

PASSWORD = "Grassroots-2026"
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/accounts/token"

SPELLINGS = [
    " gw3",
    "gw3 ",
    "GW3",
    "Gw3",
    "ｇｗ３",
    "17100009991",
    "171-0000-9991",
    "171 0000 9991",
    "+8617100009991",
    "+86 171 0000 9991",
    "0086 171-0000-9991",
    "(171)0000-9991",
    "(+86) 171.0000.9991",
    "１７１００００９９９１",
    "１７１－００００－９９９１",
]


@pytest.fixture
def gw3():
    return services.user_create(username="gw3", password=PASSWORD, phone="17100009991")


@pytest.fixture
def axes_on(settings):
    """tests/conftest.py turns django-axes off for every test; these tests need it on."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 30
    yield
    AccessAttempt.objects.all().delete()


def _page(client, login, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": login, "password": password}, REMOTE_ADDR=address)


def _token(client, login, password, address="10.0.0.1"):
    return client.post(
        TOKEN, {"username": login, "password": password}, content_type="application/json", REMOTE_ADDR=address
    )


@pytest.mark.parametrize("login", SPELLINGS)
def test_every_spelling_names_the_account(gw3, login):
    assert user_for_login(login) == gw3


@pytest.mark.parametrize(
    ("login", "normal"),
    [
        (" GW3 ", "gw3"),
        ("(+86) 171-0000-9991", "17100009991"),
        ("１７１００００９９９１", "17100009991"),
        ("", ""),
    ],
)
def test_the_normal_form(login, normal):
    assert normalise_login(login) == normal


def test_a_name_that_differs_only_in_case_is_taken(gw3):
    with pytest.raises(services.AccountError) as caught:
        services.user_create(username="GW3", password=PASSWORD)
    assert caught.value.code == "username_taken"


@pytest.mark.parametrize("login", SPELLINGS)
def test_every_spelling_logs_in_on_the_page_and_gets_a_token(client, gw3, login):
    assert _page(client, login, PASSWORD).status_code == 302
    assert int(client.session["_auth_user_id"]) == gw3.pk
    assert _token(client, login, PASSWORD).status_code == 201


def test_wrong_passwords_under_different_spellings_lock_the_account(client, gw3, axes_on):
    # given five wrong passwords, each under another spelling, on the page and through the API
    for login in SPELLINGS[:3]:
        assert _page(client, login, "wrong").status_code == 200
    assert _token(client, SPELLINGS[5], "wrong").status_code == 401
    assert _token(client, SPELLINGS[6], "wrong").status_code == 429  # the fifth failure locks at once
    # then no spelling logs in with the right password, neither on the page nor through the API
    for login in SPELLINGS:
        response = _page(client, login, PASSWORD)
        assert response.status_code == 429, login
        assert "accounts/locked_out.html" in [t.name for t in response.templates]
        assert "_auth_user_id" not in client.session
        api = _token(client, login, PASSWORD)
        assert api.status_code == 429, login
        assert api["Content-Type"].startswith("application/json")
        assert api.json()["code"] == "locked_out" and api.json()["message"]


def test_the_locked_api_answers_json_in_the_callers_language(client, gw3, axes_on):
    for _n in range(5):
        _token(client, "gw3", "wrong")
    response = client.post(
        TOKEN,
        {"username": "gw3", "password": PASSWORD},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 429
    assert set(response.json()) == {"code", "message"}
    assert "15" in response.json()["message"] and "分钟" in response.json()["message"]


def test_failures_from_many_addresses_lock_the_account(client, gw3, axes_on):
    for n in range(5):
        _page(client, SPELLINGS[n], "wrong", address=f"10.0.{n}.1")
    assert _page(client, "gw3", PASSWORD, address="10.9.9.9").status_code == 429
    assert _token(client, "gw3", PASSWORD, address="10.9.9.8").status_code == 429


def test_failures_over_many_accounts_lock_the_address_only(client, gw3, axes_on, settings):
    # given an address that tried many accounts (each below its own limit)
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    for n in range(8):
        _page(client, f"nobody-{n}", "wrong", address="10.0.0.66")
    # then that address cannot log in, not even with a right password
    assert _page(client, "gw3", PASSWORD, address="10.0.0.66").status_code == 429
    assert _token(client, "gw3", PASSWORD, address="10.0.0.66").status_code == 429
    # and the account still opens from elsewhere
    assert _page(client, "gw3", PASSWORD, address="10.0.0.67").status_code == 302


def test_a_good_login_forgives_its_own_account_only(client, gw3, axes_on, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    for n in range(7):
        _page(client, f"nobody-{n}", "wrong")
    # gw3 logs in from the same address: its success does not wipe the failures of the other logins
    assert _page(client, " GW3", PASSWORD).status_code == 302
    client.logout()
    _page(client, "nobody-0", "wrong")
    assert _page(client, "gw3", PASSWORD).status_code == 429


def test_failures_for_unknown_logins_are_counted_across_spellings(client, axes_on):
    for login in [
        "13900002222",
        "139-0000-2222",
        "+86 139 0000 2222",
        "(139)0000-2222",
        "１３９００００２２２２",
    ]:
        _page(client, login, "wrong", address=f"10.1.{len(login)}.1")
    services.user_create(username="late", password=PASSWORD, phone="13900002222")
    attempts = AccessAttempt.objects.values_list("username", flat=True).distinct()
    assert list(attempts) == ["13900002222"]


def test_behind_a_proxy_the_address_is_the_one_the_proxy_names(client, gw3, axes_on, settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    settings.AXES_ADDRESS_FAILURE_LIMIT = 3
    for n in range(3):
        client.post(
            LOGIN,
            {"username": f"x{n}", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_REAL_IP="203.0.113.5",
        )
    # every request comes from the proxy; only the client that failed is locked
    ok = client.post(
        LOGIN,
        {"username": "gw3", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="203.0.113.6",
    )
    assert ok.status_code == 302
    client.logout()
    locked = client.post(
        LOGIN,
        {"username": "gw3", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="203.0.113.5",
    )
    assert locked.status_code == 429
