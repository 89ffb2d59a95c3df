import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from grassroots.areas.models import Area, BoundaryVersion
from grassroots.demo.city import SEED_CODES
from grassroots.demo.logins import LOGINS, PASSWORD
from grassroots.demo.models import LoadedStep
from grassroots.demo.steps import DemoError, load, unload
from grassroots.workforce.models import GridWorker

from .conftest import FOUNDATION

pytestmark = pytest.mark.django_db

MODELS = [
    "areas.Area",
    "areas.Grid",
    "areas.VillageGroup",
    "accounts.User",
    "accounts.RoleGrant",
    "accounts.AuditLog",
    "workforce.GridWorker",
    "workforce.Assignment",
    "demo.LoadedStep",
]


def _counts():
    return {label: apps.get_model(label).objects.count() for label in MODELS}


def test_a_second_run_changes_nothing(demo_city, django_assert_max_num_queries):
    # given the loaded demo
    before, version = _counts(), BoundaryVersion.objects.get(pk=1).version
    # when it is loaded again, then it only reads (the seed it has, one look per step) and writes nothing
    with django_assert_max_num_queries(1 + 3):
        report = load(scale="small", until=FOUNDATION)
    assert [o.ran for o in report.steps] == [False] * 3
    assert (report.scale, report.seed) == ("small", 2026)
    assert _counts() == before
    assert BoundaryVersion.objects.get(pk=1).version == version
    assert all(v > 0 for k, v in before.items() if k != "accounts.AuditLog")


def test_without_scale_and_seed_the_demo_here_is_kept(demo_city):
    # given a demo built with another seed
    LoadedStep.objects.update(seed=7)
    # when loaded without saying which, then it is left as it is
    report = load(until=FOUNDATION)
    assert (report.scale, report.seed) == ("small", 7)
    assert not any(o.ran for o in report.steps)


def test_until_names_a_step(demo_city):
    assert [o.name for o in load(until="city").steps] == ["city"]
    with pytest.raises(DemoError) as exc:
        load(until="households?")
    assert "city, grid_workers, logins" in str(exc.value.message)


def test_another_scale_or_seed_asks_for_reset(demo_city):
    for kwargs in ({"scale": "city"}, {"scale": "small", "seed": 1}):
        with pytest.raises(DemoError) as exc:
            load(**kwargs)
        assert "--reset" in str(exc.value.message)
    with pytest.raises(DemoError):
        load(scale="huge")


def test_reset_rebuilds_the_same_city_from_the_same_seed(demo_city):
    # given what the seed built
    areas = set(Area.objects.values_list("code", "name", "is_synthetic"))
    workers = sorted(GridWorker.objects.values_list("area_code", "kind", "name", "is_party_member"))
    # when everything is removed, then nothing of the demo is left but the real units
    unload(demo_city_context())
    assert not Area.objects.filter(code__startswith="1508", level__gte=4).exists()
    assert not GridWorker.objects.exists()
    assert not LoadedStep.objects.exists()
    assert Area.objects.count() == 9
    # and when it is built again, the codes, names and people are the same
    load(scale="small", until=FOUNDATION)
    assert set(Area.objects.values_list("code", "name", "is_synthetic")) == areas
    assert sorted(GridWorker.objects.values_list("area_code", "kind", "name", "is_party_member")) == workers


def demo_city_context():
    from grassroots.demo.steps import SCALES, DemoContext

    return DemoContext(SCALES["small"], 2026)


def test_command_prints_one_login_per_role_every_time(demo_city):
    out = io.StringIO()
    with translation.override("en"):  # the test reads the English wording
        call_command("demo_load", stdout=out, base_url="http://demo.example:8000/", until=FOUNDATION)
    text = out.getvalue()
    assert "already loaded" in text
    assert "http://demo.example:8000/accounts/login/" in text
    assert "http://demo.example:8000/admin/" in text
    for login in LOGINS:
        assert f" {login.username} " in text and login.phone in text and login.role_zh in text
    assert text.count(PASSWORD) >= len(LOGINS)
    assert "塞上社区 150825100001" in text and "巴音宝力格镇 150825100" in text
    assert "scale small, seed 2026" in text


def test_command_prints_the_address_scripts_run_serves_on(demo_city, monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")  # noqa: S104
    monkeypatch.setenv("PORT", "8123")
    out = io.StringIO()
    call_command("demo_load", stdout=out, until=FOUNDATION)
    assert "http://0.0.0.0:8123/accounts/login/" in out.getvalue()


def test_command_explains_a_refusal(demo_city):
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo_load", scale="city", stdout=io.StringIO())


def test_seed_codes_are_what_the_tree_holds(demo_city):
    assert dict(Area.objects.filter(code__in=SEED_CODES.values()).values_list("name", "code")) == SEED_CODES
