"""Hostile input on the managers' back office: every add and change form (with their inlines), the actions
that open an intermediate form (pitch, merge), the report filters and downloads, and the login forms. No
server error ever, and what was typed comes back escaped in the lists and change pages."""

from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given, settings
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
    SCRIPT,
    YEAR_9999,
    YEAR_ONE,
    assert_harmless,
    assert_no_live_markup,
    bad_date,
    bad_id,
    bad_number,
    expected_status,
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
        **_inlines({"channels": (1, 0), "relationships": (0, 0), "contacts": (0, 0), "exchanges": (0, 0)}),
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
        **_inlines({"channels": (1, 1), "relationships": (0, 0), "contacts": (0, 0), "exchanges": (0, 0)}),
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
        **_inlines({"snapshots": (1, 0)}),
        "snapshots-0-taken_on": _today(),
        "snapshots-0-followers": "1200",
        "snapshots-0-engagement_rate": "2.5",
    }
    return Page(
        reverse("admin:crm_channel_add"),
        data,
        text=["handle", "url", "platform"],
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


# --- Actions with an intermediate form ---------------------------------------------------------------------------


@ADMIN
@example(reason=NUL, acknowledge="on")
@example(reason=LONG, acknowledge="on")
@example(reason=SCRIPT, acknowledge="")
@given(reason=hostile_text(300), acknowledge=hostile_text(5))
def test_the_pitch_action_never_fails_on_any_reason(as_alice, reason, acknowledge):
    with rolled_back():
        relationship = RelationshipFactory(
            influencer=InfluencerFactory(name=SCRIPT, topics=["cuisine"]), campaign=CampaignFactory(topics=["sport"])
        )
        url = reverse("admin:campaigns_relationship_changelist")
        posted = {"action": "pitch", "_selected_action": [str(relationship.pk)]}

        dialog = as_alice.post(url, posted)
        applied = as_alice.post(
            url, {**posted, "apply": "1", "override_reason": reason, "acknowledge_flags": acknowledge}, follow=True
        )

        for response in (dialog, applied):
            assert_harmless(response)
            assert_no_live_markup(response.content)


@ADMIN
@example(survivor=HUGE, selected=[HUGE])
@example(survivor=NUL, selected=[NUL])
@given(survivor=bad_id(), selected=st.lists(bad_id(), max_size=3))
def test_the_merge_action_never_fails_on_tampered_ids(as_alice, survivor, selected):
    with rolled_back():
        first = InfluencerFactory(name=SCRIPT, email="ana@example.org")
        second = InfluencerFactory(name="Ana M.", email="")
        url = reverse("admin:crm_influencer_changelist")
        posted = {
            "action": "merge_people",
            "_selected_action": [str(first.pk), str(second.pk), *selected],
            "apply": "1",
            "survivor": survivor,
        }

        response = as_alice.post(url, posted, follow=True)

        assert_harmless(response)
        assert_no_live_markup(response.content)


# --- Reports: the filter form and the downloads ------------------------------------------------------------------


@ADMIN
@example(query={"date_from": YEAR_ONE, "date_to": YEAR_9999}, report="followups")
@example(query={"date_from": "1000-01-01", "date_to": "1000-01-02"}, report="followups")
@example(query={"date_from": YEAR_9999, "date_to": YEAR_9999}, report="followups")
@example(query={"brand": HUGE, "campaign": HUGE, "owner": HUGE}, report="followups")
@given(
    query=st.fixed_dictionaries(
        {}, optional={"date_from": bad_date(), "date_to": bad_date(), "brand": bad_id(), "campaign": bad_id()}
    ),
    report=st.sampled_from(["pipeline", "followups", "guardrails", "spread", "reciprocity", "audience"]),
)
def test_the_report_filters_never_fail_on_any_input(as_alice, query, report):
    with rolled_back():
        for url in (
            reverse("admin:reports_report_changelist"),
            reverse("admin:reports_report_detail", args=[report]),
            reverse("admin:reports_report_csv", args=[report]),
        ):
            response = as_alice.get(url, query)
            assert response.status_code == expected_status(query), url
            assert_no_live_markup(response.content)


# --- Login --------------------------------------------------------------------------------------------------------


@ADMIN
@example(username=NUL, password=NUL)
@example(username=LONG, password=LONG)
@example(username=SCRIPT, password=SCRIPT)
@given(username=hostile_text(), password=hostile_text())
def test_the_login_forms_never_fail_on_any_input(client, db, username, password):
    with rolled_back():
        for url in (reverse("login"), reverse("admin:login")):
            response = client.post(url, {"username": username, "password": password}, REMOTE_ADDR="203.0.113.9")
            assert response.status_code in {200, 302, 403, 429}, (url, response.status_code)
            assert_no_live_markup(response.content)


@ADMIN
@example(params={"region": NUL, "q": NUL}, changelist="crm_influencer")
@example(params={"region__exact": NUL, "o": NUL}, changelist="crm_influencer")
@example(params={"kind__exact": LONG, "p": HUGE, "o": HUGE}, changelist="crm_contact")
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "region", "region__exact", "kind__exact", "topics__id__exact", "owner__id__exact", "o"]),
        st.one_of(hostile_text(40), bad_id()),
        max_size=3,
    ),
    changelist=st.sampled_from(["crm_influencer", "crm_contact", "campaigns_campaign", "campaigns_relationship"]),
)
def test_the_admin_lists_never_fail_on_any_search_or_filter(as_alice, params, changelist):
    with rolled_back():
        InfluencerFactory(name="Ana", region="Bretagne")

        response = as_alice.get(reverse(f"admin:{changelist}_changelist"), params)

        assert response.status_code in {200, 302, 400}, response.status_code
        if any("\x00" in f"{key}{value}" for key, value in params.items()):
            assert response.status_code == 400
        assert_no_live_markup(response.content)
