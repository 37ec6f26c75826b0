"""The move dialogs of the board: each calls one service, and whatever the service refuses is a readable error."""

import datetime
import json

import pytest
from django.urls import reverse

from campaigns.models import GuardrailEvent, Relationship, Stage, StageChange, ThankYou
from crm.models import Contact
from tests.factories import CampaignFactory, ExchangeFactory, InfluencerFactory, RelationshipFactory, paris

MONDAY = paris(2026, 3, 2, 10, 0)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return MONDAY


@pytest.fixture
def lea(db):
    return InfluencerFactory(name="Léa", email="lea@example.org", language="fr", topics=["lifestyle", "food"])


@pytest.fixture
def spring(db):
    return CampaignFactory(name="Spring range", topics=["lifestyle"])


@pytest.fixture
def marketer(client, bob):
    client.force_login(bob)
    return client


def _url(name: str, relationship) -> str:
    return reverse(f"campaigns:{name}", args=[relationship.pk])


def _stage(relationship) -> str:
    relationship.refresh_from_db()
    return relationship.stage


def _moved_event(response) -> dict:
    return json.loads(response["HX-Trigger"])["relationshipMoved"]


# --- Pitch ----------------------------------------------------------------------------------------------------


def test_the_pitch_dialog_shows_the_real_brief_that_goes_out(marketer, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring)

    response = marketer.get(_url("relationship_pitch", relationship), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    # In Léa's language, as it goes out to her.
    assert "Ce que nous demandons : One post and two stories about the range" in html
    assert "Ce que nous offrons : The full range, sent to your home" in html
    assert 'hx-post="' + _url("relationship_pitch", relationship) in html
    assert "<html" not in html  # a modal's content, not a page


def test_pitching_through_the_board_is_refused_while_the_brief_is_incomplete(marketer, lea):
    campaign = CampaignFactory(topics=["lifestyle"], ask="", ends_on=None)
    relationship = RelationshipFactory(influencer=lea, campaign=campaign)

    dialog = marketer.get(_url("relationship_pitch", relationship), **HTMX).content.decode()
    response = marketer.post(_url("relationship_pitch", relationship), {"contact_kind": "email"}, **HTMX)

    assert "The brief is incomplete: nobody can be pitched until it is complete." in dialog
    assert "<li>What is asked</li>" in dialog and "<li>Ends on</li>" in dialog
    assert reverse("campaigns:campaign_edit", args=[campaign.pk]) in dialog
    assert 'type="submit"' not in dialog
    assert response.status_code == 200
    assert "is incomplete; fill in what is asked, ends on before pitching anyone" in response.content.decode()
    assert "HX-Trigger" not in response
    assert _stage(relationship) == Stage.SHORTLISTED
    assert list(relationship.guardrail_events.values_list("rule", "result")) == [
        (GuardrailEvent.Rule.BRIEF_INCOMPLETE, GuardrailEvent.Result.BLOCKED)
    ]


def test_an_off_topic_pitch_needs_the_reason(marketer, spring):
    karim = InfluencerFactory(name="Karim", topics=["sport"])
    relationship = RelationshipFactory(influencer=karim, campaign=spring)

    refused = marketer.post(_url("relationship_pitch", relationship), {"contact_kind": "email"}, **HTMX)
    pitched = marketer.post(
        _url("relationship_pitch", relationship),
        {"contact_kind": "call", "override_reason": "Sport fans cook too"},
        **HTMX,
    )

    assert "Give the reason for this off-topic pitch." in refused.content.decode()
    assert pitched.status_code == 204
    assert _moved_event(pitched) == {"relationship": relationship.pk, "stage": "pitched"}
    assert _stage(relationship) == Stage.PITCHED
    assert relationship.off_topic_reason == "Sport fans cook too"
    assert relationship.next_contact_due == datetime.date(2026, 3, 9)
    assert Contact.objects.get(relationship=relationship).kind == Contact.Kind.CALL


def test_a_flagged_pitch_needs_the_acknowledgement(marketer, lea, spring, bob):
    for days_ago in (3, 10):
        RelationshipFactory(
            influencer=lea,
            campaign=CampaignFactory(topics=["sport"]),
            stage=Stage.PITCHED,
            pitched_at=MONDAY - datetime.timedelta(days=days_ago),
        )
    relationship = RelationshipFactory(influencer=lea, campaign=spring)

    dialog = marketer.get(_url("relationship_pitch", relationship), **HTMX).content.decode()
    refused = marketer.post(_url("relationship_pitch", relationship), {"contact_kind": "email"}, **HTMX)
    pitched = marketer.post(
        _url("relationship_pitch", relationship), {"contact_kind": "email", "acknowledge_flags": "on"}, **HTMX
    )

    assert "Léa was pitched on unrelated topics in the last 30 days" in dialog
    assert "Acknowledge the warnings to pitch anyway." in refused.content.decode()
    assert pitched.status_code == 204
    assert _stage(relationship) == Stage.PITCHED
    assert relationship.flag_acknowledged_by == bob


def test_an_opted_out_person_cannot_be_pitched_from_the_board(marketer, spring):
    julie = InfluencerFactory(name="Julie", topics=["lifestyle"], consent="opted_out")
    relationship = RelationshipFactory(influencer=julie, campaign=spring)

    dialog = marketer.get(_url("relationship_pitch", relationship), **HTMX).content.decode()
    response = marketer.post(_url("relationship_pitch", relationship), {"contact_kind": "email"}, **HTMX)

    assert "Julie opted out of contact: they cannot be pitched." in dialog
    assert "Julie opted out of contact: they cannot be pitched." in response.content.decode()
    assert _stage(relationship) == Stage.SHORTLISTED


def test_a_pitch_posted_twice_pitches_once_and_says_why_the_second_did_nothing(marketer, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring)
    url = _url("relationship_pitch", relationship)

    first = marketer.post(url, {"contact_kind": "email"}, **HTMX)
    second = marketer.post(url, {"contact_kind": "email"}, **HTMX)

    assert first.status_code == 204
    assert second.status_code == 200
    assert "HX-Trigger" not in second
    html = second.content.decode()
    assert "is pitched, so it cannot be pitched: record their answer first" in html
    assert "is pitched now: this move is no longer possible." in html
    assert Contact.objects.filter(relationship=relationship).count() == 1
    assert StageChange.objects.filter(relationship=relationship, to_stage=Stage.PITCHED).count() == 1


def test_without_htmx_a_move_is_a_page_and_redirects_to_the_board(marketer, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring)

    page = marketer.get(_url("relationship_pitch", relationship))
    response = marketer.post(_url("relationship_pitch", relationship), {"contact_kind": "email"})

    assert "<html" in page.content.decode() and "hx-post" not in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:campaign_board", args=[spring.pk])
    assert _stage(relationship) == Stage.PITCHED
    board = marketer.get(response["Location"]).content.decode()
    assert "Léa is pitched on" in board


# --- Accept ---------------------------------------------------------------------------------------------------


def test_accept_sets_the_cadence_and_the_next_due_date(marketer, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.PITCHED)

    response = marketer.post(_url("relationship_accept", relationship), {"cadence_days": "10"}, **HTMX)

    assert response.status_code == 204
    assert _moved_event(response)["stage"] == "active"
    assert _stage(relationship) == Stage.ACTIVE
    assert relationship.cadence_days == 10
    assert relationship.next_contact_due == datetime.date(2026, 3, 12)


@pytest.mark.parametrize("cadence", ["", "0", "-3", "abc", "100000"])
def test_accept_with_a_bad_cadence_is_a_field_error(marketer, lea, spring, cadence):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.PITCHED)

    response = marketer.post(_url("relationship_accept", relationship), {"cadence_days": cadence}, **HTMX)

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert _stage(relationship) == Stage.PITCHED


# --- Deliver --------------------------------------------------------------------------------------------------


def test_deliver_is_refused_without_content_and_links_to_the_exchange_form(marketer, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.ACTIVE)

    dialog = marketer.get(_url("relationship_deliver", relationship), **HTMX).content.decode()
    response = marketer.post(_url("relationship_deliver", relationship), {}, **HTMX)

    assert "Record the content first" in dialog
    assert reverse("crm:exchange_record", kwargs={"pk": lea.pk}) in dialog
    assert 'type="submit"' not in dialog
    assert response.status_code == 200
    assert "Nothing received from Léa is recorded on this campaign yet." in response.content.decode()
    assert _stage(relationship) == Stage.ACTIVE


def test_deliver_goes_through_once_the_content_is_recorded(marketer, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.ACTIVE)
    ExchangeFactory(influencer=lea, relationship=relationship, kind="video")

    dialog = marketer.get(_url("relationship_deliver", relationship), **HTMX).content.decode()
    response = marketer.post(_url("relationship_deliver", relationship), {}, **HTMX)

    assert "Video" in dialog
    assert response.status_code == 204
    assert _stage(relationship) == Stage.DELIVERED


# --- Close ----------------------------------------------------------------------------------------------------


def test_the_close_dialog_previews_the_thank_you_with_the_campaigns_that_fit(marketer, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.DELIVERED)
    CampaignFactory(name="Zero waste", topics=["food"], ends_on=datetime.date(2026, 6, 30))
    CampaignFactory(name="Marathon", topics=["sport"])

    html = marketer.get(_url("relationship_close", relationship), **HTMX).content.decode()

    # Exactly what the outbox will send, in her language (French).
    assert "Bonjour Léa," in html
    assert "Merci d’y avoir participé" in html
    assert "Zero waste (" in html and "jusqu’au 30 juin 2026" in html
    assert "Marathon" not in html
    assert "(French)" in html  # named in the marketer's language


def test_close_with_the_preview_queues_the_thank_you(marketer, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.DELIVERED)

    response = marketer.post(
        _url("relationship_close", relationship), {"outcome": "completed", "thank_you": "send"}, **HTMX
    )

    assert response.status_code == 204
    assert _stage(relationship) == Stage.CLOSED
    assert relationship.outcome == "completed"
    assert relationship.thank_you == ThankYou.QUEUED


def test_close_records_the_skip_reason_instead_of_a_thank_you(marketer, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.PITCHED)
    url = _url("relationship_close", relationship)

    refused = marketer.post(url, {"outcome": "no_reply", "thank_you": "skip", "skip_reason": " "}, **HTMX)
    closed = marketer.post(url, {"outcome": "no_reply", "thank_you": "skip", "skip_reason": "Met her in person"})

    assert "Say why no thank-you goes out." in refused.content.decode()
    assert closed.status_code == 302
    assert _stage(relationship) == Stage.CLOSED
    assert relationship.thank_you == ThankYou.SKIPPED
    assert relationship.thank_you_skip_reason == "Met her in person"


def test_closing_someone_never_pitched_says_no_thank_you_goes_out(marketer, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.SHORTLISTED)

    dialog = marketer.get(_url("relationship_close", relationship), **HTMX).content.decode()
    response = marketer.post(_url("relationship_close", relationship), {"outcome": "dropped"}, **HTMX)

    assert "No thank-you will go out: Léa was never pitched on this campaign." in dialog
    assert "Hello Léa" not in dialog
    assert response.status_code == 204
    assert _stage(relationship) == Stage.CLOSED
    assert relationship.thank_you == ThankYou.SKIPPED


def test_close_without_an_outcome_is_a_field_error(marketer, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.ACTIVE)

    response = marketer.post(_url("relationship_close", relationship), {"outcome": "won", "thank_you": "send"}, **HTMX)

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert _stage(relationship) == Stage.ACTIVE


def test_a_close_posted_twice_closes_once(marketer, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.ACTIVE)
    data = {"outcome": "completed", "thank_you": "send"}

    marketer.post(_url("relationship_close", relationship), data, **HTMX)
    second = marketer.post(_url("relationship_close", relationship), data, **HTMX)

    assert second.status_code == 200
    assert "is already closed (completed): it cannot be closed." in second.content.decode()
    assert StageChange.objects.filter(relationship=relationship, to_stage=Stage.CLOSED).count() == 1


# --- Who may, and what does not exist -------------------------------------------------------------------------

MOVES = ["relationship_pitch", "relationship_accept", "relationship_deliver", "relationship_close"]


@pytest.mark.parametrize("name", MOVES)
def test_a_viewer_gets_403_on_every_move(client, carol, lea, spring, name):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.SHORTLISTED)
    client.force_login(carol)

    posted = client.post(_url(name, relationship), {"outcome": "completed", "cadence_days": "7"}, **HTMX)
    opened = client.get(_url(name, relationship), **HTMX)

    assert posted.status_code == 403
    assert opened.status_code == 403
    assert Relationship.objects.get().stage == Stage.SHORTLISTED


@pytest.mark.parametrize("name", MOVES)
def test_a_move_on_a_relationship_that_does_not_exist_is_404(marketer, name):
    assert marketer.get(reverse(f"campaigns:{name}", args=[999999]), **HTMX).status_code == 404
    assert marketer.post(reverse(f"campaigns:{name}", args=[999999]), {}, **HTMX).status_code == 404


@pytest.mark.parametrize(
    ("name", "stage"),
    [("relationship_accept", Stage.SHORTLISTED), ("relationship_deliver", Stage.PITCHED)],
)
def test_a_dialog_opened_on_a_card_that_has_moved_says_so(marketer, lea, spring, name, stage):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=stage)

    html = marketer.get(_url(name, relationship), **HTMX).content.decode()

    assert f"is {stage} now: this move is no longer possible. Reload the board." in html
    assert 'type="submit"' not in html
