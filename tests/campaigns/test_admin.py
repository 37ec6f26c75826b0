"""The lifecycle rules hold through the admin: actions call the services, refusals become messages."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from campaigns.models import GuardrailEvent, Outcome, Relationship, Stage, StageChange, ThankYou
from tests.crm.admin_factories import campaign, person, relationship

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

CHANGELIST = reverse("admin:campaigns_relationship_changelist")


@pytest.fixture
def admin_client(client, alice):
    client.force_login(alice)
    return client


def run_action(client, action: str, *relationships, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [r.pk for r in relationships], **extra},
        follow=True,
    )


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def lea():
    return person("Léa", email="lea@blog.example", topics=["lifestyle"])


def test_pitching_on_an_incomplete_brief_is_refused_with_a_message(admin_client, lea):
    draft = campaign("Spring", complete=False)
    rel = relationship(lea, draft)

    response = run_action(admin_client, "pitch", rel)

    rel.refresh_from_db()
    assert rel.stage == Stage.SHORTLISTED
    [message] = said(response)
    assert message.startswith("Léa × Maison Verte · Spring: The brief of Maison Verte · Spring is incomplete; fill in ")
    assert GuardrailEvent.objects.get().rule == GuardrailEvent.Rule.BRIEF_INCOMPLETE


def test_pitching_two_people_at_once_is_refused(admin_client, lea):
    spring = campaign("Spring")
    first, second = relationship(lea, spring), relationship(person("Tom", topics=["lifestyle"]), spring)

    response = run_action(admin_client, "pitch", first, second)

    assert said(response) == ["Pitch one person at a time: select a single relationship."]
    assert set(Relationship.objects.values_list("stage", flat=True)) == {Stage.SHORTLISTED}


def test_a_clear_pitch_goes_straight_through(admin_client, lea, alice):
    rel = relationship(lea, campaign("Spring"))

    response = run_action(admin_client, "pitch", rel)

    rel.refresh_from_db()
    assert rel.stage == Stage.PITCHED
    assert said(response) == ["Léa × Maison Verte · Spring is now pitched."]
    assert StageChange.objects.get(relationship=rel, to_stage=Stage.PITCHED).changed_by == alice


def test_an_off_topic_pitch_asks_for_a_reason_on_an_intermediate_page(admin_client, lea):
    rel = relationship(lea, campaign("Marathon", topics=["sport"]))

    page = run_action(admin_client, "pitch", rel)

    assert page.status_code == 200
    assert b"has no topic in common with" in page.content
    assert "Ce que nous demandons : One post and two stories" in page.content.decode()  # in Léa's language
    rel.refresh_from_db()
    assert rel.stage == Stage.SHORTLISTED

    without_reason = run_action(admin_client, "pitch", rel, apply="1", override_reason="  ")
    assert without_reason.status_code == 200 and b"This field is required." in without_reason.content
    rel.refresh_from_db()
    assert rel.stage == Stage.SHORTLISTED

    run_action(admin_client, "pitch", rel, apply="1", override_reason="She ran the Lyon half-marathon")
    rel.refresh_from_db()
    assert rel.stage == Stage.PITCHED
    assert rel.off_topic_reason == "She ran the Lyon half-marathon"


def test_a_flagged_pitch_needs_the_acknowledgement(admin_client, lea, alice):
    earlier = relationship(lea, campaign("Trail", topics=["sport"]), stage=Stage.PITCHED)
    Relationship.objects.filter(pk=earlier.pk).update(pitched_at=timezone.now() - dt.timedelta(days=3))
    rel = relationship(lea, campaign("Spring"))

    page = run_action(admin_client, "pitch", rel)
    assert b"was pitched on unrelated topics" in page.content

    run_action(admin_client, "pitch", rel, apply="1", acknowledge_flags="on")
    rel.refresh_from_db()
    assert rel.stage == Stage.PITCHED
    assert rel.flag_acknowledged_by == alice


def test_closing_from_the_admin_queues_the_thank_you(admin_client, lea):
    rel = relationship(lea, campaign("Spring"), stage=Stage.ACTIVE, pitched_at=timezone.now())

    response = run_action(admin_client, "close_completed", rel)

    rel.refresh_from_db()
    assert (rel.stage, rel.outcome, rel.thank_you) == (Stage.CLOSED, Outcome.COMPLETED, ThankYou.QUEUED)
    assert said(response) == ["Léa × Maison Verte · Spring is now closed. A thank-you is queued."]


def test_an_illegal_move_names_the_relationship_and_leaves_the_others_moving(admin_client, lea):
    spring = campaign("Spring")
    shortlisted = relationship(lea, spring)
    pitched = relationship(person("Tom", topics=["lifestyle"]), spring, stage=Stage.PITCHED)

    response = run_action(admin_client, "accept", shortlisted, pitched)

    shortlisted.refresh_from_db()
    pitched.refresh_from_db()
    assert shortlisted.stage == Stage.SHORTLISTED and pitched.stage == Stage.ACTIVE
    messages = said(response)
    assert any(m.startswith("Léa × Maison Verte · Spring: ") for m in messages)
    assert "Tom × Maison Verte · Spring is now active." in messages


def test_adding_a_relationship_shortlists_it_through_the_service(admin_client, lea, alice):
    spring = campaign("Spring")
    url = reverse("admin:campaigns_relationship_add")

    response = admin_client.post(url, {"influencer": lea.pk, "campaign": spring.pk, "owner": ""})

    assert response.status_code == 302
    rel = Relationship.objects.get()
    assert (rel.stage, rel.owner) == (Stage.SHORTLISTED, alice)
    assert StageChange.objects.get(relationship=rel).to_stage == Stage.SHORTLISTED

    again = admin_client.post(url, {"influencer": lea.pk, "campaign": spring.pk, "owner": ""})
    assert again.status_code == 200
    assert "Léa is already on Maison Verte · Spring." in again.content.decode()
    assert Relationship.objects.count() == 1


def test_shortlisting_on_a_finished_campaign_is_a_form_error_and_nothing_is_saved(admin_client, lea):
    done = campaign("Winter", status="finished")

    response = admin_client.post(
        reverse("admin:campaigns_relationship_add"), {"influencer": lea.pk, "campaign": done.pk, "owner": ""}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "campaign": ["Maison Verte · Winter is finished: nobody can be added to it."]
    }
    assert not Relationship.objects.exists() and not StageChange.objects.exists()


def test_shortlisting_someone_twice_says_it_once_in_the_services_words(admin_client, lea):
    spring = campaign("Spring")
    relationship(lea, spring)

    response = admin_client.post(
        reverse("admin:campaigns_relationship_add"), {"influencer": lea.pk, "campaign": spring.pk, "owner": ""}
    )

    assert response.context["adminform"].form.errors == {"campaign": ["Léa is already on Maison Verte · Spring."]}
    assert Relationship.objects.count() == 1


def _change(client, rel: Relationship, **fields):
    data = {"owner": rel.owner_id or "", "cadence_days": rel.cadence_days} | fields
    return client.post(reverse("admin:campaigns_relationship_change", args=[rel.pk]), data)


def test_a_new_cadence_in_the_admin_restarts_the_relationships_clock_from_its_last_contact(admin_client, lea):
    last_contact = timezone.now() - dt.timedelta(days=3)
    rel = relationship(
        lea,
        campaign("Spring"),
        stage=Stage.ACTIVE,
        cadence_days=14,
        accepted_at=last_contact - dt.timedelta(days=7),
        last_contact_at=last_contact,
        next_contact_due=timezone.localdate(last_contact) + dt.timedelta(days=14),
    )

    response = _change(admin_client, rel, cadence_days=5)

    assert response.status_code == 302, response.context["adminform"].form.errors
    rel.refresh_from_db()
    assert (rel.cadence_days, rel.next_contact_due) == (5, timezone.localdate(last_contact) + dt.timedelta(days=5))


def test_a_new_cadence_in_the_admin_gives_no_clock_to_a_shortlisted_relationship(admin_client, lea, bob):
    rel = relationship(lea, campaign("Spring"))

    _change(admin_client, rel, cadence_days=5, owner=bob.pk)

    rel.refresh_from_db()
    assert (rel.cadence_days, rel.next_contact_due, rel.owner) == (5, None, bob)


def test_lifecycle_fields_cannot_be_edited_on_the_change_page(admin_client, lea):
    rel = relationship(lea, campaign("Spring"))
    url = reverse("admin:campaigns_relationship_change", args=[rel.pk])

    admin_client.post(url, {"owner": "", "cadence_days": 7, "stage": "closed", "outcome": "completed"})

    rel.refresh_from_db()
    assert (rel.stage, rel.outcome, rel.cadence_days) == (Stage.SHORTLISTED, "", 7)


@pytest.mark.parametrize(
    "url",
    [
        CHANGELIST,
        CHANGELIST + "?stage=pitched&phase=begin&overdue=yes&outcome=completed",
        CHANGELIST + "?phase=maintain&overdue=no&q=L%C3%A9a",
        reverse("admin:campaigns_relationship_add"),
        reverse("admin:campaigns_campaign_changelist") + "?status=running&sponsored=1",
        reverse("admin:campaigns_campaign_add"),
        reverse("admin:campaigns_brand_changelist"),
        reverse("admin:campaigns_stagechange_changelist"),
        reverse("admin:campaigns_guardrailevent_changelist") + "?rule=off_topic",
    ],
)
def test_the_pages_render(admin_client, lea, url):
    rel = relationship(lea, campaign("Spring"))
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(reverse("admin:campaigns_relationship_change", args=[rel.pk])).status_code == 200
    assert admin_client.get(reverse("admin:campaigns_campaign_change", args=[rel.campaign_id])).status_code == 200


def test_the_campaign_list_says_whether_the_brief_is_complete(admin_client):
    campaign("Ready")
    campaign("Draft", complete=False)

    response = admin_client.get(reverse("admin:campaigns_campaign_changelist"))

    column = re.findall(r'<td class="field-brief_complete"><img [^>]*alt="(\w+)"', response.content.decode())
    assert sorted(column) == ["False", "True"]
