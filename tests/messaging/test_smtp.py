"""messaging.smtp against a real SMTP server (aiosmtpd in a thread), with PIPELINING advertised or not."""

import smtplib

import pytest

from bench.smtp_sink import SmtpSink

SENDER = "Influence CRM <crm@localhost>"


def _message(number: int, body: str = "Bonjour,\r\nà bientôt.\r\n") -> bytes:
    head = f"Message-ID: <m{number}@test>\r\nSubject: Hello {number}\r\nTo: lea@example.org\r\n\r\n"
    return (head + body).encode()


class Writes:
    """Records each write the client makes on the connection: one per round trip it starts."""

    def __init__(self, connection: smtplib.SMTP):
        self.count = 0
        send = connection.send

        def counted(data):
            self.count += 1
            return send(data)

        connection.send = counted


@pytest.fixture(params=[True, False], ids=["pipelining", "no pipelining"])
def server(request):
    sink = SmtpSink(pipelining=request.param)
    sink.start()
    sink.recorder.contents = []
    yield sink
    sink.stop()


@pytest.fixture
def connection(server):
    client = smtplib.SMTP("127.0.0.1", server.port, timeout=10)
    client.ehlo()
    yield client
    client.close()


def test_a_message_arrives_byte_for_byte_with_its_dots_unstuffed(server, connection):
    from messaging.smtp import sendmail

    body = "Line one\r\n.a line that starts with a dot\r\n..two dots\r\n.\r\nlast line"

    refused = sendmail(connection, SENDER, ["lea@example.org"], _message(1, body))

    assert refused == {}
    assert server.received() == ["<m1@test>"]
    # What the server received is what was sent, its line ends as they were (aiosmtpd keeps the data as bytes).
    assert server.recorder.contents == [_message(1, body + "\r\n")]


def test_with_pipelining_a_message_takes_two_writes_and_four_without(server, connection):
    from messaging.smtp import sendmail

    writes = Writes(connection)
    for number in range(3):
        sendmail(connection, SENDER, ["lea@example.org"], _message(number))

    assert server.received() == ["<m0@test>", "<m1@test>", "<m2@test>"]
    assert server.recorder.sessions() == 1
    # Pipelined: MAIL + RCPT + DATA in one write, the data in another. smtplib: MAIL, RCPT, DATA, the data.
    assert writes.count == (2 if server.recorder.pipelining else 4) * 3


def test_a_refused_recipient_raises_as_sendmail_does_and_the_next_message_goes_over_the_same_connection(
    server, connection
):
    from messaging.smtp import sendmail

    server.recorder.refuse["gone@example.org"] = "550 5.1.1 No such user"

    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        sendmail(connection, SENDER, ["gone@example.org"], _message(1))
    sendmail(connection, SENDER, ["lea@example.org"], _message(2))

    assert refused.value.recipients == {"gone@example.org": (550, b"5.1.1 No such user")}
    assert server.received() == ["<m2@test>"]
    assert server.recorder.sessions() == 1


def test_of_two_recipients_the_refused_one_is_returned_and_the_other_receives_it(server, connection):
    from messaging.smtp import sendmail

    server.recorder.refuse["gone@example.org"] = "550 5.1.1 No such user"

    refused = sendmail(connection, SENDER, ["gone@example.org", "lea@example.org"], _message(1))

    assert refused == {"gone@example.org": (550, b"5.1.1 No such user")}
    assert server.received() == ["<m1@test>"]


def test_a_refused_sender_raises_as_sendmail_does(server, connection):
    from messaging.smtp import sendmail

    server.recorder.refuse_senders["spam@example.org"] = "553 5.7.1 Sender rejected"

    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        sendmail(connection, "spam@example.org", ["lea@example.org"], _message(1))
    sendmail(connection, SENDER, ["lea@example.org"], _message(2))

    assert (refused.value.smtp_code, refused.value.smtp_error) == (553, b"5.7.1 Sender rejected")
    assert server.received() == ["<m2@test>"]
    assert server.recorder.sessions() == 1


def test_a_server_that_went_away_raises_disconnected(server, connection):
    from messaging.smtp import sendmail

    server.stop()

    with pytest.raises((smtplib.SMTPServerDisconnected, ConnectionError)):
        sendmail(connection, SENDER, ["lea@example.org"], _message(1))
