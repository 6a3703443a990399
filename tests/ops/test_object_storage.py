"""Evidence files in S3-compatible object storage (django-storages), as configured by
AWS_STORAGE_BUCKET_NAME and AWS_S3_ENDPOINT_URL, against a real S3 endpoint on loopback (moto's server,
which speaks the S3 protocol as MinIO or Ceph would): an upload lands in the bucket and nowhere on disk,
the bucket gives nothing to anonymous requests, the permission-checked view streams the file to those
who may see it and to no one else, and a failed upload leaves no object behind."""

import boto3
import pytest
import requests
from botocore.config import Config
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from activities.models import Evidence
from strategy_tracker.settings import object_storage
from tests.activities.test_evidence_files import REFUSED_TABLES, upload, upload_refused_by_the_database
from tests.activities.views.pages import PDF, World, signed_in, url

BUCKET = "evidence-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        config=Config(signature_version="s3v4"),
    )
    s3.create_bucket(Bucket=BUCKET)
    settings.MEDIA_ROOT = tmp_path / "media"  # must stay empty
    settings.STORAGES = {
        **settings.STORAGES,
        "default": object_storage(
            {
                "AWS_STORAGE_BUCKET_NAME": BUCKET,
                "AWS_S3_ENDPOINT_URL": s3_endpoint,
                "AWS_S3_REGION_NAME": "us-east-1",
            }
        ),
    }
    yield s3
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)


def keys(s3) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.fixture
def world(db):
    return World()


def test_without_a_bucket_evidence_stays_on_local_disk():
    assert object_storage({}) is None
    assert object_storage({"AWS_STORAGE_BUCKET_NAME": ""}) is None


def test_an_upload_lands_in_the_bucket_and_is_served_only_through_the_permission_check(
    client, transactional_db, bucket, s3_endpoint, settings
):
    """With real commits: the file is written once the row naming it is committed."""
    assert isinstance(storages["default"], S3Storage)
    world = World()
    entry = world.entry()
    signed_in(client, world.focal_am)

    response = client.post(url("evidence-add", entry), {"title": "Den map", "file": upload()})

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert keys(bucket) == [evidence.file.name]
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))
    # The bucket is private: the object's plain URL, without a signature, gives nothing.
    plain = requests.get(f"{s3_endpoint}/{BUCKET}/{evidence.file.name}", timeout=10)
    assert plain.status_code == 403
    # Who may see the entry downloads the very bytes; a focal point of another state does not.
    download = client.get(url("evidence-download", evidence))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    client.logout()
    signed_in(client, world.focal_ir)
    assert client.get(url("evidence-download", evidence)).status_code in (403, 404)


@pytest.mark.parametrize("table", REFUSED_TABLES)
def test_a_failed_upload_leaves_no_object_in_the_bucket(client, world, bucket, table):
    upload_refused_by_the_database(client, world, table)
    assert keys(bucket) == []
