"""The seeded templates (``data/<event_type>.toml``): for every event type, the email (subject, text, HTML)
and the inbox item (title, body), in Vietnamese and in English.

The seed keeps its own versions (``origin = 'seed'``) equal to its files: when a file differs from the newest
version of its key and that version is the seed's, a new version is added. Once somebody saves a version
through the API, the key is theirs: the seed never adds a version over it. Every seeded template passes the
same check as a save (a file that would not is refused, and nothing is loaded).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.events.schemas import EVENT_TYPE_NAMES
from notifications.templates import service
from notifications.templates.schemas import Language, Origin, TemplateChannel, TemplateIn

SEED_ACTOR = "seed"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Email(_Strict):
    subject: str
    text: str
    html: str


class _Inbox(_Strict):
    title: str
    body: str


class _File(_Strict):
    email: dict[Language, _Email]
    inbox: dict[Language, _Inbox]

    @model_validator(mode="after")
    def _every_language(self) -> _File:
        for channel, languages in (("email", self.email), ("inbox", self.inbox)):
            missing = sorted(set(Language) - set(languages))
            if missing:
                raise ValueError(
                    f"[{channel}.{missing[0]}] is missing: every template is seeded in vi and en"
                )
        return self


@dataclass(frozen=True, slots=True)
class SeededTemplate:
    key: service.TemplateKey
    body: TemplateIn


def _templates(event_type: str, content: _File) -> Iterator[SeededTemplate]:
    for language in Language:
        email, inbox = content.email[language], content.inbox[language]
        yield SeededTemplate(
            service.TemplateKey(event_type, TemplateChannel.EMAIL, language),
            TemplateIn(subject=email.subject, text_body=email.text, html_body=email.html),
        )
        yield SeededTemplate(
            service.TemplateKey(event_type, TemplateChannel.INBOX, language),
            TemplateIn(subject=inbox.title, text_body=inbox.body),
        )


def seeded_templates() -> list[SeededTemplate]:
    """Every template of the seed's files, each file named for its event type."""
    found: list[SeededTemplate] = []
    for entry in sorted(resources.files("notifications.templates").joinpath("data").iterdir(), key=str):
        if not entry.name.endswith(".toml"):
            continue
        event_type = entry.name.removesuffix(".toml")
        if event_type not in EVENT_TYPE_NAMES:
            raise ValueError(f"templates/data/{entry.name} is named for no event type")
        content = _File.model_validate(tomllib.loads(entry.read_text(encoding="utf-8")))
        found.extend(_templates(event_type, content))
    return found


async def load_templates(session: AsyncSession) -> int:
    """Bring the seed's versions up to its files (never over a version saved through the API); how many
    versions were added."""
    seeded = seeded_templates()
    for template in seeded:
        service.validate(template.key, template.body)
    newest = await service.newest_versions(session)
    added = 0
    for template in seeded:
        current = newest.get(template.key)
        if current is not None and (current.origin != Origin.SEED or service.same(current, template.body)):
            continue
        number = current.version + 1 if current is not None else 1
        await service.add_version(
            session, template.key, template.body, number=number, origin=Origin.SEED, actor=SEED_ACTOR
        )
        added += 1
    return added
