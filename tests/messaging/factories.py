"""factory_boy factories for the outbox. They write rows directly: to exercise a rule, call the service."""

import datetime
import uuid

import factory
from django.utils import timezone

from messaging.mailbox.secrets import password_seal
from messaging.models import Mailbox, Message, MessageTemplate
from tests.factories import InfluencerFactory

# The password every factory mailbox has: a test searches the pages for it to prove it never shows.
MAILBOX_PASSWORD = "s3cret-app-p4ssword"


class MessageFactory(factory.django.DjangoModelFactory):
    """A scheduled follow-up to a person, due tomorrow: MessageFactory(influencer=lea, status="failed")."""

    class Meta:
        model = Message

    kind = Message.Kind.FOLLOW_UP
    influencer = factory.SubFactory(InfluencerFactory)
    recipient = factory.LazyAttribute(lambda o: o.influencer.email if o.influencer else "someone@example.org")
    subject = "Any news?"
    body = "Hello, how are things going?"
    send_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    status = Message.Status.SCHEDULED
    sent_at = factory.LazyAttribute(lambda o: o.send_at if o.status == Message.Status.SENT else None)
    key = factory.LazyFunction(lambda: f"test:{uuid.uuid4().hex}")
    message_id = factory.LazyFunction(lambda: f"<{uuid.uuid4().hex}@test.example>")


class MessageTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageTemplate

    name = factory.Sequence(lambda n: f"Template {n}")
    language = "fr"
    subject = "Des nouvelles ?"
    body = "Bonjour,\n\nOù en êtes-vous ?"


class MailboxFactory(factory.django.DjangoModelFactory):
    """A connected personal mailbox (pass owner=…), never synced yet: MailboxFactory(owner=bob, shared=True)."""

    class Meta:
        model = Mailbox

    address = factory.LazyAttribute(lambda o: o.owner.email or f"{o.owner.username}@team.example")
    host = "imap.team.example"
    port = 993
    security = Mailbox.Security.TLS
    username = factory.LazyAttribute(lambda o: o.address)
    password_sealed = factory.LazyFunction(lambda: password_seal(MAILBOX_PASSWORD))
    next_sync_at = factory.LazyFunction(timezone.now)
