"""Every table of the service, imported in one place so Alembic and the tests see the whole schema."""

from nominations.attachments.models import Attachment
from nominations.blocks.models import Block, BlockMember, Criterion, FlagNomination, Pledge, Score
from nominations.calendar.models import CalendarDay
from nominations.catalogue.models import AwardType, BaseSalary, EligibilityRule, Quota
from nominations.council.models import AgendaItem, BallotReceipt, CouncilMember, CouncilSession
from nominations.database import Base
from nominations.decisions.models import Decision
from nominations.disclosure.models import Objection
from nominations.evidence.models import EvidenceSnapshot
from nominations.exemplars.models import Exemplar, ExemplarEntry, ExemplarNomination, Replication
from nominations.movements.models import Milestone, Movement, MovementTarget, Registration, UnitReport
from nominations.nominations.models import Nomination, NominationEvent
from nominations.registry.models import Award
from nominations.rounds.models import Round
from shared.idempotency import idempotency_table
from shared.outbox import outbox_table

idempotency_keys = idempotency_table(Base.metadata)
outbox = outbox_table(Base.metadata)

__all__ = [
    "AgendaItem",
    "Attachment",
    "Award",
    "AwardType",
    "BallotReceipt",
    "Base",
    "BaseSalary",
    "Block",
    "BlockMember",
    "CalendarDay",
    "CouncilMember",
    "CouncilSession",
    "Criterion",
    "Decision",
    "EligibilityRule",
    "EvidenceSnapshot",
    "Exemplar",
    "ExemplarEntry",
    "ExemplarNomination",
    "FlagNomination",
    "Milestone",
    "Movement",
    "MovementTarget",
    "Nomination",
    "NominationEvent",
    "Objection",
    "Pledge",
    "Quota",
    "Registration",
    "Replication",
    "Round",
    "Score",
    "UnitReport",
    "idempotency_keys",
    "outbox",
]
