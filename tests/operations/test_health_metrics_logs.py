"""Liveness, readiness, /metrics and its protection, and the JSON log lines (request id, no phone or ID)."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import logging.config

import pytest
from django.conf import settings as django_settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from grassroots.cases import services as case_services
from grassroots.cases.models import State
from tests.cases.conftest import INSIDE_G1, city  # noqa: F401 - the seeded city fixture

pytestmark = pytest.mark.django_db


def test_live_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ready_checks_database_cache_storage_queue_and_routing(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get("/health/ready")
    assert response.status_code == 200, response.content
    checks = response.json()
    assert all(v == "OK" for v in checks.values())
    names = " ".join(checks)
    for name in ("Database", "Cache", "Storage", "TaskQueue", "RoutingIndex"):
        assert name in names


def test_ready_fails_when_the_oldest_task_waits_too_long(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HEALTH_TASK_QUEUE_MAX_AGE_SECONDS = 60
    from django_tasks_db.models import get_date_max

    DBTaskResult.objects.create(
        status=TaskResultStatus.READY,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="grassroots.notifications.tasks.deliver",
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
    )
    DBTaskResult.objects.update(enqueued_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    response = client.get("/health/ready")
    assert response.status_code == 503
    failing = [v for k, v in response.json().items() if "TaskQueue" in k]
    assert failing and "1 task(s) waiting" in failing[0]


def test_ready_fails_when_storage_is_not_writable(client, settings, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    settings.MEDIA_ROOT = blocked
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert [k for k, v in response.json().items() if "Storage" in k and v != "OK"]


def test_metrics_count_requests_and_read_the_platform(client, city, settings):  # noqa: F811
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"
    case_services.case_report(
        actor=city.resident, category="0101", description="垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    client.get("/health/live")
    body = client.get("/metrics").content.decode()
    assert 'grassroots_http_requests_total{method="GET",status="200",view="operations:live"}' in body
    assert "grassroots_http_request_duration_seconds_bucket" in body
    assert f'grassroots_cases{{state="{State.REPORTED}"}} 1.0' in body
    assert "grassroots_cases_overdue 0.0" in body
    assert "grassroots_tasks_queued" in body and "grassroots_tasks_failed" in body
    assert 'grassroots_periodic_job_runs{job="cases_scan_deadlines",outcome="failed"} 0.0' in body


def test_metrics_only_for_allowed_addresses_or_the_token(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    # behind the proxy: the address it names, not the proxy's own
    settings.METRICS_TOKEN = ""
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    import ipaddress

    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.1.0.0/16")]
    assert client.get("/metrics", HTTP_X_REAL_IP="10.1.2.3").status_code == 200
    assert client.get("/metrics", HTTP_X_REAL_IP="203.0.113.9").status_code == 404


@pytest.fixture
def json_log():
    """The settings' logging with the JSON format, into a buffer; restored afterwards."""
    stream = io.StringIO()
    config = json.loads(json.dumps(django_settings.LOGGING))
    config["handlers"]["console"]["formatter"] = "json"
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(django_settings.LOGGING)


def test_log_lines_are_json_with_the_request_id_and_no_phone_or_id_number(client, json_log):
    phone, id_number = "13812345678", "11010519491231002X"
    logging.getLogger("grassroots.test").info("outside a request, phone %s", phone)
    response = client.get(
        f"/people/?q={phone}&id={id_number}",
        HTTP_X_REQUEST_ID="req-0123456789",
        HTTP_X_PHONE=phone,
    )
    assert response["X-Request-ID"] == "req-0123456789"
    logging.getLogger("grassroots.test").warning(
        "a line with extras", extra={"resident_phone": phone, "note": f"ID {id_number}"}
    )
    text = json_log.getvalue()
    assert phone not in text and id_number not in text and id_number.lower() not in text
    lines = [json.loads(line) for line in text.splitlines()]
    request_lines = [line for line in lines if line["logger"] == "grassroots.request"]
    assert request_lines and request_lines[0]["request_id"] == "req-0123456789"
    assert "138****5678" in request_lines[0]["message"]
    assert request_lines[0]["status"] == response.status_code
    assert lines[0]["request_id"] == "-"
    extras = next(line for line in lines if line["message"] == "a line with extras")
    assert extras["resident_phone"] == "138****5678" and id_number not in extras["note"]


def test_a_request_without_an_id_gets_one(client):
    first, second = client.get("/health/live"), client.get("/health/live", HTTP_X_REQUEST_ID="bad id!")
    assert len(first["X-Request-ID"]) == 32 and second["X-Request-ID"] != "bad id!"


def test_serve_starts_the_task_worker_of_the_configured_backend(settings):
    from grassroots.operations.supervisor import children

    settings.TASK_WORKERS = 2
    names = {c.name: c.argv for c in children(host="127.0.0.1", port=8000, env={})}
    assert set(names) == {"web", "tasks-1", "tasks-2", "periodic"}
    assert "db_worker" in names["tasks-1"] and "periodic_jobs" in names["periodic"]
    assert names["web"][names["web"].index("--workers") + 1] == str(settings.WEB_CONCURRENCY)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    rq = {c.name: c.argv for c in children(host="127.0.0.1", port=8000, env={})}
    assert rq["tasks-1"][-4:] == ["rqworker", "--job-class", "django_tasks_rq.Job", "default"]


@pytest.mark.redis
def test_ready_and_metrics_read_redis_and_its_queue_with_rq(client, settings, tmp_path):
    import django_rq

    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    try:
        django_rq.get_queue("default").connection.ping()
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"Redis at 127.0.0.1:6379 is not reachable: {exc}")
    response = client.get("/health/ready")
    assert response.status_code == 200, response.content
    assert any(k.startswith("Redis") for k in response.json())
    assert "grassroots_tasks_queued" in client.get("/metrics").content.decode()
