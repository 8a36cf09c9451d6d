"""Attachments: streamed in, checked by type and size, stored by SHA-256, verified when read."""

import base64
import datetime as dt
import hashlib
import uuid

import anyio
import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.flows import AwardsFlow
from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from nominations.attachments.service import sweep
from nominations.attachments.storage import LocalStorage, content_key
from nominations.config import Settings
from services.nominations.tests.attachments.storage_clock import just_after_the_writes

PDF = "application/pdf"


def pdf(size: int = 0) -> bytes:
    """A PDF-looking file whose content no other test shares (files are stored by content)."""
    body = b"%PDF-1.7\n% " + uuid.uuid4().hex.encode() + b"\n"
    return body + b"x" * max(0, size - len(body))


async def draft(client: httpx.AsyncClient, auth: Auth) -> tuple[AwardsFlow, int, dict[str, str]]:
    steps = AwardsFlow(client, auth)
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], "HT-THA")
    return steps, int(nomination["id"]), steps.officer("HT-THA")


async def upload(
    client: httpx.AsyncClient,
    nomination_id: int,
    headers: dict[str, str],
    content: bytes,
    *,
    filename: str = "to-trinh.pdf",
    content_type: str = PDF,
    document_code: str | None = None,
) -> httpx.Response:
    data = {"document_code": document_code} if document_code is not None else {}
    return await client.post(
        f"/v1/nominations/{nomination_id}/attachments",
        files={"file": (filename, content, content_type)},
        data=data,
        headers=headers,
    )


async def rows(db_session: AsyncSession, nomination_id: int) -> tuple[int, list[str]]:
    count = await db_session.scalar(
        text("SELECT count(*) FROM nominations.attachments WHERE nomination_id = :id"), {"id": nomination_id}
    )
    events = await db_session.execute(
        text("SELECT action FROM nominations.nomination_events WHERE nomination_id = :id ORDER BY id"),
        {"id": nomination_id},
    )
    return int(count or 0), list(events.scalars())


async def test_upload_list_and_download_with_checksum_headers(
    client: httpx.AsyncClient, auth: Auth, settings: Settings
) -> None:
    steps, nomination_id, officer = await draft(client, auth)
    content = pdf(200_000)
    sha = hashlib.sha256(content).hexdigest()
    created = await upload(
        client, nomination_id, officer, content, filename="Tờ trình số 12.pdf", document_code="to_trinh"
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["sha256"] == sha
    assert body["size_bytes"] == len(content)
    assert body["content_type"] == PDF
    assert body["document_code"] == "to_trinh"
    assert body["filename"] == "Tờ trình số 12.pdf"
    assert body["uploaded_by"] == "officer-HT-THA"
    location = f"/api/v1/nominations/{nomination_id}/attachments/{body['id']}"
    assert created.headers["Location"] == location
    assert (settings.attachments_dir / content_key(sha)).read_bytes() == content

    listed = await client.get(f"/v1/nominations/{nomination_id}/attachments", headers=steps.secretariat())
    assert listed.json() == {"items": [body], "next_cursor": None}

    path = f"/v1/nominations/{nomination_id}/attachments/{body['id']}"
    download = await client.get(path, headers=steps.secretariat())
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == PDF
    assert download.headers["content-length"] == str(len(content))
    assert download.headers["etag"] == f'"{sha}"'
    digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
    assert download.headers["digest"] == f"sha-256={digest}"
    assert download.headers["repr-digest"] == f"sha-256=:{digest}:"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="To trinh so 12.pdf"')
    assert "filename*=UTF-8''T%E1%BB%9D%20tr%C3%ACnh%20s%E1%BB%91%2012.pdf" in disposition

    unchanged = await client.get(path, headers=officer | {"If-None-Match": f'"{sha}"'})
    assert unchanged.status_code == 304
    assert_problem(await client.get(path, headers=steps.officer("HT-CLO")), 404, "nomination-not-found")
    other = f"/v1/nominations/{nomination_id}/attachments/{uuid.uuid4()}"
    assert_problem(await client.get(other, headers=officer), 404, "attachment-not-found")


async def test_document_codes_are_those_the_award_type_requires(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    _, nomination_id, officer = await draft(client, auth)
    refused = await upload(client, nomination_id, officer, pdf(), document_code="giay_khai_sinh")
    body = assert_problem(refused, 422, "unknown-document")
    assert "to_trinh" in body["document_codes"]
    assert await rows(db_session, nomination_id) == (0, ["create"])


async def test_refused_files_leave_nothing(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession, settings: Settings
) -> None:
    _, nomination_id, officer = await draft(client, auth)
    before = sorted(settings.attachments_dir.rglob("*"))
    assert_problem(await upload(client, nomination_id, officer, b""), 422, "empty-attachment")
    text_file = await upload(
        client, nomination_id, officer, b"hello", filename="a.txt", content_type="text/plain"
    )
    assert "application/pdf" in assert_problem(text_file, 415, "unsupported-attachment-type")["accepted"]
    disguised = await upload(client, nomination_id, officer, b"MZ\x90\x00 not a pdf at all")
    assert_problem(disguised, 415, "unsupported-attachment-type")
    # A zip is not a spreadsheet unless it says so; an .odt must name its type in its first bytes.
    odt = await upload(
        client, nomination_id, officer, b"PK\x03\x04" + b"\x00" * 60, filename="x.odt", content_type=""
    )
    assert_problem(odt, 415, "unsupported-attachment-type")
    not_multipart = await client.post(
        f"/v1/nominations/{nomination_id}/attachments", json={"file": "x"}, headers=officer
    )
    assert_problem(not_multipart, 415, "multipart-expected")
    no_file = await client.post(
        f"/v1/nominations/{nomination_id}/attachments",
        data={"document_code": "to_trinh"},
        files={"other": ("a", b"b")},
        headers=officer,
    )
    assert_problem(no_file, 422, "invalid-attachment")
    assert await rows(db_session, nomination_id) == (0, ["create"])
    assert sorted(settings.attachments_dir.rglob("*")) == before


async def test_a_file_over_the_limit_is_refused_as_it_streams(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession, settings: Settings
) -> None:
    _, nomination_id, officer = await draft(client, auth)
    before = sorted(settings.attachments_dir.rglob("*"))
    too_large = pdf(settings.attachments_max_bytes + 1)
    refused = await upload(client, nomination_id, officer, too_large)
    assert assert_problem(refused, 413, "attachment-too-large")["max_bytes"] == settings.attachments_max_bytes
    exactly = await upload(client, nomination_id, officer, too_large[:-1])
    assert exactly.status_code == 201, exactly.text
    assert exactly.json()["size_bytes"] == settings.attachments_max_bytes
    assert await rows(db_session, nomination_id) == (1, ["create", "attachment_added"])
    added = sorted(set(settings.attachments_dir.rglob("*")) - set(before))
    assert [path.name for path in added if path.is_file()] == [exactly.json()["sha256"]]


async def test_a_declared_length_over_the_limit_is_refused_before_reading(
    client: httpx.AsyncClient, auth: Auth, running_app: FastAPI, settings: Settings
) -> None:
    _, nomination_id, officer = await draft(client, auth)
    running_app.state.settings = settings.model_copy(update={"attachments_max_bytes": 1000})
    try:
        refused = await upload(client, nomination_id, officer, pdf(70_000))
        streamed = await upload(client, nomination_id, officer, pdf(1001))
    finally:
        running_app.state.settings = settings
    assert_problem(refused, 413, "attachment-too-large")
    assert_problem(streamed, 413, "attachment-too-large")


async def test_only_while_the_dossier_is_editable_and_with_an_audit_trail(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession, settings: Settings
) -> None:
    steps, nomination_id, officer = await draft(client, auth)
    assert_problem(await upload(client, nomination_id, steps.secretariat(), pdf()), 403, "action-forbidden")
    kept = (await upload(client, nomination_id, officer, pdf(), document_code="to_trinh")).json()
    removed = (await upload(client, nomination_id, officer, pdf())).json()
    gone = await client.delete(
        f"/v1/nominations/{nomination_id}/attachments/{removed['id']}", headers=officer
    )
    assert gone.status_code == 204
    removed_file = settings.attachments_dir / content_key(removed["sha256"])
    assert removed_file.exists()  # until the sweep: a failing commit must not lose a file still referenced
    await sweep(
        db_session,
        LocalStorage(settings.attachments_dir),
        grace=dt.timedelta(0),
        now=await just_after_the_writes(LocalStorage(settings.attachments_dir)),
    )
    assert not removed_file.exists()
    assert (settings.attachments_dir / content_key(kept["sha256"])).exists()
    await steps.must(nomination_id, "submit", officer)
    late = await upload(client, nomination_id, officer, pdf())
    assert_problem(late, 409, "action-not-allowed")
    locked = await client.delete(f"/v1/nominations/{nomination_id}/attachments/{kept['id']}", headers=officer)
    assert_problem(locked, 409, "action-not-allowed")
    events = (await client.get(f"/v1/nominations/{nomination_id}/events", headers=officer)).json()["items"]
    assert [(e["action"], e["to_status"]) for e in events] == [
        ("create", "draft"),
        ("attachment_added", "draft"),
        ("attachment_added", "draft"),
        ("attachment_removed", "draft"),
        ("submit", "submitted"),
    ]
    assert events[3]["details"]["attachment_id"] == removed["id"]
    assert await rows(db_session, nomination_id) == (1, [e["action"] for e in events])


async def test_the_same_content_is_stored_once_and_kept_while_in_use(
    client: httpx.AsyncClient, auth: Auth, settings: Settings, db_session: AsyncSession
) -> None:
    _, first_id, officer = await draft(client, auth)
    _, second_id, _ = await draft(client, auth)
    content = pdf()
    first = (await upload(client, first_id, officer, content)).json()
    second = (await upload(client, second_id, officer, content)).json()
    stored = settings.attachments_dir / content_key(first["sha256"])
    storage = LocalStorage(settings.attachments_dir)
    await client.delete(f"/v1/nominations/{first_id}/attachments/{first['id']}", headers=officer)
    await sweep(db_session, storage, grace=dt.timedelta(0), now=await just_after_the_writes(storage))
    assert stored.exists()  # the second nomination still uses it
    read = await client.get(f"/v1/nominations/{second_id}/attachments/{second['id']}", headers=officer)
    assert read.content == content
    await client.delete(f"/v1/nominations/{second_id}/attachments/{second['id']}", headers=officer)
    assert (
        await sweep(
            db_session, storage, grace=dt.timedelta(hours=1), now=await just_after_the_writes(storage)
        )
    ).removed == 0  # too recent
    assert stored.exists()
    await sweep(db_session, storage, grace=dt.timedelta(0), now=await just_after_the_writes(storage))
    assert not stored.exists()


async def test_a_corrupted_or_missing_file_is_reported_not_served(
    client: httpx.AsyncClient, auth: Auth, settings: Settings
) -> None:
    _, nomination_id, officer = await draft(client, auth)
    created = (await upload(client, nomination_id, officer, pdf(5000))).json()
    stored = anyio.Path(settings.attachments_dir / content_key(created["sha256"]))
    path = f"/v1/nominations/{nomination_id}/attachments/{created['id']}"
    await stored.write_bytes(b"%PDF-1.7 tampered")
    corrupted = await client.get(path, headers=officer)
    assert assert_problem(corrupted, 409, "attachment-corrupted")["sha256"] == created["sha256"]
    await stored.unlink()
    assert_problem(await client.get(path, headers=officer), 409, "attachment-corrupted")


async def test_a_file_added_to_the_dossier_leaves_its_version_alone(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    steps, nomination_id, officer = await draft(client, auth)
    before = await client.get(f"/v1/nominations/{nomination_id}", headers=officer)
    created = await upload(client, nomination_id, officer, pdf(), document_code="to_trinh")
    assert created.status_code == 201, created.text
    after = await client.get(f"/v1/nominations/{nomination_id}", headers=officer)
    assert after.headers["ETag"] == before.headers["ETag"]
    # So the unit submits with the version it read before attaching.
    submitted = await steps.act(nomination_id, "submit", officer, if_match=before.headers["ETag"])
    assert submitted.status_code == 200, submitted.text
