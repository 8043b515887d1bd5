"""Move evidence and piagam files between local disk (MEDIA_ROOT) and the bucket.

    manage.py move_files --to-bucket   # MEDIA_ROOT -> the bucket of STORAGE_URL / AWS_*
    manage.py move_files --to-local    # the bucket -> MEDIA_ROOT

Every file named by an evidence or piagam row is copied and its SHA-256 checked against the
row, before and after the copy. Resumable: a file already at the target with the row's hash
is skipped, so a run that was stopped is simply run again. Sources are never deleted; switch
STORAGE_URL over once a run ends with nothing missing, then remove the old copies yourself.
"""

import hashlib

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError

from accounts import storage
from piagam.models import Certificate
from reporting.models import Evidence


def bucket_storage():
    if not settings.OBJECT_STORAGE:
        raise CommandError("Set STORAGE_URL (or AWS_STORAGE_BUCKET_NAME) to name the bucket.")
    from storages.backends.s3 import S3Storage

    return S3Storage(**settings.OBJECT_STORAGE)


def stored_files():
    """(name, sha256) of every file the database names, each once."""
    rows = Evidence.objects.values_list("file", "sha256").union(
        Certificate.objects.exclude(pdf="").values_list("pdf", "sha256")
    )
    return sorted(set(rows))


class Command(BaseCommand):
    help = "Copy evidence and piagam files to the bucket or back, checking every SHA-256."

    def add_arguments(self, parser):
        direction = parser.add_mutually_exclusive_group(required=True)
        direction.add_argument("--to-bucket", action="store_true")
        direction.add_argument("--to-local", action="store_true")

    def handle(self, *args, to_bucket, to_local, **options):
        local = FileSystemStorage(location=settings.MEDIA_ROOT)
        bucket = bucket_storage()
        source, target = (local, bucket) if to_bucket else (bucket, local)
        counts = {"copied": 0, "present": 0, "missing": 0, "mismatch": 0}
        for name, sha256 in stored_files():
            outcome = self.move(name, sha256, source, target)
            counts[outcome] += 1
            if outcome in ("missing", "mismatch"):
                self.stderr.write(f"{outcome}: {name}")
        self.stdout.write(
            "copied {copied}, already there {present}, missing {missing}, "
            "hash differs {mismatch}".format(**counts)
        )
        if counts["missing"] or counts["mismatch"]:
            raise CommandError("Some files were not moved; see the lines above.")

    def move(self, name, sha256, source, target):
        try:
            if storage.sha256_of(name, target) == sha256:
                return "present"
        except FileNotFoundError:
            pass
        try:
            data = storage.read(name, source)
        except FileNotFoundError:
            return "missing"
        if hashlib.sha256(data).hexdigest() != sha256:
            return "mismatch"
        storage.put(name, data, target)
        if storage.sha256_of(name, target) != sha256:
            storage.delete(name, target)
            return "mismatch"
        return "copied"
