"""Every table of the service, imported in one place so Alembic and the tests see the whole schema."""

from shared.idempotency import idempotency_table
from shared.outbox import outbox_table
from targets.cache.models import ChangeCounter
from targets.database import Base
from targets.indicators.models import Indicator
from targets.org_units.models import OrgUnit, OrgUnitParent, OrgUnitRestructuring, OrgUnitSuccession
from targets.plans.models import Plan, Target
from targets.results.models import DataImport, DataValue, DataValueRevision, Period, PeriodLock

idempotency_keys = idempotency_table(Base.metadata)
outbox = outbox_table(Base.metadata)

__all__ = [
    "Base",
    "ChangeCounter",
    "DataImport",
    "DataValue",
    "DataValueRevision",
    "Indicator",
    "OrgUnit",
    "OrgUnitParent",
    "OrgUnitRestructuring",
    "OrgUnitSuccession",
    "Period",
    "PeriodLock",
    "Plan",
    "Target",
    "idempotency_keys",
    "outbox",
]
