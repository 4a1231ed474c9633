"""Production is switched on by environment variables and must pass Django's deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_PRODUCTION": "1",
    "SECRET_KEY": "x7#kq!m2-production-like-secret-key-for-the-deploy-check-0f9a8b7c6d5e4f3a2b1c",
    "ALLOWED_HOSTS": "fundtracker.example.kz",
}


def run_manage(*args, env_overrides, timeout=120):
    # The test process allows async-unsafe ORM calls for Playwright; a production process never would.
    dropped = ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", *PRODUCTION_ENV)
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_secret_key_or_hosts(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_static_files_collect_with_hashed_names(tmp_path):
    # whitenoise compresses every file with gzip and brotli: about a minute of CPU on its own.
    result = run_manage(
        "collectstatic",
        "--noinput",
        env_overrides={**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path)},
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    # Bootstrap from npm and the project's own CSS, served by whitenoise under hashed names; no CDN.
    assert manifest["vendor/bootstrap/css/bootstrap.min.css"].startswith(
        "vendor/bootstrap/css/bootstrap.min."
    )
    assert "css/app.css" in manifest
    assert (tmp_path / manifest["css/app.css"]).exists()


def test_production_keeps_database_connections_with_health_checks():
    script = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    result = run_manage("shell", "--no-imports", "-c", script, env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "True"]


def test_production_sends_email_through_the_server_email_url_names():
    script = (
        "from django.conf import settings; "
        "print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)"
    )
    env = {**PRODUCTION_ENV, "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.kz:587"}
    result = run_manage("shell", "--no-imports", "-c", script, env_overrides=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "smtp.example.kz", "587"]
