"""Deployment settings come from the environment, and the documented production environment passes
`manage.py check --deploy` without a warning (issue 12, item 10)."""

from __future__ import annotations

import subprocess

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from grassroots.settings import proxy_ssl_header

EXAMPLE = settings.BASE_DIR / "docs" / "production.env"


def _check_deploy(env_file) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script on our own file
        [str(settings.BASE_DIR / "scripts" / "check-deploy"), str(env_file)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_documented_production_environment_passes_check_deploy():
    done = _check_deploy(EXAMPLE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


@pytest.mark.parametrize(
    ("left_out", "warning"),
    [
        ("SECURE_HSTS_SECONDS", "security.W004"),
        ("SECURE_SSL_REDIRECT", None),  # on by default when DEBUG is off
        ("SESSION_COOKIE_SECURE", None),
    ],
)
def test_each_setting_is_read_from_the_environment(tmp_path, left_out, warning):
    # given the example without one line (or that line turned off)
    lines = EXAMPLE.read_text().splitlines()
    env_file = tmp_path / "production.env"
    env_file.write_text("\n".join(line for line in lines if not line.startswith(f"{left_out}=")) + "\n")
    done = _check_deploy(env_file)
    if warning is None:
        assert done.returncode == 0, done.stdout + done.stderr
        # turned off explicitly, the check says so
        env_file.write_text(env_file.read_text() + f"{left_out}=0\n")
        done = _check_deploy(env_file)
    assert done.returncode != 0
    assert (warning or "security.W") in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", None),
        ("X-Forwarded-Proto", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("X-Forwarded-Proto: https", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("X-Forwarded-Ssl: on", ("HTTP_X_FORWARDED_SSL", "on")),
    ],
)
def test_the_proxy_header_is_written_as_the_proxy_sends_it(raw, expected):
    assert proxy_ssl_header(raw) == expected


@pytest.mark.parametrize("raw", [": https", "X Forwarded Proto", "X-Forwarded-Proto: a b"])
def test_a_malformed_proxy_header_stops_the_start(raw):
    with pytest.raises(ImproperlyConfigured, match="SECURE_PROXY_SSL_HEADER"):
        proxy_ssl_header(raw)
