"""The layers every service keeps: a domain's repository holds its queries, reads only its own tables, and
is asked only by its own service (import-linter enforces it, with one contract per domain, checked here)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from devstack.paths import repo_root
from devstack.stack import SERVICES


def _repositories() -> dict[str, Path]:
    """``<service>.<domain>`` → its repository module, in every service."""
    found = {}
    for spec in SERVICES:
        source = repo_root() / "services" / spec.name / "src" / spec.name
        for path in sorted(source.glob("*/repository.py")):
            found[f"{spec.name}.{path.parent.name}"] = path
    return found


def test_every_repository_is_protected_by_its_own_contract() -> None:
    config = tomllib.loads((repo_root() / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    protected = {
        module: contract["allowed_importers"]
        for contract in contracts
        if contract["type"] == "protected"
        for module in contract["protected_modules"]
    }
    for domain in _repositories():
        assert f"{domain}.service" in protected.get(f"{domain}.repository", []), domain
        assert all(importer.startswith(f"{domain}.") for importer in protected[f"{domain}.repository"])


def test_a_repository_reads_only_its_own_domains_tables() -> None:
    crossing = {}
    for domain, path in _repositories().items():
        service = domain.split(".")[0]
        imported = [
            node.module
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models")
        ]
        others = [
            module for module in imported if module.startswith(f"{service}.") and module != f"{domain}.models"
        ]
        if others:
            crossing[domain] = others
    assert crossing == {}


# Where a statement may be built besides a repository, and why.
BUILDERS_ELSEWHERE = {
    # The change counters and the advisory locks every catalogue write takes: the cache's own table,
    # moved in the transaction of each domain's write.
    "targets/cache/counters.py",
    # procrastinate's own SQL function, called in the caller's transaction (worker/queue.py says why).
    "notifications/worker/queue.py",
}
STATEMENTS = {"select", "update", "delete", "insert", "text"}


def test_statements_are_built_in_repositories() -> None:
    builders = {}
    for spec in SERVICES:
        source = repo_root() / "services" / spec.name / "src" / spec.name
        for path in sorted(source.rglob("*.py")):
            relative = f"{spec.name}/{path.relative_to(source)}"
            if "migrations" in path.parts or path.name in {"repository.py", "models.py"}:
                continue
            calls = {
                ast.unparse(node.func)
                for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.Call) and ast.unparse(node.func) in STATEMENTS
            }
            if calls and relative not in BUILDERS_ELSEWHERE:
                builders[relative] = sorted(calls)
    assert builders == {}
