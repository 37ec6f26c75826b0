"""Zéphyrine, the person the privacy tests export, erase and delete, and how they search for what is left of her.

She is a blogger bob has worked with for a while: history, a channel with figures, contacts, the ledger, two
campaigns, messages. test_privacy.py and test_privacy_delete.py make their `now` and `zephyrine` fixtures with these.
"""

import base64
import datetime as dt
import pickle
from decimal import Decimal

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import caches
from django.db import connection

from campaigns.models import ContentMatch, GuardrailEvent, StageChange
from campaigns.services import relationship_accept, relationship_close, relationship_pitch, relationship_shortlist
from crm.addresses import email_key
from crm.models import BouncingAddress, Channel, Feed, InfluencerAddress, Post
from crm.services import (
    audience_snapshot_record,
    contact_log,
    exchange_record,
    influencer_create,
    influencer_update,
)
from messaging.models import Mailbox, Message, UnknownSender
from messaging.services import follow_up_schedule
from reports.cache import CACHE
from tests.factories import CampaignFactory, paris
from tests.messaging.factories import MessageFactory

NAME = "Zephyrine Marmottan"
EMAIL = "zephyrine.marmottan@example.org"
HANDLE = "zephy_marmo"
BLOG = f"https://{HANDLE}.blog.example/"
# Her other address (the studio's), and the Message-ID her laptop's mail client wrote: both name her.
OTHER_EMAIL = "zephy@atelier-marmottan.example"
MAIL_ID = "20260301093000.zephyrine-marmottan@macbook-de-zephyrine.local"
NOW = paris(2026, 3, 4, 11, 0)


def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def zephyrine_with_her_history(now, alice, bob):
    """Zéphyrine, with something in every table that can hold a word about her."""
    z = influencer_create(
        by=bob, name=NAME, email=EMAIL, city="Quimper", region="Bretagne", notes=f"{NAME} met us at the salon."
    )
    z = influencer_update(influencer=z, by=bob, city="Brest")  # a second version in the history
    channel = Channel.objects.create(
        influencer=z, platform="instagram", handle=HANDLE, url=f"https://instagram.com/{HANDLE}"
    )
    audience_snapshot_record(channel=channel, taken_on=now.date() - dt.timedelta(days=30), followers=40_000)
    audience_snapshot_record(channel=channel, taken_on=now.date(), followers=42_000)
    blog = Channel.objects.create(influencer=z, platform="blog", handle=f"{HANDLE}-blog", url=BLOG)
    Feed.objects.create(channel=blog, url=f"{BLOG}feed/", title=f"Le carnet de {NAME}", last_error=f"{BLOG} said 503")
    post = Post.objects.create(
        channel=blog,
        key=f"{BLOG}?p=7",
        url=f"{BLOG}2026/03/balade/",
        title=f"{NAME} en balade",
        published_at=now - dt.timedelta(days=2),
        excerpt=f"Par {NAME} (@{HANDLE}) : la côte sauvage.",
    )
    contact_log(
        influencer=z,
        by=bob,
        kind="call",
        direction="inbound",
        summary=f"{NAME} called back about the spring range.",
        occurred_at=now - dt.timedelta(days=2),
    )
    exchange_record(
        influencer=z,
        by=bob,
        direction="get",
        kind="post",
        occurred_on=now.date() - dt.timedelta(days=1),
        value=Decimal("150.00"),
        url=f"https://instagram.com/{HANDLE}/p/1",
        note=f"A post by @{HANDLE}, much liked.",
    )
    # A finished campaign, pitched off-topic with a reason naming her, closed with a thank-you to her address.
    autumn = CampaignFactory(name="Autumn walks", topics=["hiking"])
    done = relationship_shortlist(influencer=z, campaign=autumn, by=bob)
    relationship_pitch(relationship=done, by=bob, override_reason=f"{NAME} hikes every weekend.")
    relationship_accept(relationship=done, by=bob)
    relationship_close(relationship=done, by=bob, outcome="completed")
    StageChange.objects.create(
        relationship=done, from_stage="active", to_stage="active", changed_at=now, note=f"Asked {EMAIL} for dates."
    )
    # An open one, and messages of every kind: one sent, one to go, a reminder and a digest to bob naming her.
    winter = relationship_shortlist(
        influencer=z, campaign=CampaignFactory(name="Winter soups", topics=["food"], sponsored=True), by=bob
    )
    # Her post matched to it, without its disclosure: flagged with the post's address (campaigns.services.content).
    ContentMatch.objects.create(relationship=winter, post=post, matched="Winter soups", disclosure="missing")
    GuardrailEvent.objects.create(
        relationship=winter, rule="disclosure", result="flagged", detail=post.url, occurred_at=now
    )
    follow_up_schedule(
        influencer=z, by=bob, subject=f"News for {NAME}", body="Any plans?", send_at=now + dt.timedelta(days=3)
    )
    MessageFactory(influencer=z, status=Message.Status.SENT, body=f"Dear {NAME},", send_at=now - dt.timedelta(days=9))
    MessageFactory(kind=Message.Kind.REMINDER, influencer=z, to_user=bob, recipient=bob.email, subject=f"Call {NAME}")
    MessageFactory(
        kind=Message.Kind.DIGEST, influencer=None, to_user=bob, recipient=bob.email, body=f"Due today: {NAME}"
    )
    # Someone else's log mentions her, and the admin's log names her and her contact.
    other = influencer_create(by=bob, name="Yann Le Goff", email="yann@example.org")
    contact_log(
        influencer=other,
        by=bob,
        kind="meeting",
        direction="outbound",
        summary=f"Yann introduced us to {NAME} ({EMAIL}), @{HANDLE} on Instagram.",
        occurred_at=now - dt.timedelta(days=5),
    )
    _her_mail(now, z, alice, bob)
    contact = z.contacts.get(kind="call")
    LogEntry.objects.log_actions(
        user_id=alice.pk,
        queryset=[z],
        action_flag=CHANGE,
        change_message=[{"changed": {"name": "contact", "object": str(contact), "fields": ["summary"]}}],
    )
    z.refresh_from_db()
    return z


def _her_mail(now, z, alice, bob):
    """What the mailbox keeps of her: another address, a bounce on it, an out-of-office logged as a contact by its
    Message-ID, and a mail in the shared box from before her studio's address was known."""
    InfluencerAddress.objects.create(influencer=z, email=OTHER_EMAIL)
    BouncingAddress.objects.create(
        email=OTHER_EMAIL,
        status="5.1.1",
        diagnostic=f"550 5.1.1 <{OTHER_EMAIL}>: Recipient address rejected: User unknown",
        since=now - dt.timedelta(days=1),
    )
    contact_log(
        influencer=z,
        by=bob,
        kind="email",
        direction="inbound",
        summary="Absente jusqu'au 10 mars. Out of office until 10 March.",
        occurred_at=now - dt.timedelta(days=3),
        message_id=MAIL_ID,
        automatic=True,
    )
    shared = Mailbox.objects.create(
        owner=alice, shared=True, name="Team log", address="log@team.example", host="imap.team.example",
        username="log@team.example",
    )  # fmt: skip
    sender = OTHER_EMAIL.upper()  # as her studio's mail server wrote it: one address, through its key
    UnknownSender.objects.create(
        mailbox=shared,
        email=sender,
        email_key=email_key(sender),
        name=NAME,
        subject="Studio visit?",
        received_at=now - dt.timedelta(days=20),
        summary="Could we meet at the studio next week?",
        message_id="a1b2c3@atelier-marmottan.example",
        thread_ids="",
    )


def tables_holding(needle: str) -> set[str]:
    """Every table with a column whose text holds `needle`, whatever the case: raw SQL over every column."""
    found = set()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE LOWER(CAST({quote(column.name)} AS TEXT)) LIKE %s",
                    [f"%{needle.lower()}%"],
                )
                if cursor.fetchone()[0]:
                    found.add(table)
    if any(needle.lower() in text.lower() for text in kept_reports()):
        found.add("reports_cache (decoded)")
    return found


def kept_reports() -> list[str]:
    """The kept reports' values as text: the cache table holds base64 pickles, which a search of the columns misses.

    Every row, expired or not (an expired row is still in the table until it is purged).
    """
    table = connection.ops.quote_name(caches[CACHE]._table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {table}")
        return [repr(pickle.loads(base64.b64decode(value))) for (value,) in cursor.fetchall()]
