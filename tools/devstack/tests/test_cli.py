import json
import os
from pathlib import Path

import jwt
import pytest

from devstack.bench_notifications import parser
from devstack.cli import main
from devstack.keys import DEV_AUDIENCE, DEV_ISSUER, ensure_dev_keys
from devstack.stack import DEFAULT_CORS_ORIGINS, default_options, gateway_prefix


def test_token_prints_only_a_token_that_verifies_against_the_dev_jwks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEVSTACK_STATE_DIR", str(tmp_path))
    argv = ["token", "--role", "reporter,viewer", "--org-unit", "HT-HUONG-SON", "--sub", "dhis2-hs"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    jwks = json.loads((tmp_path / "keys" / "jwks.json").read_text())
    key = jwt.PyJWKSet.from_dict(jwks).keys[0]
    claims = jwt.decode(out.strip(), key.key, algorithms=["RS256"], audience=DEV_AUDIENCE, issuer=DEV_ISSUER)
    assert claims["roles"] == ["reporter", "viewer"]
    assert claims["org_unit"] == "HT-HUONG-SON"
    assert claims["sub"] == "dhis2-hs"


def test_token_refuses_unknown_roles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEVSTACK_STATE_DIR", str(tmp_path))
    assert main(["token", "--role", "superuser"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "superuser" in captured.err


def test_the_dev_key_is_private_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVSTACK_STATE_DIR", str(tmp_path))
    main(["token", "--role", "admin"])
    private = tmp_path / "keys" / "jwt-private.pem"
    assert private.stat().st_mode & 0o077 == 0
    before = private.read_bytes()
    main(["token", "--role", "admin"])
    assert private.read_bytes() == before


def test_options_come_from_the_documented_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "9090")
    monkeypatch.setenv("SERVICE_PORT_BASE", "9100")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/emulation")
    monkeypatch.delenv("GATEWAY_CORS_ORIGINS", raising=False)
    options = default_options(tmp_path)
    assert options.gateway_port == 9090
    assert options.service_ports == {"targets": 9101, "nominations": 9102, "notifications": 9103}
    assert options.database_url == "postgresql://u:p@db/emulation"
    assert options.cors_origins == DEFAULT_CORS_ORIGINS
    monkeypatch.setenv("GATEWAY_CORS_ORIGINS", "https://a.example,https://b.example")
    assert default_options(tmp_path).cors_origins == ("https://a.example", "https://b.example")


def test_gateway_prefix_moves_out_of_private_directories_when_root(tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    chosen = gateway_prefix(private / "gateway")
    if os.geteuid() == 0:
        assert chosen != private / "gateway"
        assert chosen.stat().st_mode & 0o005 == 0o005
        chosen.rmdir()
    else:
        assert chosen == private / "gateway"


def test_a_service_token_is_a_service_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEVSTACK_STATE_DIR", str(tmp_path))
    assert main(["token", "--service", "nominations"]) == 0
    jwks = json.loads((tmp_path / "keys" / "jwks.json").read_text())
    key = jwt.PyJWKSet.from_dict(jwks).keys[0]
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=DEV_AUDIENCE, issuer=DEV_ISSUER)
    assert (claims["roles"], claims["azp"], claims["sub"]) == (
        ["service"],
        "nominations",
        "service-account-nominations",
    )
    assert "org_unit" not in claims
    assert main(["token", "--service", "targets", "--role", "admin"]) == 2


def test_mint_takes_an_authorized_party_and_its_callers_need_not(tmp_path: Path) -> None:
    keys = ensure_dev_keys(tmp_path / "keys")
    without = jwt.decode(keys.mint(roles=["viewer"], org_unit="HT"), options={"verify_signature": False})
    assert "azp" not in without
    with_azp = jwt.decode(
        keys.mint(roles=["service"], org_unit=None, azp="targets"), options={"verify_signature": False}
    )
    assert with_azp["azp"] == "targets"


def test_bench_notifications_is_listed_and_its_arguments_parse(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as listed:
        main(["--help"])
    assert listed.value.code == 0
    assert "bench-notifications" in capsys.readouterr().out
    args = parser().parse_args(["--output", "out.json", "--mail-sink", "catcher", "--workers", "2"])
    assert (args.output, args.mail_sink, args.workers) == (Path("out.json"), "catcher", 2)
    assert parser().parse_args([]).mail_sink == "counting"
    with pytest.raises(SystemExit) as refused:
        main(["bench-notifications", "--mail-sink", "files"])
    assert refused.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
