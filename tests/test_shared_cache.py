"""The cache shared by every process (``CACHE_URL``, ``grassroots/shared_cache.py``): chosen from the environment
and refused when it is anything else; on a real Redis, two processes fetch the WeChat access token once between
them, the cached hotspots and outlines read back equal to what was computed, and clearing the cache leaves the
task queue's keys alone; with Redis down, pages, the token and readiness still work.

The tests on a real Redis use ``GRASSROOTS_TEST_CACHE_URL`` (default ``redis://127.0.0.1:6379/7``), each under
a key prefix of its own. They are skipped when that Redis does not answer, except under CI, where they fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from grassroots import clock, shared_cache
from grassroots.accounts.models import Role
from grassroots.insights import selectors as insights
from grassroots.insights.selectors import hotspots as hotspot_selectors
from grassroots.notifications.wechat import OfficialAccountGateway
from grassroots.settings import CACHE_REDIS_OPTIONS, _cache_from_url
from tests.areas.test_outlines import HOME, county  # noqa: F401 - the county with outlines
from tests.cases.conftest import COUNTY, city  # noqa: F401 - the small city of the case tests
from tests.factories import user_with
from tests.insights.test_hotspots import _near
from tests.notifications import fake_gateway

REDIS_URL = os.environ.get("GRASSROOTS_TEST_CACHE_URL", "redis://127.0.0.1:6379/7")
TOLERANT = "grassroots.shared_cache.TolerantRedisCache"


def _backend(location: str, prefix: str) -> dict:
    return {
        "BACKEND": TOLERANT,
        "LOCATION": location,
        "KEY_PREFIX": prefix,
        "OPTIONS": dict(CACHE_REDIS_OPTIONS),
    }


def _closed_port() -> int:
    """A loopback port nothing listens on: a Redis that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _redis_not_resting():
    shared_cache._resting_until.clear()
    yield
    shared_cache._resting_until.clear()


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(
                f"CI must run the shared-cache tests, but Redis at {REDIS_URL} does not answer: {exc}"
            )
        pytest.skip(f"Redis at {REDIS_URL} does not answer ({exc}): start redis-server to run this test")
    return REDIS_URL


@pytest.fixture
def shared(settings, redis_url):
    """The default cache on the real Redis, under a prefix of this test's own."""
    settings.CACHES = {"default": _backend(redis_url, f"test-{uuid.uuid4().hex[:12]}")}
    yield caches["default"]
    caches["default"].clear()


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": _backend(f"redis://127.0.0.1:{_closed_port()}/0", "down")}
    return caches["default"]


# --- the setting -----------------------------------------------------------------------------------------------


def test_no_cache_url_keeps_a_cache_per_process_and_a_redis_url_shares_one():
    assert _cache_from_url("") == {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    for url in ("redis://127.0.0.1:6379/1", "rediss://:secret@cache.example.org:6380/0", "redis://cache"):
        assert _cache_from_url(url) == {
            "BACKEND": TOLERANT,
            "LOCATION": url,
            "KEY_PREFIX": "grassroots",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("memcached://127.0.0.1:11211", "'memcached' URL"),
        ("127.0.0.1:6379", "redis://host:6379/<database number>"),
        ("unix:///run/redis.sock", "'unix' URL"),
        ("redis://:6379/1", "name the Redis host"),
        ("redis://127.0.0.1:6379/cache", "a database number"),
        ("redis://:secret@127.0.0.1:port/1", "port that is not a number"),
    ],
)
def test_any_other_cache_url_is_refused_saying_what_is_expected(url, says):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL") as refused:
        _cache_from_url(url)
    assert says in str(refused.value) and "secret" not in str(refused.value)


def test_the_environment_chooses_the_cache_and_a_bad_url_stops_the_start():
    def run(value: str) -> subprocess.CompletedProcess:
        code = "import json, grassroots.settings as s; print(json.dumps(s.CACHES['default']))"
        return subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
            [sys.executable, "-c", code], env={**os.environ, "CACHE_URL": value}, cwd=django_settings.BASE_DIR,
            capture_output=True, text=True,
        )  # fmt: skip

    shared = run("redis://127.0.0.1:6379/4")
    assert shared.returncode == 0, shared.stderr
    assert (
        f'"BACKEND": "{TOLERANT}"' in shared.stdout
        and '"LOCATION": "redis://127.0.0.1:6379/4"' in shared.stdout
    )
    refused = run("memcached://127.0.0.1:11211")
    assert refused.returncode != 0 and "ImproperlyConfigured: CACHE_URL must be empty" in refused.stderr


# --- one token for every process -------------------------------------------------------------------------------

TOKEN_IN_A_PROCESS = """
import pathlib, sys, time
import django
django.setup()
from grassroots.notifications.wechat import wechat_gateway
gateway = wechat_gateway()
print("ready", flush=True)
go = pathlib.Path(sys.argv[1])
while not go.exists():
    time.sleep(0.01)
print(gateway.token(), flush=True)
"""


@pytest.fixture
def slow_wechat():
    fake = fake_gateway.start()
    fake.delays["/cgi-bin/stable_token"] = 1.0  # long enough for both processes to ask while it answers
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def _tokens_of_two_processes(fake, tmp_path, cache_url: str) -> list[str]:
    """Two processes with the same official account ask for the token at the same moment."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grassroots.settings",
        "CACHE_URL": cache_url,
        "NOTIFICATIONS_WECHAT_BACKEND": "official_account",
        "NOTIFICATIONS_WECHAT_APP_ID": f"wx-{uuid.uuid4().hex[:10]}",  # a key of this test's own
        "NOTIFICATIONS_WECHAT_APP_SECRET": "wechat-secret",
        "NOTIFICATIONS_WECHAT_TEMPLATE_ID": "TEMPLATE",
        "NOTIFICATIONS_WECHAT_ENDPOINT": fake.url,
    }
    go = tmp_path / "go"
    argv = [sys.executable, "-c", TOKEN_IN_A_PROCESS, str(go)]
    processes = []
    for _ in range(2):
        processes.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed snippet
                argv,
                env=env,
                cwd=django_settings.BASE_DIR,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    try:
        for process in processes:
            assert process.stdout.readline().strip() == "ready", process.stderr.read()
        go.touch()
        return [process.communicate(timeout=30)[0].strip() for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.mark.redis
def test_two_processes_sharing_the_cache_fetch_the_wechat_token_once(slow_wechat, tmp_path, redis_url):
    assert _tokens_of_two_processes(slow_wechat, tmp_path, redis_url) == ["TOKEN-1", "TOKEN-1"]
    assert len(slow_wechat.sent_to("/cgi-bin/stable_token")) == 1


def test_two_processes_each_with_its_own_cache_fetch_it_twice(slow_wechat, tmp_path):
    # the same moment without CACHE_URL: each process asks (the stable token API allows it)
    assert _tokens_of_two_processes(slow_wechat, tmp_path, "") == ["TOKEN-1", "TOKEN-1"]
    assert len(slow_wechat.sent_to("/cgi-bin/stable_token")) == 2


# --- what is kept reads back the same --------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db
def test_hotspots_kept_in_redis_read_back_equal_to_those_computed(shared, city, monkeypatch):  # noqa: F811
    _near(3)
    computed = []
    clusters = hotspot_selectors._clusters
    monkeypatch.setattr(
        hotspot_selectors, "_clusters", lambda *a, **k: computed.append(1) or clusters(*a, **k)
    )
    method = insights.HotspotMethod()

    def found():
        return insights.hotspots_for(user=city.county, area_code=COUNTY, method=method, today=clock.today())

    first = found()
    again = found()
    assert computed == [1] and len(first) == 1  # the second answer came from Redis
    assert again == first and again[0].case_ids == first[0].case_ids and again[0].lon == first[0].lon
    assert any(":insights:hotspots:" in key.decode() for key in shared._cache.get_client().keys("test-*"))


@pytest.mark.redis
@pytest.mark.django_db
def test_outlines_kept_in_redis_are_the_same_answer(shared, county, monkeypatch):  # noqa: F811
    from grassroots.areas import selectors as area_selectors

    resident = user_with(Role.RESIDENT, HOME)
    client = Client()
    client.force_login(resident)
    first = client.get(f"/api/v1/areas/{HOME}/outlines.geojson")
    monkeypatch.setattr(area_selectors, "outlines_under", lambda **kw: pytest.fail("computed again"))
    again = client.get(f"/api/v1/areas/{HOME}/outlines.geojson")
    assert first.status_code == again.status_code == 200 and first.content == again.content


@pytest.mark.redis
def test_clearing_the_cache_removes_its_own_keys_only(shared):
    client = shared._cache.get_client(write=True)
    client.set("rq:queue:default:test-shared-cache", "a queued task", ex=60)  # the task queue's, beside it
    try:
        shared.set("one", 1)
        shared.set_many({"two": [2], "three": {"n": 3}})
        shared.set("old", "v0", version=7)
        assert shared.get_many(["one", "two", "three"]) == {"one": 1, "two": [2], "three": {"n": 3}}
        shared.clear()
        assert shared.get_many(["one", "two", "three"]) == {} and shared.get("old", version=7) is None
        assert client.get("rq:queue:default:test-shared-cache") == b"a queued task"
    finally:
        client.delete("rq:queue:default:test-shared-cache")


@pytest.mark.redis
def test_a_value_another_release_cannot_read_is_a_miss(shared):
    shared.set("kept", "value")
    key = shared.make_key("kept")
    shared._cache.get_client(write=True).set(key, b"\x80\x05\x95not a pickle")
    assert shared.get("kept", "default") == "default"


# --- Redis down: the pages still work ---------------------------------------------------------------------------


def test_with_redis_down_reads_miss_writes_do_nothing_and_redis_is_left_alone_a_while(
    redis_down, monkeypatch
):
    failures = shared_cache.ERRORS.labels("get")._value.get()
    assert redis_down.get("x") is None and redis_down.get("x", 5) == 5
    assert shared_cache.ERRORS.labels("get")._value.get() == failures + 1
    # for RETRY_SECONDS after a failure nothing is asked of Redis: no connection, no new failure
    connect = []
    monkeypatch.setattr(redis_down._cache, "get_client", lambda *a, **k: connect.append(1))
    redis_down.set("x", 1)
    assert redis_down.add("x", 1) is False and redis_down.get_many(["x"]) == {}
    assert redis_down.has_key("x") is False and redis_down.delete("x") is False
    assert redis_down.get_or_set("x", 3) == 3 and redis_down.clear() is False
    assert connect == [] and shared_cache.ERRORS.labels("get")._value.get() == failures + 1
    # then it is asked again
    monkeypatch.undo()
    shared_cache._resting_until.clear()
    assert redis_down.set_many({"x": 1, "y": 2}) == ["x", "y"]  # the keys not stored
    assert redis_down.touch("x") is False


@pytest.mark.django_db
def test_with_redis_down_the_map_outlines_are_served(redis_down, county):  # noqa: F811
    client = Client()
    client.force_login(user_with(Role.RESIDENT, HOME))
    for _ in range(2):
        response = client.get(f"/api/v1/areas/{HOME}/outlines.geojson")
        assert response.status_code == 200 and response.json()["features"]
    # and the failure is counted where the alerts read it
    assert 'grassroots_cache_errors_total{operation="get"}' in Client().get("/metrics").content.decode()


@pytest.mark.django_db
def test_with_redis_down_hotspots_are_computed_each_time(redis_down, city):  # noqa: F811
    _near(3)
    method = insights.HotspotMethod()
    for _ in range(2):
        found = insights.hotspots_for(user=city.county, area_code=COUNTY, method=method, today=clock.today())
        assert [h.kind for h in found] == ["cluster"]


def test_with_redis_down_the_wechat_token_is_fetched_without_waiting(redis_down, settings):
    fake = fake_gateway.start()
    try:
        settings.NOTIFICATIONS_WECHAT_APP_ID = "wx-test-app"
        settings.NOTIFICATIONS_WECHAT_ENDPOINT = fake.url
        started = time.monotonic()
        assert OfficialAccountGateway().token() == "TOKEN-1"
        assert OfficialAccountGateway().token() == "TOKEN-1"
        assert time.monotonic() - started < 1.5  # no wait for a lock that nobody holds
        assert len(fake.sent_to("/cgi-bin/stable_token")) == 2  # nowhere to keep it
    finally:
        fake.server.shutdown()
        fake.server.server_close()


@pytest.mark.django_db
def test_with_redis_down_the_server_stays_ready_and_says_why(redis_down, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = Client().get("/health/ready")
    assert response.status_code == 200, response.content
    said = {name: value for name, value in response.json().items() if "SharedCache" in name}
    assert list(said.values()) == [
        "Warning: the shared cache is unreachable (ConnectionError): pages work without it, slower"
    ]


@pytest.mark.redis
@pytest.mark.django_db
def test_with_redis_up_readiness_checks_the_shared_cache(shared, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = Client().get("/health/ready")
    assert response.status_code == 200 and response.json()["SharedCache()"] == "OK"
    assert cache.get("health:probe") == "ok"
