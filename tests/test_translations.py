"""English is complete: every message of the code has an English translation.

Part of `make test` and so of `.ci/run`: an untranslated, fuzzy or forgotten message fails.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from piagam.views import category_labels

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
SKIPPED_IN_COPY = (".git", ".venv", "var", "node_modules", "__pycache__", "*.mo", "htmlcov")


def untranslated(po):
    return [
        entry.msgid
        for entry in po
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]


def test_every_english_message_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))

    assert len(po) > 500
    assert untranslated(po) == []


def test_makemessages_finds_no_message_missing_from_the_english_catalogue(tmp_path):
    # given a copy of the project (the real catalogue stays untouched)
    copy = tmp_path / "repo"
    shutil.copytree(settings.BASE_DIR, copy, ignore=shutil.ignore_patterns(*SKIPPED_IN_COPY))

    # when makemessages collects the messages of the code into the copy's catalogue
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--ignore=.venv", "-v0"],
        cwd=copy,
        check=True,
    )

    # then nothing came out untranslated or as a fuzzy guess
    collected = polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    assert untranslated(collected) == []


def test_award_categories_are_shown_in_the_readers_language():
    with translation.override("en"):
        assert [str(label) for label in category_labels(["terbaik", "paling_responsif"])] == [
            "best",
            "most responsive",
        ]
    with translation.override("id"):
        assert [str(label) for label in category_labels(["tercepat"])] == ["tercepat"]


@pytest.mark.django_db
def test_a_submission_round_in_the_history_is_labelled_in_the_readers_language(
    balikpapan, samarinda, officer_balikpapan, settings, tmp_path
):
    import datetime

    from reporting.presenters import report_timeline
    from tests.support import build_period, submitted_report

    # given a report submitted while the officer read Indonesian ("Putaran 1" is stored)
    settings.MEDIA_ROOT = tmp_path
    period = build_period([balikpapan, samarinda])
    with translation.override("id"):
        report = submitted_report(
            balikpapan,
            period,
            officer_balikpapan,
            at=datetime.datetime(2025, 10, 9, 9, tzinfo=datetime.UTC),
        )

    # when an English reader opens its history
    with translation.override("en"):
        shown = [str(event.shown_reason) for event in report_timeline(report)]

    # then the round is called a round
    assert "Round 1" in shown
    assert "Putaran 1" not in shown
