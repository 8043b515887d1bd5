"""`make backup` / `make restore` (deploy/backup.sh): a backup restored into a new database
and a new media folder holds the same rows and the same files, byte for byte."""

import datetime
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tests.storage.conftest import moto_server, new_bucket
from tests.support import build_period, submitted_report

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "deploy" / "backup.sh"

pytestmark = pytest.mark.django_db(transaction=True)


def database_url(settings_dict, name):
    if "sqlite" in settings_dict["ENGINE"]:
        return f"sqlite:///{name}"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{settings_dict['USER']}{password}@{host}:{port}/{name}"


def run(action, argument, *, url, media, var, **extra):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(media),
        "VAR_DIR": str(var),
        "PY": sys.executable,
        **extra,
    }
    result = subprocess.run(
        ["bash", str(SCRIPT), action, str(argument)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def hashes(folder):
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in Path(folder).rglob("*")
        if path.is_file()
    }


class Restored:
    """Row counts of every table of the restored database, and dropping it afterwards."""

    def __init__(self, settings_dict, name):
        self.settings_dict, self.name = settings_dict, name

    def _connect(self, database):
        import psycopg2

        return psycopg2.connect(
            dbname=database,
            user=self.settings_dict["USER"],
            password=self.settings_dict.get("PASSWORD") or None,
            host=self.settings_dict.get("HOST") or "127.0.0.1",
            port=self.settings_dict.get("PORT") or "5432",
        )

    def counts(self, tables):
        if "sqlite" in self.settings_dict["ENGINE"]:
            with sqlite3.connect(self.name) as db:
                return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        db = self._connect(self.name)
        try:
            with db.cursor() as cursor:
                counts = {}
                for table in tables:
                    cursor.execute(f'SELECT count(*) FROM "{table}"')
                    counts[table] = cursor.fetchone()[0]
                return counts
        finally:
            db.close()

    def drop(self):
        if "sqlite" in self.settings_dict["ENGINE"]:
            Path(self.name).unlink(missing_ok=True)
            return
        db = self._connect("postgres")
        db.autocommit = True
        with db.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
        db.close()


def source_counts(tables):
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        return counts


@pytest.fixture
def restored(tmp_path):
    settings_dict = connection.settings_dict
    if "sqlite" in settings_dict["ENGINE"]:
        name = str(tmp_path / "restored.sqlite3")
    else:
        name = f"{settings_dict['NAME']}_restored"
    target = Restored(settings_dict, name)
    target.drop()
    yield target
    target.drop()


def test_a_backup_restored_into_a_fresh_database_has_every_row_and_file(
    settings, tmp_path, balikpapan, samarinda, officer_balikpapan, officer_samarinda, restored
):
    # given: submitted reports with their evidence files, and a piagam PDF on disk
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    period = build_period([balikpapan, samarinda], actions=2, items_per_action=2)
    wita = ZoneInfo("Asia/Makassar")
    submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=wita)
    )
    submitted_report(
        samarinda, period, officer_samarinda, at=datetime.datetime(2025, 10, 9, 9, 5, tzinfo=wita)
    )
    (media / "piagam" / "2025").mkdir(parents=True)
    (media / "piagam" / "2025" / "token.pdf").write_bytes(b"%PDF-1.7 piagam " * 1000)
    source_url = database_url(connection.settings_dict, connection.settings_dict["NAME"])
    tables = connection.introspection.table_names()

    # when: backed up, then restored into a new database name and a new media folder
    backup_dir = run(
        "backup", tmp_path / "backups", url=source_url, media=media, var=tmp_path / "var"
    )
    new_media = tmp_path / "restored-media"
    run(
        "restore",
        backup_dir,
        url=database_url(connection.settings_dict, restored.name),
        media=new_media,
        var=tmp_path / "var2",
    )

    # then: the same rows in every table and the same files
    expected = source_counts(tables)
    assert expected["reporting_report"] == 2 and expected["reporting_evidence"] >= 8
    assert restored.counts(tables) == expected
    assert hashes(new_media) == hashes(media)
    assert len(hashes(media)) >= 9


def test_restore_refuses_to_overwrite_a_database_that_has_tables(tmp_path, balikpapan):
    media = tmp_path / "media"
    url = database_url(connection.settings_dict, connection.settings_dict["NAME"])
    backup_dir = run("backup", tmp_path / "backups", url=url, media=media, var=tmp_path / "var")

    result = subprocess.run(
        ["bash", str(SCRIPT), "restore", backup_dir],
        env={**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media), "PY": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "RESTORE_CLEAN=1" in result.stderr


@pytest.fixture(scope="module")
def s3_endpoint():
    with moto_server() as endpoint:
        yield endpoint


def test_with_a_bucket_the_backup_holds_its_objects_and_restores_them_into_another(
    settings,
    tmp_path,
    s3_endpoint,
    balikpapan,
    officer_balikpapan,
    restored,
):
    from ranham_portal.settings import object_storage
    from reporting.models import Evidence

    # given: a submitted report whose evidence lives in a bucket, nothing on local disk
    source, target = new_bucket(s3_endpoint), new_bucket(s3_endpoint)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": object_storage({"STORAGE_URL": source.url}),
        },
    }
    period = build_period([balikpapan], actions=2, items_per_action=2)
    wita = ZoneInfo("Asia/Makassar")
    submitted_report(
        balikpapan, period, officer_balikpapan, at=datetime.datetime(2025, 10, 9, 9, 0, tzinfo=wita)
    )
    names = sorted(Evidence.objects.values_list("file", flat=True))
    assert source.keys() == names and len(names) >= 4
    source_url = database_url(connection.settings_dict, connection.settings_dict["NAME"])

    # when: backed up, then restored into a new database and an empty bucket
    backup_dir = run(
        "backup",
        tmp_path / "backups",
        url=source_url,
        media=tmp_path / "media",
        var=tmp_path / "var",
        STORAGE_URL=source.url,
    )
    run(
        "restore",
        backup_dir,
        url=database_url(connection.settings_dict, restored.name),
        media=tmp_path / "restored-media",
        var=tmp_path / "var2",
        STORAGE_URL=target.url,
    )

    # then: the new bucket holds the same objects, byte for byte, and no disk holds them
    assert "storage=bucket" in (Path(backup_dir) / "MANIFEST").read_text()
    assert target.keys() == names
    assert {name: target.get(name) for name in names} == {name: source.get(name) for name in names}
    assert restored.counts(["reporting_evidence"]) == {"reporting_evidence": len(names)}
    assert not (tmp_path / "media").exists() or hashes(tmp_path / "media") == {}
    assert not (tmp_path / "restored-media").exists()
