"""Scheduling a follow-up from the web UI: bob writes to Léa (French, Europe/Paris) on Monday 2 March 2026, 10:00."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from campaigns.models import Stage
from crm.models import Influencer
from messaging.models import Message, Profile
from tests.factories import RelationshipFactory, paris
from tests.messaging.factories import MessageTemplateFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
CANCEL_IF_REPLY = "If you log an inbound contact from them before it goes, it is cancelled."


@pytest.fixture(autouse=True)
def frozen(now):
    return now


def _url(person) -> str:
    return reverse("follow_up_new", args=[person.pk])


def _form(**fields) -> dict:
    data = {
        "relationship": "",
        "template": "",
        "subject": "Des nouvelles ?",
        "body": "Bonjour Léa,\n\nOù en est la gamme de printemps ?",
        "send_at": "2026-03-03T10:30",
        "cancel_if_reply": "on",
    }
    data.update(fields)
    return data


def test_scheduling_a_follow_up_queues_exactly_this_message(client, bob, lea, active):
    client.force_login(bob)

    response = client.post(_url(lea), _form(relationship=active.pk))

    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/influencers/{lea.pk}/#message-{message.pk}"
    assert (message.kind, message.status, message.recipient, message.language) == (
        "follow_up",
        "scheduled",
        "lea@example.org",
        "fr",
    )
    assert (message.influencer, message.relationship, message.created_by) == (lea, active, bob)
    assert message.subject == "Des nouvelles ?"
    assert message.body == "Bonjour Léa,\n\nOù en est la gamme de printemps ?\n\nBob"  # bob's name signs it
    assert message.send_at == paris(2026, 3, 3, 10, 30)
    assert message.cancel_if_reply is True


def test_the_time_typed_is_the_marketers_own(client, bob, lea):
    Profile.objects.create(user=bob, timezone="America/New_York")
    client.force_login(bob)

    client.post(_url(lea), _form(send_at="2026-03-03T08:00", cancel_if_reply=""))

    message = Message.objects.get()
    assert message.send_at == datetime.datetime(2026, 3, 3, 8, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    assert message.cancel_if_reply is False


def test_the_form_says_what_cancel_if_reply_does_and_when_it_may_leave(client, bob, lea):
    client.force_login(bob)

    html = client.get(_url(lea)).content.decode()

    assert CANCEL_IF_REPLY in html
    assert "It only leaves in their sending hours: Monday to Friday, 9:00–19:00 their time (Europe/Paris)." in html
    assert "Your time (Europe/Paris)." in html
    assert 'value="2026-03-03T10:00"' in html  # tomorrow at 10:00 by default
    for field in ("relationship", "subject", "body", "send_at", "cancel_if_reply"):
        assert f'for="id_{field}"' in html, f"{field} has a label"


def test_a_time_outside_their_sending_hours_is_announced_with_when_it_will_leave(client, bob, lea):
    client.force_login(bob)

    response = client.post(_url(lea), _form(send_at="2026-03-07T10:00"), follow=True)  # a Saturday

    assert "That is outside their sending hours: it will leave at" in response.content.decode()


def test_the_board_card_opens_the_form_on_its_campaign(client, bob, lea, active):
    client.force_login(bob)

    board = client.get(reverse("campaigns:campaign_board", args=[active.campaign_id])).content.decode()
    html = client.get(_url(lea), {"relationship": active.pk}).content.decode()

    assert f'href="{_url(lea)}?relationship={active.pk}"' in board
    assert f'<option value="{active.pk}" selected>' in html


def test_only_templates_in_the_persons_language_are_offered(client, bob, lea):
    MessageTemplateFactory(name="Des nouvelles ?", language="fr")
    MessageTemplateFactory(name="Any news?", language="en", subject="Any news?")
    client.force_login(bob)

    html = client.get(_url(lea)).content.decode()

    assert ">Des nouvelles ?</option>" in html
    assert "Any news?" not in html


def test_picking_a_template_fills_the_subject_and_the_text(client, bob, lea):
    template = MessageTemplateFactory(language="fr", subject="Des nouvelles ?", body="Bonjour,\n\nQuoi de neuf ?")
    english = MessageTemplateFactory(language="en", subject="Any news?")
    client.force_login(bob)
    fill = reverse("follow_up_template", args=[lea.pk])

    filled = client.get(fill, {"template": template.pk}, **HTMX)

    html = filled.content.decode()
    assert filled.status_code == 200
    assert 'id="follow-up-text"' in html
    assert 'value="Des nouvelles ?"' in html
    assert "Bonjour,\n\nQuoi de neuf ?</textarea>" in html
    assert client.get(fill, {"template": ""}, **HTMX).status_code == 204, "write my own: keep what is typed"
    assert client.get(fill, {"template": english.pk}, **HTMX).status_code == 404, "not in her language"
    assert client.get(fill, {"template": "x"}, **HTMX).status_code == 404


@pytest.mark.parametrize(
    ("consent", "email", "explanation"),
    [
        (
            Influencer.Consent.OPTED_OUT,
            "lea@example.org",
            "Léa Martin opted out of e-mails: no follow-up can be scheduled.",
        ),
        (Influencer.Consent.UNKNOWN, "", "Léa Martin has no e-mail address. Add one first."),
    ],
)
def test_someone_who_cannot_be_written_to_gets_an_explanation_and_no_submit(
    client, bob, lea, consent, email, explanation
):
    Influencer.objects.filter(pk=lea.pk).update(consent=consent, email=email)
    client.force_login(bob)

    page = client.get(_url(lea)).content.decode()
    posted = client.post(_url(lea), _form())

    assert explanation in page
    assert "Schedule the follow-up</button>" not in page
    assert posted.status_code == 200
    assert explanation in posted.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"subject": "", "body": ""}, "Give the follow-up a subject."),
        ({"subject": "   "}, "Give the follow-up a subject."),
        ({"body": "  \n "}, "Write the follow-up."),
        ({"subject": "x" * 201}, "Ensure this value has at most 200 characters (it has 201)."),
        ({"send_at": "tomorrow"}, "Enter a valid date/time."),
        ({"send_at": ""}, "This field is required."),
        ({"send_at": "2026-03-01T10:00"}, "Pick a time in the future."),
        ({"send_at": "9999-12-31T23:59"}, "Pick a time within the next year."),
        ({"send_at": "2026-03-29T02:30"}, "couldn’t be interpreted in time zone Europe/Paris"),  # the DST gap
        ({"relationship": "999999"}, "Select a valid choice."),
        ({"template": "abc"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_field_error_and_queues_nothing(client, bob, lea, fields, error):
    client.force_login(bob)

    response = client.post(_url(lea), _form(**fields))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Message.objects.exists()


def test_another_persons_campaign_cannot_be_picked(client, bob, lea, spring):
    someone_elses = RelationshipFactory(campaign=spring, stage=Stage.ACTIVE)
    client.force_login(bob)

    response = client.post(_url(lea), _form(relationship=someone_elses.pk))

    assert "Select a valid choice." in response.content.decode()
    assert not Message.objects.exists()


def test_a_person_who_does_not_exist_is_a_404(client, bob):
    client.force_login(bob)

    assert client.get(reverse("follow_up_new", args=[999999])).status_code == 404
    assert client.post(reverse("follow_up_new", args=[999999]), _form()).status_code == 404
    assert client.get(reverse("follow_up_template", args=[999999]), {"template": 1}).status_code == 404


def test_a_viewer_cannot_schedule_a_follow_up_nor_see_the_button(client, carol, lea):
    client.force_login(carol)

    person_page = client.get(reverse("crm:influencer_detail", args=[lea.pk])).content.decode()

    assert client.get(_url(lea)).status_code == 403
    assert client.post(_url(lea), _form()).status_code == 403
    assert "Schedule a follow-up" not in person_page
    assert not Message.objects.exists()


def test_a_marketer_finds_the_button_on_the_persons_page(client, bob, lea):
    client.force_login(bob)

    html = client.get(reverse("crm:influencer_detail", args=[lea.pk])).content.decode()

    assert f'href="{_url(lea)}">Schedule a follow-up</a>' in html


def test_the_demo_templates_are_made_once_and_offered_in_the_persons_language(client, bob, lea):
    from demo.message_templates import message_templates

    first, second = message_templates(), message_templates()
    client.force_login(bob)
    html = client.get(_url(lea)).content.decode()

    assert len(first) == 6 and second == []
    assert ">Des nouvelles ?</option>" in html and ">Merci pour votre publication</option>" in html
    assert "Any news?" not in html
