"""The email sender against real SMTP servers on 127.0.0.1: what arrives, TLS and login, and every way a
server fails, each a SendFailed that says whether a retry can help."""

from __future__ import annotations

import asyncio
import email
import email.policy
import uuid
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest

from devstack.stack import free_port
from notifications.channels import SendFailed
from notifications.config import Settings
from notifications.email.sender import EmailSender, OutgoingEmail
from services.notifications.tests.email.conftest import (
    PASSWORD,
    USERNAME,
    Certificate,
    Recorder,
    Script,
    StartServer,
    close_mid_data,
)
from shared import clock

SUBJECT = "Hồ sơ đề nghị khen thưởng của Nguyễn Thị Hương đã được trả lại để bổ sung"
TEXT = "Kính gửi đồng chí,\n\nHồ sơ đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh đã được trả lại.\n"
HTML = "<p>Kính gửi đồng chí,</p><p>Hồ sơ đề nghị tặng <b>Bằng khen</b> đã được trả lại.</p>"
MakeSettings = Callable[..., Settings]
StartScripted = Callable[[Script], Awaitable[int]]


def outgoing(delivery_id: uuid.UUID | None = None, **changes: object) -> OutgoingEmail:
    fields: dict[str, object] = {
        "delivery_id": delivery_id or uuid.uuid4(),
        "to_address": "huong.nt@thachha.hatinh.gov.vn",
        "to_name": "Nguyễn Thị Hương",
        "subject": SUBJECT,
        "text": TEXT,
        "html": HTML,
        "event_type": "nomination.returned",
        "language": "vi",
    }
    fields.update(changes)
    return OutgoingEmail(**fields)  # type: ignore[arg-type]


def parsed(content: bytes) -> EmailMessage:
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


async def failure(sender: EmailSender, message: OutgoingEmail | None = None) -> SendFailed:
    with pytest.raises(SendFailed) as caught:
        await sender.send(message or outgoing())
    return caught.value


async def test_a_message_arrives_with_its_headers_and_both_parts(
    smtp_server: StartServer, make_settings: MakeSettings
) -> None:
    server = smtp_server()
    delivery_id = uuid.uuid4()
    await EmailSender(make_settings(smtp_port=server.port)).send(outgoing(delivery_id))

    [received] = server.recorder.messages
    assert received.mail_from == "thiduakhenthuong@hatinh.gov.vn"
    assert received.rcpt_tos == ["huong.nt@thachha.hatinh.gov.vn"]
    head = received.content.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # every header is encoded (RFC 2047), none is raw UTF-8
    message = parsed(received.content)
    assert message["Subject"] == SUBJECT
    assert message["From"].addresses[0].display_name == "Ban Thi đua - Khen thưởng tỉnh Hà Tĩnh"
    assert message["From"].addresses[0].addr_spec == "thiduakhenthuong@hatinh.gov.vn"
    assert message["To"].addresses[0].display_name == "Nguyễn Thị Hương"
    assert message["To"].addresses[0].addr_spec == "huong.nt@thachha.hatinh.gov.vn"
    assert message["Message-ID"] == f"<{delivery_id}@hatinh.gov.vn>"
    assert parsedate_to_datetime(message["Date"]) == clock.now().replace(microsecond=0)
    assert message["Content-Language"] == "vi"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    plain, html = (part for part in message.iter_parts() if isinstance(part, EmailMessage))
    assert (plain.get_content_type(), plain.get_content_charset()) == ("text/plain", "utf-8")
    assert plain.get_content().replace("\r\n", "\n") == TEXT
    assert (html.get_content_type(), html.get_content_charset()) == ("text/html", "utf-8")
    assert html.get_content().strip() == HTML


async def test_the_message_id_is_the_same_on_every_retry_of_a_delivery(
    smtp_server: StartServer, make_settings: MakeSettings
) -> None:
    server = smtp_server()
    sender = EmailSender(make_settings(smtp_port=server.port, message_id_domain="thidua.hatinh.gov.vn"))
    delivery_id = uuid.uuid4()
    await sender.send(outgoing(delivery_id))
    with clock.pinned(clock.now().replace(hour=9)):
        await sender.send(outgoing(delivery_id))
    await sender.send(outgoing())

    ids = [parsed(received.content)["Message-ID"] for received in server.recorder.messages]
    assert ids[0] == ids[1] == f"<{delivery_id}@thidua.hatinh.gov.vn>"
    assert ids[2] != ids[0]


async def test_a_text_only_message_is_not_multipart(
    smtp_server: StartServer, make_settings: MakeSettings
) -> None:
    server = smtp_server()
    await EmailSender(make_settings(smtp_port=server.port)).send(
        outgoing(html=None, to_name=None, language="en")
    )

    message = parsed(server.recorder.messages[0].content)
    assert message.get_content_type() == "text/plain"
    assert message.get_content().replace("\r\n", "\n") == TEXT
    assert message["To"] == "huong.nt@thachha.hatinh.gov.vn"
    assert message["Content-Language"] == "en"


async def test_what_is_hard_to_write_arrives_exactly_as_it_was_written(
    smtp_server: StartServer, make_settings: MakeSettings
) -> None:
    """The message is written out by hand from the standard library's encoders: every awkward piece of it
    goes through a real SMTP server and is read back by the standard parser unchanged."""
    subject = (
        "Thông báo kết quả xét tặng danh hiệu Chiến sĩ thi đua cơ sở năm 2026 của Ủy ban nhân dân huyện "
        "Thạch Hà, tỉnh Hà Tĩnh (đợt 2)"
    )
    text = (
        ". A line that begins with a dot (SMTP's end-of-data marker)\n"
        "a = b, 100% =3D, trailing spaces   \n"
        + "Dòng rất dài " * 20
        + "\r\nA line ended the old Mac way\rand the last line has no line end"
    )
    html = '<p style="color:#666">=?utf-8?q?not-a-header?= ' + "ễ" * 120 + "</p>"
    server = smtp_server()
    await EmailSender(make_settings(smtp_port=server.port)).send(
        outgoing(subject=subject, text=text, html=html, to_name='Trần "Bé", Phòng (A)\r\nBcc: x@y')
    )

    [received] = server.recorder.messages
    lines = received.content.decode("ascii").split("\r\n")  # 7-bit throughout
    head, body = lines[: lines.index("")], lines[lines.index("") :]
    assert max(len(line) for line in body) <= 76  # RFC 2045 §6.7: quoted-printable lines, soft-broken
    subject_lines = head[[line.split(":")[0] for line in head].index("Subject") :][:4]
    assert all(len(line) <= 78 for line in subject_lines)  # RFC 5322 §2.1.1: folded
    assert "Bcc" not in {line.split(":")[0] for line in head}
    message = parsed(received.content)
    assert message["Subject"] == subject
    assert message["To"].addresses[0].display_name == 'Trần "Bé", Phòng (A) Bcc: x@y'
    plain, rich = (part for part in message.iter_parts() if isinstance(part, EmailMessage))
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert plain.get_content().replace("\r\n", "\n") == expected
    assert rich.get_content() == html


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
async def test_starttls_and_login(
    smtp_server: StartServer, make_settings: MakeSettings, certificate: Certificate, mechanism: str
) -> None:
    server = smtp_server(
        tls_context=certificate.server_context(),
        require_starttls=True,
        auth_required=True,
        auth_exclude_mechanism={"PLAIN", "LOGIN"} - {mechanism},
    )
    settings = make_settings(
        smtp_port=server.port,
        smtp_security="starttls",
        smtp_ca_file=certificate.cert_file,
        smtp_username=USERNAME,
        smtp_password=PASSWORD,
    )
    await EmailSender(settings).send(outgoing())

    assert server.recorder.mechanisms == [mechanism]
    [received] = server.recorder.messages
    assert received.login == USERNAME.encode()
    assert parsed(received.content)["Subject"] == SUBJECT


async def test_tls_from_the_start(
    smtp_server: StartServer, make_settings: MakeSettings, certificate: Certificate
) -> None:
    server = smtp_server(ssl_context=certificate.server_context())
    settings = make_settings(smtp_port=server.port, smtp_security="tls", smtp_ca_file=certificate.cert_file)
    await EmailSender(settings).send(outgoing())
    assert len(server.recorder.messages) == 1


async def test_a_wrong_password_is_not_retried(
    smtp_server: StartServer, make_settings: MakeSettings, certificate: Certificate
) -> None:
    server = smtp_server(tls_context=certificate.server_context(), require_starttls=True, auth_required=True)
    settings = make_settings(
        smtp_port=server.port,
        smtp_security="starttls",
        smtp_ca_file=certificate.cert_file,
        smtp_username=USERNAME,
        smtp_password="wrong",
    )
    failed = await failure(EmailSender(settings))
    assert not failed.retryable
    assert "535" in failed.reason
    assert f"login as {USERNAME}" in failed.reason
    assert "wrong" not in failed.reason
    assert server.recorder.messages == []


async def test_an_untrusted_certificate_is_refused_and_not_retried(
    smtp_server: StartServer, make_settings: MakeSettings, certificate: Certificate
) -> None:
    server = smtp_server(tls_context=certificate.server_context(), require_starttls=True)
    failed = await failure(EmailSender(make_settings(smtp_port=server.port, smtp_security="starttls")))
    assert not failed.retryable
    assert "certificate" in failed.reason
    assert server.recorder.messages == []


async def test_starttls_that_the_server_does_not_offer_is_not_retried(
    smtp_server: StartServer, make_settings: MakeSettings, certificate: Certificate
) -> None:
    server = smtp_server()
    settings = make_settings(
        smtp_port=server.port, smtp_security="starttls", smtp_ca_file=certificate.cert_file
    )
    failed = await failure(EmailSender(settings))
    assert not failed.retryable
    assert "STARTTLS" in failed.reason
    assert server.recorder.messages == []


async def test_a_login_that_the_server_does_not_offer_is_not_retried(
    smtp_server: StartServer, make_settings: MakeSettings
) -> None:
    server = smtp_server()  # AUTH only after TLS, as aiosmtpd and most servers do
    settings = make_settings(smtp_port=server.port, smtp_username=USERNAME, smtp_password=PASSWORD)
    failed = await failure(EmailSender(settings))
    assert not failed.retryable
    assert "AUTH" in failed.reason
    assert PASSWORD not in failed.reason
    assert server.recorder.messages == []


@pytest.mark.parametrize(
    ("recorder", "retryable", "quoted"),
    [
        pytest.param(
            Recorder(reply="451 4.3.0 Try again later"), True, "451 4.3.0 Try again later", id="451"
        ),
        pytest.param(Recorder(reply="421 4.7.0 Closing"), True, "421", id="421"),
        pytest.param(Recorder(reply="550 5.7.1 Message rejected"), False, "550 5.7.1", id="550"),
        pytest.param(Recorder(reply="552 5.2.2 Mailbox full"), True, "552", id="552-mailbox-full"),
        pytest.param(Recorder(reply="554 4.7.1 Try later"), True, "554 4.7.1", id="5xx-with-4.x.x"),
        pytest.param(Recorder(rcpt_reply="550 5.1.1 No such user"), False, "recipient", id="rcpt-550"),
        pytest.param(Recorder(rcpt_reply="450 4.2.1 Greylisted"), True, "Greylisted", id="rcpt-450"),
    ],
)
async def test_a_refusal_says_whether_to_retry(
    smtp_server: StartServer, make_settings: MakeSettings, recorder: Recorder, retryable: bool, quoted: str
) -> None:
    server = smtp_server(recorder)
    failed = await failure(EmailSender(make_settings(smtp_port=server.port)))
    assert failed.retryable is retryable
    assert quoted in failed.reason
    assert failed.reason.startswith("The SMTP server refused")
    assert server.recorder.messages == []


async def test_a_server_that_hangs_after_the_message_times_out(
    smtp_server: StartServer, make_settings: MakeSettings
) -> None:
    server = smtp_server(Recorder(hang=5))
    started = asyncio.get_running_loop().time()
    failed = await failure(EmailSender(make_settings(smtp_port=server.port, smtp_timeout_seconds=0.5)))
    assert asyncio.get_running_loop().time() - started < 3
    assert failed.retryable
    assert "did not answer within 0.5 s" in failed.reason


async def test_a_server_that_never_greets_times_out(
    scripted_server: StartScripted, make_settings: MakeSettings
) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up

    port = await scripted_server(silent)
    failed = await failure(EmailSender(make_settings(smtp_port=port, smtp_timeout_seconds=0.5)))
    assert failed.retryable
    assert "did not answer" in failed.reason


async def test_a_connection_closed_in_the_middle_of_data_is_retried(
    scripted_server: StartScripted, make_settings: MakeSettings
) -> None:
    port = await scripted_server(close_mid_data)
    failed = await failure(EmailSender(make_settings(smtp_port=port, smtp_timeout_seconds=2)))
    assert failed.retryable
    assert f"127.0.0.1:{port}" in failed.reason


async def test_a_refused_connection_is_retried(make_settings: MakeSettings) -> None:
    port = free_port()
    failed = await failure(EmailSender(make_settings(smtp_port=port, smtp_timeout_seconds=2)))
    assert failed.retryable
    assert f"The connection to the SMTP server 127.0.0.1:{port} failed" in failed.reason


@pytest.mark.parametrize("address", ["not-an-address", "a@b\r\nBcc: x@y", "<a@b>"])
async def test_a_bad_address_is_refused_before_connecting(make_settings: MakeSettings, address: str) -> None:
    failed = await failure(EmailSender(make_settings(smtp_port=free_port())), outgoing(to_address=address))
    assert not failed.retryable
    assert "address" in failed.reason


def test_a_long_single_line_part_is_soft_broken_with_crlf(make_settings: MakeSettings) -> None:
    """binascii writes soft line breaks with the data's first line end: a part with none got bare LFs."""
    built = EmailSender(make_settings()).build(
        outgoing(text="Kính gửi " * 40, html="<p>" + "ễ" * 60 + "</p>")
    )
    assert b"\n" not in built.replace(b"\r\n", b"")
    assert parsed(built).get_body(("plain",)).get_content() == "Kính gửi " * 40  # type: ignore[union-attr]


def test_control_characters_never_reach_a_header(make_settings: MakeSettings) -> None:
    built = EmailSender(make_settings()).build(
        outgoing(subject="Hồ sơ\x00số\x0b42\x7f", to_name="Trần\x1bVăn", event_type="nomination.returned")
    )
    head = built.split(b"\r\n\r\n", 1)[0]
    assert not any((byte < 0x20 and byte not in b"\r\n") or byte == 0x7F for byte in head)
    message = parsed(built)
    assert message["Subject"] == "Hồ sơ số 42"
    assert message["To"].addresses[0].display_name == "Trần Văn"


def serving(
    taken: list[bytes],
    after_message: Callable[[int], bytes | None],
    then: dict[bytes, bytes | None] | None = None,
) -> Script:
    """A server that takes messages; after the n-th (counted over all connections) it writes
    ``after_message(n)`` as the reply to the message's end, or drops the line without one (None). ``then``:
    how a connection that has taken a message answers the next command of these verbs (None: no answer),
    before it hangs up: a server that has closed the connection meanwhile, as the client will find it."""

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 test ESMTP\r\n")
        took = False
        while line := await reader.readline():
            verb = line[:4].upper()
            if took and then is not None and verb in then:
                answer = then[verb]
                if answer is not None:
                    writer.write(answer)
                    await writer.drain()
                return
            if verb == b"EHLO":
                writer.write(b"250-test\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go on\r\n")
                await writer.drain()
                taken.append(await reader.readuntil(b"\r\n.\r\n"))
                took = True
                reply = after_message(len(taken))
                if reply is None:
                    return  # the line dropped: did the message go? the client cannot tell
                writer.write(reply)
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                return
            else:
                writer.write(b"250 OK\r\n")
            await writer.drain()

    return script


def taking(n: int) -> bytes:
    return b"250 taken\r\n"


async def test_a_kept_connection_the_server_closes_with_421_is_replaced_without_failing_the_message(
    scripted_server: StartScripted, make_settings: MakeSettings
) -> None:
    """A server that takes one message per connection, then answers the next MAIL with 421 and hangs up:
    the second message goes over a new connection, not back as a failed attempt."""
    taken: list[bytes] = []
    closing = b"421 4.7.0 one message per connection, closing\r\n"
    port = await scripted_server(serving(taken, taking, then={b"MAIL": closing}))
    sender = EmailSender(make_settings(smtp_port=port, smtp_timeout_seconds=2))
    async with sender.connection() as connection:
        await connection.send(outgoing(subject="first"))
        await connection.send(outgoing(subject="second"))  # 421 on the kept one: sent on a new one
    assert [b"Subject: first" in data for data in taken] == [True, False]
    assert b"Subject: second" in taken[1]


async def test_a_connection_closed_while_it_waited_is_checked_and_replaced(
    scripted_server: StartScripted, make_settings: MakeSettings
) -> None:
    """Handed to the next job, a kept connection is checked with NOOP first: here the server has gone
    (NOOP answered 421; a MAIL would have met a dropped line, a failed attempt), so a new one is opened."""
    taken: list[bytes] = []
    gone = {b"NOOP": b"421 4.4.2 idle too long, closing\r\n", b"MAIL": None}
    port = await scripted_server(serving(taken, taking, then=gone))
    sender = EmailSender(make_settings(smtp_port=port, smtp_timeout_seconds=2))
    async with sender.connection() as connection:
        await connection.send(outgoing(subject="first"))
        connection.check_before_use()  # handed to the next job
        await connection.send(outgoing(subject="second"))
    assert [b"Subject: first" in taken[0], b"Subject: second" in taken[1]] == [True, True]


async def test_a_line_dropped_after_the_message_is_not_sent_again_by_the_connection(
    scripted_server: StartScripted, make_settings: MakeSettings
) -> None:
    """The server may have taken it: the delivery's retry sends it again (an attempt on record), not the
    connection behind its back."""
    taken: list[bytes] = []
    port = await scripted_server(serving(taken, lambda n: b"250 taken\r\n" if n == 1 else None))
    sender = EmailSender(make_settings(smtp_port=port, smtp_timeout_seconds=2))
    async with sender.connection() as connection:
        await connection.send(outgoing(subject="first"))
        with pytest.raises(SendFailed) as caught:
            await connection.send(outgoing(subject="second"))
    assert caught.value.retryable
    assert len(taken) == 2  # the second once, not twice


async def test_a_whole_message_is_bounded_by_the_timeout_however_many_steps(
    scripted_server: StartScripted, make_settings: MakeSettings
) -> None:
    """Each step answers within the timeout, the message as a whole does not."""

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 test ESMTP\r\n")
        while line := await reader.readline():
            await asyncio.sleep(0.3)
            writer.write(b"250-test\r\n250 8BITMIME\r\n" if line[:4].upper() == b"EHLO" else b"250 OK\r\n")
            await writer.drain()

    port = await scripted_server(slow)
    failed = await failure(EmailSender(make_settings(smtp_port=port, smtp_timeout_seconds=1)))
    assert failed.retryable
    assert failed.reason == f"The SMTP server 127.0.0.1:{port} did not answer within 1 s."
