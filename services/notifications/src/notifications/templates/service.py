"""Templates per event type, channel and language: versions that are added, never edited.

A save adds a version (``version`` counts up per key); the message of a delivery is rendered from, and keeps
the id of, the version that was current then, so a later edit never changes what was queued. The version a
new message uses is the newest for the recipient's language, else the newest in Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.events.schemas import EVENT_TYPE_NAMES, latest
from notifications.templates import repository
from notifications.templates.models import TemplateVersion
from notifications.templates.rendering import (
    Rendered,
    Source,
    TemplateInvalid,
    check,
    render,
    sample_context,
)
from notifications.templates.schemas import Language, Origin, TemplateChannel, TemplateIn, TemplateOut
from shared import clock
from shared.concurrency import VersionMismatch, check_if_match
from shared.pagination import Page, as_code, decode_int_cursor, decode_keyset, encode_cursor
from shared.problems import NotFound, UnprocessableContent

FALLBACK_LANGUAGE = Language.VI


class TemplateNotFound(NotFound):
    slug = "template-not-found"
    title = "Template not found"


class PreviewDataInvalid(UnprocessableContent):
    """The same answer as any field that does not validate: the data is a field of the request."""

    slug = "validation-error"
    title = "Request validation failed"


@dataclass(frozen=True, slots=True)
class TemplateKey:
    """``<event_type>.<channel>.<language>``, e.g. ``nomination.returned.email.vi``."""

    event_type: str
    channel: TemplateChannel
    language: Language

    @classmethod
    def parse(cls, key: str) -> TemplateKey:
        parts = key.rsplit(".", 2)
        if len(parts) != 3:
            raise TemplateNotFound(
                f"{key!r} names no template: a key is <event_type>.<channel>.<language>,"
                " e.g. nomination.returned.email.vi."
            )
        event_type, channel, language = parts
        if event_type not in EVENT_TYPE_NAMES:
            raise TemplateNotFound(f"{event_type!r} is not an event type.")
        if channel not in set(TemplateChannel):
            raise TemplateNotFound(f"{channel!r} is not a channel with templates (email, inbox).")
        if language not in set(Language):
            raise TemplateNotFound(f"{language!r} is not a language of templates (vi, en).")
        return cls(event_type, TemplateChannel(channel), Language(language))

    @classmethod
    def of(cls, version: TemplateVersion) -> TemplateKey:
        return cls(version.event_type, TemplateChannel(version.channel), Language(version.language))

    def __str__(self) -> str:
        return f"{self.event_type}.{self.channel}.{self.language}"


def source(version: TemplateVersion) -> Source:
    """The version's text, to render (compiled once per version id)."""
    return Source(
        subject=version.subject, text_body=version.text_body, html_body=version.html_body, id=version.id
    )


def to_out(version: TemplateVersion) -> TemplateOut:
    return TemplateOut(
        id=version.id,
        key=str(TemplateKey.of(version)),
        event_type=version.event_type,
        channel=TemplateChannel(version.channel),
        language=Language(version.language),
        version=version.version,
        subject=version.subject,
        text_body=version.text_body,
        html_body=version.html_body,
        origin=Origin(version.origin),
        created_by=version.created_by,
        created_at=version.created_at,
    )


# --- what deliveries ask -------------------------------------------------------------------------------


async def current(
    session: AsyncSession, event_type: str, channel: str, language: str
) -> TemplateVersion | None:
    """The version a new message uses: the newest in ``language``, else the newest in Vietnamese; None when
    neither exists."""
    return await repository.latest_in(session, event_type, channel, (language, FALLBACK_LANGUAGE.value))


async def get_version(session: AsyncSession, version_id: int) -> TemplateVersion:
    """One version by its id, whatever has been saved since (a queued message renders with its own)."""
    version = await repository.get(session, version_id)
    if version is None:
        raise TemplateNotFound(f"No template version has the id {version_id}.")
    return version


# --- the API -------------------------------------------------------------------------------------------


async def list_current(
    session: AsyncSession,
    *,
    event_type: str | None,
    channel: TemplateChannel | None,
    language: Language | None,
    limit: int,
    cursor: str | None,
) -> Page[TemplateOut]:
    after = decode_keyset(cursor, as_code, as_code, as_code)
    rows = await repository.currents(
        session,
        event_type=event_type,
        channel=channel.value if channel else None,
        language=language.value if language else None,
        limit=limit,
        after=(after[0], after[1], after[2]) if after else None,
    )
    shown = rows[:limit]
    return Page(
        items=[to_out(row) for row in shown],
        next_cursor=encode_cursor([shown[-1].event_type, shown[-1].channel, shown[-1].language])
        if len(rows) > limit
        else None,
    )


async def get(session: AsyncSession, key: TemplateKey, number: int | None = None) -> TemplateVersion:
    """The key's newest version, or its version ``number``."""
    if number is None:
        version = await repository.latest(session, key.event_type, key.channel, key.language)
    else:
        version = await repository.numbered(session, key.event_type, key.channel, key.language, number)
    if version is None:
        which = "no version" if number is None else f"no version {number}"
        raise TemplateNotFound(f"The template {key} has {which}.")
    return version


async def history(
    session: AsyncSession, key: TemplateKey, *, limit: int, cursor: str | None
) -> Page[TemplateOut]:
    before = decode_int_cursor(cursor)
    rows = await repository.history(
        session, key.event_type, key.channel, key.language, limit=limit, before=before
    )
    shown = rows[:limit]
    return Page(
        items=[to_out(row) for row in shown],
        next_cursor=encode_cursor(shown[-1].version) if len(rows) > limit else None,
    )


def _content(body: TemplateIn) -> tuple[str, str, str | None]:
    return body.subject, body.text_body, body.html_body


def same(version: TemplateVersion, body: TemplateIn) -> bool:
    """Whether ``body`` is the version's text exactly (then saving it adds no version)."""
    return (version.subject, version.text_body, version.html_body) == _content(body)


def validate(key: TemplateKey, body: TemplateIn) -> None:
    """The parts the channel needs, then :func:`~notifications.templates.rendering.check`."""
    if key.channel is TemplateChannel.EMAIL and body.html_body is None:
        raise TemplateInvalid(
            "An email template has an HTML body (html_body) beside its plain-text body.",
            errors=[{"location": "body.html_body", "message": "required for email", "type": "missing"}],
        )
    if key.channel is TemplateChannel.INBOX and body.html_body is not None:
        raise TemplateInvalid(
            "An inbox item is plain text: a title (subject) and a body (text_body), no HTML.",
            errors=[{"location": "body.html_body", "message": "not taken for inbox", "type": "extra"}],
        )
    check(Source(*_content(body)), key.event_type)


async def newest_versions(session: AsyncSession) -> dict[TemplateKey, TemplateVersion]:
    """The newest version of every key that has one."""
    return {TemplateKey.of(version): version for version in await repository.currents(session)}


async def add_version(
    session: AsyncSession, key: TemplateKey, body: TemplateIn, *, number: int, origin: Origin, actor: str
) -> TemplateVersion:
    """Store version ``number`` of the key; another writer that took the number first makes it a 412."""
    version = TemplateVersion(
        event_type=key.event_type,
        channel=key.channel.value,
        language=key.language.value,
        version=number,
        subject=body.subject,
        text_body=body.text_body,
        html_body=body.html_body,
        origin=origin.value,
        created_by=actor,
        created_at=clock.now(),
    )
    try:
        async with session.begin_nested():
            session.add(version)
            await session.flush()
    except IntegrityError:
        raise VersionMismatch(
            f"Somebody saved the template {key} at the same moment; read it again and reapply your change."
        ) from None
    return version


@dataclass(frozen=True, slots=True)
class Saved:
    version: TemplateVersion
    first: bool  # the key had no version before
    changed: bool  # a version was added (an unchanged body adds none)


async def save(
    session: AsyncSession, key: TemplateKey, body: TemplateIn, *, if_match: str | None, actor: str
) -> Saved:
    """Add a version through the API: ``If-Match`` must name the current version when there is one; the
    template must pass :func:`validate`; a body equal to the current version's adds nothing."""
    previous = await repository.latest(session, key.event_type, key.channel, key.language)
    if previous is None:
        if if_match is not None:
            raise VersionMismatch(f"The template {key} has no version yet: save it without If-Match.")
    else:
        check_if_match(if_match, previous.version)
    validate(key, body)
    if previous is not None and same(previous, body):
        return Saved(previous, first=False, changed=False)
    number = previous.version + 1 if previous is not None else 1
    version = await add_version(session, key, body, number=number, origin=Origin.API, actor=actor)
    return Saved(version, first=previous is None, changed=True)


def _preview_data(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    try:
        latest(event_type).schema.model_validate(data)
    except ValidationError as exc:
        errors = [
            {
                "location": ".".join(str(part) for part in ("body", "data", *error["loc"])),
                "message": error["msg"],
                "type": error["type"],
            }
            for error in exc.errors()
        ]
        raise PreviewDataInvalid(
            "; ".join(f"{error['location']}: {error['message']}" for error in errors), errors=errors
        ) from None
    return data


async def preview(
    session: AsyncSession,
    key: TemplateKey,
    *,
    draft: TemplateIn | None,
    data: dict[str, Any] | None,
    number: int | None,
) -> tuple[Rendered, int | None]:
    """The message a draft (checked as a save would be) or a stored version makes with the type's sample,
    or with ``data``, for the sample recipient in the key's language."""
    if draft is not None:
        validate(key, draft)
        template, shown = Source(*_content(draft)), None
    else:
        version = await get(session, key, number)
        template, shown = source(version), version.version
    event_type = latest(key.event_type)
    given = _preview_data(key.event_type, data) if data is not None else None
    return render(template, sample_context(event_type, key.language.value, given)), shown
