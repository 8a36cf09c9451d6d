"""Real SMTP servers for the email sender's tests: aiosmtpd on 127.0.0.1 (plain, STARTTLS, TLS, with AUTH),
a certificate made for the test, and a scripted server that misbehaves at a chosen moment."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from devstack.stack import free_port
from notifications.config import Settings
from shared import clock
from shared.settings import Environment

USERNAME = "notifications"
PASSWORD = "mật-khẩu-thử"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    login: bytes | None
    peer: object = None  # the client's (host, port): which connection the message came over


@dataclass
class Recorder:
    """An aiosmtpd handler: keeps what arrives; ``reply`` (e.g. ``"451 …"``) refuses the message instead,
    ``rcpt_reply`` refuses the recipient, ``hang`` waits that many seconds before answering the message."""

    reply: str | None = None
    rcpt_reply: str | None = None
    hang: float = 0.0
    messages: list[Received] = field(default_factory=list)
    mechanisms: list[str] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.hang:
            await asyncio.sleep(self.hang)
        if self.reply:
            return self.reply
        login = session.auth_data if isinstance(session.auth_data, bytes) else None
        content = envelope.original_content or b""  # as it came, before any decoding
        self.messages.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), content, login, session.peer)
        )
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        self.mechanisms.append(mechanism)
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == USERNAME.encode()
            and auth_data.password == PASSWORD.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost, made now (valid around the wall clock)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test SMTP")])
    now = clock.wall_now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return Certificate(cert_file, key_file)


@dataclass
class RunningServer:
    port: int
    recorder: Recorder


StartServer = Callable[..., RunningServer]


@pytest.fixture
def smtp_server() -> Iterator[StartServer]:
    """``smtp_server(recorder, **aiosmtpd_options)``: a real SMTP server on 127.0.0.1, stopped afterwards."""
    controllers: list[Controller] = []

    def start(recorder: Recorder | None = None, **options: Any) -> RunningServer:
        recorder = recorder or Recorder()
        port = free_port()
        controller = Controller(
            recorder, hostname="127.0.0.1", port=port, authenticator=recorder.authenticate, **options
        )
        controller.start()
        controllers.append(controller)
        return RunningServer(port, recorder)

    yield start
    for controller in controllers:
        controller.stop()


Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def close_mid_data(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A server that takes the first bytes of the message, then drops the line."""
    writer.write(b"220 test ESMTP\r\n")
    while line := await reader.readline():
        if line.upper().startswith(b"EHLO"):
            writer.write(b"250-test\r\n250 8BITMIME\r\n")
        elif line.upper().startswith(b"DATA"):
            writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            await writer.drain()
            await reader.read(100)
            writer.close()
            return
        else:
            writer.write(b"250 OK\r\n")
        await writer.drain()


@pytest.fixture
async def scripted_server() -> AsyncIterator[Callable[[Script], Awaitable[int]]]:
    """``await scripted_server(script)``: a TCP server on 127.0.0.1 whose every connection runs ``script``."""
    servers: list[asyncio.Server] = []
    writers: list[asyncio.StreamWriter] = []

    async def start(script: Script) -> int:
        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.append(writer)
            try:
                await script(reader, writer)
            except ConnectionError:
                pass  # the client went away first
            finally:
                writer.close()

        port = free_port()
        servers.append(await asyncio.start_server(connection, "127.0.0.1", port))
        return port

    yield start
    for server in servers:
        server.close()
    for writer in writers:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    for server in servers:
        await server.wait_closed()


@pytest.fixture(scope="session")
def make_settings(jwks_file: Path) -> Callable[..., Settings]:
    """Settings of the notifications service with the given SMTP options (no database is reached)."""

    def make(**options: Any) -> Settings:
        base: dict[str, Any] = {
            "environment": Environment.TEST,
            "database_url": SecretStr("postgresql://unused@127.0.0.1:1/unused"),
            "jwks_file": jwks_file,
        }
        return Settings(**(base | options))

    return make
