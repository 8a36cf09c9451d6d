"""docs/events.md lists every event type the producers write, with its version, and no other."""

import ast
import re

from devstack.paths import repo_root

# The calls whose first argument is an event type (shared.outbox.Event, and nominations' announcements).
EVENT_CALLS = {"Event", "Announcement", "_nomination_event", "_session_event"}


def written_types() -> set[str]:
    found = set()
    for service in ("targets", "nominations"):
        for path in (repo_root() / "services" / service / "src").rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and ast.unparse(node.func).split(".")[-1] in EVENT_CALLS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.add(node.args[0].value)
    return found


def test_every_event_type_written_is_documented_and_nothing_else() -> None:
    page = (repo_root() / "docs" / "events.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| 1 \|", page, flags=re.MULTILINE))
    written = written_types()
    assert len(written) == 14, sorted(written)
    assert written == documented
