"""Every table of the service, imported in one place so Alembic and the tests see the whole schema."""

from nominations.catalogue.models import AwardType, BaseSalary, EligibilityRule, Quota
from nominations.database import Base
from shared.idempotency import idempotency_table

idempotency_keys = idempotency_table(Base.metadata)

__all__ = ["AwardType", "Base", "BaseSalary", "EligibilityRule", "Quota", "idempotency_keys"]
