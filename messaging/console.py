"""The e-mail backend of a local run (EMAIL_URL unset): each e-mail printed as a person would read it.

Django's console backend prints the MIME source: the HTML part, quoted-printable, where a link reads
`<a href=3D"http://…/unsubscribe/eyJ…=\n…">`. The text part is what every e-mail carries; links stay whole in it.
"""

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

HEADERS = ("Message-ID", "List-Unsubscribe")


class EmailBackend(DjangoConsoleBackend):
    def write_message(self, message) -> None:
        lines = [f"From: {message.from_email}", f"To: {', '.join(message.to)}"]
        if message.cc:
            lines.append(f"Cc: {', '.join(message.cc)}")
        lines.append(f"Subject: {message.subject}")
        lines += [f"{name}: {message.extra_headers[name]}" for name in HEADERS if name in message.extra_headers]
        lines += ["", message.body.rstrip()]
        kinds = [mimetype for _content, mimetype in getattr(message, "alternatives", [])]
        names = [attachment[0] for attachment in message.attachments if isinstance(attachment, tuple)]
        if kinds or names:
            lines += ["", f"(also: {', '.join(kinds + names)})"]
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
