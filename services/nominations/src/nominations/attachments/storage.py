"""Where attachment files live: a local directory (the default) or an S3-compatible bucket.

Files are content-addressed: the key is derived from the SHA-256 of the bytes, so the same document uploaded
twice is stored once, and a key never names two different contents. A file only appears under its key once it
is complete (an atomic rename locally, a single PUT or a completed multipart upload on S3).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import anyio
from anyio import to_thread
from fastapi import Depends, Request

from nominations.config import Settings
from shared.problems import ServiceUnavailable

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CHUNK_BYTES = 256 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class StoredFileMissing(Exception):
    """The key has no file behind it."""


class StorageUnavailable(ServiceUnavailable):
    slug = "storage-unavailable"
    title = "The attachment storage is unavailable"


def content_key(sha256: str) -> str:
    """``sha256/ab/cd/abcd…``: two levels of fan-out keep directories and bucket listings small."""
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class Storage(Protocol):
    async def put(self, key: str, source: Path) -> None:
        """Store the complete file ``source`` under ``key``; a key already present is left as it is."""
        ...

    def read(self, key: str) -> AsyncIterator[bytes]:
        """The file's bytes in chunks; :class:`StoredFileMissing` if there is none."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the file; a missing file is not an error."""
        ...

    def listing(self) -> AsyncIterator[tuple[str, dt.datetime]]:
        """Every stored key with the time it was written (UTC), for the sweep of unreferenced files."""
        ...


class LocalStorage:
    """Files under ``root``, written to a temporary name in the same directory, then renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"key {key!r} leaves the storage root")
        return path

    async def put(self, key: str, source: Path) -> None:
        await to_thread.run_sync(self._put, key, source)

    def _put(self, key: str, source: Path) -> None:
        target = self._path(key)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        try:
            with source.open("rb") as reader, partial.open("xb") as writer:
                while chunk := reader.read(CHUNK_BYTES):
                    writer.write(chunk)
                writer.flush()
                os.fsync(writer.fileno())
            partial.replace(target)  # atomic: readers see no file or the whole file
        finally:
            partial.unlink(missing_ok=True)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            file = await anyio.open_file(path, "rb")
        except FileNotFoundError as exc:
            raise StoredFileMissing(key) from exc
        async with file:
            while chunk := await file.read(CHUNK_BYTES):
                yield chunk

    async def delete(self, key: str) -> None:
        await to_thread.run_sync(self._delete, key)

    def _delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def listing(self) -> AsyncIterator[tuple[str, dt.datetime]]:
        for key, modified in await to_thread.run_sync(self._listing):
            yield key, modified

    def _listing(self) -> list[tuple[str, dt.datetime]]:
        found = []
        for directory, _, files in os.walk(self.root):
            for name in files:
                path = Path(directory) / name
                with contextlib.suppress(FileNotFoundError):
                    modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
                    found.append((path.relative_to(self.root).as_posix(), modified))
        return found


class S3Storage:
    """An S3-compatible bucket through boto3; its blocking calls run in worker threads."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        client: S3Client | None = None,
    ) -> None:
        import boto3  # noqa: PLC0415 - only a deployment that stores in S3 pays for importing it
        from botocore.config import Config  # noqa: PLC0415

        self.bucket = bucket
        self._client: S3Client = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30
            ),
        )

    async def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        try:
            return await to_thread.run_sync(lambda: function(*args, **kwargs))
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"404", "NoSuchKey", "NotFound"}:
                raise StoredFileMissing(kwargs.get("Key", "")) from exc
            raise StorageUnavailable(f"The attachment storage refused the request ({code}).") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(
                f"The attachment storage did not answer ({type(exc).__name__}); try later."
            ) from exc

    async def put(self, key: str, source: Path) -> None:
        try:
            await self._call(self._client.head_object, Bucket=self.bucket, Key=key)
        except StoredFileMissing:
            # upload_file streams from disk, switching to a multipart upload for large files.
            await self._call(self._client.upload_file, str(source), self.bucket, key)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        response = await self._call(self._client.get_object, Bucket=self.bucket, Key=key)
        body = response["Body"]
        try:
            while chunk := await self._call(body.read, CHUNK_BYTES):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        with contextlib.suppress(StoredFileMissing):
            await self._call(self._client.delete_object, Bucket=self.bucket, Key=key)

    async def listing(self) -> AsyncIterator[tuple[str, dt.datetime]]:
        token: str | None = None
        while True:
            page = await self._call(
                self._client.list_objects_v2,
                Bucket=self.bucket,
                Prefix="sha256/",
                **({"ContinuationToken": token} if token else {}),
            )
            for item in page.get("Contents", []):
                yield item["Key"], item["LastModified"]
            token = page.get("NextContinuationToken")
            if not token:
                return


def storage_from_settings(settings: Settings) -> Storage:
    if settings.attachments_backend == "s3":
        if not settings.s3_bucket:
            raise ValueError("NOMINATIONS_S3_BUCKET must be set when NOMINATIONS_ATTACHMENTS_BACKEND is s3")
        return S3Storage(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=(
                settings.s3_access_key_id.get_secret_value() if settings.s3_access_key_id else None
            ),
            secret_access_key=(
                settings.s3_secret_access_key.get_secret_value() if settings.s3_secret_access_key else None
            ),
        )
    return LocalStorage(settings.attachments_dir)


async def get_storage(request: Request) -> Storage:
    """The app's storage, made from its settings on first use (a test may put another in place)."""
    storage: Storage | None = getattr(request.app.state, "attachment_storage", None)
    if storage is None:
        storage = storage_from_settings(request.app.state.settings)
        request.app.state.attachment_storage = storage
    return storage


StorageDep = Annotated[Storage, Depends(get_storage)]
