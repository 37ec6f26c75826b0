"""The dispatch benchmark's own SMTP sink (bench.fast_sink): real SMTP over a socket, from smtplib and Django.

One sink process for the module; each test reads only what it added to what the sink received.
"""

import smtplib

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from bench.fast_sink import FastSink, message_id, unstuff


@pytest.fixture(scope="module")
def sink():
    sink = FastSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp(sink):
    before = len(sink.received())
    client = smtplib.SMTP("127.0.0.1", sink.port, timeout=10)
    client.new = lambda: sink.received()[before:]  # what this test's messages added
    yield client
    client.close()


def mail(number: int, body: str = "Hello.\r\n") -> bytes:
    return f"From: a@crm.example\r\nTo: b@x.example\r\nMessage-ID: <m{number}@crm.example>\r\n\r\n{body}".encode()


def test_several_messages_over_one_connection_are_each_recorded_once_in_order(smtp):
    assert smtp.ehlo()[0] == 250
    assert smtp.esmtp_features == {"pipelining": "", "8bitmime": "", "size": str(32 * 1024 * 1024)}
    for n in range(3):
        assert smtp.sendmail("a@crm.example", ["b@x.example", "c@x.example"], mail(n)) == {}
    assert smtp.quit() == (221, b"Bye")

    assert smtp.new() == ["<m0@crm.example>", "<m1@crm.example>", "<m2@crm.example>"]


def test_pipelined_commands_are_answered_in_order_as_the_outbox_sends_them(smtp):
    from messaging.smtp import sendmail

    smtp.ehlo()
    # Two recipients: MAIL, RCPT, RCPT and DATA in one write, then the data; and again on the same connection.
    for n in (20, 21):
        assert sendmail(smtp, "a@crm.example", ["b@x.example", "c@x.example"], mail(n)) == {}
    smtp.send("MAIL FROM:<a@crm.example>\r\nDATA\r\nRSET\r\nNOOP\r\n")

    assert [smtp.getreply()[0] for _command in range(4)] == [250, 503, 250, 250]  # DATA before any RCPT: 503
    assert smtp.new() == ["<m20@crm.example>", "<m21@crm.example>"]


def test_lines_starting_with_a_dot_do_not_end_the_data_early(smtp):
    # smtplib doubles each leading '.', so the lone '.' line below travels as '..' and ends nothing.
    body = ".\r\n..\r\n.signature\r\nMessage-ID: <body@crm.example>\r\n.\r\n"
    assert smtp.sendmail("a@crm.example", ["b@x.example"], mail(10, body)) == {}
    assert smtp.sendmail("a@crm.example", ["b@x.example"], mail(11)) == {}

    assert smtp.new() == ["<m10@crm.example>", "<m11@crm.example>"]


def test_a_message_whose_first_line_starts_with_a_dot_keeps_its_message_id(smtp):
    raw = b".Preface: dotted\r\nMessage-ID: <dotted@crm.example>\r\n\r\nHi.\r\n"
    assert smtp.sendmail("a@crm.example", ["b@x.example"], raw) == {}

    assert smtp.new() == ["<dotted@crm.example>"]


def test_rset_mid_transaction_forgets_sender_and_recipients(smtp):
    smtp.ehlo()
    assert smtp.mail("a@crm.example") == (250, b"OK")
    assert smtp.rcpt("b@x.example") == (250, b"OK")
    assert smtp.rset() == (250, b"OK")
    assert smtp.docmd("DATA") == (503, b"Error: need RCPT command")
    assert smtp.rcpt("b@x.example") == (503, b"Error: need MAIL command")
    assert smtp.sendmail("a@crm.example", ["b@x.example"], mail(20)) == {}

    assert smtp.new() == ["<m20@crm.example>"]


def test_commands_out_of_sequence_or_unknown_are_refused_and_the_session_goes_on(smtp):
    assert smtp.docmd("MAIL", "FROM:<a@crm.example>") == (503, b"Error: send HELO first")
    assert smtp.helo("client.example") == (250, b"bench-sink")
    assert smtp.docmd("RCPT", "TO:<b@x.example>") == (503, b"Error: need MAIL command")
    assert smtp.docmd("DATA") == (503, b"Error: need RCPT command")
    assert smtp.docmd("MAIL", "FROM:<a@crm.example>") == (250, b"OK")
    assert smtp.docmd("MAIL", "FROM:<a@crm.example>") == (503, b"Error: nested MAIL command")
    assert smtp.docmd("MAIL", "TO:<a@crm.example>") == (503, b"Error: nested MAIL command")
    assert smtp.docmd("RCPT", "FROM:<b@x.example>") == (501, b"Syntax: RCPT TO:<address>")
    assert smtp.docmd("VRFY", "b@x.example") == (500, b'Error: command "VRFY" not recognized')
    assert smtp.docmd("NOOP") == (250, b"OK")
    assert smtp.rset() == (250, b"OK")
    assert smtp.docmd("MAIL", "FROM:<a@crm.example> SIZE=x") == (501, b"Syntax: SIZE=<number>")
    assert smtp.docmd("MAIL", f"FROM:<a@crm.example> SIZE={32 * 1024 * 1024 + 1}") == (
        552,
        b"Error: message size exceeds fixed maximum message size",
    )
    assert smtp.quit() == (221, b"Bye")

    assert smtp.new() == []


def test_django_smtp_backend_delivers_through_it(sink):
    before = len(sink.received())
    backend = EmailBackend(host="127.0.0.1", port=sink.port, use_tls=False, timeout=10)
    messages = [
        EmailMessage("Sujet é", "Corps\n.\n", "a@crm.example", ["b@x.example"], headers={"Message-ID": f"<d{n}@x>"})
        for n in range(2)
    ]

    assert backend.send_messages(messages) == 2
    assert sink.received()[before:] == ["<d0@x>", "<d1@x>"]


def test_unstuff_removes_one_leading_dot_from_each_line_that_has_one():
    assert unstuff(b"..a\r\nb\r\n...\r\n..\r\nc.\r\n") == b".a\r\nb\r\n..\r\n.\r\nc.\r\n"


def test_message_id_is_read_from_the_header_block_only_whatever_its_case_or_folding():
    assert message_id(b"Subject: x\r\nmessage-ID:\r\n <a@b>\r\n\r\nMessage-ID: <body@b>\r\n") == b"<a@b>"
    assert message_id(b"Subject: x\r\n\r\nMessage-ID: <body@b>\r\n") == b""
    assert message_id(b"X-Message-ID: <no@b>\r\n\r\n") == b""
