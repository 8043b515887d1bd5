"""Settings come from the environment; the embedded default needs no services."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def read_settings(env, expression):
    """Import the settings module in a clean interpreter with exactly the given environment."""
    code = f"import ranham_portal.settings as s; print({expression})"
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_nothing_set_it_runs_on_sqlite_and_a_serverless_broker(tmp_path):
    result = read_settings(
        {"VAR_DIR": str(tmp_path)},
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        str(tmp_path / "ranham.sqlite3"),
        "filesystem://",
    ]


def test_database_and_broker_urls_switch_to_postgresql_and_redis():
    result = read_settings(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ranham",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3",
        },
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "ranham",
        "redis://127.0.0.1:6379/3",
    ]


@pytest.mark.parametrize("secret", ["", "short", "dev-only-insecure-key-do-not-use-in-production"])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    result = read_settings({"DEBUG": "0", "SECRET_KEY": secret}, "s.DEBUG")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = read_settings(
        {"DEBUG": "0", "SECRET_KEY": "x" * 64, "ALLOWED_HOSTS": "ranham.example.go.id"},
        "s.DEBUG, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['ranham.example.go.id'] True"


def test_storage_is_utc_and_the_interface_speaks_indonesian_first(settings):
    assert settings.TIME_ZONE == "UTC"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "id"
    assert [code for code, _name in settings.LANGUAGES] == ["id", "en"]


def test_the_embedded_broker_takes_a_task_from_a_fresh_process(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from accounts.tasks import sync_holidays_task\n"
        "sync_holidays_task.delay(2030)\n"
        "print('sent')"
    )
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, "VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ranham_portal.settings"},
    )

    assert result.returncode == 0, result.stderr
    assert "sent" in result.stdout
    assert "Error" not in result.stderr
    assert len(list((tmp_path / "broker" / "queue").iterdir())) == 1


SECRET = "x" * 64


@pytest.mark.parametrize(
    ("env", "installed"),
    [
        ({"DEBUG": "0", "SECRET_KEY": SECRET}, "False"),
        ({"DEBUG": "0", "SECRET_KEY": SECRET, "DEMO": "1"}, "True"),
        ({"DEBUG": "1"}, "True"),
    ],
)
def test_demo_seeding_ships_only_with_debug_or_demo(tmp_path, env, installed):
    result = read_settings({"VAR_DIR": str(tmp_path), **env}, "'demo' in s.INSTALLED_APPS")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == installed
