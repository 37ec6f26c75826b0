"""factory_boy factories for the mail the sync keeps from unknown senders, and the shared mailboxes it is in."""

import uuid

import factory
from django.utils import timezone

from crm.addresses import email_key
from messaging.models import Mailbox, UnknownSender


class SharedMailboxFactory(factory.django.DjangoModelFactory):
    """A shared mailbox (the team's BCC address): SharedMailboxFactory(owner=bob)."""

    class Meta:
        model = Mailbox

    shared = True
    name = factory.Sequence(lambda n: f"Team mail {n}")
    address = factory.Sequence(lambda n: f"team{n}@agency.example")
    host = "imap.agency.example"
    username = factory.SelfAttribute("address")


class UnknownSenderFactory(factory.django.DjangoModelFactory):
    """A mail from someone not in the directory: UnknownSenderFactory(mailbox=shared, email="new@blog.example")."""

    class Meta:
        model = UnknownSender

    mailbox = factory.SubFactory(SharedMailboxFactory)
    email = factory.Sequence(lambda n: f"stranger{n}@blog.example")
    email_key = factory.LazyAttribute(lambda o: email_key(o.email))
    name = "A Stranger"
    subject = "Hello there"
    received_at = factory.LazyFunction(timezone.now)
    summary = "Hello, I write about food. Could we work together?"
    message_id = factory.LazyFunction(lambda: f"<{uuid.uuid4().hex}@blog.example>")
    thread_ids = ""
