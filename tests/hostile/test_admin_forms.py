"""Hostile input on the managers' back office: every add and change form, with their inlines. No server error
ever, and what was typed comes back escaped in the lists and change pages. (The actions, reports, login and
list searches: test_admin_pages.py.)"""

from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.models import Stage
from tests.factories import (
    BrandFactory,
    CampaignFactory,
    ChannelFactory,
    InfluencerFactory,
    RelationshipFactory,
    TopicFactory,
)
from tests.hostile.strategies import (
    CONTROL,
    EXAMPLES,
    HOSTILE,
    HUGE,
    LONG,
    NUL,
    YEAR_9999,
    YEAR_ONE,
    assert_harmless,
    assert_no_live_markup,
    bad_date,
    bad_id,
    bad_number,
    hostile_text,
    rolled_back,
)
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db

ADMIN = settings(HOSTILE, max_examples=max(5, EXAMPLES // 2))


@dataclass
class Page:
    """One admin form: its URL, a valid post, and which of its fields hold text, dates, numbers and ids."""

    url: str
    data: dict
    text: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # pages that show what was saved

    def strategies(self) -> dict:
        return (
            {name: hostile_text(200) for name in self.text}
            | {name: bad_date() for name in self.dates}
            | {name: bad_number() for name in self.numbers}
            | {name: bad_id() for name in self.ids}
        )


def _inlines(prefix_totals: dict[str, tuple[int, int]]) -> dict:
    data = {}
    for prefix, (total, initial) in prefix_totals.items():
        data |= {
            f"{prefix}-TOTAL_FORMS": str(total),
            f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


def _today() -> str:
    return timezone.localdate().isoformat()


def _now_time() -> str:
    return timezone.localtime().strftime("%H:%M:%S")


def influencer_add(alice) -> Page:
    topic = TopicFactory(name="cuisine")
    data = {
        "name": "Ana Martin",
        "email": "ana.martin@example.org",
        "kind": "blogger",
        "owner": str(alice.pk),
        "topics": [str(topic.pk)],
        "language": "fr",
        "timezone": "Europe/Paris",
        "city": "Lyon",
        "region": "Bretagne",
        "country": "FR",
        "consent": "opted_in",
        "consent_at_0": _today(),
        "consent_at_1": "00:00:00",
        "consent_source": "a call",
        "cadence_days": "30",
        "notes": "Met at a fair",
        **_inlines(
            {"channels": (1, 0), "addresses": (0, 0), "relationships": (0, 0), "contacts": (0, 0), "exchanges": (0, 0)}
        ),
        "channels-0-platform": "instagram",
        "channels-0-handle": "ana.martin",
        "channels-0-url": "",
    }
    return Page(
        reverse("admin:crm_influencer_add"),
        data,
        text=["name", "email", "timezone", "city", "region", "country", "consent_source", "notes", "channels-0-handle"],
        dates=["consent_at_0"],
        numbers=["cadence_days", "channels-TOTAL_FORMS"],
        ids=["owner", "topics"],
        shown=[reverse("admin:crm_influencer_changelist")],
    )


def influencer_change(alice) -> Page:
    person = InfluencerFactory(name="Ana", email="ana@example.org")
    channel = ChannelFactory(influencer=person, handle="ana")
    page = influencer_add(alice)
    for name in ("consent", "consent_at_0", "consent_at_1", "consent_source"):
        page.data.pop(name)
    page.data |= {
        **_inlines({"channels": (1, 1)}),
        "channels-0-id": str(channel.pk),
        "channels-0-influencer": str(person.pk),
    }
    page.url = reverse("admin:crm_influencer_change", args=[person.pk])
    page.text.remove("consent_source")
    page.dates = []
    page.ids.append("channels-0-id")
    page.shown.append(page.url)
    return page


def channel_add(alice) -> Page:
    person = InfluencerFactory(name="Ana")
    data = {
        "influencer": str(person.pk),
        "platform": "youtube",
        "handle": "ana-tube",
        "url": "https://youtube.example/ana",
        **_inlines({"feed": (1, 0), "snapshots": (1, 0)}),
        "feed-0-url": "https://blog.example/feed/",
        "snapshots-0-taken_on": _today(),
        "snapshots-0-followers": "1200",
        "snapshots-0-engagement_rate": "2.5",
    }
    return Page(
        reverse("admin:crm_channel_add"),
        data,
        text=["handle", "url", "platform", "feed-0-url"],
        dates=["snapshots-0-taken_on"],
        numbers=["snapshots-0-followers", "snapshots-0-engagement_rate", "snapshots-TOTAL_FORMS"],
        ids=["influencer"],
        shown=[reverse("admin:crm_channel_changelist"), reverse("crm:influencer_detail", args=[person.pk])],
    )


def contact_add(alice) -> Page:
    relationship = RelationshipFactory(stage=Stage.ACTIVE)
    data = {
        "influencer": str(relationship.influencer_id),
        "relationship": str(relationship.pk),
        "kind": "call",
        "direction": "inbound",
        "occurred_at_0": _today(),
        "occurred_at_1": "00:00:00",
        "summary": "We talked",
    }
    return Page(
        reverse("admin:crm_contact_add"),
        data,
        text=["summary", "kind", "direction", "occurred_at_1"],
        dates=["occurred_at_0"],
        ids=["influencer", "relationship"],
        shown=[
            reverse("admin:crm_contact_changelist"),
            reverse("crm:influencer_detail", args=[relationship.influencer_id]),
        ],
    )


def exchange_add(alice) -> Page:
    person = InfluencerFactory(name="Ana")
    data = {
        "influencer": str(person.pk),
        "relationship": "",
        "direction": "get",
        "kind": "post",
        "occurred_on": _today(),
        "value": "10.00",
        "reach": "100",
        "url": "https://blog.example/post",
        "note": "A post",
    }
    return Page(
        reverse("admin:crm_exchange_add"),
        data,
        text=["url", "note", "direction", "kind"],
        dates=["occurred_on"],
        numbers=["value", "reach"],
        ids=["influencer", "relationship"],
        shown=[reverse("admin:crm_exchange_changelist"), reverse("crm:influencer_detail", args=[person.pk])],
    )


def snapshot_add(alice) -> Page:
    channel = ChannelFactory(handle="ana")
    data = {"channel": str(channel.pk), "taken_on": _today(), "followers": "1500", "engagement_rate": "1.25"}
    return Page(
        reverse("admin:crm_audiencesnapshot_add"),
        data,
        dates=["taken_on"],
        numbers=["followers", "engagement_rate"],
        ids=["channel"],
        shown=[reverse("admin:crm_audiencesnapshot_changelist")],
    )


def campaign_add(alice) -> Page:
    brand = BrandFactory(name="Maison Verte")
    topic = TopicFactory(name="cuisine")
    data = {
        "brand": str(brand.pk),
        "name": "Spring range",
        "status": "running",
        "owner": str(alice.pk),
        "topics": [str(topic.pk)],
        "objective": "Known outside Paris",
        "ask": "One post",
        "deliverables": "1 post",
        "offer": "The range",
        "sponsored": "on",
        "disclosure": "#ad",
        "starts_on": _today(),
        "ends_on": _today(),
        **_inlines({"relationships": (0, 0)}),
    }
    return Page(
        reverse("admin:campaigns_campaign_add"),
        data,
        text=["name", "objective", "ask", "deliverables", "offer", "disclosure", "status"],
        dates=["starts_on", "ends_on"],
        ids=["brand", "owner", "topics"],
        shown=[reverse("admin:campaigns_campaign_changelist"), reverse("campaigns:campaign_list")],
    )


def relationship_add(alice) -> Page:
    person, campaign = InfluencerFactory(name="Ana"), CampaignFactory()
    data = {"influencer": str(person.pk), "campaign": str(campaign.pk), "owner": str(alice.pk)}
    return Page(
        reverse("admin:campaigns_relationship_add"),
        data,
        ids=["influencer", "campaign", "owner"],
        shown=[reverse("admin:campaigns_relationship_changelist")],
    )


def relationship_change(alice) -> Page:
    relationship = RelationshipFactory(stage=Stage.ACTIVE)
    data = {"owner": str(alice.pk), "cadence_days": "14"}
    return Page(
        reverse("admin:campaigns_relationship_change", args=[relationship.pk]),
        data,
        numbers=["cadence_days"],
        ids=["owner"],
        shown=[reverse("admin:campaigns_relationship_changelist")],
    )


def template_add(alice) -> Page:
    data = {"name": "Nudge", "language": "fr", "subject": "Des nouvelles ?", "body": "Bonjour"}
    return Page(
        reverse("admin:messaging_messagetemplate_add"),
        data,
        text=["name", "language", "subject", "body"],
        shown=[reverse("admin:messaging_messagetemplate_changelist")],
    )


def message_change(alice) -> Page:
    message = MessageFactory(influencer=InfluencerFactory(name="Ana", email="ana@example.org"))
    tomorrow = timezone.localtime(message.send_at)
    data = {
        "subject": "Any news?",
        "body": "Hello",
        "send_at_0": tomorrow.date().isoformat(),
        "send_at_1": tomorrow.strftime("%H:%M:%S"),
        "cancel_if_reply": "on",
    }
    return Page(
        reverse("admin:messaging_message_change", args=[message.pk]),
        data,
        text=["subject", "body", "send_at_1"],
        dates=["send_at_0"],
        shown=[
            reverse("admin:messaging_message_changelist"),
            reverse("crm:influencer_detail", args=[message.influencer_id]),
        ],
    )


def topic_add(alice) -> Page:
    return Page(
        reverse("admin:crm_topic_add"), {"name": "vélo"}, text=["name"], shown=[reverse("admin:crm_topic_changelist")]
    )


def brand_add(alice) -> Page:
    return Page(
        reverse("admin:campaigns_brand_add"),
        {"name": "Maison"},
        text=["name"],
        shown=[reverse("admin:campaigns_brand_changelist")],
    )


PAGES = {
    builder.__name__: builder
    for builder in (
        influencer_add,
        influencer_change,
        channel_add,
        contact_add,
        exchange_add,
        snapshot_add,
        campaign_add,
        relationship_add,
        relationship_change,
        template_add,
        message_change,
        topic_add,
        brand_add,
    )
}

# "*text" puts the value in every text field of the page, "*dates" in every date field, and so on.
SHARP = [
    {"*text": NUL},
    {"*text": LONG},
    {"*text": CONTROL},
    {"*dates": YEAR_ONE},
    {"*dates": YEAR_9999},
    {"*numbers": HUGE},
    {"*numbers": "2912104"},  # days: today plus that many is past the year 9999 (issue 14)
    {"*ids": HUGE},
]


def _apply(page: Page, changed: dict) -> dict:
    data = dict(page.data)
    for key, value in changed.items():
        if key.startswith("*"):
            for name in getattr(page, key[1:]):
                data[name] = value
        elif key in page.strategies():
            data[key] = value
    return data


def admin_changes() -> st.SearchStrategy:
    """Hostile values for any field name any page has; each page keeps the ones it knows."""
    kinds = {"*text": hostile_text(200), "*dates": bad_date(), "*numbers": bad_number(), "*ids": bad_id()}
    one_kind = st.sampled_from(sorted(kinds)).flatmap(lambda kind: kinds[kind].map(lambda value: {kind: value}))
    return one_kind


@pytest.mark.parametrize("page_name", sorted(PAGES))
@ADMIN
@given(changed=admin_changes())
def test_every_admin_form_never_fails_on_any_input(as_alice, alice, page_name, changed):
    _admin_post(as_alice, alice, page_name, changed)


@pytest.mark.parametrize("page_name", sorted(PAGES))
@pytest.mark.parametrize("changed", SHARP, ids=lambda c: f"{next(iter(c))}={next(iter(c.values()))[:12]!r}")
def test_every_admin_form_refuses_sharp_values_without_failing(as_alice, alice, page_name, changed):
    with rolled_back():
        _admin_post(as_alice, alice, page_name, changed, rolled=False)


def _admin_post(client, alice, page_name: str, changed: dict, rolled: bool = True) -> None:
    def run():
        page = PAGES[page_name](alice)
        response = client.post(page.url, _apply(page, changed))

        assert_harmless(response)
        assert_no_live_markup(response.content)
        if response.status_code == 302:
            for url in page.shown:
                shown = client.get(url)
                assert_harmless(shown)
                assert_no_live_markup(shown.content)

    if rolled:
        with rolled_back():
            run()
    else:
        run()
