"""What the suite's fuzzing (tests/e2e/test_fuzz.py) teaches schemathesis about the document: the keywords
it does not read, and what a correct client does that random data cannot.

* Dates: the document bounds them with ``formatMinimum``/``formatMaximum`` (1900-01-01 to 2199-12-31,
  shared.bounds); schemathesis ignores those keywords, so its valid dates are drawn within them.
* ``Idempotency-Key``: a client sends a new key for each new request; random data repeats keys across
  different bodies, which the API rightly refuses (422 idempotency-key-reused).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis
from hypothesis import strategies as st

from shared.bounds import MAX_DATE, MIN_DATE

VALID_KEY = re.compile(r"[\x21-\x7e]{1,200}")  # shared.idempotency.IdempotencyKey
schemathesis.openapi.format(
    "date", st.dates(min_value=MIN_DATE, max_value=MAX_DATE).map(lambda day: day.isoformat())
)


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, str] | None) -> dict[str, str] | None:
    # Only a key the document allows: an invalid one is the point of a negative case.
    if headers and VALID_KEY.fullmatch(headers.get("Idempotency-Key", "")):
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers
