"""The registry's service: history, accent-insensitive search, the area filter and the all-or-nothing import.

The hierarchy here is the pure data class the targets client returns, built directly; the API tests ask the
real targets app for it.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.org_scope import Hierarchy, OrgUnit
from nominations.registry import csv_rows, service
from nominations.registry.models import Award
from nominations.registry.text import tokens
from nominations.rules.engine import HeldAward

HIERARCHY_2024 = Hierarchy(
    dt.date(2024, 3, 15),
    {
        "HT": OrgUnit("HT", "Tỉnh Hà Tĩnh", None, 1, "province"),
        "HT-HSO": OrgUnit("HT-HSO", "Huyện Hương Sơn", "HT", 2, "district"),
        "HT-HSO-SL": OrgUnit("HT-HSO-SL", "Xã Sơn Long", "HT-HSO", 3, "commune"),
        "HT-DTH": OrgUnit("HT-DTH", "Huyện Đức Thọ", "HT", 2, "district"),
    },
)
HEADER = (
    "recipient_kind,recipient_key,recipient_name,recipient_position,org_unit,award_type_code,year,occasion,"
    "achievement_key,decision_number,decision_date,decision_authority,bonus_vnd"
)
HA = (
    "individual,P-001,Nguyễn Thị Hà,Giáo viên,HT-HSO-SL,LDTT,2023,annual,,"
    "12/QĐ-UBND,2024-03-15,commune_chair,702000"
)
HAI = "individual,P-002,Nguyễn Thị Hải,,HT-DTH,CSTD_CO_SO,2023,annual,,45/QĐ-UBND,2024-03-15,district_chair,"


def csv_file(*rows: str, bom: bool = False) -> bytes:
    return ("\ufeff" if bom else "").encode() + "\r\n".join((HEADER, *rows)).encode()


async def hierarchy_for(day: dt.date) -> Hierarchy:
    return Hierarchy(day, HIERARCHY_2024.units)


async def import_rows(session: AsyncSession, data: bytes) -> service.ImportOutcome:
    return await service.import_csv(session, data, "secretariat-1", hierarchy_for)


async def count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Award))).scalar_one())


async def names(session: AsyncSession, **filters: Any) -> list[str]:
    arguments: dict[str, Any] = {"q": None, "year": None, "award_type": None, "org_unit": None}
    page = await service.search_public(session, **(arguments | filters), limit=50, cursor=None)
    return [award.recipient_name for award in page.items]


async def record(session: AsyncSession, name: str, unit_path: list[str], **changes: Any) -> Award:
    fields: dict[str, Any] = {
        "recipient_kind": "individual",
        "recipient_key": f"K-{name}",
        "recipient_name": name,
        "org_unit": unit_path[0],
        "org_unit_name": HIERARCHY_2024.units[unit_path[0]].name,
        "org_unit_path": unit_path,
        "award_type_code": "LDTT",
        "award_name": "Lao động tiên tiến",
        "year": 2024,
        "occasion": "annual",
        "decision_number": "99/QĐ-UBND",
        "decision_date": dt.date(2025, 1, 10),
        "decision_authority": "unit_head",
        "created_by": "test",
    }
    award = service.record_award(session, **(fields | changes))
    await session.flush()
    return award


async def test_an_import_takes_the_units_name_and_area_from_the_decisions_day(
    db_session: AsyncSession,
) -> None:
    outcome = await import_rows(db_session, csv_file(HA, HAI, bom=True))
    assert outcome == service.ImportOutcome(imported=2, ignored=0)
    award = (await db_session.execute(select(Award).where(Award.recipient_key == "P-001"))).scalar_one()
    assert (award.org_unit, award.org_unit_name, award.org_unit_path) == (
        "HT-HSO-SL",
        "Xã Sơn Long",
        ["HT-HSO-SL", "HT-HSO", "HT"],
    )
    assert (award.award_name, award.source, award.created_by) == (
        "Lao động tiên tiến",
        "import",
        "secretariat-1",
    )
    assert (award.year, award.decision_date, award.bonus_vnd) == (2023, dt.date(2024, 3, 15), Decimal(702000))
    assert award.recipient_position == "Giáo viên"
    assert award.achievement_key is None
    assert award.search_tokens == [
        "nguyen",
        "thi",
        "ha",
        "xa",
        "son",
        "long",
        "lao",
        "dong",
        "tien",
        "12",
        "qd",
        "ubnd",
        "a:HT-HSO-SL",
        "a:HT-HSO",
        "a:HT",
        "y:2023",
        "t:LDTT",
    ]


async def test_sending_a_file_again_stores_it_once(db_session: AsyncSession) -> None:
    assert await import_rows(db_session, csv_file(HA)) == service.ImportOutcome(imported=1, ignored=0)
    assert await import_rows(db_session, csv_file(HA, HAI, HAI)) == service.ImportOutcome(
        imported=1, ignored=2
    )
    assert await count(db_session) == 2


async def test_one_bad_row_refuses_the_file_listing_every_error(db_session: AsyncSession) -> None:
    bad = [
        HA.replace(",2023,", ",1899,"),  # row 3 (row 1 is the header, row 2 HAI)
        HA.replace("LDTT", "NO_SUCH_TITLE"),  # row 4
        HA.replace("HT-HSO-SL", "HT-NOWHERE"),  # row 5
        HA.replace("individual", "collective"),  # row 6: LDTT is for individuals
        HA.replace("2024-03-15", "15/03/2024"),  # row 7
        HA.replace("2024-03-15", "2020-05-01"),  # row 8: the catalogue starts in 2021
        HA.replace(",702000", ',"7,02"'),  # row 9: quoted, so the comma stays in the field
        "individual,P-003,Nguyễn Văn An",  # row 10: too few fields
    ]
    with pytest.raises(csv_rows.InvalidAwardsFile) as refused:
        await import_rows(db_session, csv_file(HAI, *bad))
    listed = [(error["row"], error["column"]) for error in refused.value.extra["row_errors"]]
    assert listed == [
        (3, "year"),
        (4, "award_type_code"),
        (5, "org_unit"),
        (6, "recipient_kind"),
        (7, "decision_date"),
        (8, "award_type_code"),
        (9, "bonus_vnd"),
        (10, None),
    ]
    messages = {error["row"]: error["message"] for error in refused.value.extra["row_errors"]}
    assert messages[8] == "2020-05-01 is outside every version of LDTT"
    assert messages[5] == "no such org unit on 2024-03-15"
    assert await count(db_session) == 0


async def test_the_header_must_name_every_required_column_and_no_unknown_one(
    db_session: AsyncSession,
) -> None:
    data = csv_file(HA).replace(b"decision_authority", b"authority")
    with pytest.raises(csv_rows.InvalidAwardsFile) as refused:
        await import_rows(db_session, data)
    assert refused.value.extra["row_errors"] == [
        {"row": 1, "column": "decision_authority", "message": "required column missing"},
        {"row": 1, "column": "authority", "message": "unknown column"},
    ]


@pytest.mark.parametrize("data", [b"", b"\xff\xfe not utf-8", b'a,"b\n'])
async def test_what_is_not_a_utf8_csv_with_a_header_is_refused(db_session: AsyncSession, data: bytes) -> None:
    with pytest.raises(csv_rows.InvalidAwardsFile):
        await import_rows(db_session, data)


async def test_the_history_feeds_the_rule_engine(db_session: AsyncSession) -> None:
    await import_rows(db_session, csv_file(HA, HAI))
    await record(db_session, "Nguyễn Thị Hà", ["HT-HSO-SL", "HT-HSO", "HT"], recipient_key="P-001", year=2024)
    history = {
        key: (await service.nominee_history(db_session, key, "Nguyễn Thị Hà")).held
        for key in ("P-001", "P-404")
    }
    assert history == {
        "P-001": [HeldAward("LDTT", 2023, "annual", None), HeldAward("LDTT", 2024, "annual", None)],
        "P-404": [],
    }


async def test_search_ignores_diacritics_but_matches_whole_words(db_session: AsyncSession) -> None:
    await record(db_session, "Nguyễn Thị Hà", ["HT-HSO-SL", "HT-HSO", "HT"])
    await record(db_session, "Trần Văn Hải", ["HT-DTH", "HT"])
    assert await names(db_session, q="nguyen thi ha") == ["Nguyễn Thị Hà"]
    assert await names(db_session, q="NGUYỄN Thị  hà") == ["Nguyễn Thị Hà"]
    assert await names(db_session, q="nguyen thi hai") == []
    assert await names(db_session, q="ngu") == []
    assert await names(db_session, q="hai") == ["Trần Văn Hải"]
    assert await names(db_session, q="son long") == ["Nguyễn Thị Hà"]  # the unit's name
    assert await names(db_session, q="99/QĐ-UBND") == ["Trần Văn Hải", "Nguyễn Thị Hà"]


async def test_an_area_includes_the_units_below_it(db_session: AsyncSession) -> None:
    await record(db_session, "Nguyễn Thị Hà", ["HT-HSO-SL", "HT-HSO", "HT"])
    await record(db_session, "Trần Văn Hải", ["HT-DTH", "HT"], year=2023, award_type_code="CSTD_CO_SO")
    assert await names(db_session, org_unit="HT-HSO") == ["Nguyễn Thị Hà"]
    assert await names(db_session, org_unit="HT-HSO-SL") == ["Nguyễn Thị Hà"]
    assert await names(db_session, org_unit="HT") == ["Trần Văn Hải", "Nguyễn Thị Hà"]
    assert await names(db_session, org_unit="HT-DTH", q="nguyen") == []
    assert await names(db_session, year=2023) == ["Trần Văn Hải"]
    assert await names(db_session, award_type="LDTT") == ["Nguyễn Thị Hà"]


async def test_pages_follow_each_other_newest_first(db_session: AsyncSession) -> None:
    for name in ("An", "Bình", "Châu"):
        await record(db_session, f"Lê Văn {name}", ["HT-DTH", "HT"])
    first = await service.search_public(db_session, "le van", None, None, None, 2, None)
    assert [a.recipient_name for a in first.items] == ["Lê Văn Châu", "Lê Văn Bình"]
    assert first.next_cursor is not None
    second = await service.search_public(db_session, "le van", None, None, None, 2, first.next_cursor)
    assert [a.recipient_name for a in second.items] == ["Lê Văn An"]
    assert second.next_cursor is None


def test_filters_fold_into_the_words_without_colliding_with_them() -> None:
    words = service.search_tokens(
        "Nguyễn Văn Y",
        "Huyện Thạch Hà",
        "Giấy khen",
        "5/QĐ",
        year=2024,
        award_type_code="GIAY_KHEN",
        org_unit_path=["HT-THA", "HT"],
    )
    assert "y" in words  # the name's word
    assert {"y:2024", "t:GIAY_KHEN", "a:HT-THA", "a:HT"} <= set(words)
    assert all(":" not in word for word in tokens("y:2024 a:HT"))  # a query cannot forge a filter


async def test_rows_loaded_without_their_words_are_found_once_reindexed(
    db_session: AsyncSession, running_app: Any
) -> None:
    await import_rows(db_session, csv_file(HA))
    await db_session.execute(update(Award).where(Award.recipient_key == "P-001").values(search_tokens=[]))
    await db_session.commit()  # the savepoint, inside the test's rolled-back transaction
    assert await names(db_session, q="nguyen thi ha") == []
    assert await service.reindex(running_app.state.database.session) >= 1
    assert await names(db_session, q="nguyen thi ha", year=2023, org_unit="HT-HSO") == ["Nguyễn Thị Hà"]
    assert await service.reindex(running_app.state.database.session) == 0
