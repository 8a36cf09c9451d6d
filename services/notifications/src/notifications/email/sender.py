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

import re
import ssl
import uuid
from dataclasses import dataclass
from email.charset import QP, Charset
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import format_datetime, formataddr
from typing import cast

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


# The message is built with the legacy (compat32) API: the modern one (EmailMessage, header objects parsed on
# every assignment) cost 6.5 ms a message, most of a deliver job's time; this one about a quarter of that.
# Headers with non-ASCII text are written by :class:`email.header.Header`'s encoder (the modern folder of
# Python 3.11 to 3.14 leaves the space between two words outside the encoded words, python/cpython#92081,
# #144156, and decoders drop it: "của Nguyễn" arrived as "củaNguyễn"); a display name is one encoded word
# (:func:`email.utils.formataddr`). CRLF, no raw 8-bit anywhere (headers encoded, bodies quoted-printable):
# any server takes it as it is.
POLICY = compat32.clone(linesep="\r\n")
_QUOTED_PRINTABLE = Charset("utf-8")
_QUOTED_PRINTABLE.body_encoding = QP
_LINE_BREAKS = re.compile(r"[\r\n]+")


def _text(body: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype, policy=POLICY, charset="utf-8")
    part.set_payload(body, _QUOTED_PRINTABLE)
    return part


def _header(text: str) -> str:
    # compat32 takes a Header as a header's value (typeshed has only str): written as encoded words.
    return text if text.isascii() else cast(str, Header(text, "utf-8", header_name="Subject"))


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text).strip()


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

    def message_id(self, delivery_id: uuid.UUID) -> str:
        return f"<{delivery_id}@{self.settings.message_id_host}>"

    def build(self, email: OutgoingEmail) -> Message:
        """The message as it is sent: UTF-8, plain text and (when given) HTML as alternatives."""
        if not email.to_address.isascii():
            # An internationalised address needs SMTPUTF8 all along the way; none is expected here.
            raise SendFailed(f"The address {email.to_address!r} is not ASCII; it cannot be sent.", False)
        try:
            to = Address(display_name=_one_line(email.to_name or ""), addr_spec=email.to_address)
        except (ValueError, IndexError, HeaderParseError) as exc:  # what the header registry's parser raises
            raise SendFailed(f"The address {email.to_address!r} cannot be written: {exc}", False) from None
        if not to.username or not to.domain or any(char in email.to_address for char in "\r\n<>\t "):
            raise SendFailed(f"{email.to_address!r} is not an email address (user@domain).", False)
        if email.html is None:
            message: Message = _text(email.text, "plain")
        else:
            message = MIMEMultipart("alternative", policy=POLICY)
            message.attach(_text(email.text, "plain"))
            message.attach(_text(email.html, "html"))
        message["Message-ID"] = self.message_id(email.delivery_id)
        message["Date"] = format_datetime(clock.now())
        sender = self.settings.sender_address
        message["From"] = formataddr((sender.display_name, sender.addr_spec), charset="utf-8")
        message["To"] = formataddr((to.display_name, to.addr_spec), charset="utf-8")
        message["Subject"] = _header(_one_line(email.subject))
        # RFC 3834: written by a program, so auto-responders and vacation replies stay silent.
        message["Auto-Submitted"] = "auto-generated"
        message["X-Notification-Type"] = email.event_type
        message["Content-Language"] = email.language
        return message

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
    """An SMTP connection kept across messages; any failure closes it, and the next message opens another."""

    def __init__(self, sender: EmailSender) -> None:
        self.sender = sender
        self._client: aiosmtplib.SMTP | None = None

    async def __aenter__(self) -> MailConnection:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    async def send(self, email: OutgoingEmail) -> None:
        """Send one message; :class:`SendFailed` (with whether a retry may help) for every failure."""
        sender = self.sender
        message = sender.build(email)
        settings = sender.settings
        where = f"{settings.smtp_host}:{settings.smtp_port}"
        try:
            if self._client is None or not self._client.is_connected:
                client = sender._client()
                await client.connect()
                self._client = client
            refused, _ = await self._client.sendmail(
                settings.sender_address.addr_spec, [email.to_address], message.as_bytes()
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._drop()
            raise _failure(exc, where, settings) from None
        except BaseException:
            self._drop()
            raise
        if refused:
            self._drop()
            recipient, (code, text) = next(iter(refused.items()))
            raise _refused(f"the recipient {recipient}", code, text)

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


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
