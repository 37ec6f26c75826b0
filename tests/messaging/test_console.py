"""A local run prints each e-mail to the console (EMAIL_URL unset): as a person reads it, not as MIME source."""

import io

import pytest
from django.core.mail import get_connection

from messaging.emails import as_email
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db


def test_the_console_shows_the_text_a_person_reads_and_the_unsubscribe_link_whole(lea, now):
    email = as_email(MessageFactory(influencer=lea, subject="Merci, Léa !", body="Un grand merci pour la vidéo.\n"))
    link = email.extra_headers["List-Unsubscribe"].strip("<>")
    console = io.StringIO()

    get_connection("messaging.console.EmailBackend", stream=console).send_messages([email])

    lines = console.getvalue().splitlines()
    assert lines[:3] == ["From: Influence CRM <crm@localhost>", "To: lea@example.org", "Subject: Merci, Léa !"]
    assert "Un grand merci pour la vidéo." in lines
    assert any(line.endswith(f": {link}") for line in lines)  # the footer's "Unsubscribe: <link>", on one line
    assert not [line for line in lines if "=3D" in line or "<a " in line or line.startswith("Content-")]
    assert "(also: text/html)" in lines
