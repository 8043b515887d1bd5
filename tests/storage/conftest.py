"""A real S3 API for the tests: moto in server mode on 127.0.0.1 and a free port."""

import contextlib
import secrets
import socket

import boto3
import pytest

from tests.reporting.conftest import actions, cycle, tw3  # noqa: F401 - fixtures

REGION = "us-east-1"
KEY = "testing"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def moto_server():
    """A moto S3 server on 127.0.0.1 and a free port; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_endpoint():
    """The endpoint URL of a moto S3 server, for the whole session."""
    with moto_server() as endpoint:
        yield endpoint


def s3_client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEY,
        aws_secret_access_key=KEY,
    )


class Bucket:
    """One fresh bucket: its name, the STORAGE_URL that selects it, and a client to look."""

    def __init__(self, endpoint, name):
        self.endpoint, self.name = endpoint, name
        self.client = s3_client(endpoint)
        self.url = (
            f"s3://{name}?endpoint_url={endpoint}&region={REGION}&access_key={KEY}&secret_key={KEY}"
        )

    def keys(self, prefix=""):
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def get(self, key):
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def put(self, key, data):
        self.client.put_object(Bucket=self.name, Key=key, Body=data)


def new_bucket(endpoint):
    bucket = Bucket(endpoint, f"ranham-{secrets.token_hex(4)}")
    bucket.client.create_bucket(Bucket=bucket.name)
    return bucket


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    """Evidence and piagam files in a fresh bucket for this test; MEDIA_ROOT stays empty."""
    from ranham_portal.settings import object_storage

    made = new_bucket(s3_endpoint)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": object_storage({"STORAGE_URL": made.url}),
        },
    }
    settings.EVIDENCE_ALLOWED_TYPES = ["application/pdf", "image/jpeg", "image/png"]
    return made
