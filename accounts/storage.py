"""Where evidence and piagam files live: the one module that touches them.

Every app reads and writes files through Django's ``default_storage``: local files in
MEDIA_ROOT by default, an S3-compatible bucket when ``STORAGE_URL`` (or ``AWS_*``) is set.
Nothing else opens a path under MEDIA_ROOT. Downloads leave Python when they can: a
presigned URL of a minute (bucket) or ``X-Accel-Redirect`` to an internal nginx location
(local files with ``SENDFILE_NGINX=1``); otherwise the file is streamed (development).
"""

import contextlib
import hashlib
import os
import uuid
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

CHUNK = 1024 * 1024
PRESIGNED_SECONDS = 60


def files():
    """The storage of evidence and piagam files."""
    return default_storage


def is_local(storage=None):
    return isinstance(storage or default_storage, FileSystemStorage)


def put(name, data, storage=None):
    """Store ``data`` (bytes) under exactly ``name``, replacing what was there, whole or not
    at all: a reader never sees part of it under ``name``. A bucket's put is atomic; on a
    local disk the bytes are synced under a temporary name and renamed onto ``name``."""
    storage = storage or default_storage
    if not is_local(storage):
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # pragma: no cover - a bucket configured to rename on clash
            raise RuntimeError(f"storage kept {name!r} as {saved!r}")
        return name
    final = storage.path(name)
    os.makedirs(os.path.dirname(final), exist_ok=True)
    directory, base = os.path.split(final)
    temp = os.path.join(directory, f".{base}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    return name


def read(name, storage=None):
    storage = storage or default_storage
    with storage.open(name, "rb") as handle:
        return handle.read()


def sha256_of(name, storage=None):
    """The SHA-256 of a stored file, read back in chunks; FileNotFoundError if absent."""
    storage = storage or default_storage
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def walk(prefix, storage=None):
    """Every file name under the folder ``prefix`` (recursively), through ``listdir``."""
    storage = storage or default_storage
    try:
        directories, names = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in names:
        yield f"{prefix}/{name}"
    for directory in directories:
        yield from walk(f"{prefix}/{directory}", storage)


def modified(name, storage=None):
    """When a stored file was last written (aware datetime), or None if it is gone."""
    storage = storage or default_storage
    try:
        return storage.get_modified_time(name)
    except (FileNotFoundError, OSError):
        return None


def delete(name, storage=None):
    with contextlib.suppress(FileNotFoundError):
        (storage or default_storage).delete(name)


def download(name, *, filename, content_type, as_attachment, headers=None):
    """The answer of a permission-checked view that hands out one stored file.

    Bucket: a redirect to a presigned URL of a minute that names the file and its sniffed
    type. Local files behind nginx (``SENDFILE_NGINX``): an empty answer whose
    ``X-Accel-Redirect`` lets nginx send the file from its internal location. Else the file
    is streamed from Python. Http404 if the file is missing.
    """
    storage = default_storage
    disposition = content_disposition_header(as_attachment, filename)
    if not is_local(storage):
        if not storage.exists(name):
            raise Http404
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
            expire=PRESIGNED_SECONDS,
        )
        response = HttpResponseRedirect(url)
    elif getattr(settings, "SENDFILE_NGINX", False):
        if not storage.exists(name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        response["Content-Disposition"] = disposition
        response["X-Accel-Redirect"] = settings.SENDFILE_NGINX_PREFIX + quote(name)
    else:
        try:
            handle = storage.open(name, "rb")
        except FileNotFoundError as missing:
            raise Http404 from missing
        response = FileResponse(
            handle, content_type=content_type, as_attachment=as_attachment, filename=filename
        )
    response["Cache-Control"] = "private, no-store"
    for key, value in (headers or {}).items():
        response[key] = value
    return response
