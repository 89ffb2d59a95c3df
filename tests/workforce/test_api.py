"""The workforce JSON API: the check-in line, patrols with the track for supervisors only, the roster
import's row errors, teams' activities with photos, workload; {code, message} on refusal."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from grassroots import clock
from grassroots.workforce.models import CheckIn, GridWorker, Patrol, PatrolPoint

from .conftest import G1, VILLAGE
from .test_roster import GOOD, workbook

pytestmark = pytest.mark.django_db
API = "/api/v1/workforce"
NOW = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_check_in_line_through_the_api(world):
    member, staff = client_for(world.member_user), client_for(world.village_staff)
    with clock.frozen(NOW):
        created = member.post(f"{API}/check-ins", {"pledge": "周末巡逻"}, content_type="application/json")
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        # the member cannot confirm their own check-in; outside staff do not see it
        assert member.post(f"{API}/check-ins/{pk}/confirm").status_code == 403
        assert client_for(world.outside_staff).post(f"{API}/check-ins/{pk}/confirm").status_code == 404
        assert staff.post(f"{API}/check-ins/{pk}/confirm").json()["status"] == "confirmed"
        logged = member.post(
            f"{API}/check-ins/{pk}/services",
            {"hours": "2", "description": "巡逻"},
            content_type="application/json",
        )
        assert logged.status_code == 201
        bad = member.post(
            f"{API}/check-ins/{pk}/services",
            {"hours": "30", "description": "巡逻"},
            content_type="application/json",
        )
        assert bad.status_code == 400 and bad.json()["code"] == "bad_hours"
        figures = staff.get(f"{API}/grids/{G1}/figures").json()
    assert Decimal(str(figures["service_hours"])) == 2
    assert "service_hours" in figures["definitions"]
    assert [Decimal(str(c["total_hours"])) for c in member.get(f"{API}/check-ins").json()] == [2]


def test_a_resident_who_is_no_member_cannot_check_in(world):
    response = client_for(world.resident).post(
        f"{API}/check-ins", {"pledge": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_patrol_through_the_api_and_the_track_for_supervisors_only(world):
    worker = client_for(world.worker_user)
    with clock.frozen(NOW):
        started = worker.post(f"{API}/patrols", {}, content_type="application/json")
        assert started.status_code == 201
        patrol = started.json()
        assert patrol["report_case_url"].endswith(f"?patrol={patrol['id']}")
    positions = [
        {"recorded_at": (NOW + dt.timedelta(seconds=s)).isoformat(), "lon": 111.0, "lat": 40.0 + s / 1e4}
        for s in (0, 3, 30, 60)
    ]
    with clock.frozen(NOW + dt.timedelta(minutes=5)):
        posted = worker.post(
            f"{API}/patrols/{patrol['id']}/positions",
            {"positions": positions},
            content_type="application/json",
        )
        assert posted.json() == {"kept": 3, "point_count": 3}
        other = client_for(world.other_worker_user)
        assert (
            other.post(
                f"{API}/patrols/{patrol['id']}/positions",
                {"positions": positions},
                content_type="application/json",
            ).status_code
            == 404
        )
        finding = worker.post(
            f"{API}/patrols/{patrol['id']}/findings",
            {"description": "路灯坏了"},
            content_type="application/json",
        )
        assert finding.status_code == 201
        assert (
            worker.post(f"{API}/patrols/{patrol['id']}/end", {}, content_type="application/json").status_code
            == 200
        )
    assert len(client_for(world.township_staff).get(f"{API}/patrols/{patrol['id']}/track").json()) == 3
    assert worker.get(f"{API}/patrols/{patrol['id']}/track").status_code == 404
    assert other.get(f"{API}/patrols/{patrol['id']}/track").status_code == 404
    assert PatrolPoint.objects.count() == 3
    assert Patrol.objects.get().ended_at is not None


def test_workload_ranked_for_supervisors(world):
    with clock.frozen(NOW):
        p = Patrol.objects.create(worker=world.other_worker, area_code=G1, started_at=NOW)
    Patrol.objects.filter(pk=p.pk).update(ended_at=NOW + dt.timedelta(hours=2))
    body = client_for(world.township_staff).get(f"{API}/workload", {"area": VILLAGE, "year": 2026}).json()
    assert [r["worker_name"] for r in body["rows"]][:1] == ["赵巡"]
    assert body["rows"][0]["rank"] == 1 and "patrol_hours" in body["definitions"]
    assert client_for(world.other_worker_user).get(f"{API}/workload", {"area": VILLAGE}).status_code == 404


def test_roster_import_answers_row_errors_and_writes_nothing(world):
    before = GridWorker.objects.count()
    staff = client_for(world.village_staff)
    broken = workbook([*GOOD, ["", "", "专职", "否", G1, G1, "网格员", "", ""]])
    response = staff.post(f"{API}/roster/import", {"file": SimpleUploadedFile("r.xlsx", broken)})
    assert response.status_code == 422
    assert [e["row"] for e in response.json()["errors"]] == [5]
    assert GridWorker.objects.count() == before
    ok = staff.post(f"{API}/roster/import", {"file": SimpleUploadedFile("r.xlsx", workbook(GOOD))})
    assert ok.status_code == 200 and ok.json()["workers_created"] == 3
    resident = client_for(world.resident).post(
        f"{API}/roster/import", {"file": SimpleUploadedFile("r.xlsx", workbook(GOOD))}
    )
    assert resident.status_code == 422 and GridWorker.objects.count() == before + 3


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def test_team_activity_with_a_photo_open_to_residents(world):
    staff = client_for(world.village_staff)
    team = staff.post(
        f"{API}/groups",
        {"kind": "team", "name": "志愿服务队", "area_code": VILLAGE, "leader": "王", "members": ["甲"]},
        content_type="application/json",
    ).json()
    with clock.frozen(NOW):
        activity = staff.post(
            f"{API}/groups/{team['id']}/activities",
            {
                "description": "清扫",
                "hours": "2",
                "photo": SimpleUploadedFile("p.jpg", _jpeg(), "image/jpeg"),
            },
        )
        assert activity.status_code == 201, activity.content
        fake = staff.post(
            f"{API}/groups/{team['id']}/activities",
            {"description": "清扫", "hours": "2", "photo": SimpleUploadedFile("p.jpg", b"not a jpeg")},
        )
        assert fake.status_code == 400 and fake.json()["code"] == "not_an_image"
    seen = client_for(world.resident).get(f"{API}/groups/{team['id']}").json()
    assert seen["activities"][0]["photo_url"] and len(seen["activities"]) == 1
    assert client_for(world.outside_staff).get(f"{API}/groups/{team['id']}").status_code == 404
    assert (
        client_for(world.resident)
        .post(f"{API}/groups/{team['id']}/members", {"name": "乙"}, content_type="application/json")
        .status_code
        == 403
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("resident", 403),
        ("member_user", 403),
        ("worker_user", 403),
        ("supervisor", 403),
        ("village_staff", 200),
        ("township_staff", 200),
        ("outside_staff", 200),  # imports the rosters of its own village
        ("administrator", 200),
    ],
)
def test_the_roster_template_is_for_those_who_import_rosters(world, who, status):
    response = client_for(getattr(world, who)).get("/api/v1/workforce/roster/template")
    assert response.status_code == status
    if status == 403:
        assert response.json()["code"] == "not_permitted"
    else:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_roster_template_needs_a_login(db):
    assert Client().get("/api/v1/workforce/roster/template").status_code == 401
