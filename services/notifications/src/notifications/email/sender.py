"""Email over SMTP with aiosmtplib, every failure a :class:`SendFailed`.

:meth:`EmailSender.send` sends one message over a connection of its own; :meth:`EmailSender.connection`
keeps one connection for a deliver job's messages (opened on the first, opened again after any failure, so
what one message did to the session never reaches the next), which saves the connection's set-up and
tear-down (TCP, greeting, EHLO, STARTTLS and AUTH when configured, QUIT) on every message but the first.

The ``Message-ID`` is made from the delivery's id (``<delivery-id@domain>``), so every retry of a delivery
carries the same one and a receiver (or a person) can tell a resend from a second notification.

Which refusals are worth retrying (RFC 5321 §4.2.1, RFC 3463):

* a 4xx reply is transient: retried (421 closing, 450/451 try later, greylisting, 452 full …);
* a 5xx reply is permanent and not retried, except 552 (RFC 5321 §4.5.3.1.10 asks clients to treat it as
  temporary; servers also use it for a full mailbox) and a 5xx whose enhanced status code is of class 4
  (``4.x.x``: the server says it is transient);
* the connection refused, timing out, or closed before the server took the message: retried (the same
  Message-ID goes again, so a message the server did take before the line dropped shows as a resend);
* the server's TLS certificate refused, or a needed extension (STARTTLS, AUTH, SMTPUTF8) missing: not
  retried, since only a change of configuration helps; the delivery can be re-driven after it.
"""

from __future__ import annotations

import asyncio
import binascii
import functools
import re
import ssl
import uuid
from dataclasses import dataclass
from email.header import Header
from email.utils import format_datetime, formataddr
from typing import Any

import aiosmtplib

from notifications.channels import SendFailed
from notifications.config import Settings
from shared import clock

# Permanent (5xx) replies that are transient in practice.
TRANSIENT_PERMANENT_CODES = frozenset({552})
_ENHANCED_STATUS = re.compile(r"^\s*([245])\.\d{1,3}\.\d{1,3}\b")
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """One rendered message for one recipient: what the delivery worker hands the sender."""

    delivery_id: uuid.UUID
    to_address: str
    to_name: str | None
    subject: str
    text: str
    html: str | None
    event_type: str
    language: str


# The message is written out directly, its pieces encoded by the standard library: quoted-printable bodies
# (binascii.b2a_qp), RFC 2047 encoded words (email.header.Header, email.utils.formataddr) and the date
# (email.utils.format_datetime). Built as an EmailMessage it cost 6.5 ms of CPU a message, and 1.6 ms with
# the compat32 API, most of a deliver job's time and more than the SMTP exchange (0.5 ms); written out, about
# a tenth of that (docs/benchmarks.md). Non-ASCII headers go through Header's encoder: the modern folder of
# Python 3.11 to 3.14 leaves the space between two words outside the encoded words (python/cpython#92081,
# #144156), and decoders drop it ("của Nguyễn" arrived as "củaNguyễn"). CRLF, no raw 8-bit anywhere
# (headers encoded, bodies quoted-printable): any server takes it as it is.
CRLF = "\r\n"
MAX_LINE = 78  # RFC 5322 §2.1.1: header lines SHOULD be no longer than 78 characters
# Line breaks and every other control character (RFC 5322 allows none in a header's text) become a space.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]+")
_LINE_ENDS = re.compile(r"\r\n|\r|\n")
_BARE_LF = re.compile(rb"(?<!\r)\n")
# An address as the directory holds it: dot-atom local part and host name (RFC 5322 §3.4.1, no quoted local
# parts or address literals), nothing that could end a header or open another.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@{_LABEL}(?:\.{_LABEL})*")


def _one_line(text: str) -> str:
    return _CONTROLS.sub(" ", text).strip()


def _field(name: str, value: str) -> str:
    """``Name: value``, the value encoded where it is not ASCII and folded at spaces past 78 characters."""
    if value.isascii() and len(name) + 2 + len(value) <= MAX_LINE:
        return f"{name}: {value}"
    charset = "us-ascii" if value.isascii() else "utf-8"
    return f"{name}: {Header(value, charset, header_name=name).encode(linesep=CRLF)}"


@functools.lru_cache(maxsize=256)
def _subject(text: str) -> str:
    # An event's subject is the same for every person of a language: encoded once, not per message.
    return _field("Subject", _one_line(text))


def _address_field(name: str, display_name: str, address: str) -> str:
    # formataddr quotes an ASCII name that needs it ("Trần, A" is a phrase, not two addresses) and writes a
    # non-ASCII one as one encoded word: split in several, Python's own parser (and the mail catcher with
    # it) reads a space into the name where the words join ("Hà Tĩn h").
    return _field(name, formataddr((_one_line(display_name), address), charset="utf-8"))


def _part(body: str, subtype: str) -> str:
    encoded = binascii.b2a_qp(_LINE_ENDS.sub(CRLF, body).encode("utf-8"), istext=True)
    # b2a_qp writes its soft line breaks with the data's first line end, a bare LF in a part that has none:
    # every line end of the input is CRLF by now, so any LF alone is a soft break.
    encoded = _BARE_LF.sub(b"\r\n", encoded)
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}{encoded.decode('ascii')}"
    )


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def is_retryable_reply(code: int, message: str) -> bool:
    """Whether an SMTP refusal is worth retrying (the rules in this module's docstring)."""
    if 400 <= code < 500:
        return True
    if code in TRANSIENT_PERMANENT_CODES:
        return True
    enhanced = _ENHANCED_STATUS.match(message)
    return enhanced is not None and enhanced.group(1) == "4"


def _certificate_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate refusal behind an error, however aiosmtplib wrapped it."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _refused(stage: str, code: int, message: str) -> SendFailed:
    return SendFailed(
        _short(f"The SMTP server refused {stage}: {code} {message}"), is_retryable_reply(code, message)
    )


class EmailSender:
    """Sends :class:`OutgoingEmail` through the configured SMTP server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._tls_context: ssl.SSLContext | None = None
        if settings.smtp_security != "none":
            self._tls_context = ssl.create_default_context(
                cafile=str(settings.smtp_ca_file) if settings.smtp_ca_file else None
            )
        sender = settings.sender_address
        self.mail_from = sender.addr_spec
        self._from = _address_field("From", sender.display_name, sender.addr_spec)
        self._message_id_host = settings.message_id_host

    def message_id(self, delivery_id: uuid.UUID) -> str:
        return f"<{delivery_id}@{self._message_id_host}>"

    def build(self, email: OutgoingEmail) -> bytes:
        """The message as it is sent: UTF-8, plain text and (when given) HTML as alternatives."""
        address = email.to_address
        if not address.isascii():
            # An internationalised address needs SMTPUTF8 all along the way; none is expected here.
            raise SendFailed(f"The address {address!r} is not ASCII; it cannot be sent.", False)
        if _ADDRESS.fullmatch(address) is None:
            raise SendFailed(f"{address!r} is not an email address (user@domain).", False)
        if email.html is None:
            body = _part(email.text, "plain")
        else:
            # "=_" cannot occur in quoted-printable text (a "=" is followed by two hex digits or a line
            # end), so the boundary cannot appear in either part.
            boundary = f"=_{uuid.uuid4().hex}"
            body = (
                f'Content-Type: multipart/alternative;{CRLF} boundary="{boundary}"{CRLF}{CRLF}'
                f"--{boundary}{CRLF}{_part(email.text, 'plain')}{CRLF}"
                f"--{boundary}{CRLF}{_part(email.html, 'html')}{CRLF}"
                f"--{boundary}--{CRLF}"
            )
        head = CRLF.join(
            (
                "MIME-Version: 1.0",
                f"Message-ID: {self.message_id(email.delivery_id)}",
                f"Date: {format_datetime(clock.now())}",
                self._from,
                _address_field("To", email.to_name or "", address),
                _subject(email.subject),
                # RFC 3834: written by a program, so auto-responders and vacation replies stay silent.
                "Auto-Submitted: auto-generated",
                _field("X-Notification-Type", _one_line(email.event_type)),
                _field("Content-Language", _one_line(email.language)),
            )
        )
        return f"{head}{CRLF}{body}".encode("ascii")

    async def send(self, email: OutgoingEmail) -> None:
        """Send one message on a connection of its own; :class:`SendFailed` (with whether a retry may help)
        for every failure."""
        async with self.connection() as connection:
            await connection.send(email)

    def connection(self) -> MailConnection:
        """One connection for several messages: ``async with sender.connection() as c: await c.send(…)``."""
        return MailConnection(self)

    def _client(self) -> aiosmtplib.SMTP:
        settings = self.settings
        return aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            timeout=settings.smtp_timeout_seconds,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            tls_context=self._tls_context,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        )


class MailConnection:
    """An SMTP connection kept across messages; any failure closes it, and the next message opens another.

    A connection handed from one job to the next is checked with NOOP before its first message there (the
    server may have closed it while it waited: an idle timeout): one that fails the check is replaced,
    nothing having been sent on it. A 421 reply (RFC 5321 §3.8: the server is closing the channel, the
    command not done, a message not taken) is answered the same way, once. A line dropped without a reply
    is never sent again by this class: the server may have taken the message, and it is the delivery's
    retry, recorded as an attempt, that sends it again, under the same Message-ID."""

    def __init__(self, sender: EmailSender) -> None:
        self.sender = sender
        self._client: aiosmtplib.SMTP | None = None
        self._check = False  # NOOP before the next message (set when the connection changes hands)
        self._closed = False

    async def __aenter__(self) -> MailConnection:
        return self

    @property
    def is_open(self) -> bool:
        """Connected, and no failure since: fit for the next message."""
        return self._client is not None and self._client.is_connected

    def check_before_use(self) -> None:
        self._check = True

    async def __aexit__(self, *exc_info: object) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    async def send(self, email: OutgoingEmail) -> None:
        """Send one message; :class:`SendFailed` (with whether a retry may help) for every failure. The
        whole of it, connecting and one replacement included, within ``NOTIFICATIONS_SMTP_TIMEOUT_SECONDS``,
        so that a deliver job's lease covers its group's sends (worker/run.py checks it)."""
        sender = self.sender
        message = sender.build(email)  # before connecting: a message that cannot be written never opens one
        settings = sender.settings
        where = f"{settings.smtp_host}:{settings.smtp_port}"
        try:
            async with asyncio.timeout(settings.smtp_timeout_seconds):
                refused = await self._send(email, message, where)
        except TimeoutError:
            self._drop()
            wait = settings.smtp_timeout_seconds
            raise SendFailed(f"The SMTP server {where} did not answer within {wait:g} s.", True) from None
        if refused:
            self._drop()
            recipient, (code, text) = next(iter(refused.items()))
            raise _refused(f"the recipient {recipient}", code, text)

    async def _send(self, email: OutgoingEmail, message: bytes, where: str) -> dict[str, Any]:
        sender, settings = self.sender, self.sender.settings
        replaced = False
        while True:
            if self._closed:
                raise SendFailed("The SMTP connection was closed while its job ended.", True)
            try:
                if self._check and self.is_open:
                    self._check = False
                    await self._noop()
                if self._client is None or not self._client.is_connected:
                    client = sender._client()
                    await client.connect()
                    self._client = client
                refused, _ = await self._client.sendmail(sender.mail_from, [email.to_address], message)
            except (aiosmtplib.SMTPException, OSError) as exc:
                self._drop()
                if not replaced and _closing(exc):
                    replaced = True  # once, on a new connection: the message was not taken
                    continue
                raise _failure(exc, where, settings) from None
            except BaseException:
                self._drop()
                raise
            return dict(refused)

    async def _noop(self) -> None:
        assert self._client is not None  # noqa: S101 - is_open said so
        try:
            await self._client.noop()
        except (aiosmtplib.SMTPException, OSError):
            self._drop()  # closed while it waited: nothing was sent on it; a new one is opened

    def close(self) -> None:
        """Close at once, without QUIT, for good (a connection kept too long, or a job ending)."""
        self._closed = True
        self._drop()

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


def _closing(exc: BaseException) -> bool:
    """421: the server is closing the channel; the command was not done and the message not taken."""
    return isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code == 421


def _failure(exc: aiosmtplib.SMTPException | OSError, where: str, settings: Settings) -> SendFailed:
    """What an SMTP failure means for the delivery: its reason, and whether a retry may help."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        first = exc.recipients[0]
        return _refused(f"the recipient {first.recipient}", first.code, first.message)
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return _refused(f"the sender {exc.sender}", exc.code, exc.message)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return _refused(f"the login as {settings.smtp_username}", exc.code, exc.message)
    if isinstance(exc, aiosmtplib.SMTPDataError):
        return _refused("the message", exc.code, exc.message)
    if isinstance(exc, aiosmtplib.SMTPConnectResponseError):
        return _refused("the connection", exc.code, exc.message)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _refused("a command", exc.code, exc.message)
    if isinstance(exc, aiosmtplib.SMTPTimeoutError):
        wait = settings.smtp_timeout_seconds
        return SendFailed(_short(f"The SMTP server {where} did not answer within {wait:g} s: {exc}"), True)
    certificate = _certificate_error(exc)
    if certificate is not None:
        return SendFailed(
            _short(f"The SMTP server {where}'s certificate was refused: {certificate.verify_message}"), False
        )
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | aiosmtplib.SMTPConnectError | OSError):
        # Refused, reset, or closed mid-message: the server may or may not have taken it.
        return SendFailed(
            _short(f"The connection to the SMTP server {where} failed: {type(exc).__name__}: {exc}"), True
        )
    # STARTTLS, AUTH or SMTPUTF8 not offered, no common login mechanism: only configuration helps.
    return SendFailed(_short(f"The SMTP server {where} cannot do what is configured: {exc}"), False)
