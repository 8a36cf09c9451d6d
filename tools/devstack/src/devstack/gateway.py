"""Runs the real nginx gateway from ``deploy/gateway`` in a prefix directory of our own.

The configuration is copied unchanged; its environment-specific parts are written by the same
``render-config.sh`` the container runs, so what is tested here is what ships.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from devstack.paths import repo_root


class NginxMissing(RuntimeError):
    pass


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()), None
    )
    if found is None:
        raise NginxMissing(
            "nginx is not installed. `make run` and `make test` install it with apt-get when run as root;"
            " otherwise install it yourself (Debian/Ubuntu: sudo apt-get install nginx-light)."
        )
    return found


@dataclass(frozen=True)
class GatewayConfig:
    listen: str
    upstreams: dict[str, str]
    cors_origins: tuple[str, ...] = ()
    # Proxies in front of the gateway whose X-Forwarded-For names the client (a Kubernetes Ingress).
    trusted_proxies: tuple[str, ...] = ()
    source_dir: Path = field(default_factory=lambda: repo_root() / "deploy" / "gateway")
    web_root: Path = field(default_factory=lambda: repo_root() / "web")


def prepare_prefix(prefix: Path, config: GatewayConfig) -> Path:
    """Copy the configuration into ``prefix/conf``, render its generated parts; return the main file."""
    conf_dir = prefix / "conf"
    if conf_dir.exists():
        shutil.rmtree(conf_dir)
    shutil.copytree(config.source_dir, conf_dir)
    for sub in ("run", "tmp", "logs"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GATEWAY_LISTEN": config.listen,
        "GATEWAY_CORS_ORIGINS": ",".join(config.cors_origins),
        "GATEWAY_TRUSTED_PROXIES": ",".join(config.trusted_proxies),
        "GATEWAY_WEB_ROOT": str(config.web_root),
        **{f"GATEWAY_{name.upper()}_UPSTREAM": address for name, address in config.upstreams.items()},
    }
    subprocess.run(["sh", str(conf_dir / "render-config.sh"), str(conf_dir)], env=env, check=True)
    return conf_dir / "nginx.conf"


def nginx_command(prefix: Path, conf: Path, *extra: str) -> list[str]:
    return [nginx_binary(), "-p", f"{prefix}/", "-c", str(conf), "-e", "stderr", *extra]


def check_config(prefix: Path, conf: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on the prepared configuration."""
    return subprocess.run(nginx_command(prefix, conf, "-t"), capture_output=True, text=True, check=False)
