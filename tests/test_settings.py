"""Settings read from the environment: what an operator sets is what the platform uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

MAIL = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "DEFAULT_FROM_EMAIL"]


def _settings_with(env: dict[str, str]) -> dict:
    code = f"import json, grassroots.settings as s; print(json.dumps({{k: getattr(s, k) for k in {MAIL!r}}}))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DEFAULT_FROM"))}
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_without_a_mail_server_mail_is_printed_to_the_console():
    got = _settings_with({})
    assert got["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_a_mail_server_from_the_environment_is_used_with_tls_by_default():
    got = _settings_with({"EMAIL_HOST": "smtp.example.org", "DEFAULT_FROM_EMAIL": "grid@example.org"})
    assert got["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (got["EMAIL_HOST"], got["EMAIL_PORT"], got["EMAIL_USE_TLS"]) == ("smtp.example.org", 587, True)
    assert got["DEFAULT_FROM_EMAIL"] == "grid@example.org"


def test_ssl_instead_of_tls_changes_the_default_port():
    got = _settings_with({"EMAIL_HOST": "smtp.example.org", "EMAIL_USE_SSL": "1"})
    assert (got["EMAIL_PORT"], got["EMAIL_USE_SSL"], got["EMAIL_USE_TLS"]) == (465, True, False)


S3 = [
    "STORAGES",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_S3_ADDRESSING_STYLE",
]


def _run_settings(env: dict[str, str], names: list[str]) -> subprocess.CompletedProcess:
    code = f"import json, grassroots.settings as s; print(json.dumps({{k: getattr(s, k, None) for k in {names!r}}}))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE_BACKEND"))}
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_s3_media_takes_its_bucket_and_endpoint_from_the_environment():
    # django-storages reads these from the settings only: set in the environment alone they were ignored
    # and every write failed with "Required parameter name not set"
    out = _run_settings(
        {
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": "grassroots-media",
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "AWS_S3_REGION_NAME": "cn-north-1",
            "AWS_S3_ADDRESSING_STYLE": "path",
        },
        S3,
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["STORAGES"]["default"]["BACKEND"] == "grassroots.object_storage.AppServedS3Storage"
    assert got["AWS_STORAGE_BUCKET_NAME"] == "grassroots-media"
    assert got["AWS_S3_ENDPOINT_URL"] == "http://127.0.0.1:9000"
    assert (got["AWS_S3_REGION_NAME"], got["AWS_S3_ADDRESSING_STYLE"]) == ("cn-north-1", "path")


def test_s3_media_without_a_bucket_stops_at_start_up():
    out = _run_settings({"STORAGE_BACKEND": "s3"}, S3)
    assert out.returncode != 0 and "AWS_STORAGE_BUCKET_NAME" in out.stderr


def test_the_rq_task_backend_passes_the_system_checks_and_has_its_worker_command(tmp_path):
    # without django_rq installed, every manage.py command (migrate first) stopped on its system check
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TASKS_", "DATABASE_URL"))},
        "TASKS_BACKEND": "rq",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GRASSROOTS_VAR_DIR": str(tmp_path),
    }
    for argv in (["check"], ["help", "rqworker"]):
        out = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *argv],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
