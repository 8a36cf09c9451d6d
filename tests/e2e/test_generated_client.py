"""A client generated from the platform's OpenAPI document (openapi-python-client, as a frontend or integrator
team would) compiles, imports, and talks to the platform through the gateway with the document's models."""

import datetime as dt
import importlib
import py_compile
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from devstack.paths import repo_root
from devstack.stack import Stack

pytestmark = pytest.mark.e2e

PACKAGE = "thidua_client"
# What the generator cannot express and says so: a body or an answer that is CSV (a district's export, a
# directory or registry import). Any other warning is a part of the document it could not read.
UNSUPPORTED = ("Unsupported content type text/csv", "Unsupported content type application/csv")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("client")
    config = out / "config.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n", encoding="utf-8")
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "openapi-python-client"),
            "generate",
            "--path",
            str(repo_root() / "web" / "openapi.json"),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(out / PACKAGE),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    problems = [
        line
        for line in result.stdout.splitlines()
        if line.startswith(("Unable", "Could not", "Unsupported", "Cannot"))
        and not line.startswith(UNSUPPORTED)
    ]
    assert problems == [], result.stdout
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_every_module_compiles_and_imports(generated: ModuleType) -> None:
    root = Path(generated.__file__ or "").parent
    modules = sorted(root.rglob("*.py"))
    assert len(modules) > 200  # an operation per module, a model per module
    for path in modules:
        py_compile.compile(str(path), doraise=True)
        dotted = ".".join((PACKAGE, *path.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
        importlib.import_module(dotted)


def operation(generated: ModuleType, tag: str, name: str) -> Any:
    return importlib.import_module(f"{generated.__name__}.api.{tag}.{name}")


def test_the_client_calls_the_platform_and_reads_its_models(
    generated: ModuleType, stack: Stack, token: str
) -> None:
    with generated.AuthenticatedClient(base_url=stack.gateway_url, token=token) as client:
        whoami = operation(generated, "identity", "whoami_v1_whoami_get").sync(client=client)
        assert (whoami.subject, whoami.roles) == ("e2e-admin", ["admin"])
        catalogue = operation(generated, "award_catalogue", "list_award_types_v1_award_types_get").sync(
            client=client, at=dt.date(2026, 3, 10), limit=5
        )
        assert len(catalogue.items) == 5
        assert all(isinstance(item.code, str) for item in catalogue.items)
        # A problem is a model too: an unknown code is the document's 404, typed.
        missing = operation(
            generated, "award_catalogue", "get_award_type_v1_award_types_code_get"
        ).sync_detailed(client=client, code="NO_SUCH_AWARD")
    assert missing.status_code == 404
    assert missing.parsed.status == 404
    assert type(missing.parsed).__name__ == "Problem"
