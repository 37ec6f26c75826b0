"""Hostile input on every form of the campaigns side: the brief (add, edit, the live checklist), the list's
filters, the board's search and shortlisting, and the four move dialogs. No server error ever, and the brief
and the reasons typed come back escaped on the board, the dialogs and the person's timeline."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from campaigns.models import Campaign, Relationship, Stage
from tests.factories import BrandFactory, CampaignFactory, InfluencerFactory, RelationshipFactory, TopicFactory
from tests.hostile.strategies import (
    CONTROL,
    FEW,
    HOSTILE,
    HUGE,
    LONG,
    NUL,
    SCRIPT,
    TYPED_PAYLOADS,
    YEAR_9999,
    YEAR_ONE,
    assert_harmless,
    assert_no_live_markup,
    bad_date,
    bad_id,
    bad_number,
    changes,
    expected_status,
    hostile_text,
    rolled_back,
)

pytestmark = pytest.mark.django_db

CAMPAIGN_FIELDS = {
    "brand": bad_id(),
    "name": hostile_text(),
    "status": hostile_text(10),
    "topics": bad_id(),
    "objective": hostile_text(200),
    "ask": hostile_text(200),
    "deliverables": hostile_text(200),
    "offer": hostile_text(200),
    "sponsored": hostile_text(5),
    "disclosure": hostile_text(),
    "starts_on": bad_date(),
    "ends_on": bad_date(),
}


def campaign_form(*, brand, topic) -> dict:
    today = timezone.localdate()
    return {
        "brand": str(brand.pk),
        "name": "Spring range",
        "status": "running",
        "topics": [str(topic.pk)],
        "objective": "Make the range known outside Paris",
        "ask": "One post and two stories",
        "deliverables": "1 post, 2 stories",
        "offer": "The range, sent home",
        "sponsored": "on",
        "disclosure": "#ad",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=30)).isoformat(),
    }


def _sharp_campaign_examples(test):
    for value in (NUL, LONG, CONTROL, SCRIPT, "a" * 151):
        test = example(changed={"name": value, "objective": value, "disclosure": value})(test)
    test = example(changed={"starts_on": YEAR_ONE, "ends_on": YEAR_9999})(test)
    test = example(changed={"starts_on": YEAR_9999, "ends_on": YEAR_9999})(test)
    test = example(changed={"starts_on": "2024-02-30", "ends_on": YEAR_ONE})(test)
    return example(changed={"brand": HUGE, "topics": HUGE})(test)


def _post_brief(client, url: str, changed: dict) -> None:
    posted = {**campaign_form(brand=BrandFactory(name="Maison Verte"), topic=TopicFactory(name="cuisine")), **changed}
    response = client.post(url, posted)
    assert_harmless(response)
    assert_no_live_markup(response.content)
    if response.status_code == 302:
        campaign = Campaign.objects.order_by("-pk").first()
        board = client.get(reverse("campaigns:campaign_board", args=[campaign.pk]))
        assert board.status_code == 200
        assert_no_live_markup(board.content)


@HOSTILE
@_sharp_campaign_examples
@given(changed=changes(CAMPAIGN_FIELDS))
def test_writing_a_brief_never_fails_on_any_input(as_bob, changed):
    with rolled_back():
        _post_brief(as_bob, reverse("campaigns:campaign_add"), changed)


@HOSTILE
@_sharp_campaign_examples
@given(changed=changes(CAMPAIGN_FIELDS))
def test_editing_a_brief_never_fails_on_any_input(as_bob, changed):
    with rolled_back():
        campaign = CampaignFactory(name="Old name", brand=BrandFactory(name="Maison Verte"))
        RelationshipFactory(campaign=campaign, stage=Stage.PITCHED)
        _post_brief(as_bob, reverse("campaigns:campaign_edit", args=[campaign.pk]), changed)


@HOSTILE
@_sharp_campaign_examples
@given(changed=changes(CAMPAIGN_FIELDS))
def test_the_live_brief_checklist_never_fails_on_any_input(as_bob, changed):
    with rolled_back():
        posted = {**campaign_form(brand=BrandFactory(), topic=TopicFactory(name="cuisine")), **changed}

        response = as_bob.post(reverse("campaigns:campaign_brief_check"), posted, headers={"HX-Request": "true"})

        assert response.status_code == 200
        assert_no_live_markup(response.content)


@HOSTILE
@example(query={"brand": HUGE, "status": NUL, "page": HUGE})
@given(
    query=st.fixed_dictionaries(
        {}, optional={"brand": bad_id(), "status": hostile_text(10), "page": bad_number(), "q": hostile_text()}
    )
)
def test_the_campaign_list_and_the_board_search_never_fail_on_any_input(as_bob, query):
    with rolled_back():
        campaign = CampaignFactory()
        InfluencerFactory(name="Ana", city="Lyon")

        listing = as_bob.get(reverse("campaigns:campaign_list"), query)
        board = as_bob.get(reverse("campaigns:campaign_board", args=[campaign.pk]), query)
        search = as_bob.get(reverse("campaigns:influencer_search", args=[campaign.pk]), query)

        for response in (listing, board, search):
            assert response.status_code == expected_status(query)
            assert_no_live_markup(response.content)


@HOSTILE
@example(influencer=HUGE, htmx=True)
@example(influencer=NUL, htmx=False)
@given(influencer=bad_id(), htmx=st.booleans())
def test_shortlisting_a_tampered_id_never_fails(as_bob, influencer, htmx):
    with rolled_back():
        campaign = CampaignFactory()
        headers = {"HX-Request": "true"} if htmx else {}

        response = as_bob.post(
            reverse("campaigns:relationship_shortlist", args=[campaign.pk]), {"influencer": influencer}, headers=headers
        )

        assert_harmless(response)
        assert not Relationship.objects.exists()


MOVE_FIELDS = {
    "contact_kind": hostile_text(10),
    "override_reason": hostile_text(300),
    "acknowledge_flags": hostile_text(5),
    "cadence_days": bad_number(),
    "outcome": hostile_text(10),
    "thank_you": hostile_text(6),
    "skip_reason": hostile_text(300),
}


def _sharp_move_examples(test):
    for value in (NUL, LONG, CONTROL, SCRIPT):
        for move in ("pitch", "close"):
            changed = {"override_reason": value, "skip_reason": value, "thank_you": "skip"}
            test = example(changed=changed, move=move, htmx=move == "close")(test)
    for value in (HUGE, "366", "0", "32768"):
        test = example(changed={"cadence_days": value}, move="accept", htmx=False)(test)
    return test


@HOSTILE
@_sharp_move_examples
@given(
    changed=changes(MOVE_FIELDS),
    move=st.sampled_from(["pitch", "accept", "deliver", "close"]),
    htmx=st.booleans(),
)
def test_the_move_dialogs_never_fail_on_any_input(as_bob, changed, move, htmx):
    with rolled_back():
        stage = {"pitch": Stage.SHORTLISTED, "accept": Stage.PITCHED, "deliver": Stage.ACTIVE, "close": Stage.ACTIVE}
        # Off-topic: the pitch dialog asks for a reason.
        campaign = CampaignFactory(topics=["sport"])
        person = InfluencerFactory(name="Ana", topics=["cuisine"])
        relationship = RelationshipFactory(influencer=person, campaign=campaign, stage=stage[move])
        posted = {
            "contact_kind": "email",
            "override_reason": "She asked to hear about it",
            "acknowledge_flags": "on",
            "cadence_days": "14",
            "outcome": "completed",
            "thank_you": "send",
            "skip_reason": "",
            **changed,
        }
        headers = {"HX-Request": "true"} if htmx else {}
        url = reverse(f"campaigns:relationship_{move}", args=[relationship.pk])

        response = as_bob.post(url, posted, headers=headers)

        assert_harmless(response)
        assert_no_live_markup(response.content)
        for page in (
            reverse("campaigns:campaign_board", args=[campaign.pk]),
            reverse("crm:influencer_detail", args=[person.pk]),
        ):
            shown = as_bob.get(page)
            assert shown.status_code == 200
            assert_no_live_markup(shown.content)


@FEW
@given(
    noise=st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=10),
    payload=st.sampled_from(TYPED_PAYLOADS),
)
def test_markup_in_a_brief_and_in_reasons_is_shown_as_text_everywhere(as_bob, noise, payload):
    with rolled_back():
        text = f"{noise}{payload}".strip() or "x"
        brand = BrandFactory(name=SCRIPT)
        posted = campaign_form(brand=brand, topic=TopicFactory(name=SCRIPT))
        posted.update(
            name=f"{text} {SCRIPT}"[:150],
            objective=f"{text}\n{SCRIPT}",
            ask=SCRIPT,
            deliverables=SCRIPT,
            offer=SCRIPT,
            disclosure=SCRIPT,
        )
        response = as_bob.post(reverse("campaigns:campaign_add"), posted)
        assert response.status_code == 302, response.context["form"].errors
        campaign = Campaign.objects.get()
        person = InfluencerFactory(name=SCRIPT, email="ana@example.org", topics=["cuisine"])
        relationship = RelationshipFactory(influencer=person, campaign=campaign)
        pitch_url = reverse("campaigns:relationship_pitch", args=[relationship.pk])
        dialog = as_bob.get(pitch_url)
        assert_no_live_markup(dialog.content)
        assert as_bob.post(pitch_url, {"contact_kind": "email", "override_reason": SCRIPT}).status_code == 302
        assert as_bob.post(reverse("campaigns:relationship_accept", args=[relationship.pk]), {"cadence_days": 14})
        close_url = reverse("campaigns:relationship_close", args=[relationship.pk])
        assert_no_live_markup(as_bob.get(close_url).content)  # the thank-you preview quotes the campaign
        closed = as_bob.post(close_url, {"outcome": "declined", "thank_you": "skip", "skip_reason": SCRIPT})
        assert closed.status_code == 302

        for url in (
            reverse("campaigns:campaign_list"),
            reverse("campaigns:campaign_board", args=[campaign.pk]),
            reverse("campaigns:campaign_edit", args=[campaign.pk]),
            reverse("crm:influencer_detail", args=[person.pk]),
            reverse("home"),
        ):
            page = as_bob.get(url, follow=True)
            assert page.status_code == 200, url
            assert_no_live_markup(page.content)
        board = as_bob.get(reverse("campaigns:campaign_board", args=[campaign.pk])).content.decode()
        assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in board
