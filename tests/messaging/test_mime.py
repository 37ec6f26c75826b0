"""The outbox's own MIME writer (messaging.mime) reads, to a mail client, exactly as Django's would."""

import email
from email import policy

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import BadHeaderError

from messaging import mime
from messaging.emails import as_email
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db


def read(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def as_django_writes_it(message: EmailMultiAlternatives) -> email.message.EmailMessage:
    return read(message.message().as_bytes(linesep="\r\n"))


def as_read(parsed: email.message.EmailMessage) -> dict:
    """What a mail client shows: every header but the date and the boundary, unfolded; each part decoded."""
    headers = {name: " ".join(str(value).split()) for name, value in parsed.items() if name != "Date"}
    headers["Content-Type"] = parsed.get_content_type()
    parts = [(p.get_content_type(), p.get_content_charset(), p.get_content()) for p in parsed.iter_parts()]
    return {"headers": headers, "parts": parts}


def an_email(*, subject="Des nouvelles du shooting", body="Bonjour,\n\nÀ bientôt.\n", html="<p>Bonjour</p>", **kw):
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=["lea@example.org"],
        headers={"Message-ID": "<m1@crm.example>", "List-Unsubscribe": "<https://crm.example.com/unsubscribe/x/>"},
        **kw,
    )
    message.attach_alternative(html, "text/html")
    return message


def test_an_outbox_email_reads_as_django_writes_it(lea, now):
    message = as_email(MessageFactory(influencer=lea, subject="Merci, Léa !", body="Un grand merci.\n" * 3))

    sender, recipients, raw = mime.envelope(message)

    assert (sender, recipients) == ("Influence CRM <crm@localhost>", ["lea@example.org"])
    assert as_read(read(raw)) == as_read(as_django_writes_it(message))
    assert read(raw)["Subject"] == "Merci, Léa !"
    assert raw.count(b"\r\n") == raw.count(b"\n")  # every line ends in CRLF: smtplib sends bytes as they are


@pytest.mark.parametrize(
    "subject",
    ["Des nouvelles ?", "Où en êtes-vous ?", "A long subject " * 8, "Un sujet très long, vraiment très long " * 4],
    ids=["ascii", "accents", "long-ascii", "long-accents"],
)
def test_subjects_are_encoded_and_folded_as_django_does(subject):
    message = an_email(subject=subject)

    _sender, _recipients, raw = mime.envelope(message)

    assert as_read(read(raw)) == as_read(as_django_writes_it(message))
    assert read(raw)["Subject"] == subject
    assert all(len(line) <= 78 for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n") if line.startswith(b"Subject"))


def test_a_line_longer_than_smtp_allows_goes_quoted_printable():
    message = an_email(body="é" * 600 + "\n", html="<p>" + "x" * 1200 + "</p>")

    _sender, _recipients, raw = mime.envelope(message)

    parsed = read(raw)
    assert as_read(parsed) == as_read(as_django_writes_it(message))
    assert [p["Content-Transfer-Encoding"] for p in parsed.iter_parts()] == ["quoted-printable", "quoted-printable"]
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_line_endings_of_any_kind_become_crlf_and_ascii_text_is_7bit():
    message = an_email(body="one\r\ntwo\rthree\nfour\n.five\n", html="<p>a</p>\n<p>b</p>")

    _sender, _recipients, raw = mime.envelope(message)

    assert b"one\r\ntwo\r\nthree\r\nfour\r\n.five\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert [p["Content-Transfer-Encoding"] for p in read(raw).iter_parts()] == ["7bit", "7bit"]
    assert as_read(read(raw)) == as_read(as_django_writes_it(message))


def test_a_subject_with_a_newline_is_refused_as_django_refuses_it():
    with pytest.raises(BadHeaderError):
        mime.envelope(an_email(subject="Hello\nBcc: everyone@example.org"))


def test_a_sender_with_a_display_name_in_accents_is_encoded(settings):
    message = an_email(from_email="Équipe CRM <crm@example.com>")

    sender, _recipients, raw = mime.envelope(message)

    assert sender == "=?utf-8?q?=C3=89quipe_CRM?= <crm@example.com>"
    assert read(raw)["From"] == "Équipe CRM <crm@example.com>"


@pytest.mark.parametrize(
    "shape",
    [
        {"cc": ["bob@team.example"]},
        {"bcc": ["bob@team.example"]},
        {"reply_to": ["bob@team.example"]},
        {"attachments": [("a.txt", "hello", "text/plain")]},
    ],
    ids=["cc", "bcc", "reply-to", "attachment"],
)
def test_a_shape_it_does_not_write_is_left_to_django(shape):
    assert mime.envelope(an_email(**shape)) is None


def test_an_email_without_html_or_to_an_address_with_a_name_is_left_to_django():
    plain = EmailMultiAlternatives(subject="Hi", body="Hi", to=["lea@example.org"], headers={"Message-ID": "<a@b>"})
    named = an_email()
    named.to = ["Léa <lea@example.org>"]

    assert (mime.envelope(plain), mime.envelope(named)) == (None, None)
