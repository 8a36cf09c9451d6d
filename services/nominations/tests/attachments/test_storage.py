"""Attachment storage: the local directory, and an S3-compatible server (moto's, a real HTTP process)."""

import datetime as dt
import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from fastapi import FastAPI
from moto.server import ThreadedMotoServer
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.flows import AwardsFlow
from devstack.testing.plugin import AuthHeaders as Auth
from nominations.attachments.service import sweep
from nominations.attachments.storage import (
    LocalStorage,
    S3Storage,
    Storage,
    StoredFileMissing,
    content_key,
    storage_from_settings,
)
from nominations.config import Settings
from services.nominations.tests.attachments.storage_clock import just_after_the_writes


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint: str) -> S3Storage:
    bucket = f"attachments-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)
    return S3Storage(
        bucket,
        endpoint_url=s3_endpoint,
        region="us-east-1",
        access_key_id="test",
        secret_access_key="test",
    )


async def read_all(storage: Storage, key: str) -> bytes:
    return b"".join([chunk async for chunk in storage.read(key)])


def source(tmp_path: Path, size: int) -> tuple[Path, str]:
    content = uuid.uuid4().bytes * (size // 16 + 1)
    path = tmp_path / "upload.part"
    path.write_bytes(content[:size])
    return path, hashlib.sha256(content[:size]).hexdigest()


async def check_round_trip(storage: Storage, tmp_path: Path, size: int) -> None:
    path, sha = source(tmp_path, size)
    key = content_key(sha)
    await storage.put(key, path)
    await storage.put(key, path)  # a second put of the same content is a no-op
    assert await read_all(storage, key) == path.read_bytes()
    await storage.delete(key)
    with pytest.raises(StoredFileMissing):
        await read_all(storage, key)
    await storage.delete(key)  # deleting what is gone is fine


def test_keys_are_content_addressed() -> None:
    sha = hashlib.sha256(b"x").hexdigest()
    assert content_key(sha) == f"sha256/{sha[:2]}/{sha[2:4]}/{sha}"
    with pytest.raises(ValueError, match="SHA-256"):
        content_key("../../etc/passwd")


async def test_local_storage_round_trip_leaves_no_partial_files(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "root")
    await check_round_trip(storage, tmp_path, 600_000)
    assert [path for path in (tmp_path / "root").rglob("*") if path.is_file()] == []


async def test_local_storage_refuses_keys_outside_its_root(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "root")
    with pytest.raises(ValueError, match="leaves the storage root"):
        await storage.delete("../outside")


async def test_s3_storage_round_trip(s3: S3Storage, tmp_path: Path) -> None:
    await check_round_trip(s3, tmp_path, 300_000)


async def test_s3_storage_takes_large_files_in_parts(s3: S3Storage, tmp_path: Path) -> None:
    # Over boto3's 8 MiB threshold: a multipart upload, completed or not there at all.
    await check_round_trip(s3, tmp_path, 9 * 1024 * 1024)


def test_the_backend_is_chosen_by_configuration(settings: Settings, s3_endpoint: str) -> None:
    assert isinstance(storage_from_settings(settings), LocalStorage)
    chosen = storage_from_settings(
        settings.model_copy(
            update={
                "attachments_backend": "s3",
                "s3_endpoint_url": s3_endpoint,
                "s3_bucket": "attachments",
                "s3_region": "us-east-1",
                "s3_access_key_id": SecretStr("test"),
                "s3_secret_access_key": SecretStr("test"),
            }
        )
    )
    assert isinstance(chosen, S3Storage)
    assert chosen.bucket == "attachments"
    with pytest.raises(ValueError, match="S3_BUCKET"):
        storage_from_settings(settings.model_copy(update={"attachments_backend": "s3"}))


@pytest.fixture
async def on_s3(running_app: FastAPI, s3: S3Storage) -> AsyncIterator[S3Storage]:
    previous = getattr(running_app.state, "attachment_storage", None)
    running_app.state.attachment_storage = s3
    try:
        yield s3
    finally:
        running_app.state.attachment_storage = previous


async def test_attachments_through_the_api_on_s3(
    client: httpx.AsyncClient, auth: Auth, on_s3: S3Storage, db_session: AsyncSession
) -> None:
    steps = AwardsFlow(client, auth)
    nomination = await steps.nominate((await steps.create_round())["id"], "HT-THA")
    officer = steps.officer("HT-THA")
    content = b"%PDF-1.7\n" + uuid.uuid4().bytes * 4096
    created = await client.post(
        f"/v1/nominations/{nomination['id']}/attachments",
        files={"file": ("bao-cao.pdf", content, "application/pdf")},
        headers=officer,
    )
    assert created.status_code == 201, created.text
    key = content_key(created.json()["sha256"])
    assert await read_all(on_s3, key) == content
    path = f"/v1/nominations/{nomination['id']}/attachments/{created.json()['id']}"
    assert (await client.get(path, headers=officer)).content == content
    assert (await client.delete(path, headers=officer)).status_code == 204
    assert await read_all(on_s3, key) == content  # until the sweep
    assert key in [listed async for listed, _ in on_s3.listing()]
    await sweep(db_session, on_s3, grace=dt.timedelta(0), now=await just_after_the_writes(on_s3))
    with pytest.raises(StoredFileMissing):
        await read_all(on_s3, key)


async def test_the_sweep_removes_stray_and_interrupted_files_only(
    tmp_path: Path, db_session: AsyncSession
) -> None:
    storage = LocalStorage(tmp_path)
    source = tmp_path / "source.pdf"
    source.write_bytes(b"%PDF-1.7 stray")
    stray = content_key(hashlib.sha256(b"%PDF-1.7 stray").hexdigest())
    await storage.put(stray, source)
    partial = tmp_path / "sha256" / "ab" / ".abc.part"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"half")
    source.unlink()
    outcome = await sweep(
        db_session, storage, grace=dt.timedelta(0), now=await just_after_the_writes(storage)
    )
    assert outcome.removed == 2
    assert [key async for key, _ in storage.listing()] == []
