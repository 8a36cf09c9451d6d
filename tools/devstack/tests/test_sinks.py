"""The benchmark's counting SMTP server, spoken to by the client the notifications worker uses."""

import asyncio

import aiosmtplib

from devstack.sinks import CountingSMTP, Counts

MESSAGE = b"Subject: x\r\n\r\n.a line that begins with a dot\r\n..\r\nlast line\r\n"


async def test_every_message_is_counted_with_its_recipients_over_one_connection() -> None:
    counts = Counts(verify_every=10)
    server = await asyncio.get_running_loop().create_server(lambda: CountingSMTP(counts), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=5)
        await client.connect()
        for recipients in (["a@hatinh.gov.vn"], ["b@hatinh.gov.vn", "c@hatinh.gov.vn"], ["d@hatinh.gov.vn"]):
            refused, reply = await client.sendmail("thidua@hatinh.gov.vn", recipients, MESSAGE)
            assert (refused, reply) == ({}, "OK: counted")
        assert (await client.execute_command(b"VRFY", b"a")).code == 502
        await client.quit()
    finally:
        server.close()
        await server.wait_closed()
    assert (counts.smtp_messages, counts.smtp_recipients) == (3, 4)
