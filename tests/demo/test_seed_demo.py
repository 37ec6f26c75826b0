"""`manage.py seed_demo`: the first thing a newcomer sees must look like real work.

Seeding takes a few seconds, so the module seeds once (the `demo` fixture) inside a transaction that is rolled
back when the module is done. The two tests that need an empty database come first and do not use it.
"""

import html
import re
import unicodedata
from collections import Counter
from datetime import timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from campaigns.models import (
    Brand,
    Campaign,
    DisclosureMarker,
    GuardrailEvent,
    Outcome,
    Relationship,
    Stage,
    StageChange,
    ThankYou,
)
from campaigns.selectors import who_needs_news
from crm.models import AudienceSnapshot, Channel, Contact, Exchange, Feed, Influencer, Tier, Topic
from crm.services.feeds import channels_to_look_up
from demo.directory import DirectoryBuilder
from demo.feeds import demo_campaign
from demo.feeds_data import FEEDS
from demo.feeds_server import feed_path
from messaging.models import Message

EXAMPLE_DOMAINS = ("example.com", "example.fr", "example.org")

# The demo is dated relative to today: it must read as a year of work whatever the day and the hour.
pytestmark = pytest.mark.clock


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in ("auth", "crm", "campaigns")
    }


# --- Before anything is seeded --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    before = _counts()

    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")

    assert _counts() == before


@pytest.mark.django_db
def test_a_failure_half_way_leaves_nothing_behind(monkeypatch):
    before = _counts()

    def broken(self):
        raise RuntimeError("the disk is full")

    # People and channels exist by then; their audience figures are the next step.
    monkeypatch.setattr(DirectoryBuilder, "_record_audience", broken)
    with pytest.raises(RuntimeError, match="the disk is full"):
        call_command("seed_demo", force=True)

    assert _counts() == before


# --- The seeded demo ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> str:
    """The demo, seeded once for the module; returns what the command printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", force=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def marketer(demo, db):
    return get_user_model().objects.get(username="marketer")


def test_it_says_what_it_made(demo):
    assert "300 people" in demo
    assert "8 campaigns" in demo
    assert "Demo data loaded" in demo


def test_the_team_logs_in_with_their_roles(demo, db, client):
    users = {u.username: [g.name for g in u.groups.all()] for u in get_user_model().objects.all()}

    assert users == {
        "manager": ["Manager"],
        "marketer": ["Marketer"],
        "viewer": ["Viewer"],
        "sophie": ["Marketer"],
        "karim": ["Marketer"],
        "lea": ["Marketer"],
    }
    # django-axes counts logins per request: the test client's login() has none unless it is given one.
    assert client.login(request=HttpRequest(), username="marketer", password="demo")
    assert client.login(request=HttpRequest(), username="sophie", password="demo")


def test_the_directory_has_every_kind_tier_and_consent(demo, db):
    people = list(Influencer.objects.all())

    assert len(people) == 300
    assert {p.kind for p in people} == set(Influencer.Kind.values)
    tiers = Counter(p.tier for p in people)
    assert set(tiers) == set(Tier.values)
    assert tiers[Tier.NANO] + tiers[Tier.MICRO] > 0.75 * len(people)
    assert tiers[Tier.MEGA] < tiers[Tier.MACRO] < tiers[Tier.MID]
    languages = Counter(p.language for p in people)
    assert set(languages) == {"fr", "en"} and languages["fr"] > 0.8 * len(people)
    consents = Counter(p.consent for p in people)
    assert consents[Influencer.Consent.OPTED_IN] > consents[Influencer.Consent.UNKNOWN] > consents["opted_out"] > 0
    for person in people:
        if person.consent != Influencer.Consent.UNKNOWN:
            assert person.consent_at and person.consent_source, person
    assert all(p.topics.exists() for p in people)
    assert Topic.objects.count() == 15


def test_the_community_reaches_well_beyond_paris(demo, db):
    regions = Counter(Influencer.objects.values_list("region", flat=True))
    countries = set(Influencer.objects.values_list("country", flat=True))

    assert len(regions) >= 15
    biggest, count = regions.most_common(1)[0]
    assert biggest == "Île-de-France"
    assert count < 0.4 * 300
    assert {"Auvergne-Rhône-Alpes", "Bretagne", "Occitanie", "Hauts-de-France", "Grand Est"} <= set(regions)
    assert {"FR", "BE", "CH", "CA", "GB"} <= countries


def test_the_people_are_shared_between_the_marketers(demo, db):
    owners = Counter(Influencer.objects.values_list("owner__username", flat=True))

    for username in ("marketer", "sophie", "karim", "lea"):
        assert owners[username] >= 40, owners
    assert owners["marketer"] == max(owners.values())


def test_ambassadors_stay_in_touch_between_campaigns(demo, db):
    ambassadors = Influencer.objects.filter(kind=Influencer.Kind.AMBASSADOR)

    assert ambassadors.count() >= 20
    assert not ambassadors.filter(cadence_days__isnull=True).exists()


def test_every_address_is_on_an_example_domain(demo, db):
    emails = [e for e in Influencer.objects.values_list("email", flat=True) if e]
    urls = list(Channel.objects.values_list("url", flat=True)) + [
        u for u in Exchange.objects.values_list("url", flat=True) if u
    ]

    assert len(emails) > 250
    assert len({e.lower() for e in emails}) == len(emails)
    assert all(e.rsplit("@", 1)[1] in EXAMPLE_DOMAINS for e in emails)
    assert all(urlsplit(u).hostname.endswith(EXAMPLE_DOMAINS) for u in urls)


def test_channels_carry_monthly_figures_and_the_tier_follows_them(demo, db):
    per_person = Counter(Channel.objects.values_list("influencer", flat=True))
    figures = Counter(AudienceSnapshot.objects.values_list("channel", flat=True))
    latest = dict(AudienceSnapshot.objects.values("channel").annotate(on=Max("taken_on")).values_list("channel", "on"))

    assert set(per_person.values()) == {1, 2, 3}
    assert all(6 <= n <= 12 for n in figures.values()) and len(figures) == Channel.objects.count()
    assert max(latest.values()) <= timezone.localdate()
    for channel in Channel.objects.select_related("influencer"):
        assert channel.followers == channel.snapshots.get(taken_on=latest[channel.pk]).followers
    for person in Influencer.objects.all():
        assert person.audience == max(c.followers for c in person.channels.all())


def test_campaigns_are_draft_running_and_finished_sponsored_and_organic(demo, db):
    today = timezone.localdate()
    campaigns = list(Campaign.objects.all())

    assert Brand.objects.count() == 4
    assert Counter(c.status for c in campaigns) == {"finished": 4, "running": 2, "draft": 2}
    assert {c.sponsored for c in campaigns} == {True, False}
    assert any(not c.brief_complete for c in campaigns if c.status == Campaign.Status.DRAFT)
    for campaign in campaigns:
        if campaign.status != Campaign.Status.DRAFT:
            assert campaign.brief_complete, campaign
        if campaign.status == Campaign.Status.RUNNING:
            assert campaign.starts_on <= today <= campaign.ends_on
        if campaign.status == Campaign.Status.FINISHED:
            assert campaign.ends_on < today


def test_relationships_are_in_every_stage_and_every_outcome(demo, db):
    relationships = Relationship.objects.all()

    assert set(relationships.values_list("stage", flat=True)) == set(Stage.values)
    closed = relationships.filter(stage=Stage.CLOSED)
    assert set(closed.values_list("outcome", flat=True)) == set(Outcome.values)
    assert set(closed.values_list("thank_you", flat=True)) == {ThankYou.QUEUED, ThankYou.SKIPPED}
    # Skipped by hand with a reason, and by itself (opted out, no e-mail, never pitched).
    reasons = list(closed.filter(thank_you=ThankYou.SKIPPED).values_list("thank_you_skip_reason", flat=True))
    assert any("opted out" in r for r in reasons) and any("never pitched" in r for r in reasons)
    assert any("concert" in r for r in reasons)
    for campaign in Campaign.objects.filter(status=Campaign.Status.FINISHED):
        assert not campaign.relationships.exclude(stage=Stage.CLOSED).exists(), campaign


def test_the_history_is_dated_in_the_past_in_lifecycle_order(demo, db):
    now = timezone.now()
    stamps = ["shortlisted_at", "pitched_at", "accepted_at", "delivered_at", "closed_at"]

    for relationship in Relationship.objects.all():
        times = [getattr(relationship, s) for s in stamps if getattr(relationship, s)]
        assert times == sorted(times) and times[-1] < now, relationship
        changes = {c.to_stage: c.changed_at for c in relationship.stage_changes.all()}
        assert changes[Stage.SHORTLISTED] == relationship.shortlisted_at
        if relationship.stage == Stage.CLOSED:
            assert changes[Stage.CLOSED] == relationship.closed_at
        if relationship.pitched_at:
            # The pitch carried the brief as its contact, dated with the pitch.
            assert relationship.contacts.filter(occurred_at=relationship.pitched_at).exists()
    assert not StageChange.objects.filter(changed_at__gte=now - timedelta(minutes=1)).exists()


def test_what_was_delivered_was_received_first(demo, db):
    delivered = Relationship.objects.exclude(delivered_at=None)

    assert delivered.count() > 50
    for relationship in delivered:
        assert relationship.exchanges.filter(direction=Exchange.Direction.GET).exists()
    assert Exchange.objects.filter(direction=Exchange.Direction.GIVE, kind=Exchange.Kind.FEE).exists()
    assert set(Exchange.objects.filter(direction="get").values_list("kind", flat=True)) >= {"post", "story", "video"}


def test_the_guardrails_were_met_and_answered(demo, db):
    events = Counter(GuardrailEvent.objects.values_list("rule", "result"))

    assert events[("off_topic", "overridden")] == 2
    assert events[("consistency", "acknowledged")] >= 1
    assert events[("brief_incomplete", "blocked")] == 1
    assert Relationship.objects.exclude(off_topic_reason="").count() == 2
    assert not GuardrailEvent.objects.filter(occurred_at__gte=timezone.now() - timedelta(minutes=1)).exists()


def test_a_year_of_contacts_in_both_directions(demo, db):
    now = timezone.now()
    contacts = Contact.objects.all()

    assert 1500 <= contacts.count() <= 3000
    assert not contacts.filter(occurred_at__gt=now).exists()
    assert not contacts.filter(occurred_at__lt=now - timedelta(days=366)).exists()
    assert set(contacts.values_list("kind", flat=True)) == set(Contact.Kind.values)
    assert set(contacts.values_list("direction", flat=True)) == set(Contact.Direction.values)
    # Nobody is written to after opting out.
    for person in Influencer.objects.filter(consent=Influencer.Consent.OPTED_OUT):
        assert not person.contacts.filter(occurred_at__gt=person.consent_at, direction="outbound").exists()


def test_the_marketer_has_news_to_give_some_overdue_some_due_this_week(marketer):
    news = who_needs_news(owner=marketer)

    relationships = list(news.relationships)
    people = list(news.people)
    assert any(r.is_overdue for r in relationships) and any(not r.is_overdue for r in relationships)
    assert any(p.is_overdue for p in people) and any(not p.is_overdue for p in people)


def test_a_second_run_changes_nothing_and_says_so(demo, db):
    counts = _counts()
    out = StringIO()

    call_command("seed_demo", force=True, stdout=out)

    assert _counts() == counts
    assert "nothing to do" in out.getvalue()


def test_the_outbox_holds_history_not_a_backlog(demo, db):
    now = timezone.now()
    thank_yous = Message.objects.filter(kind=Message.Kind.THANK_YOU)

    assert thank_yous.count() == Relationship.objects.filter(thank_you=ThankYou.QUEUED).count()
    # Old closings' thank-yous went out back then: the first `make run` must not send a hundred of them.
    assert not thank_yous.filter(status=Message.Status.SCHEDULED, send_at__lt=now).exists()
    follow_ups = Message.objects.filter(kind=Message.Kind.FOLLOW_UP, status=Message.Status.SCHEDULED)
    assert follow_ups.count() == 6
    assert all(m.send_at > now and m.cancel_if_reply and m.relationship.stage == Stage.PITCHED for m in follow_ups)


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _says(text: str, words: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(_folded(words)) + r"(?!\w)", _folded(html.unescape(text))) is not None


def test_demo_channels_read_their_feeds_from_the_demo_feed_server(demo, db, settings):
    feeds = list(Feed.objects.select_related("channel"))
    base = f"http://127.0.0.1:{settings.DEMO_FEEDS_PORT}/"

    assert len(feeds) == len(FEEDS)
    assert all(feed.url.startswith(base) for feed in feeds)
    for spec in FEEDS:
        feed = next(feed for feed in feeds if feed.url == base.rstrip("/") + feed_path(spec, feed.channel.handle))
        assert feed.channel.platform == spec.platform
        if spec.campaign:
            assert feed.channel.influencer.relationships.filter(
                campaign=demo_campaign(spec.campaign), stage__in=spec.stages
            ).exists(), spec.key


def test_the_demo_s_invented_pages_are_not_searched_for_a_feed(demo, db):
    assert not Channel.objects.filter(feed__isnull=True, feed_looked_up_at__isnull=True).exists()
    assert channels_to_look_up() == []


def test_every_demo_campaign_says_what_identifies_its_content(demo, db):
    for campaign in Campaign.objects.all():
        assert campaign.content_terms, campaign
    assert Campaign.objects.exclude(promo_code="").exists()
    assert Campaign.objects.exclude(content_links="").count() >= 6


def test_the_sponsored_launch_gets_one_post_with_its_disclosure_and_one_without(demo, db):
    """What a newcomer sees in the first minutes of `make run`: the posts the feed server reveals that mention the
    running sponsored campaign, by people with an open relationship on it, one saying it is paid for, one not."""
    campaign = Campaign.objects.get(sponsored=True, status=Campaign.Status.RUNNING)
    names = [campaign.brand.name, *campaign.content_terms.splitlines(), campaign.promo_code]
    markers = [*DisclosureMarker.objects.values_list("text", flat=True), campaign.disclosure]
    disclosed = []
    for spec in FEEDS:
        for item in spec.items:
            text = f"{item.title}\n{item.body}"
            if item.minutes > 0 and any(_says(text, name) for name in names):
                assert spec.campaign and demo_campaign(spec.campaign) == campaign, spec.key
                disclosed.append(any(_says(text, marker) for marker in markers))
    # Nothing else in the feeds mentions it: the back catalogue is matched too, on the first poll.
    back_catalogue = [f"{item.title}\n{item.body}" for spec in FEEDS for item in spec.items if item.minutes <= 0]
    assert not [text for text in back_catalogue if any(_says(text, name) for name in names)]

    assert sorted(disclosed) == [False, True, True]
