"""Bounds of the strings requests carry: every free-text or code field has a length limit (issue 13), so
that nothing a client sends is stored, logged or compared at any length."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

# A reference to something by its code (an org unit, an indicator, a plan, a criterion): codes are at most
# 50 characters wherever they are defined, so a longer reference can only be unknown.
CodeRef = Annotated[str, StringConstraints(min_length=1, max_length=50)]
# A DHIS2 period identifier: 2024, 2024Q3, 202409, 2024W52, 2024AprilS1, 2024BiW3 … (at most 11 today).
PeriodRef = Annotated[str, StringConstraints(min_length=1, max_length=20)]
# A key naming an achievement or a person across the province (personnel numbers, achievement keys).
KeyRef = Annotated[str, StringConstraints(min_length=1, max_length=200)]
