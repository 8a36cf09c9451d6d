"""The checks of results ingestion: DHIS2 ``dataValueSets`` judged value by value against the catalogue.

The rules (DHIS2's, where DHIS2 has one):

* Each value is checked in order: indicator (E7610), a disaggregation other than the default (E7613,
  E7615), period (E7611, also when its type is not the indicator's), org unit and its existence during the
  period (E7612), the caller's scope on the value's reference day (E7617), the value against the indicator's
  type (E7619), its comment (E7620, at most 50,000 characters), with ``requireCategoryOptionCombo`` or
  ``requireAttributeOptionCombo`` a combination left out (E7630, E7631), a period lock (E7640). Conflicts
  are grouped by code and object with the indexes of the values concerned.
* The default combination is known by DHIS2's uid for it, and by its code and name ``default``; with a
  ``categoryOptionComboIdScheme`` by that property only.
* ``atomicMode=ALL``: one conflict and nothing is stored. ``NONE``: the values without conflicts are stored.
* ``importStrategy``: ``CREATE`` only adds, ``UPDATE`` only changes existing values, ``CREATE_AND_UPDATE``
  both, ``DELETE`` removes the values named. An empty value, or ``deleted: true``, means "delete this value"
  (DHIS2's convention). ``skipExistingCheck``: values are only added, as in DHIS2 (which does not look for
  stored ones): a stored value is left as it is and counted ignored, and nothing is deleted.
* A value equal to the stored one (same canonical value and comment) is **ignored**: posting the same payload
  twice stores nothing the second time. Every change writes a revision (who, when, old, new, source).
* When the same value appears twice in one payload, the last one wins and the earlier ones are ignored.
* ``dryRun``: everything is checked and counted inside a savepoint that is rolled back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from targets.indicators.models import ValueType
from targets.org_units.scope import Scope
from targets.periods import InvalidPeriod, parse_period
from targets.periods import Period as PeriodValue
from targets.results.formats import RawValue
from targets.results.values import InvalidValue, check_boolean, check_number, echo

if TYPE_CHECKING:
    from targets.cache.service import CatalogueSnapshot

# DHIS2's default category (and attribute) option combination: its fixed uid, and its code and name.
DEFAULT_COMBO_UID = "HllvX50cXC0"
DEFAULT_COMBOS = frozenset({"default", DEFAULT_COMBO_UID})
# By one property; an attribute scheme (ATTRIBUTE:…) names nothing the default combination carries.
_DEFAULT_COMBO_BY_SCHEME = {
    "UID": frozenset({DEFAULT_COMBO_UID}),
    "CODE": frozenset({"default"}),
    "NAME": frozenset({"default"}),
}

# DHIS2's VALUE_MAX_LENGTH, the bound of a long text and of a value's comment (docs/targets.md).
MAX_COMMENT_LENGTH: Final = 50_000


class ImportStrategy(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    CREATE_AND_UPDATE = "CREATE_AND_UPDATE"
    DELETE = "DELETE"


# Older DHIS2 clients still send these names (dhis2-core's ImportStrategy keeps them).
STRATEGY_ALIASES = {
    "NEW": "CREATE",
    "UPDATES": "UPDATE",
    "NEW_AND_UPDATES": "CREATE_AND_UPDATE",
    "DELETES": "DELETE",
}


class AtomicMode(StrEnum):
    ALL = "ALL"
    NONE = "NONE"


class ImportStatus(StrEnum):
    SUCCESS = "SUCCESS"
    WARNING = "WARNING"
    ERROR = "ERROR"


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """One import's options, resolved from the query and the payload (:mod:`targets.results.options`)."""

    dry_run: bool = False
    strategy: ImportStrategy = ImportStrategy.CREATE_AND_UPDATE
    atomic_mode: AtomicMode = AtomicMode.ALL
    skip_existing_check: bool = False
    run_async: bool = False
    first_row_is_header: bool = True
    require_category_option_combo: bool = False
    require_attribute_option_combo: bool = False
    # How the default combination is named in the payload (UID, CODE, NAME …); None: by any of them.
    combo_scheme: str | None = None
    # Parameters sent that change nothing here, each with the reason: "preheatCache (…)".
    without_effect: tuple[str, ...] = ()

    @property
    def may_create(self) -> bool:
        return self.strategy in {ImportStrategy.CREATE, ImportStrategy.CREATE_AND_UPDATE}

    @property
    def may_update(self) -> bool:
        return self.strategy in {ImportStrategy.UPDATE, ImportStrategy.CREATE_AND_UPDATE} and not (
            self.skip_existing_check
        )

    @property
    def may_delete(self) -> bool:
        return self.strategy is not ImportStrategy.CREATE and not self.skip_existing_check

    def default_combos(self) -> frozenset[str]:
        if self.combo_scheme is None:
            return DEFAULT_COMBOS
        return _DEFAULT_COMBO_BY_SCHEME.get(self.combo_scheme, frozenset())


@dataclass
class Conflict:
    object: str
    value: str
    error_code: str
    property: str
    indexes: list[int] = field(default_factory=list)


@dataclass
class ImportResult:
    status: ImportStatus
    imported: int
    updated: int
    ignored: int
    deleted: int
    conflicts: list[Conflict]
    options: ImportOptions
    import_id: uuid.UUID | None  # the id the stored changes carry; None when nothing was stored
    total: int
    record_id: uuid.UUID = field(default_factory=uuid.uuid4)  # the import's record (and job) id
    # The codes of the org units and the periods whose values it created, updated or deleted (sorted).
    org_units: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.imported or self.updated or self.deleted)


@dataclass(slots=True)
class Accepted:
    key: tuple[int, int, str]  # (org unit id, indicator id, period)
    period: PeriodValue
    value: str | None  # canonical text of a boolean
    number: str | None  # checked text of a number; None with value None means "delete"
    comment: str | None


class _Conflicts:
    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], Conflict] = {}

    def add(self, code: str, obj: str, message: str, prop: str, index: int) -> None:
        conflict = self._by_key.get((code, obj))
        if conflict is None:
            # Grouped by the whole object, shown by its beginning (the message echoes it the same way).
            conflict = self._by_key[(code, obj)] = Conflict(echo(obj), message, code, prop)
        conflict.indexes.append(index)

    def __bool__(self) -> bool:
        return bool(self._by_key)

    def all(self) -> list[Conflict]:
        return list(self._by_key.values())


@dataclass(slots=True)
class _UnitInPeriod:
    """What one org unit may post for one period: the same for every value of that unit and period."""

    problem: tuple[str, str] | None = None  # (E7612 or E7617, message)
    locked: str | None = None  # the E7640 message


class Checker:
    """Checks values against one catalogue snapshot, remembering answers that repeat across a payload."""

    def __init__(
        self, snapshot: CatalogueSnapshot, scope: Scope, options: ImportOptions | None = None
    ) -> None:
        self.snapshot = snapshot
        self.scope = scope
        self.options = options or ImportOptions()
        self._default_combos = self.options.default_combos()
        self.conflicts = _Conflicts()
        self._unit_period: dict[tuple[int, str], _UnitInPeriod] = {}
        self._periods: dict[str, tuple[PeriodValue, str, str] | str] = {}

    def check(self, raw: RawValue) -> Accepted | None:
        indicator = self.snapshot.indicators.get(raw.data_element)
        if indicator is None:
            self.conflicts.add(
                "E7610", raw.data_element,
                f"Data element not found or not accessible: `{echo(raw.data_element)}`",
                "dataElement", raw.index,
            )  # fmt: skip
            return None
        # Indicators here are not disaggregated: a value for a category option combo (sex, age …) other than
        # DHIS2's default is a different figure, and storing it as the indicator's would be wrong.
        for combo, code, prop, what in (
            (raw.category_option_combo, "E7613", "categoryOptionCombo", "Category"),
            (raw.attribute_option_combo, "E7615", "attributeOptionCombo", "Attribute"),
        ):
            if combo is not None and combo not in self._default_combos:
                self.conflicts.add(
                    code, combo,
                    f"{what} option combo not found or not accessible: `{echo(combo)}` (indicators are not"
                    " disaggregated here; only the default combination is accepted)",
                    prop, raw.index,
                )  # fmt: skip
                return None
        parsed = self._period(raw.period)
        if isinstance(parsed, str):
            self.conflicts.add(
                "E7611", raw.period, f"Period not valid: `{echo(raw.period)}` ({parsed})", "period", raw.index
            )
            return None
        period, period_id, period_type = parsed
        if period_type != indicator.period_type:
            self.conflicts.add(
                "E7611", raw.period,
                f"Period not valid: `{echo(raw.period)}` is {period.type}, data element `{indicator.code}` "
                f"is reported {indicator.period_type}",
                "period", raw.index,
            )  # fmt: skip
            return None
        unit = self.snapshot.hierarchy.by_code(raw.org_unit)
        if unit is None:
            self.conflicts.add(
                "E7612", raw.org_unit,
                f"Organisation unit not found or not accessible: `{echo(raw.org_unit)}`",
                "orgUnit", raw.index,
            )  # fmt: skip
            return None
        where = self._unit_in_period(unit.id, period, period_id)
        if where.problem is not None:
            code, message = where.problem
            self.conflicts.add(code, raw.org_unit, message, "orgUnit", raw.index)
            return None
        value: str | None = None
        number: str | None = None
        if raw.value is not None and raw.value.strip() != "" and not raw.deleted:
            try:
                if indicator.value_type == ValueType.BOOLEAN:
                    value = check_boolean(raw.value)
                    number = "1" if value == "true" else "0"
                else:
                    number = check_number(raw.value, indicator.value_type)
            except InvalidValue as exc:
                self.conflicts.add(
                    "E7619", indicator.code,
                    f"Value must match data element's `{indicator.code}` type constraints "
                    f"({indicator.value_type}): {exc}",
                    "value", raw.index,
                )  # fmt: skip
                return None
        if raw.comment is not None and len(raw.comment) > MAX_COMMENT_LENGTH:
            # DHIS2's own bound and code (ValidationUtils.commentIsValid, ErrorCode E7620 "Invalid comment"):
            # a comment of megabytes was stored before, and published notes are read from it.
            self.conflicts.add(
                "E7620", indicator.code,
                f"Invalid comment: comment_length_greater_than_max_length ({len(raw.comment)} characters;"
                f" at most {MAX_COMMENT_LENGTH})",
                "comment", raw.index,
            )  # fmt: skip
            return None
        # DHIS2's constraints come after its validation: a combination required but left out, then the lock.
        for combo, required, code, prop, what in (
            (raw.category_option_combo, self.options.require_category_option_combo, "E7630",
             "categoryOptionCombo", "Category"),
            (raw.attribute_option_combo, self.options.require_attribute_option_combo, "E7631",
             "attributeOptionCombo", "Attribute"),
        ):  # fmt: skip
            if required and combo is None:
                self.conflicts.add(
                    code, indicator.code, f"{what} option combo is required but is not specified", prop,
                    raw.index,
                )  # fmt: skip
                return None
        # The lock comes last, as the rules above say (and as DHIS2 checks it: after the value itself).
        if where.locked is not None:
            self.conflicts.add("E7640", period_id, where.locked, "period", raw.index)
            return None
        return Accepted(
            key=(unit.id, indicator.id, period_id),
            period=period,
            value=value,
            number=number,
            comment=raw.comment,
        )

    def _period(self, text: str) -> tuple[PeriodValue, str, str] | str:
        """(period, canonical id, type name), or the reason it is invalid; once per distinct text."""
        cached = self._periods.get(text)
        if cached is None:
            try:
                period = parse_period(text)
                cached = (period, period.id, str(period.type))
            except InvalidPeriod as exc:
                cached = exc.reason
            self._periods[text] = cached
        return cached

    def _unit_in_period(self, unit_id: int, period: PeriodValue, period_id: str) -> _UnitInPeriod:
        cache_key = (unit_id, period_id)
        cached = self._unit_period.get(cache_key)
        if cached is not None:
            return cached
        hierarchy = self.snapshot.hierarchy
        unit = hierarchy.units[unit_id]
        day = hierarchy.reference_day(unit_id, period.start, period.end)
        answer = _UnitInPeriod()
        if day is None:
            answer.problem = (
                "E7612",
                f"Organisation unit `{unit.code}` did not exist during period `{period.id}`",
            )
        elif not self.scope.allows(hierarchy, unit_id, day):
            answer.problem = (
                "E7617",
                f"Organisation unit: `{unit.code}` not in hierarchy of current user: "
                f"`{self.scope.describe()}` on {day.isoformat()}",
            )
        else:
            lock = self.snapshot.lock_for(unit_id, period.start, period.end, day)
            if lock is not None:
                answer.locked = f"Period `{period.id}` is locked for data entry (lock `{lock.period_iso}`)"
        self._unit_period[cache_key] = answer
        return answer
