"""The seed: every event type in both languages and channels; idempotent; its own versions follow its files;
a version saved through the API is never overridden."""

import dataclasses

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.plugin import AuthHeaders
from notifications.events.schemas import EVENT_TYPE_NAMES
from notifications.seed import load_seed
from notifications.templates import seed, service
from notifications.templates.rendering import TemplateInvalid
from notifications.templates.schemas import Language, Origin, TemplateChannel

RETURNED_EMAIL_VI = service.TemplateKey("nomination.returned", TemplateChannel.EMAIL, Language.VI)
RETURNED_INBOX_VI = service.TemplateKey("nomination.returned", TemplateChannel.INBOX, Language.VI)


def test_the_seed_has_every_event_type_in_both_channels_and_languages() -> None:
    keys = [template.key for template in seed.seeded_templates()]
    assert len(keys) == len(set(keys)) == len(EVENT_TYPE_NAMES) * 2 * 2
    assert {key.event_type for key in keys} == EVENT_TYPE_NAMES


async def test_the_seed_is_loaded_and_loading_it_again_changes_nothing(db_session: AsyncSession) -> None:
    before = await service.newest_versions(db_session)
    assert len(before) == len(EVENT_TYPE_NAMES) * 4
    assert all(version.origin == Origin.SEED.value for version in before.values())
    assert await seed.load_templates(db_session) == 0
    await load_seed(db_session)
    after = await service.newest_versions(db_session)
    assert {key: version.id for key, version in after.items()} == {
        key: version.id for key, version in before.items()
    }


async def test_a_changed_file_adds_a_seed_version_but_never_one_over_the_apis(
    db_session: AsyncSession, client: httpx.AsyncClient, auth: AuthHeaders, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The secretariat rewrites the returned email through the API (its version 2 is theirs now).
    url = f"/v1/templates/{RETURNED_EMAIL_VI}"
    current = (await client.get(url, headers=auth("secretariat"))).json()
    edited = {
        "subject": current["subject"],
        "text_body": "Kính gửi {{ recipient.display_name }}.",
        "html_body": "<p>…</p>",
    }
    saved = await client.put(url, json=edited, headers=auth("secretariat") | {"If-Match": '"1"'})
    assert saved.status_code == 200, saved.text

    # A new release of the seed changes both the returned email and the returned inbox item.
    files = seed.seeded_templates()
    changed = {RETURNED_EMAIL_VI, RETURNED_INBOX_VI}
    corrected = [
        dataclasses.replace(
            template,
            body=template.body.model_copy(update={"text_body": template.body.text_body + "\n(bản sửa)"}),
        )
        if template.key in changed
        else template
        for template in files
    ]
    monkeypatch.setattr(seed, "seeded_templates", lambda: corrected)

    assert await seed.load_templates(db_session) == 1
    newest = await service.newest_versions(db_session)
    assert (newest[RETURNED_EMAIL_VI].version, newest[RETURNED_EMAIL_VI].origin) == (2, Origin.API.value)
    assert newest[RETURNED_EMAIL_VI].text_body == edited["text_body"]
    inbox = newest[RETURNED_INBOX_VI]
    assert (inbox.version, inbox.origin, inbox.created_by) == (2, Origin.SEED.value, seed.SEED_ACTOR)
    assert inbox.text_body.endswith("(bản sửa)")
    assert await seed.load_templates(db_session) == 0


async def test_a_seed_file_that_fails_the_check_loads_nothing(
    db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = seed.seeded_templates()
    broken = dataclasses.replace(
        files[-1], body=files[-1].body.model_copy(update={"subject": "{{ data.nope }}"})
    )
    changed_first = dataclasses.replace(
        files[0], body=files[0].body.model_copy(update={"text_body": files[0].body.text_body + "!"})
    )
    monkeypatch.setattr(seed, "seeded_templates", lambda: [changed_first, *files[1:-1], broken])
    with pytest.raises(TemplateInvalid, match=r"data\.nope"):
        await seed.load_templates(db_session)
    newest = await service.newest_versions(db_session)
    assert newest[files[0].key].version == 1
