"""One message over an open SMTP connection, its commands pipelined when the server allows it (RFC 2920).

smtplib's sendmail sends MAIL, RCPT and DATA one at a time and waits for each answer, then the data: four round
trips a message, each a turn of the server. A server that advertises PIPELINING (Postfix, Exim and most relays
do) takes MAIL, RCPT and DATA in one write and answers them in order; the data follows once DATA said 354: two
round trips. A server that does not advertise it gets smtplib's sendmail. Refusals raise the exceptions sendmail
raises, after the transaction is reset (or the connection closed on a 421), so a batch goes on or reconnects as
it does with sendmail.
"""

import contextlib
import functools
import re
import smtplib

LEADING_DOT = re.compile(rb"(?m)^\.")


def sendmail(connection: smtplib.SMTP, sender: str, recipients: list[str], data: bytes) -> dict:
    """Send `data` (bytes, CRLF line ends) to `recipients`; returns the refused ones, as sendmail does."""
    connection.ehlo_or_helo_if_needed()
    if not connection.has_extn("pipelining"):
        return connection.sendmail(sender, recipients, data)
    size = f" SIZE={len(data)}" if connection.has_extn("size") else ""
    commands = [f"MAIL FROM:{_quoted(sender)}{size}", *(f"RCPT TO:{_quoted(r)}" for r in recipients), "DATA"]
    connection.send("".join(f"{command}\r\n" for command in commands))
    mail = connection.getreply()
    rcpts = [connection.getreply() for _recipient in recipients]
    data_reply = connection.getreply()
    refused = {r: reply for r, reply in zip(recipients, rcpts, strict=True) if reply[0] not in (250, 251)}
    if data_reply[0] == 354 and (mail[0] != 250 or len(refused) == len(recipients)):
        # A server should refuse DATA without a sender or a recipient (RFC 2920 3.1); one that did not gets an
        # empty message, which it refuses in turn.
        connection.send(b".\r\n")
        connection.getreply()
    if mail[0] != 250:
        _abandon(connection, mail[0])
        raise smtplib.SMTPSenderRefused(*mail, sender)
    if len(refused) == len(recipients):
        _abandon(connection, next(iter(refused.values()))[0])
        raise smtplib.SMTPRecipientsRefused(refused)
    if data_reply[0] != 354:
        _abandon(connection, data_reply[0])
        raise smtplib.SMTPDataError(*data_reply)
    payload = LEADING_DOT.sub(b"..", data)
    if not payload.endswith(b"\r\n"):
        payload += b"\r\n"
    connection.send(payload + b".\r\n")
    code, message = connection.getreply()
    if code != 250:
        _abandon(connection, code)
        raise smtplib.SMTPDataError(code, message)
    return refused


@functools.lru_cache(maxsize=64)  # the same sender for every message
def _quoted(address: str) -> str:
    return smtplib.quoteaddr(address)


def _abandon(connection: smtplib.SMTP, code: int) -> None:
    """As sendmail does after a refusal: close on 421 (the server is going away), else reset the transaction."""
    if code == 421:
        connection.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):  # it went away: the next message reconnects
        connection.rset()
