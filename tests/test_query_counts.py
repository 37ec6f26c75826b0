"""Issue 7: every page costs a fixed number of SQL queries, at most 10, whatever the size of the data behind it.

One community holds two worlds side by side, "small" (3 of everything) and "big" (30 of everything): a person
with 3 or 30 contacts, exchanges, messages and channels, a campaign with 3 or 30 people on it, a marketer with 3
or 30 people to call. Each page is read for each world, after one warm-up read (the first read of a process pays
one-off caches), and must cost exactly the number in the table in both. Lists are read at 25 and 100 a page too.

The tables must name every page: a new URL of the web UI, a new admin list or a new report that is missing here
fails test_every_page_is_in_the_table, so no page escapes its budget.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from campaigns.models import Stage, StageChange
from core import roles
from crm.models import BouncingAddress, Feed, InfluencerAddress, Post
from messaging.models import Message
from messaging.unsubscribe import make_token
from reports.registry import REPORTS
from tests.factories import (
    AudienceSnapshotFactory,
    BrandFactory,
    CampaignFactory,
    ChannelFactory,
    ContactFactory,
    ExchangeFactory,
    InfluencerFactory,
    RelationshipFactory,
    TopicFactory,
)
from tests.messaging.factories import MailboxFactory, MessageFactory, MessageTemplateFactory
from tests.messaging.unknown_factories import UnknownSenderFactory

# The worlds are built with "today"'s dates (people due, snapshots of the last days): a query a page makes may hang
# on the date, so the step that runs tests at midnight, DST and New Year runs these too.
pytestmark = pytest.mark.clock

BUDGET = 10
SIZES = {"small": 3, "big": 30}


@dataclass
class World:
    """The ids of one world's rows, for the paths of the table."""

    tag: str
    owner: str  # the username of the marketer who owns the world
    person: int = 0
    channel: int = 0
    campaign: int = 0
    brand: int = 0
    message: int = 0
    template: int = 0
    token: str = ""
    shortlisted: int = 0
    pitched: int = 0
    active: int = 0
    delivered: int = 0
    contact: int = 0
    exchange: int = 0
    relationship: int = 0
    mailbox: int = 0
    unknown: int = 0


def _member(username: str, role: str, **extra):
    user = get_user_model().objects.create_user(username=username, password="pw", **extra)
    user.groups.add(Group.objects.get(name=role))
    return user


def _world(tag: str, size: int, food) -> World:
    owner = _member(f"{tag}marketer", roles.MARKETER, first_name=tag.capitalize())
    now = timezone.now()
    brand = BrandFactory(name=f"Brand {tag}")
    person = InfluencerFactory(name=f"Person {tag}", owner=owner, topics=[food], cadence_days=30)
    channels = [ChannelFactory(influencer=person, handle=f"{tag}handle{n}") for n in range(size)]
    for channel in channels:
        AudienceSnapshotFactory(channel=channel, taken_on=timezone.localdate() - datetime.timedelta(days=2))
        AudienceSnapshotFactory(channel=channel, taken_on=timezone.localdate() - datetime.timedelta(days=1))
        Post.objects.create(channel=channel, key=f"{channel.handle}-1", url=f"https://{tag}.example/1", title="Au lac")
    Feed.objects.create(channel=channels[0], url=f"https://{tag}.example/feed/")
    # The campaign's board: `size` people on it, all overdue for the owner (Today lists them all).
    campaign = CampaignFactory(brand=brand, name=f"Operation {tag}", topics=[food])
    on_board = []
    for n in range(size):
        someone = InfluencerFactory(name=f"{tag} someone {n}", owner=owner, topics=[food])
        ChannelFactory(influencer=someone, handle=f"{tag}other{n}")
        relationship = RelationshipFactory(
            influencer=someone,
            campaign=campaign,
            owner=owner,
            stage=Stage.ACTIVE,
            next_contact_due=timezone.localdate() - datetime.timedelta(days=n + 1),
        )
        StageChange.objects.create(relationship=relationship, to_stage=Stage.ACTIVE, changed_at=now, changed_by=owner)
        on_board.append(relationship)
    # The person at every stage, on campaigns of their own, and `size` more campaigns that fit them.
    at = {}
    for stage in (Stage.SHORTLISTED, Stage.PITCHED, Stage.ACTIVE, Stage.DELIVERED):
        at[stage] = RelationshipFactory(
            influencer=person,
            campaign=CampaignFactory(brand=brand, name=f"Operation {tag} {stage}", topics=[food]),
            owner=owner,
            stage=stage,
        )
        StageChange.objects.create(relationship=at[stage], to_stage=stage, changed_at=now, changed_by=owner)
    for n in range(size):
        CampaignFactory(brand=brand, name=f"Operation {tag} fits {n}", topics=[food])
    contacts = [
        ContactFactory(influencer=person, relationship=at[Stage.ACTIVE], logged_by=owner, summary=f"{tag} call {n}")
        for n in range(size)
    ]
    exchanges = [
        ExchangeFactory(influencer=person, relationship=at[Stage.ACTIVE], recorded_by=owner, value=10)
        for _ in range(size)
    ]
    messages = [
        MessageFactory(influencer=person, relationship=at[Stage.ACTIVE], created_by=owner, subject=f"{tag} news {n}")
        for n in range(size)
    ]
    for n in range(size):
        MessageFactory(influencer=person, created_by=owner, status=Message.Status.FAILED, subject=f"{tag} failed {n}")
    templates = [MessageTemplateFactory(name=f"{tag} template {n}", language=person.language) for n in range(size)]
    MailboxFactory(owner=owner)
    shared_mailbox = MailboxFactory(owner=owner, shared=True, name=f"{tag} press desk")
    for n in range(min(size, 2)):  # a mailbox has an inbox and a Sent folder, at most
        shared_mailbox.folders.create(name=f"Folder {n}", role=("inbox", "sent")[n])
    # Mail: the person's other addresses (one bouncing), `size` of the owner's people bouncing (Today lists them),
    # and `size` mails from unknown senders in the owner's shared mailbox.
    for n in range(size):
        InfluencerAddress.objects.create(influencer=person, email=f"{tag}.other{n}@example.org")
    BouncingAddress.objects.create(email=f"{tag}.other0@example.org", status="5.1.1", since=now)
    for relationship in on_board:
        BouncingAddress.objects.create(email=relationship.influencer.email, status="5.1.1", since=now)
    unknown = [
        UnknownSenderFactory(mailbox=shared_mailbox, email=f"{tag}.stranger{n}@blog.example") for n in range(size)
    ]
    return World(
        tag=tag,
        owner=owner.username,
        person=person.pk,
        channel=channels[0].pk,
        campaign=campaign.pk,
        brand=brand.pk,
        message=messages[0].pk,
        template=templates[0].pk,
        token=make_token(person),
        shortlisted=at[Stage.SHORTLISTED].pk,
        pitched=at[Stage.PITCHED].pk,
        active=at[Stage.ACTIVE].pk,
        delivered=at[Stage.DELIVERED].pk,
        contact=contacts[0].pk,
        exchange=exchanges[0].pk,
        relationship=on_board[0].pk,
        mailbox=shared_mailbox.pk,
        unknown=unknown[0].pk,
    )


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker) -> dict[str, World]:
    with django_db_blocker.unblock(), transaction.atomic():
        _member("boss", roles.MANAGER, is_staff=True)
        get_user_model().objects.create_superuser(username="root", password="pw")
        food = TopicFactory(name="food")
        built = {tag: _world(tag, size, food) for tag, size in SIZES.items()}
        # Django probes SQLite's JSON support once per connection (3 queries) the first time a page reads JSON.
        assert connection.features.supports_json_field
        yield built
        transaction.set_rollback(True)


# --- The tables -------------------------------------------------------------------------------------------------
# (path template, who reads it, exact queries). "{owner}" is the world's marketer, "boss" a manager, "root" a
# superuser, None nobody (a public page). Paths are formatted with the world's ids.

UI_PAGES: dict[str, list[tuple[str, str | None, int]]] = {
    # 10: the failed messages' true number (a COUNT), not only the ten shown.
    "home": [("/", "{owner}", 10)],
    # Session, user, permissions, then one query per group (people, campaigns, brands) however many match.
    "search": [("/search/?q={tag}", "{owner}", 6)],
    "crm:influencer_list": [
        ("/influencers/?q={tag}&per_page=25", "{owner}", 9),
        ("/influencers/?q={tag}&per_page=100", "{owner}", 9),
        ("/influencers/?q={tag}&sort=due&overdue=on&per_page=100", "{owner}", 9),
        ("/influencers/?sort=audience&per_page=25", "{owner}", 9),
    ],
    "crm:influencer_add": [("/influencers/add/", "{owner}", 5)],
    "crm:influencer_detail": [("/influencers/{person}/?timeline=100", "{owner}", 10)],
    # 9: the person's other addresses, for their box.
    "crm:influencer_edit": [("/influencers/{person}/edit/", "{owner}", 9)],
    "crm:exchange_record": [("/influencers/{person}/exchanges/new/?relationship={active}", "{owner}", 6)],
    "crm:snapshot_record": [("/channels/{channel}/snapshots/new/", "{owner}", 4)],
    # The person's open relationships, for the one to preselect: one more than with ?relationship= given.
    "crm:contact_log": [("/contacts/log/?influencer={person}", "{owner}", 6)],
    "campaigns:campaign_list": [("/campaigns/?brand={brand}", "{owner}", 8)],
    "campaigns:campaign_add": [("/campaigns/add/", "{owner}", 5)],
    # 8: the campaign's owners, whom the board's owner filter offers.
    "campaigns:campaign_board": [("/campaigns/{campaign}/", "{owner}", 8)],
    "campaigns:board_more": [("/campaigns/{campaign}/more/?stage=active&after={active}", "{owner}", 5)],
    "campaigns:campaign_edit": [("/campaigns/{campaign}/edit/", "{owner}", 7)],
    "campaigns:influencer_search": [("/campaigns/{campaign}/people/?q={tag}", "{owner}", 5)],
    "campaigns:relationship_pitch": [("/campaigns/relationships/{shortlisted}/pitch/", "{owner}", 7)],
    "campaigns:relationship_accept": [("/campaigns/relationships/{pitched}/accept/", "{owner}", 4)],
    "campaigns:relationship_deliver": [("/campaigns/relationships/{active}/deliver/", "{owner}", 5)],
    # 8: whether the person's address bounces (then the thank-you is skipped, and the dialog says why).
    "campaigns:relationship_close": [("/campaigns/relationships/{delivered}/close/", "{owner}", 8)],
    "campaigns:content_review": [("/campaigns/relationships/{active}/content/", "{owner}", 5)],
    # 9: whether the person's address bounces (no follow-up can go).
    "follow_up_new": [("/influencers/{person}/follow-ups/new/", "{owner}", 9)],
    "follow_up_template": [("/influencers/{person}/follow-ups/template/?template={template}", "{owner}", 5)],
    "message_edit": [("/messages/{message}/edit/", "{owner}", 5)],
    "failed_messages": [("/messages/failed/", "{owner}", 4)],
    # The tabs' counts, the page's count and its rows, the permissions for the actions.
    "messages": [
        ("/messages/", "{owner}", 6),
        ("/messages/?status=failed&kind=follow_up&q={tag}", "{owner}", 6),
    ],
    # 4: the permission that offers the mailbox's link.
    "my_settings": [("/settings/", "{owner}", 4)],
    # Session, user, the permission to log contacts, the member's mailbox.
    "mailbox": [("/settings/mailbox/", "{owner}", 4)],
    "mailbox_edit": [("/settings/mailbox/edit/", "{owner}", 4)],
    "mailbox_disconnect": [("/settings/mailbox/disconnect/", "{owner}", 4)],
    "unknown_senders": [("/mail/unknown/", "{owner}", 5)],
    # 6: the mail, then the person form's boxes (topics, owners), as the add page.
    "unknown_sender_person": [("/mail/unknown/{unknown}/person/", "{owner}", 6)],
    "unknown_sender_add_to": [
        ("/mail/unknown/{unknown}/add-to/", "{owner}", 5),
        ("/mail/unknown/{unknown}/add-to/?q={tag}", "{owner}", 5),
    ],
    "password_change": [("/password/", "{owner}", 2)],
    "password_change_done": [("/password/done/", "{owner}", 2)],
    "unsubscribe": [("/unsubscribe/{token}/", None, 1)],
    "login": [("/login/", None, 0)],
}

# URLs that are not pages anyone reads: form posts, a fragment the browser posts to, the health check.
NOT_PAGES = {
    "campaigns:campaign_brief_check": "POST only: the brief checklist refreshed while typing",
    "campaigns:relationship_shortlist": "POST only: adds someone to the board",
    "message_cancel": "POST only",
    "message_retry": "POST only",
    "mailbox_pause": "POST only",
    "mailbox_resume": "POST only",
    "mailbox_sync": "POST only",
    "unknown_sender_dismiss": "POST only",
    "crm:address_bounce_clear": "POST only: 'it works again' on a person's page",
    "favicon": "a redirect to the static icon",
    "logout": "POST only",
    "set_language": "POST only",
    "healthz": "the health check (tests/health), not a page",
}

# Every registered model's admin list (with its search when it has one), as the manager (the superuser for auth).
ADMIN_LISTS: dict[str, tuple[str, int]] = {
    "auth.group": ("root", 5),
    "auth.user": ("root", 6),
    "axes.accessattempt": ("root", 8),
    "axes.accessfailurelog": ("root", 8),
    "axes.accesslog": ("root", 8),
    "django_celery_beat.periodictask": ("boss", 9),
    "django_celery_beat.clockedschedule": ("boss", 6),
    "django_celery_beat.crontabschedule": ("boss", 6),
    "django_celery_beat.solarschedule": ("boss", 6),
    "django_celery_beat.intervalschedule": ("boss", 6),
    "health.heartbeat": ("boss", 6),
    "crm.topic": ("boss", 6),
    "crm.channel": ("boss", 5),
    "crm.audiencesnapshot": ("boss", 5),
    "crm.contact": ("boss", 6),
    "crm.exchange": ("boss", 5),
    "crm.influencer": ("boss", 9),
    "crm.importjob": ("boss", 5),
    "crm.bouncingaddress": ("boss", 6),
    "crm.post": ("boss", 5),
    "campaigns.brand": ("boss", 6),
    "campaigns.campaign": ("boss", 8),
    "campaigns.relationship": ("boss", 6),
    "campaigns.stagechange": ("boss", 6),
    "campaigns.guardrailevent": ("boss", 6),
    "campaigns.contentmatch": ("boss", 5),
    "campaigns.disclosuremarker": ("boss", 6),
    "messaging.message": ("boss", 5),
    "messaging.messagetemplate": ("boss", 6),
    "messaging.profile": ("boss", 6),
    "messaging.mailbox": ("boss", 6),
    "messaging.unknownsender": ("boss", 7),
}

# The admin pages of one row whose content grows with the data (a person's inlines, a campaign's people).
ADMIN_CHANGE_PAGES: list[tuple[str, str, int]] = [
    # Session, user, permissions, the person (with the owner its box names), the topics box (with which are the
    # person's), the channels inline (with each latest figure's date), the other addresses' inline, the latest
    # campaigns, contacts, exchanges: 10.
    ("/admin/crm/influencer/{person}/change/", "boss", 10),
    ("/admin/crm/channel/{channel}/change/", "boss", 7),  # its feed's inline: one more
    ("/admin/crm/contact/{contact}/change/", "boss", 4),
    # Its person and relationship are read-only there, named with the row: no autocomplete boxes to fill.
    ("/admin/crm/exchange/{exchange}/change/", "boss", 5),
    ("/admin/campaigns/campaign/{campaign}/change/", "boss", 9),
    ("/admin/campaigns/relationship/{relationship}/change/", "boss", 8),
    ("/admin/messaging/message/{message}/change/", "boss", 4),
    # Session, user, permissions, the mailbox, its owner's box, its folders (read only): 6.
    ("/admin/messaging/mailbox/{mailbox}/change/", "boss", 6),
]

# The reports, filtered on the world's brand: the overview, each report and each overview card (its figures), as a
# manager reads them once kept (reports.cache): session, user, permissions, the brand (the filter checks it
# exists) and the kept report; the page shows the form: the chosen brand's name and the owners are two more. The
# overview keeps nothing.
REPORT_PAGES: list[tuple[str, str, int]] = [("/admin/reports/report/?brand={brand}", "boss", 6)] + [
    (f"/admin/reports/report/{slug}/{part}?brand={{brand}}", "boss", queries)
    for slug in REPORTS
    for part, queries in (("", 7), ("figures/", 5))
]
# The same, computed: the report's own queries, and keeping it (the cache's read, then its write in a savepoint:
# 6) in place of reading it. Not within the page budget — it runs once per REPORTS_REFRESH_SECONDS — but the same at
# both sizes.
REPORT_COMPUTING: list[tuple[str, str, int]] = [
    (f"/admin/reports/report/{slug}/{part}?brand={{brand}}", "boss", queries)
    for slug, own in {
        "pipeline": 2,
        "followups": 5,
        "responsiveness": 4,
        "endings": 3,
        "guardrails": 4,
        "spread": 4,
        "reciprocity": 3,
        "audience": 3,
    }.items()
    for part, queries in (("", own + 6 + 6), ("figures/", own + 4 + 6))
]


# --- The tests --------------------------------------------------------------------------------------------------


def _clients() -> dict[str | None, Client]:
    return {None: Client()}


def _read(clients: dict, world: World, path: str, who: str | None, *, computed: bool) -> tuple[int, int]:
    """(status, queries) of one read of `path` by `who`, after a warm-up read (and, when `computed`, with the kept
    reports emptied after it)."""
    username = who.format(owner=world.owner) if who else None
    if username not in clients:
        clients[username] = Client()
        clients[username].force_login(get_user_model().objects.get(username=username))
    client = clients[username]
    url = path.format(**vars(world))
    client.get(url)
    if computed:
        caches["reports"].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries.captured_queries)


def _check(worlds, rows, *, budget=BUDGET, computed=False):
    clients = _clients()
    measured = {}
    for path, who, _expected in rows:
        for tag, world in worlds.items():
            status, queries = _read(clients, world, path, who, computed=computed)
            measured[(path, tag)] = (status, queries)
    wrong = {key: value for key, value in measured.items() if value[0] != 200}
    assert not wrong, f"pages that did not answer 200: {wrong}"
    mismatches = {}
    for path, _who, expected in rows:
        got = {tag: measured[(path, tag)][1] for tag in worlds}
        if got != dict.fromkeys(worlds, expected):
            mismatches[path] = (got, expected)
        assert budget is None or expected <= budget, path
    assert not mismatches, f"queries at each size, and the table's number: {mismatches}"


@pytest.mark.parametrize("name", list(UI_PAGES))
def test_each_page_of_the_web_ui_costs_the_same_at_3_and_30_rows_within_budget(worlds, db, name):
    _check(worlds, UI_PAGES[name])


def test_each_admin_list_costs_the_same_at_3_and_30_rows_within_budget(worlds, db):
    rows = []
    for label, (who, expected) in ADMIN_LISTS.items():
        model = _registered()[label]
        search = "?q={tag}" if admin.site._registry[model].search_fields else ""
        rows.append((f"/admin/{model._meta.app_label}/{model._meta.model_name}/{search}", who, expected))
    _check(worlds, rows)


def test_each_admin_page_of_one_row_costs_the_same_at_3_and_30_rows(worlds, db):
    _check(worlds, ADMIN_CHANGE_PAGES)


def test_each_report_and_overview_card_costs_the_same_at_3_and_30_rows_within_budget(worlds, db):
    _check(worlds, REPORT_PAGES)


def test_computing_each_report_costs_the_same_at_3_and_30_rows(worlds, db):
    _check(worlds, REPORT_COMPUTING, budget=None, computed=True)


def _registered() -> dict[str, type]:
    return {model._meta.label_lower: model for model in admin.site._registry}


def _ui_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}" if pattern.name else str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return names


def test_every_page_is_in_the_table():
    assert _ui_names() == set(UI_PAGES) | set(NOT_PAGES)
    # The reports' admin list is the overview, in REPORT_PAGES; the team rules' list opens their one page, whose
    # queries tests/core/test_team_rules.py counts.
    assert set(_registered()) == set(ADMIN_LISTS) | {"reports.report", "core.teamrules"}
    report_slugs = {path.split("/")[4] for path, _who, _n in REPORT_PAGES if path.count("/") > 5}
    assert report_slugs == set(REPORTS)
