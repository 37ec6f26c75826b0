"""smtplib's sendmail in two round trips instead of four, when the server pipelines (RFC 2920).

smtplib waits for the answer to MAIL, then to RCPT, then to DATA, then to the content: four round trips per
message, each a wake-up of both processes. A server that announces PIPELINING (Postfix, Exim and most others
do) takes MAIL, RCPT and DATA in one write and answers them in order; the content follows once DATA is
accepted. Answers and errors are those of smtplib.SMTP.sendmail (SMTPSenderRefused, SMTPRecipientsRefused,
SMTPDataError; a 421 closes the session), so the caller classifies failures the same way either way.
"""

import smtplib


def sendmail(session: smtplib.SMTP, sender: str, recipients: list[str], message: bytes) -> None:
    session.ehlo_or_helo_if_needed()
    if not session.has_extn("pipelining"):
        session.sendmail(sender, recipients, message)
        return
    size = f" size={len(message)}" if session.has_extn("size") else ""
    commands = [f"mail FROM:{smtplib.quoteaddr(sender)}{size}"]
    commands += [f"rcpt TO:{smtplib.quoteaddr(recipient)}" for recipient in recipients]
    session.send("".join(f"{command}\r\n" for command in commands + ["data"]))
    # Every answer is read, whatever the first ones said, so the session stays in step for the next message.
    mail = session.getreply()
    refused = {}
    for recipient in recipients:
        code, answer = session.getreply()
        if code not in (250, 251):
            refused[recipient] = (code, answer)
    data = session.getreply()
    if data[0] == 354 and (mail[0] != 250 or len(refused) == len(recipients)):
        # The server took DATA though nothing can be delivered: an empty message ends it (RFC 2920 §3.1).
        session.send(b".\r\n")
        session.getreply()
    if mail[0] != 250:
        _end(session, mail[0])
        raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
    if len(refused) == len(recipients):
        _end(session, 421 if any(code == 421 for code, _answer in refused.values()) else 550)
        raise smtplib.SMTPRecipientsRefused(refused)
    if data[0] != 354:
        _end(session, data[0])
        raise smtplib.SMTPDataError(*data)
    content = smtplib._quote_periods(message)
    if not content.endswith(b"\r\n"):
        content += b"\r\n"
    session.send(content + b".\r\n")
    code, answer = session.getreply()
    if code != 250:
        _end(session, code)
        raise smtplib.SMTPDataError(code, answer)


def _end(session: smtplib.SMTP, code: int) -> None:
    """As smtplib does after a refusal: a 421 means the server is closing; otherwise reset the transaction."""
    if code == 421:
        session.close()
    else:
        session._rset()
