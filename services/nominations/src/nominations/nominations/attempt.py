"""One attempt at a workflow action: who tries it on which nomination, with what, at which moment.

The guards (:mod:`nominations.nominations.guards`) and effects (:mod:`nominations.nominations.effects`)
named beside ``WORKFLOW`` read everything they need from it: the caller, the nomination and its round, the
action's own input (a note, the rule overridden, the forwarding record, the decision, the council's
count), and what they look up (the award type in force on the nomination's catalogue date, the calendar,
the eligibility verdicts), each looked up once per attempt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.calendar import service as calendar
from nominations.calendar.working_days import WorkingCalendar
from nominations.catalogue import service as catalogue
from nominations.catalogue.models import AwardType
from nominations.nominations.models import Nomination
from nominations.nominations.schemas import EligibilityOut
from nominations.org_scope import ScopeCheck
from nominations.rounds.models import Round
from shared import clock


@dataclass(frozen=True, slots=True)
class DecisionTerms:
    """The signed decision an ``award`` carries out."""

    decision_id: int | None  # None until the decision is recorded (its guards are checked before)
    number: str
    signed_on: dt.date
    authority: str


@dataclass(frozen=True, slots=True)
class CouncilCount:
    """What the council's count decided for one nomination, and the disclosure period that follows."""

    result: dict[str, Any]
    passed: bool
    disclosure_from: dt.date | None = None
    disclosure_until: dt.date | None = None


Judge = Callable[[], Awaitable[EligibilityOut]]


@dataclass
class Attempt:
    session: AsyncSession
    # Who acts: a signed-in caller with the scope of their token, or None for the public (no login).
    caller: ScopeCheck | None
    nomination: Nomination
    round_: Round
    note: str | None = None
    override_rule: str | None = None
    forwarding: dict[str, Any] | None = None
    decision: DecisionTerms | None = None
    council: CouncilCount | None = None
    objection_id: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)  # edit: the fields and their new values
    details: dict[str, Any] | None = None  # what the caller adds to the audit record (a file, a snapshot)
    judge: Judge | None = None  # how the eligibility of the nomination is judged
    now: dt.datetime = field(default_factory=clock.now)
    _award_type: AwardType | None = field(default=None, init=False, repr=False)
    _award_type_read: bool = field(default=False, init=False, repr=False)
    _calendar: WorkingCalendar | None = field(default=None, init=False, repr=False)
    _eligibility: EligibilityOut | None = field(default=None, init=False, repr=False)

    @property
    def today(self) -> dt.date:
        """The date in Vietnam at the attempt's moment."""
        return clock.local_date(self.now)

    @property
    def day(self) -> dt.date:
        """The round's reference date: the hierarchy of that day applies (the catalogue is the nomination's
        ``catalogue_date``'s)."""
        return self.round_.reference_date

    async def award_type(self) -> AwardType | None:
        """The version of the nomination's award type in force on its catalogue date."""
        if not self._award_type_read:
            self._award_type = await catalogue.version_in_force(
                self.session, self.nomination.award_type_code, self.nomination.catalogue_date
            )
            self._award_type_read = True
        return self._award_type

    async def judging_day(self) -> dt.date:
        """The date whose catalogue judges the dossier if it is sent today."""
        return await catalogue.judging_day(self.session, self.round_.reference_date, self.today)

    async def version_on(self, day: dt.date) -> AwardType | None:
        return await catalogue.version_in_force(self.session, self.nomination.award_type_code, day)

    def forget_award_type(self) -> None:
        """The catalogue date changed: the version is read again."""
        self._award_type_read = False

    async def deciders(self, authority: str, day: dt.date) -> frozenset[str]:
        """The offices that sign, on ``day``, decisions of ``authority``'s forms: itself, and those that
        succeeded it when its tier ended (the catalogue's authority successions)."""
        return frozenset({authority}) | await catalogue.successors_on(self.session, authority, day)

    async def calendar(self) -> WorkingCalendar:
        if self._calendar is None:
            self._calendar = await calendar.load_calendar(self.session)
        return self._calendar

    async def eligibility(self) -> EligibilityOut:
        """The verdict of each rule now (judged once per attempt)."""
        if self._eligibility is None:
            if self.judge is None:
                raise RuntimeError("this attempt was made without a way to judge eligibility")
            self._eligibility = await self.judge()
        return self._eligibility
