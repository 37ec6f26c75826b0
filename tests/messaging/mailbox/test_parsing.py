"""What the mailbox reads from real mails: fixtures written from the structure each client and server sends.

Every fixture in mails/ is a real shape (headers, MIME tree, transfer encoding, quoting and signature style) with
example.com / example.fr addresses. A mail of 10,000 recipients or a 1 MB subject is built here, not stored.
"""

from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from messaging.mailbox.automatic import automatic_reason
from messaging.mailbox.headers import message_ids, normalise_message_id
from messaging.mailbox.parsing import (
    MAX_MAIL_BYTES,
    MAX_NEW_TEXT,
    MAX_RECIPIENTS,
    MAX_REFERENCES,
    MAX_SUBJECT,
    ParsedMail,
    UnreadableMail,
    html_to_text,
    new_text,
    parse_mail,
)

MAILS = Path(__file__).parent / "mails"


def mail(name: str) -> ParsedMail:
    return parse_mail((MAILS / name).read_bytes())


# Replies written by people's mail clients.


def test_a_gmail_reply_keeps_its_ids_sender_and_recipients():
    parsed = mail("gmail_reply.eml")
    assert parsed.message_id == "CAJ8kP2x=q4v5Nn1s-Yw3VhXk_Tg7pQ0rLmZ+8aQ@mail.gmail.com"
    assert parsed.in_reply_to == "177244560012.4412.8816306204531447961@example.com"
    assert parsed.references == ("177244560012.4412.8816306204531447961@example.com",)
    assert parsed.sender.address == "Lea.Martin@example.fr"
    assert parsed.sender.key == "lea.martin@example.fr"
    assert parsed.sender.name == "Léa Martin"  # an RFC 2047 base64 word
    assert [(a.key, a.name) for a in parsed.to] == [("bob@example.com", "Bob Dupont")]
    assert [a.key for a in parsed.cc] == ["ana@example.com"]
    assert parsed.date == datetime(2026, 3, 2, 10, 42, 17, tzinfo=UTC)
    assert parsed.subject == "Re: Spring range: would you like to try it?"
    assert parsed.automatic == ""
    assert parsed.report is None


def test_a_gmail_reply_says_its_own_words_without_the_quote_or_the_signature():
    words = mail("gmail_reply.eml").new_text
    assert "Yes, I would love to try the spring range!" in words
    assert "Our spring range is out" not in words  # the quote
    assert "wrote:" not in words
    assert "lifestyle & food" not in words  # the signature, under "-- "


def test_the_html_of_a_gmail_reply_drops_the_gmail_quote_and_signature():
    html = _html_part("gmail_reply.eml")
    words = new_text(html_to_text(html))
    assert words == (
        "Hi Bob, Yes, I would love to try the spring range! Please send it to my studio in Lyon, I will shoot it"
        " next week."
    )


def test_an_outlook_reply_stops_at_the_original_message_and_the_signature():
    parsed = mail("outlook_reply.eml")
    assert parsed.message_id == "AM0PR07MB58915A1B2C3D4E5F60718293A4B5@am0pr07mb5891.eurprd07.prod.outlook.com"
    assert parsed.sender.name == "Martin, Paul"
    assert parsed.sender.key == "paul.martin@example.fr"
    assert parsed.subject == "RE: Spring range: would you like to try it?"
    assert parsed.new_text == "Hello Bob, We can do a podcast episode on the range in April, but not before the 10th."


def test_the_html_of_an_outlook_reply_stops_at_its_from_sent_block():
    words = new_text(html_to_text(_html_part("outlook_reply.eml")))
    assert words == "Hello Bob, We can do a podcast episode on the range in April, but not before the 10th."


def test_an_apple_mail_reply_in_french_reads_its_quoted_printable_and_stops_at_le_a_ecrit():
    parsed = mail("apple_mail_reply_fr.eml")
    assert parsed.message_id == "8F2A6C1E-3B4D-4F5A-9E7C-1D2B3A4C5E6F@example.fr"
    assert parsed.sender.name == "Camille Lefèvre"
    assert parsed.subject == "Re : Printemps : une idée pour toi"  # a no-break space read as a space
    assert "Avec plaisir, je prépare un article pour la fin du mois." in parsed.new_text
    assert "Notre gamme de printemps" not in parsed.new_text
    assert "a écrit" not in parsed.new_text
    assert "Envoyé de mon iPhone" not in parsed.new_text
    assert parsed.date == datetime(2026, 3, 3, 8, 15, 42, tzinfo=UTC)


def test_a_thunderbird_reply_in_format_flowed_keeps_the_whole_thread_of_references():
    parsed = mail("thunderbird_reply.eml")
    assert parsed.references == (
        "177261600011.4412.5555555555555555555@example.com",
        "177261600099.4412.6666666666666666666@example.com",
    )
    assert parsed.in_reply_to == "177261600099.4412.6666666666666666666@example.com"
    assert parsed.new_text.startswith("Sounds good, count me in for the May event.")
    assert "film a short video for the channel" in parsed.new_text  # the flowed line joined
    assert "cycling & outdoors" not in parsed.new_text
    assert "Annecy" not in parsed.new_text


# Automatic mail.


def test_an_exchange_out_of_office_in_french_is_automatic():
    parsed = mail("exchange_out_of_office_fr.eml")
    assert parsed.automatic == "auto-submitted"
    assert parsed.subject == "Réponse automatique : Printemps : une idée pour toi"  # ISO-8859-1 words
    assert parsed.in_reply_to == "177244560012.4412.7777777777777777777@example.com"
    assert parsed.new_text.startswith("Bonjour, Je suis absente jusqu'au 9 mars inclus")
    assert parsed.report is None


def test_a_gmail_vacation_reply_is_automatic_by_its_header_whatever_its_subject():
    parsed = mail("gmail_vacation_en.eml")
    assert parsed.subject == "Travelling until March 16"
    assert parsed.automatic == "auto-submitted"


def test_a_forged_auto_submitted_on_a_human_reply_makes_it_automatic_the_header_wins():
    parsed = mail("forged_auto_submitted.eml")
    assert parsed.new_text == "Yes please, I am in. This is me, not a robot."
    assert parsed.automatic == "auto-submitted"


@pytest.mark.parametrize(
    ("headers", "subject", "reason"),
    [
        ({"auto-submitted": ["no"]}, "Re: hello", ""),
        ({"auto-submitted": ["No ; comment"]}, "", ""),
        ({"auto-submitted": ["auto-replied; owner-email=lea@example.fr"]}, "", "auto-submitted"),
        ({"x-autoreply": ["yes"]}, "", "x-autoreply"),
        ({"x-autorespond": ["Out of office"]}, "", "x-autorespond"),
        ({"precedence": ["auto_reply"]}, "", "precedence"),
        ({"precedence": ["Bulk"]}, "", "precedence"),
        ({"precedence": ["first-class"]}, "", ""),
        ({"list-id": ["Lyon bloggers <bloggers.lists.example.fr>"]}, "", "list"),
        ({"list-unsubscribe": ["<https://example.com/u>"]}, "Re: hello", ""),
        ({"return-path": ["<>"]}, "", "null sender"),
        ({"x-auto-response-suppress": ["All"]}, "Re: hello", ""),
        ({}, "Automatic reply: Spring range", "out-of-office subject"),
        ({}, "Auto-Reply: hello", "out-of-office subject"),
        ({}, "Out of Office: back on the 9th", "out-of-office subject"),
        ({}, "RE: Out of the office", "out-of-office subject"),
        ({}, "Réponse automatique : Printemps", "out-of-office subject"),
        ({}, "Reponse automatique: Printemps", "out-of-office subject"),
        ({}, "Absence du bureau", "out-of-office subject"),
        ({}, "Absente : retour le 9 mars", "out-of-office subject"),
        ({}, "Absent jusqu'au 9 mars", "out-of-office subject"),
        ({}, "Message d'absence", "out-of-office subject"),
        ({}, "Re: about my out of office", ""),
        ({}, "Absolutely, let's go", ""),
    ],
)
def test_what_makes_a_mail_automatic(headers, subject, reason):
    assert automatic_reason(headers, subject=subject) == reason


def test_mail_from_a_mailer_daemon_is_automatic():
    assert automatic_reason({}, sender="mailer-daemon@example.fr", subject="Hello") == "mailer-daemon"


# Bounces.


def test_a_postfix_bounce_reports_a_permanent_failure_on_the_attached_original():
    parsed = mail("postfix_bounce.eml")
    assert parsed.automatic == "delivery report"
    report = parsed.report
    assert report.original_message_id == "177244560012.4412.1111111111111111111@example.com"
    assert report.recipient == "nobody@example.fr"
    assert report.action == "failed"
    assert report.status == "5.1.1"
    assert report.permanent is True
    assert report.diagnostic == (
        "smtp; 550 5.1.1 <nobody@example.fr>: Recipient address rejected: User unknown in virtual mailbox table"
    )


def test_an_exchange_bounce_reads_the_original_from_its_rfc822_headers_part():
    report = mail("exchange_bounce.eml").report
    # The original's id had an upper-case domain: normalised as the outbox's own ids are.
    assert report.original_message_id == "177244560012.4412.2222222222222222222@example.com"
    assert report.recipient == "ghost@example.fr"
    assert report.status == "5.1.10"
    assert report.permanent is True
    assert report.diagnostic.startswith("smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient ghost@example.fr")


def test_a_gmail_bounce_address_not_found_is_permanent():
    parsed = mail("gmail_bounce_address_not_found.eml")
    assert parsed.sender.key == "mailer-daemon@googlemail.com"
    report = parsed.report
    assert report.original_message_id == "177244560012.4412.3333333333333333333@example.com"
    assert (report.recipient, report.status, report.permanent) == ("nobody@example.fr", "5.1.1", True)


def test_a_gmail_mailbox_full_is_temporary():
    report = mail("gmail_bounce_mailbox_full.eml").report
    assert report.original_message_id == "177244560012.4412.4444444444444444444@example.com"
    assert (report.recipient, report.action, report.status, report.permanent) == (
        "full@example.fr",
        "delayed",
        "4.2.2",
        False,
    )
    assert "over quota" in report.diagnostic


def test_a_report_names_the_first_failed_recipient_before_a_delayed_or_delivered_one():
    raw = _report(
        "Final-Recipient: rfc822; ok@example.fr\nAction: delivered\nStatus: 2.0.0\n\n"
        "Final-Recipient: rfc822; later@example.fr\nAction: delayed\nStatus: 4.4.1\n\n"
        "Final-Recipient: rfc822; gone@example.fr\nAction: failed\nStatus: 5.2.1\n"
    )
    report = parse_mail(raw).report
    assert (report.recipient, report.status, report.permanent) == ("gone@example.fr", "5.2.1", True)


def test_a_report_without_a_status_reads_it_from_the_diagnostic():
    raw = _report("Final-Recipient: rfc822; gone@example.fr\nAction: failed\nDiagnostic-Code: smtp; 550 5.7.1 no\n")
    report = parse_mail(raw).report
    assert (report.status, report.permanent) == ("5.7.1", True)


def test_a_report_without_recipients_is_no_report():
    assert parse_mail(_report("")).report is None


# Hostile mail.


def test_a_boundary_never_closed_still_gives_the_text():
    parsed = mail("boundary_never_closed.eml")
    assert parsed.new_text == "Happy to help with the launch, tell me the date."


@pytest.mark.parametrize(
    ("name", "sender", "subject", "words"),
    [
        ("header_8bit_utf8.eml", "Élodie Brûlé", "Réponse : d'accord pour l'été", "C'est noté, à très vite."),
        ("header_8bit_latin1.eml", "François Hervé", "Réponse : entendu pour la soirée", "Entendu, je serai là."),
    ],
)
def test_raw_8bit_headers_are_read_as_utf8_else_latin1(name, sender, subject, words):
    parsed = mail(name)
    assert (parsed.sender.name, parsed.subject, parsed.new_text) == (sender, subject, words)


def test_an_unknown_charset_is_read_as_well_as_it_can_be():
    parsed = mail("unknown_charset.eml")
    assert parsed.subject == "Qapla' about the range"
    assert parsed.new_text == "We accept the range with honour."


def test_an_html_only_reply_is_read_as_text_without_scripts_styles_or_outlook_history():
    parsed = mail("html_only.eml")
    assert parsed.new_text == "Oui, avec plaisir ! J’envoie mes dates demain. Inès"


def test_nested_forwards_give_the_outer_text_only():
    parsed = mail("nested_rfc822_three_deep.eml")
    assert parsed.message_id == "nested-1@example.fr"
    assert parsed.new_text == "Here is the whole thread you asked for."
    assert parsed.automatic == ""  # the Auto-Submitted of the innermost mail is not this mail's


def test_a_missing_message_id_is_empty():
    assert mail("missing_message_id.eml").message_id == ""


def test_a_garbage_date_is_none():
    assert mail("garbage_date.eml").date is None


def test_a_date_without_zone_is_read_as_utc():
    raw = b"From: a@example.com\nDate: Mon, 2 Mar 2026 10:00:00 -0000\n\nhi\n"
    assert parse_mail(raw).date == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_a_one_megabyte_subject_is_cut():
    raw = b"From: a@example.com\nSubject: " + "é".encode() * 500_000 + b"\n\nhi\n"
    assert parse_mail(raw).subject == "é" * MAX_SUBJECT


def test_ten_thousand_recipients_keep_the_first_ones_and_say_so():
    to = ", ".join(f"Person {i} <p{i}@example.com>" for i in range(10_000))
    parsed = parse_mail(f"From: a@example.com\nTo: {to}\nCc: c@example.com\n\nhi\n".encode())
    assert len(parsed.to) + len(parsed.cc) == MAX_RECIPIENTS
    assert parsed.to[0].key == "p0@example.com"
    assert parsed.recipients_truncated is True


def test_a_recipient_twice_is_kept_once():
    parsed = parse_mail(b"From: a@example.com\nTo: Bob <bob@example.com>, BOB@example.com\n\nhi\n")
    assert [a.key for a in parsed.to] == ["bob@example.com"]
    assert parsed.recipients_truncated is False


def test_a_long_thread_keeps_its_root_and_latest_references():
    ids = [f"<m{i}@example.com>" for i in range(200)]
    refs = message_ids(" ".join(ids), limit=MAX_REFERENCES)
    assert len(refs) == MAX_REFERENCES
    assert refs[0] == "m0@example.com"
    assert refs[-1] == "m199@example.com"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("<AbC.123@Mail.Example.COM>", "AbC.123@mail.example.com"),
        ("  <abc@example.com> (comment)", "abc@example.com"),
        ("abc@example.com", "abc@example.com"),
        ("", ""),
        ("<>", ""),
    ],
)
def test_a_message_id_is_normalised(raw, normalised):
    assert normalise_message_id(raw) == normalised


def test_a_long_reply_is_cut():
    raw = b"From: a@example.com\nSubject: hi\n\n" + b"word " * 10_000
    assert len(parse_mail(raw).new_text) == MAX_NEW_TEXT


def test_a_reply_that_only_quotes_has_no_new_text():
    assert new_text("On Mon, Mar 2, 2026 at 10:00 AM Bob <bob@example.com> wrote:\n> hello\n") == ""


def test_a_gmail_quote_header_wrapped_on_two_lines_is_still_found():
    body = "Fine by me.\n\nLe lun. 2 mars 2026 à 10:00, Bob Dupont <bob@example.com> a\nécrit :\n> Bonjour\n"
    assert new_text(body) == "Fine by me."


def test_crlf_and_lf_mails_read_the_same():
    raw = (MAILS / "gmail_reply.eml").read_bytes()
    assert parse_mail(raw.replace(b"\n", b"\r\n")) == parse_mail(raw)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "The mail is empty."),
        (b" \r\n\r\n ", "The mail is empty."),
        (b"just some text\nwith no header at all\n", "It has none of the headers a mail has"),
        (b"X-Custom: 1\n\nbody\n", "It has none of the headers a mail has"),
    ],
)
def test_what_cannot_be_read_at_all_says_why(raw, reason):
    with pytest.raises(UnreadableMail) as refused:
        parse_mail(raw)
    assert refused.value.reason.startswith(reason)


def test_a_mail_over_the_size_cap_is_refused_before_it_is_parsed():
    with pytest.raises(UnreadableMail, match="larger than 30 MB"):
        parse_mail(b"From: a@example.com\n\n" + b"x" * MAX_MAIL_BYTES)


def _html_part(name: str) -> str:
    message = message_from_bytes((MAILS / name).read_bytes(), policy=policy.default)
    return message.get_body(preferencelist=("html",)).get_content()


def _report(recipient_blocks: str) -> bytes:
    return (
        "From: MAILER-DAEMON@example.com\nTo: bob@example.com\nSubject: Undelivered\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nSorry.\n"
        f"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n{recipient_blocks}\n"
        "--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <orig@example.com>\n\n--b--\n"
    ).encode()
