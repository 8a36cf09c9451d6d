"""The recipients directory (kept by admins, or imported as CSV from the identity provider) and each
person's preferences per event type and channel."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.events.schemas import EVENT_TYPE_NAMES, latest
from notifications.recipients import repository
from notifications.recipients.models import Preference, Recipient
from notifications.recipients.schemas import (
    ImportSummary,
    PreferenceOut,
    PreferencesIn,
    PreferencesOut,
    RecipientIn,
    RecipientOut,
    RecipientPatch,
)
from shared import clock
from shared.pagination import Page, as_code, decode_keyset, encode_cursor
from shared.problems import Conflict, NotFound, UnprocessableContent

CHANNELS_WITH_PREFERENCES = ("email", "inbox")
CSV_COLUMNS = ("sub", "display_name", "email", "language", "org_unit", "roles", "subscriptions")
MAX_IMPORT_ROWS = 20_000


class RecipientNotFound(NotFound):
    slug = "recipient-not-found"
    title = "No such recipient"


class RecipientExists(Conflict):
    slug = "recipient-exists"
    title = "A recipient with this sub exists"


class NotARecipient(NotFound):
    slug = "not-a-recipient"
    title = "You are not in the recipients directory"


class InvalidPreference(UnprocessableContent):
    slug = "invalid-preference"
    title = "Invalid preference"


class InvalidRecipientsFile(UnprocessableContent):
    slug = "invalid-recipients-file"
    title = "The recipients file cannot be imported"


def to_out(recipient: Recipient) -> RecipientOut:
    return RecipientOut(
        sub=recipient.sub,
        display_name=recipient.display_name,
        email=recipient.email,
        language=recipient.language,
        org_unit=recipient.org_unit,
        roles=list(recipient.roles),
        subscriptions=list(recipient.subscriptions),
        active=recipient.active,
        source=recipient.source,
        created_at=recipient.created_at,
        updated_at=recipient.updated_at,
        version=recipient.version,
    )


async def get(session: AsyncSession, sub: str, *, for_update: bool = False) -> Recipient:
    recipient = await repository.get(session, sub, for_update=for_update)
    if recipient is None:
        raise RecipientNotFound(f"No recipient has sub {sub!r}.")
    return recipient


async def list_recipients(
    session: AsyncSession,
    *,
    org_unit: str | None,
    role: str | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> Page[RecipientOut]:
    after = decode_keyset(cursor, as_code)
    rows = await repository.page(
        session, org_unit=org_unit, role=role, q=q, limit=limit, after=after[0] if after else None
    )
    shown = rows[:limit]
    return Page(
        items=[to_out(r) for r in shown],
        next_cursor=encode_cursor([shown[-1].sub]) if len(rows) > limit else None,
    )


def _values(body: RecipientIn | RecipientPatch) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=isinstance(body, RecipientPatch))
    for key in ("roles", "subscriptions"):
        if values.get(key) is not None:
            values[key] = sorted(set(values[key]))
    if isinstance(values.get("email"), str):
        values["email"] = values["email"].strip()
    return values


async def create(session: AsyncSession, body: RecipientIn, *, source: str = "api") -> Recipient:
    if await repository.get(session, body.sub) is not None:
        raise RecipientExists(f"{body.sub!r} is in the directory already; change it with PATCH.")
    now = clock.now()
    recipient = Recipient(**_values(body), source=source, created_at=now, updated_at=now, version=1)
    session.add(recipient)
    await session.flush()
    return recipient


def _apply(recipient: Recipient, values: dict[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if key == "sub":
            continue
        if getattr(recipient, key) != value:
            setattr(recipient, key, value)
            changed = True
    if changed:
        recipient.updated_at = clock.now()
        recipient.version += 1
    return changed


async def update(session: AsyncSession, recipient: Recipient, body: RecipientPatch) -> Recipient:
    _apply(recipient, _values(body))
    await session.flush()
    return recipient


def _csv_rows(content: str) -> list[tuple[int, RecipientIn]]:
    try:
        return _read_csv_rows(content)
    except csv.Error as exc:  # a file that is not CSV at all (a bare line break in a field, say)
        raise InvalidRecipientsFile(f"The file is not CSV: {exc}.") from None


def _read_csv_rows(content: str) -> list[tuple[int, RecipientIn]]:
    reader = csv.DictReader(io.StringIO(content, newline=""), strict=True)
    missing = [column for column in ("sub", "display_name") if column not in (reader.fieldnames or [])]
    if missing:
        raise InvalidRecipientsFile(
            "The header must name the columns " + ", ".join(CSV_COLUMNS) + f"; missing: {', '.join(missing)}."
        )
    unknown = sorted(set(reader.fieldnames or []) - set(CSV_COLUMNS))
    if unknown:
        raise InvalidRecipientsFile(
            f"Unknown column(s): {', '.join(unknown)}; the columns are {', '.join(CSV_COLUMNS)}."
        )
    rows: list[tuple[int, RecipientIn]] = []
    errors: list[dict[str, Any]] = []
    for row in reader:
        line = reader.line_num
        if len(rows) + len(errors) >= MAX_IMPORT_ROWS:
            raise InvalidRecipientsFile(f"At most {MAX_IMPORT_ROWS} rows per file.")
        values: dict[str, Any] = {key: (value or "").strip() for key, value in row.items() if key is not None}
        for key in ("roles", "subscriptions"):
            values[key] = [part.strip() for part in values.get(key, "").split(";") if part.strip()]
        for key in ("email", "org_unit"):
            values[key] = values.get(key) or None
        values["language"] = values.get("language") or "vi"
        try:
            rows.append((line, RecipientIn.model_validate(values)))
        except ValidationError as exc:
            errors.append(
                {
                    "line": line,
                    "message": "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()),
                }
            )
    seen: dict[str, int] = {}
    for line, person in rows:
        if person.sub in seen:
            errors.append(
                {"line": line, "message": f"sub {person.sub!r} is on line {seen[person.sub]} already"}
            )
        seen.setdefault(person.sub, line)
    if errors:
        raise InvalidRecipientsFile(
            f"{len(errors)} row(s) cannot be imported; nothing was imported.",
            rows=sorted(errors, key=lambda e: e["line"]),
        )
    return rows


async def import_csv(session: AsyncSession, content: str, *, source: str = "csv") -> ImportSummary:
    """Create or update every row of the file, all or nothing; people not in the file are left as they are
    (an identity provider's export may be partial: deactivate people explicitly)."""
    rows = _csv_rows(content)
    existing = {r.sub: r for r in await repository.by_subs(session, [row.sub for _, row in rows])}
    created = updated = unchanged = 0
    now = clock.now()
    for _, row in rows:
        recipient = existing.get(row.sub)
        if recipient is None:
            session.add(Recipient(**_values(row), source=source, created_at=now, updated_at=now, version=1))
            created += 1
        elif _apply(recipient, _values(row)):
            updated += 1
        else:
            unchanged += 1
    await session.flush()
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)


async def preferences(session: AsyncSession, sub: str) -> PreferencesOut:
    if await repository.get(session, sub) is None:
        raise NotARecipient("Ask an administrator to add you to the recipients directory.")
    modes = {(p.event_type, p.channel): p.mode for p in await repository.preferences_of(session, sub)}
    return PreferencesOut(
        items=[
            PreferenceOut(
                event_type=name,
                channel=channel,
                mode=modes.get((name, channel), "immediate"),
                critical=latest(name).critical,
            )
            for name in sorted(EVENT_TYPE_NAMES)
            for channel in CHANNELS_WITH_PREFERENCES
        ]
    )


async def set_preferences(session: AsyncSession, sub: str, body: PreferencesIn) -> PreferencesOut:
    """Replace the person's preferences; what is not named is ``immediate``. A critical type's mode is kept
    but does not stop it: the GET says ``critical`` beside it."""
    if await repository.get(session, sub, for_update=True) is None:
        raise NotARecipient("Ask an administrator to add you to the recipients directory.")
    errors: list[str] = []
    for item in body.preferences:
        if item.event_type not in EVENT_TYPE_NAMES:
            errors.append(f"{item.event_type!r} is not an event type")
        elif item.mode == "digest" and item.channel != "email":
            errors.append(f"{item.event_type}/{item.channel}: only email can be batched in the daily digest")
        elif item.event_type == "digest.daily" and item.mode == "digest":
            errors.append("the digest cannot itself be batched")
    keys = [(item.event_type, item.channel) for item in body.preferences]
    if len(set(keys)) != len(keys):
        errors.append("an event type and channel is named twice")
    if errors:
        raise InvalidPreference("; ".join(errors) + ".", known_event_types=sorted(EVENT_TYPE_NAMES))
    await repository.replace_preferences(
        session,
        sub,
        [
            Preference(sub=sub, event_type=item.event_type, channel=item.channel, mode=item.mode)
            for item in body.preferences
            if item.mode != "immediate"
        ],
    )
    return await preferences(session, sub)


async def with_role(
    session: AsyncSession, role: str, org_units: Sequence[str] | None = None
) -> list[Recipient]:
    """The active holders of a role, province-wide or in the given org units."""
    return await repository.active_with_role(session, role, org_units)


async def subscribers(session: AsyncSession, org_units: Sequence[str]) -> list[Recipient]:
    return await repository.subscribers(session, org_units)


async def by_subs(session: AsyncSession, subs: Sequence[str]) -> dict[str, Recipient]:
    return {r.sub: r for r in await repository.by_subs(session, subs)}


async def modes_for(
    session: AsyncSession, subs: Sequence[str], event_type: str
) -> dict[tuple[str, str], str]:
    """(sub, channel) → the person's mode for the event type (absent: immediate)."""
    return await repository.preferences_for(session, subs, event_type)
