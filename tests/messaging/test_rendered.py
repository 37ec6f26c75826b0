"""Every kind of e-mail, as sent (subject, text and HTML parts), shows no template syntax left unrendered."""

import datetime

import pytest

from messaging.emails import as_email
from messaging.models import Message
from messaging.reminders import digests_queue, reminders_queue
from tests.factories import InfluencerFactory
from tests.messaging.factories import MessageFactory
from tests.rendered import template_leftovers

pytestmark = pytest.mark.django_db


def test_no_email_of_any_kind_shows_template_syntax(now, active, lea, bob, due_thank_you):
    active.next_contact_due = now.date() - datetime.timedelta(days=3)
    active.save()
    InfluencerFactory(name="Noé", owner=bob, cadence_days=30, next_contact_due=now.date())
    MessageFactory(influencer=lea, relationship=active, status="failed", last_error="550 No such user")
    MessageFactory(influencer=lea, relationship=active, body="Bonjour Léa,\n\nDes nouvelles du shooting ?")
    reminders_queue()
    digests_queue()

    left = {}
    for message in Message.objects.all():
        email = as_email(message)
        parts = [email.subject, email.body, *(content for content, _type in email.alternatives)]
        left[message.kind] = [found for part in parts for found in template_leftovers(part)]

    assert left == dict.fromkeys(Message.Kind.values, [])
