"""docs/errors.md lists every problem type the services can answer with, and no other."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

from devstack.paths import repo_root
from shared.problems import ProblemError

PACKAGES = ("shared", "targets", "nominations", "notifications")


def _import_everything() -> None:
    for name in PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if ".migrations" not in info.name and not info.name.endswith("__main__"):
                importlib.import_module(info.name)


def _subclasses(cls: type[ProblemError]) -> Iterator[type[ProblemError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def emitted() -> set[str]:
    """Every slug of a ProblemError class, and every slug written as ``problem_type("…")``."""
    _import_everything()
    root = repo_root()
    sources = [root / "shared" / "src", *(root / "services" / name / "src" for name in PACKAGES[1:])]
    slugs = {
        cls.slug
        for cls in _subclasses(ProblemError)
        if cls.slug and any(Path(inspect.getfile(cls)).is_relative_to(source) for source in sources)
    }
    for top in ("shared/src", *(f"services/{name}/src" for name in PACKAGES[1:])):
        for path in (root / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and ast.unparse(node.func) == "problem_type"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    slugs.add(str(node.args[0].value))
    return slugs


def documented() -> set[str]:
    page = (repo_root() / "docs" / "errors.md").read_text()
    rows = [line.split("|")[1] for line in page.splitlines() if re.match(r"^\| `", line)]
    return {slug for cell in rows for slug in re.findall(r"`([a-z0-9-]+)`", cell)}


def test_every_problem_type_is_documented_and_every_documented_one_exists() -> None:
    code, page = emitted(), documented()
    assert code - page == set(), "add these to docs/errors.md"
    assert page - code == set(), "these are documented but no code emits them"
