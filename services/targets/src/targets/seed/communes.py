"""Generates ``seed/data/communes.json``: Hà Tĩnh's communes and wards of 2021-2026, with their official
codes, their dated parents and the restructurings that made them.

Sources, joined here and nowhere else:

* ``vietnamadminunits`` (1.0.4): the 209 units of the list just before 1/7/2025, the 69 of the list from
  1/7/2025 (Nghị quyết 1665/NQ-UBTVQH15) and which old units each new one was formed from;
* ``vietnam-provinces`` (2025.10.1): the current list again, checked against the first;
* ``communes_nq1283.json`` (by hand): what both lack, the units of 2021-2024 and the changes of 1/1/2025
  (Nghị quyết 1283/NQ-UBTVQH15).

Run ``python -m targets.seed.communes`` (the ``seed-data`` extra of the targets service installs the packages)
after changing the hand-written file or upgrading a package, and review the diff; ``--check`` fails when the
committed file differs, and ``--compare-2021 DIR`` checks the units of 2021 against vietnam-provinces 0.5.0
(the GSO list of 2023-05-07) unpacked in DIR. The seed reads only the JSON files, so the service does not
depend on the packages and a package upgrade changes the registry only through a reviewed diff.

Codes: a commune keeps its official code as ``HT-<code>`` while it exists; the official lists give a code to a
new unit that an old one had, so a unit that has ended is ``HT-<code>-<its last day>`` (unique, since one unit
holds a code on any day) and a code, once given, never changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sqlite3
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
OUTPUT = DATA / "communes.json"
PROVINCE = "HT"
PROVINCE_CODE = "42"
PACKAGE_KEY = "tinhhatinh"
REGISTRY_START = dt.date(2021, 1, 1)
REFORM_DAY = dt.date(2025, 7, 1)
ONE_DAY = dt.timedelta(days=1)
TYPES = {"xã": "commune", "phường": "ward", "thị trấn": "township"}
REFORM_SOURCE = (
    "Nghị quyết số 1665/NQ-UBTVQH15 ngày 16/6/2025 của Ủy ban Thường vụ Quốc hội về việc sắp xếp các đơn vị"
    " hành chính cấp xã của tỉnh Hà Tĩnh năm 2025 (hiệu lực từ 01/7/2025)"
)
TIER_SOURCE = (
    "Chính quyền địa phương hai cấp từ 01/7/2025 (Luật Tổ chức chính quyền địa phương 2025); " + REFORM_SOURCE
)
VERIFY = "cần đối chiếu"


@dataclass(frozen=True, slots=True)
class Listed:
    """A commune or ward as one of the package's lists gives it."""

    official_code: str
    name: str
    type: str
    key: str
    district: str | None = None  # the district's org-unit code (the list before 1/7/2025 only)


@dataclass
class Unit:
    official_code: str
    name: str
    type: str
    valid_from: dt.date
    valid_to: dt.date | None
    parents: list[tuple[str, dt.date, dt.date | None]]
    notes: list[str] = field(default_factory=list)
    # The code the committed file already gave this unit: a code once issued is never changed (a unit that
    # ends later keeps the code it had, as the registry's rows and every reference to them do).
    issued: str | None = None

    @property
    def code(self) -> str:
        if self.issued is not None:
            return self.issued
        if self.valid_to is None:
            return f"{PROVINCE}-{self.official_code}"
        return f"{PROVINCE}-{self.official_code}-{self.valid_to:%Y%m%d}"

    def exists_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def parent_on(self, day: dt.date) -> str | None:
        return next(
            (p for p, start, end in self.parents if start <= day and (end is None or day <= end)), None
        )


class Registry:
    """The units being generated, with a lookup of who held an official code on a day."""

    def __init__(self, issued: dict[tuple[str, str], str] | None = None) -> None:
        self.units: list[Unit] = []
        self.issued = issued or {}

    def add(self, unit: Unit) -> Unit:
        unit.issued = self.issued.get((unit.official_code, unit.valid_from.isoformat()))
        self.units.append(unit)
        return unit

    def holder(self, official_code: str, day: dt.date) -> Unit:
        found = [u for u in self.units if u.official_code == official_code and u.exists_on(day)]
        if len(found) != 1:
            raise ValueError(f"{len(found)} units hold {official_code} on {day}")
        return found[0]

    def on(self, day: dt.date) -> list[Unit]:
        return [unit for unit in self.units if unit.exists_on(day)]


def _package_dir(name: str) -> Path:
    # find_spec locates the package without running its __init__ (which imports shapely and geopy).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{name} is not installed: uv sync --all-packages installs the seed-data extra.")
    return Path(next(iter(spec.submodule_search_locations)))


def _read_json(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _districts() -> dict[str, str]:
    """Official district code → org-unit code, from the hand-written seed of the districts."""
    units = _read_json(DATA / "org_units.json")["org_units"]
    return {
        unit["official_code"]: unit["code"]
        for unit in units
        if unit["type"] in {"city", "town", "district"} and unit.get("official_code")
    }


def _lists(districts: dict[str, str]) -> tuple[list[Listed], list[Listed]]:
    """The list just before 1/7/2025 and the list from 1/7/2025, as vietnamadminunits ships them."""
    database = _package_dir("vietnamadminunits") / "data" / "dataset.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        legacy = connection.execute(
            "SELECT wardCode, ward, wardType, districtKey || '_' || wardKey, districtCode"
            " FROM admin_units_legacy WHERE provinceCode = ? ORDER BY wardCode",
            (PROVINCE_CODE,),
        ).fetchall()
        current = connection.execute(
            "SELECT wardCode, ward, wardType, wardKey FROM admin_units"
            " WHERE provinceCode = ? ORDER BY wardCode",
            (PROVINCE_CODE,),
        ).fetchall()
    before = [
        Listed(code, name, TYPES[kind.lower()], f"{PACKAGE_KEY}_{key}", districts[district])
        for code, name, kind, key, district in legacy
    ]
    after = [Listed(code, name, TYPES[kind.lower()], key) for code, name, kind, key in current]
    return before, after


def _check_current_list(after: list[Listed]) -> None:
    """vietnam-provinces must give the same codes, names and types for the list from 1/7/2025."""
    divisions = _read_json_list(_package_dir("vietnam_provinces") / "data" / "nested-divisions.json")
    province = next(item for item in divisions if item["code"] == int(PROVINCE_CODE))
    theirs = {str(w["code"]): (w["name"], TYPES[w["division_type"]]) for w in province["wards"]}
    ours = {unit.official_code: (unit.name, unit.type) for unit in after}
    if theirs != ours:
        differ = sorted(code for code in theirs.keys() | ours.keys() if theirs.get(code) != ours.get(code))
        raise SystemExit(f"vietnam-provinces and vietnamadminunits disagree on {', '.join(differ)}")


def _read_json_list(path: Path) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _mapping() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """New unit key → old units taken whole; old unit → new units it was divided between."""
    converter = _read_json(_package_dir("vietnamadminunits") / "data" / "converter_2025.json")
    whole: dict[str, list[str]] = converter["DICT_PROVINCE_WARD_NO_DIVIDED"][PACKAGE_KEY]
    divided = {
        old: [part["newWardKey"] for part in parts]
        for old, parts in converter["DICT_PROVINCE_WARD_DIVIDED"].get(PACKAGE_KEY, {}).items()
    }
    return whole, divided


def _flagged(notes: str, verify: str | None) -> str:
    return f"{notes} {VERIFY}: {verify}." if verify else notes


def _build_units(
    registry: Registry,
    before: list[Listed],
    after: list[Listed],
    hand: dict[str, Any],
    survivors: set[str],
) -> None:
    change_day = dt.date.fromisoformat(hand["effective_date"])
    last_day_before = change_day - ONE_DAY
    last_day = REFORM_DAY - ONE_DAY
    established: dict[str, dict[str, str]] = hand["established"]
    moved_from = {code: district for district, codes in hand["moved"].items() for code in codes}
    verify_of = {
        code: act["verify"] for act in hand["acts"] if act.get("verify") for code in act["predecessors"]
    }
    spelled: dict[str, str] = hand["spelled_in_2023"]

    def notes_of(code: str) -> list[str]:
        notes = [f"{VERIFY}: {verify_of[code]}."] if code in verify_of else []
        if code in spelled:
            notes.append(f"The list of 2023 spells it «{spelled[code]}».")
        return notes

    for listed in before:
        survives = listed.official_code in survivors
        end = None if survives else last_day
        if listed.official_code in established:
            earlier = established[listed.official_code]
            registry.add(
                Unit(
                    listed.official_code,
                    earlier["name"],
                    earlier["type"],
                    REGISTRY_START,
                    last_day_before,
                    [
                        (
                            moved_from.get(listed.official_code, listed.district or ""),
                            REGISTRY_START,
                            last_day_before,
                        )
                    ],
                    notes_of(listed.official_code),
                )
            )
            start = change_day
            parents: list[tuple[str, dt.date, dt.date | None]] = [(listed.district or "", change_day, end)]
        else:
            start = REGISTRY_START
            if listed.official_code in moved_from:
                parents = [
                    (moved_from[listed.official_code], REGISTRY_START, last_day_before),
                    (listed.district or "", change_day, end),
                ]
            else:
                parents = [(listed.district or "", REGISTRY_START, end)]
        if survives:
            parents = [(district, first, last_day) for district, first, _ in parents]
            parents.append((PROVINCE, REFORM_DAY, None))
        registry.add(
            Unit(
                listed.official_code,
                listed.name,
                listed.type,
                start,
                end,
                parents,
                notes_of(listed.official_code),
            )
        )
    for item in hand["ended"]:
        code = item["official_code"]
        registry.add(
            Unit(
                code,
                item["name"],
                item["type"],
                REGISTRY_START,
                last_day_before,
                [(item["district"], REGISTRY_START, last_day_before)],
                notes_of(code),
            )
        )
    for listed in after:
        if listed.official_code not in survivors:
            registry.add(
                Unit(
                    listed.official_code,
                    listed.name,
                    listed.type,
                    REFORM_DAY,
                    None,
                    [(PROVINCE, REFORM_DAY, None)],
                )
            )


def _act(
    kind: str, day: dt.date, predecessors: list[str], successors: list[str], **extra: Any
) -> dict[str, Any]:
    return {
        "kind": kind,
        "effective_date": day.isoformat(),
        "predecessors": predecessors,
        "successors": successors,
        **extra,
    }


def _acts_of_2025_01_01(registry: Registry, hand: dict[str, Any]) -> list[dict[str, Any]]:
    day = dt.date.fromisoformat(hand["effective_date"])
    acts = []
    for item in hand["acts"]:
        predecessors = [registry.holder(code, day - ONE_DAY).code for code in item["predecessors"]]
        successor = registry.holder(item["successor"], day).code
        acts.append(
            _act(
                item["kind"],
                day,
                predecessors,
                [successor],
                legal_source=hand["legal_source"],
                notes=_flagged(item["notes"], item.get("verify")),
            )
        )
    return acts


def _acts_of_2025_07_01(
    registry: Registry,
    before: list[Listed],
    after: list[Listed],
    survivors: set[str],
    whole: dict[str, list[str]],
    divided: dict[str, list[str]],
) -> list[dict[str, Any]]:
    last_day = REFORM_DAY - ONE_DAY
    old_by_key = {listed.key: listed for listed in before}
    new_by_key = {listed.key: listed for listed in after}
    parts_of: dict[str, list[str]] = defaultdict(list)
    for old_key, new_keys in divided.items():
        for new_key in new_keys:
            parts_of[new_key].append(old_key)
    acts = []
    successors_of_district: dict[str, set[str]] = defaultdict(set)
    for listed in after:
        if listed.official_code in survivors:
            continue
        successor = registry.holder(listed.official_code, REFORM_DAY)
        whole_units = [registry.holder(old_by_key[key].official_code, last_day) for key in whole[listed.key]]
        part_units = [
            registry.holder(old_by_key[key].official_code, last_day) for key in parts_of[listed.key]
        ]
        predecessors = sorted([*whole_units, *part_units], key=lambda unit: unit.official_code)
        notes = f"{successor.name} is formed from {', '.join(unit.name for unit in predecessors)}."
        for key in parts_of[listed.key]:
            shares = ", ".join(new_by_key[new_key].name for new_key in divided[key])
            notes += f" {old_by_key[key].name} is divided between {shares}."
        acts.append(
            _act(
                "merge",
                REFORM_DAY,
                [unit.code for unit in predecessors],
                [successor.code],
                legal_source=REFORM_SOURCE,
                notes=notes,
            )
        )
        for unit in predecessors:
            successors_of_district[unit.parent_on(last_day) or ""].add(successor.code)
    districts = sorted({listed.district or "" for listed in before})
    for district in districts:
        acts.append(
            _act(
                "dissolution",
                REFORM_DAY,
                [district],
                sorted(successors_of_district[district]),
                legal_source=TIER_SOURCE,
                notes=(
                    "The district tier ends: the district's last day is 2025-06-30; its communes and wards"
                    " became the successors listed (some with parts of another district's); a commune"
                    " that was not rearranged moves up to the province."
                ),
                move_children_to=PROVINCE,
            )
        )
    return acts


def _survivors(before: list[Listed], after: list[Listed], whole: dict[str, list[str]]) -> set[str]:
    """Units the reform of 1/7/2025 left as they were: same code and name, formed from themselves alone."""
    old_by_key = {listed.key: listed for listed in before}
    survivors = set()
    for listed in after:
        formed_from = [old_by_key[key] for key in whole[listed.key]]
        if [(old.official_code, old.name) for old in formed_from] == [(listed.official_code, listed.name)]:
            survivors.add(listed.official_code)
    return survivors


def _check_accounted(
    before: list[Listed], whole: dict[str, list[str]], divided: dict[str, list[str]]
) -> None:
    taken = [key for keys in whole.values() for key in keys]
    keys = {listed.key for listed in before}
    if sorted(taken + list(divided)) != sorted(keys):
        raise SystemExit("the package's mapping does not place every old unit exactly once")


def issued_codes(path: Path = OUTPUT) -> dict[tuple[str, str], str]:
    """The codes the committed file gave, by (official code, first day): regenerating keeps them."""
    if not path.exists():
        return {}
    document = _read_json(path)
    return {(unit["official_code"], unit["valid_from"]): unit["code"] for unit in document["org_units"]}


def build(issued: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    hand = _read_json(DATA / "communes_nq1283.json")
    before, after = _lists(_districts())
    _check_current_list(after)
    whole, divided = _mapping()
    _check_accounted(before, whole, divided)
    survivors = _survivors(before, after, whole)
    registry = Registry(issued_codes() if issued is None else issued)
    _build_units(registry, before, after, hand, survivors)
    counts = {
        day.isoformat(): len(registry.on(day))
        for day in (REGISTRY_START, dt.date.fromisoformat(hand["effective_date"]), REFORM_DAY)
    }
    codes = [unit.code for unit in registry.units]
    if len(set(codes)) != len(codes):
        raise SystemExit("two units were given the same code")
    restructurings = [
        *_acts_of_2025_01_01(registry, hand),
        *_acts_of_2025_07_01(registry, before, after, survivors, whole, divided),
    ]
    units = sorted(registry.units, key=lambda unit: (unit.valid_from, unit.official_code))
    return {
        "generated_by": "python -m targets.seed.communes (do not edit by hand)",
        "sources": {
            "vietnamadminunits": "1.0.4: dataset.db (admin_units_legacy, admin_units), converter_2025.json",
            "vietnam-provinces": "2025.10.1: data/nested-divisions.json (the list from 2025-07-01, checked)",
            "communes_nq1283.json": "by hand: the units of 2021-2024 and the changes of 2025-01-01",
        },
        "counts": counts,
        "org_units": [_unit_out(unit) for unit in units],
        "restructurings": restructurings,
    }


def _unit_out(unit: Unit) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": unit.code,
        "official_code": unit.official_code,
        "name": unit.name,
        "type": unit.type,
        "valid_from": unit.valid_from.isoformat(),
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        "parents": [
            {"parent": parent, "valid_from": start.isoformat(), "valid_to": end.isoformat() if end else None}
            for parent, start, end in unit.parents
        ],
    }
    if unit.notes:
        out["notes"] = " ".join(unit.notes)
    return out


def render(document: dict[str, Any]) -> str:
    """One unit and one act per line, so that a regenerated file reviews as a readable diff."""

    def line(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{"]
    for index, (key, value) in enumerate(document.items()):
        comma = "," if index < len(document) - 1 else ""
        if isinstance(value, list):
            lines.append(f"  {line(key)}: [")
            lines.extend(
                f"    {line(item)}{',' if i < len(value) - 1 else ''}" for i, item in enumerate(value)
            )
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {line(key)}: {line(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def compare_2021(document: dict[str, Any], package_dir: Path) -> list[str]:
    """Differences between the units of 2021-01-01 and vietnam-provinces 0.5.0's list of 2023-05-07."""
    hand = _read_json(DATA / "communes_nq1283.json")
    districts = _districts()
    divisions = _read_json_list(package_dir / "vietnam_provinces" / "data" / "nested-divisions.json")
    province = next(item for item in divisions if item["code"] == int(PROVINCE_CODE))
    theirs = {
        str(ward["code"]): (ward["name"], TYPES[ward["division_type"]], districts[str(district["code"])])
        for district in province["districts"]
        for ward in district["wards"]
    }
    start = REGISTRY_START.isoformat()
    ours = {
        unit["official_code"]: (
            hand["spelled_in_2023"].get(unit["official_code"], unit["name"]),
            unit["type"],
            unit["parents"][0]["parent"],
        )
        for unit in document["org_units"]
        if unit["valid_from"] == start
    }
    return [
        f"{code}: ours {ours.get(code)}, theirs {theirs.get(code)}"
        for code in sorted(theirs.keys() | ours.keys())
        if theirs.get(code) != ours.get(code)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m targets.seed.communes", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="fail if the committed file differs")
    parser.add_argument(
        "--compare-2021", type=Path, metavar="DIR", help="an unpacked vietnam-provinces 0.5.0 wheel"
    )
    args = parser.parse_args(argv)
    document = build()
    text = render(document)
    if args.compare_2021:
        differences = compare_2021(document, args.compare_2021)
        print("\n".join(differences) or "the units of 2021 match the list of 2023-05-07")  # noqa: T201
        if differences:
            return 1
    if args.check:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is not what the generator makes: run python -m targets.seed.communes")  # noqa: T201
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}: {document['counts']}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
