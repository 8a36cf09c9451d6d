"""What an import answers, in DHIS2's shapes: the import summary, the WebMessage envelope DHIS2 2.38 and later
put around it on ``/api/dataValueSets``, and the job reference of an ``async=true`` import.

DHIS2's rules (dhis2-core `WebMessageUtils.importSummary`, `DataValueSetController`): a summary without
conflicts is 200 "Import was successful."; with conflicts 409 "One more conflicts encountered, please check
import summary." (status WARNING), or "An error occurred, please check import summary." (ERROR). Before API
version 38 (``/api/37/dataValueSets`` and older) the bare summary is answered, always with 200. An
``async`` import is answered with the job's reference, whatever the version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from targets.results.checks import ImportResult, ImportStatus
from targets.results.schemas import (
    ConflictOut,
    ImportCount,
    ImportOptionsOut,
    ImportSummary,
    JobNotificationOut,
    JobOut,
    WebMessage,
)

# The first API version whose import answers are wrapped in a WebMessage (`withPlainResponseBefore(V38)`).
ENVELOPE_SINCE = 38
JOB_TYPE = "DATAVALUE_IMPORT"


def _id_schemes(result: ImportResult) -> dict[str, dict[str, str]]:
    schemes = {"dataElementIdScheme": {"type": "CODE"}, "orgUnitIdScheme": {"type": "CODE"}}
    combo = result.options.combo_scheme
    if combo is not None:
        kind, _, attribute = combo.partition(":")
        scheme = {"type": kind}
        if attribute:
            scheme["attribute"] = attribute
        schemes["categoryOptionComboIdScheme"] = scheme
    return schemes


def _description(result: ImportResult, notes: tuple[str, ...]) -> str:
    if result.status is ImportStatus.ERROR:
        said = "Import failed: conflicts with atomicMode=ALL; nothing was stored."
    elif result.options.dry_run:
        said = "Dry run: nothing was stored; the counts say what the import would do."
    else:
        said = "Import process completed successfully" + (
            " with conflicts; the values without conflicts were stored." if result.conflicts else "."
        )
    if result.options.skip_existing_check:
        said += " skipExistingCheck: values were only added; stored ones were left as they are."
    parts = [said, *notes]
    if result.options.without_effect:
        parts.append(f"Accepted without effect here: {'; '.join(result.options.without_effect)}.")
    return " ".join(parts)


def import_summary(result: ImportResult, notes: tuple[str, ...] = ()) -> ImportSummary:
    """DHIS2's import summary of an import; ``notes`` (found reading the payload) join its description."""
    options = result.options
    return ImportSummary(
        status=result.status.value,
        description=_description(result, notes),
        import_options=ImportOptionsOut(
            id_schemes=_id_schemes(result),
            dry_run=options.dry_run,
            run_async=options.run_async,
            import_strategy=options.strategy.value,
            atomic_mode=options.atomic_mode.value,
            skip_existing_check=options.skip_existing_check,
            first_row_is_header=options.first_row_is_header,
            require_category_option_combo=options.require_category_option_combo,
            require_attribute_option_combo=options.require_attribute_option_combo,
        ),
        import_count=ImportCount(
            imported=result.imported, updated=result.updated, ignored=result.ignored, deleted=result.deleted
        ),
        conflicts=[
            ConflictOut(
                object=conflict.object,
                value=conflict.value,
                error_code=conflict.error_code,
                property=conflict.property,
                indexes=conflict.indexes,
            )
            for conflict in result.conflicts
        ],
        import_id=result.import_id,
    )


# The conflicts an async=true job keeps with its summary (stored as JSONB): a payload of 100,000 bad values
# is told how many there were, not stored a hundred thousand times over.
MAX_KEPT_CONFLICTS = 1000


def job_summary(result: ImportResult, notes: tuple[str, ...] = ()) -> dict[str, object]:
    """The import summary an ``async=true`` job keeps: its first MAX_KEPT_CONFLICTS conflicts, and a count."""
    summary = import_summary(result, notes)
    left_out = len(summary.conflicts) - MAX_KEPT_CONFLICTS
    if left_out > 0:
        summary.conflicts = summary.conflicts[:MAX_KEPT_CONFLICTS]
        summary.description += (
            f" {left_out:,} more conflicts are not kept with this job;"
            f" the first {MAX_KEPT_CONFLICTS:,} are listed."
        )
    return _dump(summary)


@dataclass(frozen=True, slots=True)
class Answer:
    """A response body (JSON-ready) and its HTTP status."""

    body: dict[str, object]
    status_code: int


def _dump(model: ImportSummary | WebMessage | JobOut) -> dict[str, object]:
    return model.model_dump(mode="json", by_alias=True)


def platform_answer(summary: ImportSummary) -> Answer:
    """``/api/v1/data-value-sets``: the bare summary; 409 when nothing was stored for conflicts."""
    return Answer(_dump(summary), 409 if summary.status == ImportStatus.ERROR.value else 200)


def dhis2_answer(summary: ImportSummary, api_version: int | None) -> Answer:
    """``/api/dataValueSets`` and ``/api/<version>/dataValueSets``: as DHIS2 2.38 and later answer there."""
    if api_version is not None and api_version < ENVELOPE_SINCE:
        return Answer(_dump(summary), 200)
    if summary.status == ImportStatus.SUCCESS.value:
        message = WebMessage(
            http_status="OK",
            http_status_code=200,
            status="OK",
            message="Import was successful.",
            response=summary,
        )
    elif summary.status == ImportStatus.WARNING.value:
        message = WebMessage(
            http_status="Conflict",
            http_status_code=409,
            status="WARNING",
            message="One more conflicts encountered, please check import summary.",
            response=summary,
        )
    else:
        message = WebMessage(
            http_status="Conflict",
            http_status_code=409,
            status="ERROR",
            message="An error occurred, please check import summary.",
            response=summary,
        )
    return Answer(_dump(message), message.http_status_code)


def notifier_endpoint(job_id: str) -> str:
    return f"/api/system/tasks/{JOB_TYPE}/{job_id}"


def job_answer(job_id: str, created: dt.datetime) -> Answer:
    """An ``async=true`` import on any of the paths: DHIS2's reference to the job (its WebMessage)."""
    job = JobOut(id=job_id, created=created, relative_notifier_endpoint=notifier_endpoint(job_id))
    message = WebMessage(
        http_status="OK", http_status_code=200, status="OK", message=f"Initiated {JOB_TYPE}", response=job
    )
    return Answer(_dump(message), 200)


def job_notifications(job_id: str, finished: dt.datetime) -> list[JobNotificationOut]:
    """The job's notifications, as DHIS2 lists them: the import has run before the job is answered."""
    return [JobNotificationOut(uid=job_id, id=job_id, time=finished, message="Import done", completed=True)]
