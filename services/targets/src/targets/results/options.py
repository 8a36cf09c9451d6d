"""DHIS2's ``dataValueSets`` import parameters: every one DHIS2 takes, which of them change the import here,
and the values each may have.

The parameters are those of DHIS2's Web API table "Import parameters" (docs: developer/web-api/data.md) and
the other `ImportOptions` fields its data value import reads (dhis2-core `DefaultDataValueSetService`,
`CsvDataValueSetReader`, `DataValueSetController`), with ``atomicMode`` (DHIS2's name in its tracker and
metadata imports) for the platform's all-or-nothing rule. A name outside the table is refused (400
``unknown-query-parameter``, by the shared edge check, since only these are declared).

* Honoured: ``dryRun``, ``importStrategy``, ``atomicMode``, ``idScheme`` and the id schemes of data elements,
  org units and category option combos, ``firstRowIsHeader``, ``skipExistingCheck``, ``async``,
  ``requireCategoryOptionCombo``, ``requireAttributeOptionCombo``.
* Accepted without effect, and named in the import summary's description when sent: the rest (each with the
  reason in :data:`WITHOUT_EFFECT`).
* A JSON payload may carry ``idScheme``, ``dataElementIdScheme``, ``orgUnitIdScheme``,
  ``categoryOptionComboIdScheme``, ``dataSetIdScheme``, ``dryRun`` and ``strategy`` itself; as in DHIS2 they
  take precedence over the query, and a specific id scheme over the general one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Query

from shared.problems import BadRequest
from targets.results.checks import (
    STRATEGY_ALIASES,
    AtomicMode,
    ImportOptions,
    ImportStrategy,
)


class InvalidOption(BadRequest):
    slug = "invalid-option"
    title = "Invalid import option"


class UnsupportedOption(BadRequest):
    slug = "unsupported-option"
    title = "Import option not supported here"


# Accepted, changing nothing here; the reason is given in the import summary's description.
WITHOUT_EFFECT: Mapping[str, str] = {
    "dataSetIdScheme": "data sets are not read here",
    "categoryIdScheme": "ADX only",
    "categoryOptionIdScheme": "ADX only",
    "dataSet": "data sets are not read here",
    "preheatCache": "the catalogue is always held in memory",
    "skipAudit": "every change is kept in the history",
    "skipNotifications": "an import sends no notifications",
    "force": "a locked period stays locked",
    "strictPeriods": "always applied: a period of another type than the indicator's is E7611",
    "strictCategoryOptionCombos": "always applied: only the default combination is accepted",
    "strictAttributeOptionCombos": "always applied: only the default combination is accepted",
    "strictDataElements": "there are no data sets here",
    "strictOrganisationUnits": "there are no data sets here",
    "strictDataSetApproval": "there is no data approval here",
    "strictDataSetLocking": "period locks are always applied",
    "strictDataSetInputPeriods": "there are no data sets here",
}
FIRST_ROW_IN_JSON = "firstRowIsHeader (JSON has no header row)"

_BOOLEAN = re.compile(r"true|false", re.IGNORECASE)
_SCHEME = re.compile(r"(UID|ID|CODE|NAME)|ATTRIBUTE:([A-Za-z0-9]{11})", re.IGNORECASE)
# The only objects identified here are identified by their codes (an indicator, an org unit).
_CODE = "CODE"


@dataclass(frozen=True, slots=True)
class ImportParameters:
    """The query parameters of an import as sent (``None``: not sent)."""

    dry_run: bool | None = None
    import_strategy: str | None = None
    atomic_mode: str | None = None
    id_scheme: str | None = None
    data_element_id_scheme: str | None = None
    org_unit_id_scheme: str | None = None
    category_option_combo_id_scheme: str | None = None
    first_row_is_header: bool | None = None
    skip_existing_check: bool | None = None
    run_async: bool | None = None
    require_category_option_combo: bool | None = None
    require_attribute_option_combo: bool | None = None
    # Sent names of the parameters without effect here (see WITHOUT_EFFECT).
    without_effect: tuple[str, ...] = field(default=())


def _q(name: str, description: str) -> Any:
    return Query(alias=name, description=description)


async def import_parameters(
    dry_run: Annotated[bool | None, _q("dryRun", "Check and count everything, store nothing")] = None,
    import_strategy: Annotated[
        str | None, _q("importStrategy", "CREATE, UPDATE, CREATE_AND_UPDATE (default), DELETE")
    ] = None,
    atomic_mode: Annotated[
        str | None,
        _q(
            "atomicMode",
            "ALL: nothing is stored if a value conflicts (default on /v1); NONE (default on DHIS2's paths)",
        ),
    ] = None,
    id_scheme: Annotated[str | None, _q("idScheme", "CODE: objects are identified by code here")] = None,
    data_element_id_scheme: Annotated[str | None, _q("dataElementIdScheme", "CODE")] = None,
    org_unit_id_scheme: Annotated[str | None, _q("orgUnitIdScheme", "CODE")] = None,
    category_option_combo_id_scheme: Annotated[
        str | None, _q("categoryOptionComboIdScheme", "UID, CODE or NAME of the default combination")
    ] = None,
    first_row_is_header: Annotated[
        bool | None, _q("firstRowIsHeader", "CSV: the first row is the header (default true)")
    ] = None,
    skip_existing_check: Annotated[
        bool | None, _q("skipExistingCheck", "Only add values; stored ones are left as they are")
    ] = None,
    run_async: Annotated[
        bool | None, _q("async", "Answer with a job; the summary is at /api/system/taskSummaries")
    ] = None,
    require_category_option_combo: Annotated[
        bool | None, _q("requireCategoryOptionCombo", "A value without one is E7630")
    ] = None,
    require_attribute_option_combo: Annotated[
        bool | None, _q("requireAttributeOptionCombo", "A value without one is E7631")
    ] = None,
    data_set_id_scheme: Annotated[str | None, _q("dataSetIdScheme", "Accepted; no effect here")] = None,
    category_id_scheme: Annotated[str | None, _q("categoryIdScheme", "ADX only; no effect")] = None,
    category_option_id_scheme: Annotated[
        str | None, _q("categoryOptionIdScheme", "ADX only; no effect")
    ] = None,
    data_set: Annotated[str | None, _q("dataSet", "Accepted; no effect here")] = None,
    preheat_cache: Annotated[bool | None, _q("preheatCache", "Accepted; no effect here")] = None,
    skip_audit: Annotated[bool | None, _q("skipAudit", "Accepted; no effect here")] = None,
    skip_notifications: Annotated[bool | None, _q("skipNotifications", "Accepted; no effect")] = None,
    force: Annotated[bool | None, _q("force", "Accepted; no effect: locks stay")] = None,
    strict_periods: Annotated[bool | None, _q("strictPeriods", "Always applied here")] = None,
    strict_category_option_combos: Annotated[
        bool | None, _q("strictCategoryOptionCombos", "Always applied here")
    ] = None,
    strict_attribute_option_combos: Annotated[
        bool | None, _q("strictAttributeOptionCombos", "Always applied here")
    ] = None,
    strict_data_elements: Annotated[bool | None, _q("strictDataElements", "No effect here")] = None,
    strict_organisation_units: Annotated[bool | None, _q("strictOrganisationUnits", "No effect here")] = None,
    strict_data_set_approval: Annotated[bool | None, _q("strictDataSetApproval", "No effect here")] = None,
    strict_data_set_locking: Annotated[bool | None, _q("strictDataSetLocking", "No effect here")] = None,
    strict_data_set_input_periods: Annotated[
        bool | None, _q("strictDataSetInputPeriods", "No effect here")
    ] = None,
) -> ImportParameters:
    """DHIS2's import parameters, each value checked; those sent without effect are named for the summary."""
    for name, scheme in (
        ("dataSetIdScheme", data_set_id_scheme),
        ("categoryIdScheme", category_id_scheme),
        ("categoryOptionIdScheme", category_option_id_scheme),
    ):
        _scheme(scheme, name)  # checked even so: a misspelt scheme is still refused
    without_effect: dict[str, object] = {
        "dataSetIdScheme": data_set_id_scheme,
        "categoryIdScheme": category_id_scheme,
        "categoryOptionIdScheme": category_option_id_scheme,
        "dataSet": data_set,
        "preheatCache": preheat_cache,
        "skipAudit": skip_audit,
        "skipNotifications": skip_notifications,
        "force": force,
        "strictPeriods": strict_periods,
        "strictCategoryOptionCombos": strict_category_option_combos,
        "strictAttributeOptionCombos": strict_attribute_option_combos,
        "strictDataElements": strict_data_elements,
        "strictOrganisationUnits": strict_organisation_units,
        "strictDataSetApproval": strict_data_set_approval,
        "strictDataSetLocking": strict_data_set_locking,
        "strictDataSetInputPeriods": strict_data_set_input_periods,
    }
    parameters = ImportParameters(
        dry_run=dry_run,
        import_strategy=_strategy(import_strategy, "importStrategy") if import_strategy is not None else None,
        atomic_mode=_atomic_mode(atomic_mode) if atomic_mode is not None else None,
        id_scheme=_scheme(id_scheme, "idScheme"),
        data_element_id_scheme=_scheme(data_element_id_scheme, "dataElementIdScheme"),
        org_unit_id_scheme=_scheme(org_unit_id_scheme, "orgUnitIdScheme"),
        category_option_combo_id_scheme=_scheme(
            category_option_combo_id_scheme, "categoryOptionComboIdScheme"
        ),
        first_row_is_header=first_row_is_header,
        skip_existing_check=skip_existing_check,
        run_async=run_async,
        require_category_option_combo=require_category_option_combo,
        require_attribute_option_combo=require_attribute_option_combo,
        without_effect=tuple(name for name, value in without_effect.items() if value is not None),
    )
    return parameters


def _strategy(value: str, parameter: str) -> str:
    strategy = STRATEGY_ALIASES.get(value.upper(), value.upper())
    if strategy not in ImportStrategy.__members__:
        raise InvalidOption(
            f"{parameter} must be one of {', '.join(ImportStrategy)}, not {value!r}"
            " (SYNC is for tracker imports; NEW, UPDATES, NEW_AND_UPDATES and DELETES are read as the"
            " current names).",
            parameter=parameter,
        )
    return strategy


def _atomic_mode(value: str) -> str:
    if value.upper() not in AtomicMode.__members__:
        raise InvalidOption(f"atomicMode must be ALL or NONE, not {value!r}.", parameter="atomicMode")
    return value.upper()


def _scheme(value: str | None, parameter: str) -> str | None:
    """An id scheme as DHIS2 spells it (UID, CODE, NAME, ATTRIBUTE:<uid>; any case), upper-cased."""
    if value is None:
        return None
    match = _SCHEME.fullmatch(value.strip())
    if match is None:
        raise InvalidOption(
            f"{parameter} must be UID, CODE, NAME or ATTRIBUTE:<attribute uid>, not {value!r}.",
            parameter=parameter,
        )
    if match[1]:
        return "UID" if match[1].upper() == "ID" else match[1].upper()
    return f"ATTRIBUTE:{match[2]}"


def _payload_boolean(value: object, parameter: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and _BOOLEAN.fullmatch(value.strip()):
        return value.strip().lower() == "true"
    raise InvalidOption(f"{parameter} must be true or false, not {value!r}.", parameter=parameter)


def _payload_text(set_options: Mapping[str, object], name: str) -> str | None:
    value = set_options.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidOption(f"payload.{name} must be a text, not {value!r}.", parameter=f"payload.{name}")
    return value


def resolve(
    parameters: ImportParameters,
    set_options: Mapping[str, object],
    *,
    payload_format: str,
    default_atomic_mode: AtomicMode = AtomicMode.ALL,
) -> ImportOptions:
    """The options of one import: the payload's own (JSON only) over the query's, each checked.

    Without ``atomicMode`` the import runs in ``default_atomic_mode``: ``ALL`` on the platform's own route,
    ``NONE`` on DHIS2's paths, where DHIS2 stores the values without conflicts (its data value import has no
    atomicMode) and answers 409 WARNING.

    A data element or org unit identified otherwise than by its code cannot be found here (an indicator has no
    DHIS2 uid): refused as ``unsupported-option`` rather than read as codes. The default category option
    combination is recognised by the property the combo id scheme names (by its uid, code or name when no
    scheme is given).
    """

    def scheme(specific: str, *, code_only: bool) -> tuple[str | None, str]:
        """The effective scheme for one kind of object, and where it was given."""
        for source, name in (("payload.", specific), ("payload.", "idScheme")):
            value = _payload_text(set_options, name)
            if value is not None:
                return _scheme(value, f"{source}{name}"), f"{source}{name}"
        query_value = {
            "dataElementIdScheme": parameters.data_element_id_scheme,
            "orgUnitIdScheme": parameters.org_unit_id_scheme,
            "categoryOptionComboIdScheme": parameters.category_option_combo_id_scheme,
        }[specific]
        if query_value is not None:
            return query_value, specific
        if parameters.id_scheme is not None:
            return parameters.id_scheme, "idScheme"
        return (_CODE if code_only else None), specific

    for kind, specific in (("data elements", "dataElementIdScheme"), ("org units", "orgUnitIdScheme")):
        value, given_as = scheme(specific, code_only=True)
        if value != _CODE:
            raise UnsupportedOption(
                f"{given_as}={value}: {kind} are identified by their codes here; send {specific}=CODE"
                " (or leave it out).",
                parameter=given_as,
            )
    combo_scheme, _ = scheme("categoryOptionComboIdScheme", code_only=False)
    _scheme(_payload_text(set_options, "dataSetIdScheme"), "payload.dataSetIdScheme")  # checked, not used

    dry_run = bool(parameters.dry_run)
    if "dryRun" in set_options and set_options["dryRun"] is not None:
        dry_run = _payload_boolean(set_options["dryRun"], "payload.dryRun")
    strategy = parameters.import_strategy or ImportStrategy.CREATE_AND_UPDATE.value
    payload_strategy = _payload_text(set_options, "strategy") or _payload_text(set_options, "importStrategy")
    if payload_strategy is not None:
        strategy = _strategy(payload_strategy, "payload.strategy")

    without_effect = [f"{name} ({WITHOUT_EFFECT[name]})" for name in parameters.without_effect]
    if payload_format == "json" and parameters.first_row_is_header is not None:
        without_effect.append(FIRST_ROW_IN_JSON)
    return ImportOptions(
        dry_run=dry_run,
        strategy=ImportStrategy(strategy),
        atomic_mode=AtomicMode(parameters.atomic_mode) if parameters.atomic_mode else default_atomic_mode,
        skip_existing_check=bool(parameters.skip_existing_check),
        run_async=bool(parameters.run_async),
        first_row_is_header=parameters.first_row_is_header is not False,
        require_category_option_combo=bool(parameters.require_category_option_combo),
        require_attribute_option_combo=bool(parameters.require_attribute_option_combo),
        combo_scheme=combo_scheme,
        without_effect=tuple(without_effect),
    )
