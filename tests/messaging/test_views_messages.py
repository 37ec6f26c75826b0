"""A person's messages on their timeline, editing or cancelling one that has not gone, the messages on Today,
and what the board says when a closing queues a thank-you. Monday 2 March 2026, 10:00 in Paris."""

import datetime
import json

import pytest
from django.conf import settings
from django.urls import reverse

from campaigns.models import Stage
from messaging.models import Message
from tests.factories import InfluencerFactory, RelationshipFactory, paris
from tests.messaging.conftest import MONDAY_10
from tests.messaging.factories import MessageFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen(now):
    return now


def _person_page(client, person) -> str:
    return client.get(reverse("crm:influencer_detail", args=[person.pk])).content.decode()


def _edit(message) -> str:
    return reverse("message_edit", args=[message.pk])


def _cancel(message) -> str:
    return reverse("message_cancel", args=[message.pk])


def _entry(html: str, message: Message) -> str:
    start = html.index(f'id="message-{message.pk}"')
    end = html.find('<li class="timeline-entry', start)
    return html[start : end if end != -1 else len(html)]


# --- The timeline ---------------------------------------------------------------------------------------------


@pytest.fixture
def leas_messages(lea, active, bob):
    return {
        "scheduled": MessageFactory(
            influencer=lea, relationship=active, created_by=bob, subject="Où en est le post ?", cancel_if_reply=True,
            send_at=paris(2026, 3, 4, 10),
        ),
        "sent": MessageFactory(
            influencer=lea, kind="thank_you", status="sent", subject="Merci — Spring range", send_at=paris(2026, 2, 20)
        ),
        "failed": MessageFactory(
            influencer=lea, status="failed", subject="Petite relance", last_error="550 5.1.1 mailbox unknown",
            send_at=paris(2026, 2, 25),
        ),
        "cancelled": MessageFactory(
            influencer=lea, status="cancelled", subject="Invitation", last_error="They replied before it went.",
            send_at=paris(2026, 2, 26),
        ),
        "reminder": MessageFactory(
            influencer=lea, kind="reminder", to_user=bob, recipient="bob@team.example", status="sent",
            subject="Léa needs news", send_at=paris(2026, 2, 27),
        ),
    }  # fmt: skip


def test_the_timeline_shows_each_message_with_its_kind_status_time_and_error(client, bob, lea, leas_messages):
    client.force_login(bob)

    html = _person_page(client, lea)

    scheduled, sent = _entry(html, leas_messages["scheduled"]), _entry(html, leas_messages["sent"])
    failed, cancelled = _entry(html, leas_messages["failed"]), _entry(html, leas_messages["cancelled"])
    reminder = _entry(html, leas_messages["reminder"])
    assert "Follow-up" in scheduled and ">scheduled</span>" in scheduled
    assert "leaves March 4, 2026, 10 a.m." in scheduled and "Où en est le post ?" in scheduled
    assert "Cancelled if they reply first." in scheduled and "by Bob" in scheduled
    assert "Thank-you" in sent and ">sent</span>" in sent and "sent Feb. 20, 2026, 10 a.m." in sent
    assert ">failed</span>" in failed and "550 5.1.1 mailbox unknown" in failed
    assert ">cancelled</span>" in cancelled and "They replied before it went." in cancelled
    assert "Reminder" in reminder and "to Bob" in reminder
    # Newest first: the one still to go leads, then the rest by when they went or were due.
    order = [html.index(f'id="message-{leas_messages[k].pk}"') for k in ("scheduled", "reminder", "cancelled")]
    assert order == sorted(order)


def test_only_a_scheduled_message_offers_edit_or_cancel_and_only_to_a_marketer(client, bob, carol, lea, leas_messages):
    client.force_login(bob)
    html = _person_page(client, lea)
    client.force_login(carol)
    viewer = _person_page(client, lea)

    assert f'hx-get="{_edit(leas_messages["scheduled"])}"' in _entry(html, leas_messages["scheduled"])
    assert html.count("Edit or cancel…") == 1
    assert 'id="message-modal"' in html
    assert "Edit or cancel…" not in viewer and 'id="message-modal"' not in viewer
    assert "Où en est le post ?" in viewer


def _story(lea, bob, rows: int) -> None:
    for _n in range(rows):
        relationship = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE, owner=bob)
        MessageFactory(influencer=lea, relationship=relationship, created_by=bob)
        MessageFactory(influencer=lea, status="failed", last_error="refused", created_by=bob)
        MessageFactory(influencer=lea, kind="reminder", to_user=bob, relationship=relationship, status="sent")


# As in tests/crm/test_views_person.py; her messages are one of them, whatever their number.
PERSON_PAGE_QUERIES = 10


@pytest.mark.parametrize("rows", [3, 30])
def test_the_persons_page_reads_their_messages_in_one_query(client, bob, lea, django_assert_num_queries, rows):
    _story(lea, bob, rows)
    client.force_login(bob)

    with django_assert_num_queries(PERSON_PAGE_QUERIES):
        response = client.get(reverse("crm:influencer_detail", args=[lea.pk]), {"timeline": 100})

    assert sum(entry.kind == "message" for entry in response.context["timeline"].entries) == min(rows * 3, 100)


# --- Edit and cancel ------------------------------------------------------------------------------------------


@pytest.fixture
def follow_up(lea, bob):
    return MessageFactory(
        influencer=lea, created_by=bob, subject="Des nouvelles ?", body="Bonjour Léa", send_at=paris(2026, 3, 4, 10)
    )


def test_the_dialog_shows_the_message_in_the_marketers_time(client, bob, follow_up):
    client.force_login(bob)

    html = client.get(_edit(follow_up), **HTMX).content.decode()

    assert 'value="Des nouvelles ?"' in html
    assert 'value="2026-03-04T10:00"' in html
    assert f'hx-post="{_edit(follow_up)}"' in html and f'hx-post="{_cancel(follow_up)}"' in html
    assert "<html" not in html, "a fragment for the modal"


def test_editing_a_scheduled_message_changes_its_subject_text_and_time(client, bob, follow_up):
    client.force_login(bob)

    data = {"subject": "Quoi de neuf ?", "body": "Bonjour Léa,\n\nDu nouveau ?", "send_at": "2026-03-05T14:15"}

    response = client.post(_edit(follow_up), data, **HTMX)

    follow_up.refresh_from_db()
    assert response.status_code == 200
    assert "The message to Léa Martin is saved." in response.content.decode()
    assert response["HX-Trigger"] == json.dumps({"messageChanged": {"message": follow_up.pk}})
    assert (follow_up.subject, follow_up.body) == ("Quoi de neuf ?", "Bonjour Léa,\n\nDu nouveau ?")
    assert follow_up.send_at == paris(2026, 3, 5, 14, 15)
    assert follow_up.status == "scheduled"


def test_without_htmx_an_edit_goes_back_to_the_timeline_entry(client, bob, lea, follow_up):
    client.force_login(bob)

    response = client.post(
        _edit(follow_up), {"subject": "Quoi de neuf ?", "body": "Bonjour", "send_at": "2026-03-05T14:15"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/influencers/{lea.pk}/#message-{follow_up.pk}"
    assert client.get(_edit(follow_up)).status_code == 200, "the dialog is a page of its own without htmx"


def test_cancelling_a_scheduled_message_says_why_on_the_timeline(client, bob, lea, follow_up):
    client.force_login(bob)

    response = client.post(_cancel(follow_up), {"reason": "Vu en personne au salon"}, **HTMX)

    follow_up.refresh_from_db()
    assert "The message to Léa Martin is cancelled: it will not go." in response.content.decode()
    assert response["HX-Trigger"] == json.dumps({"messageChanged": {"message": follow_up.pk}})
    assert (follow_up.status, follow_up.last_error) == ("cancelled", "Vu en personne au salon")
    assert "Vu en personne au salon" in _entry(_person_page(client, lea), follow_up)


def test_a_cancel_without_a_reason_says_who_cancelled(client, bob, follow_up):
    client.force_login(bob)

    client.post(_cancel(follow_up), {"reason": ""}, **HTMX)

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.last_error) == ("cancelled", "Cancelled by bob.")


@pytest.mark.parametrize("status", ["sending", "sent", "cancelled"])
def test_editing_a_message_that_went_meanwhile_shows_why_and_changes_nothing(client, bob, follow_up, status):
    client.force_login(bob)
    client.get(_edit(follow_up), **HTMX)  # the dialog opened while it was scheduled…
    Message.objects.filter(pk=follow_up.pk).update(status=status, sent_at=MONDAY_10)  # …then it went

    edited = client.post(
        _edit(follow_up), {"subject": "Trop tard", "body": "Trop tard", "send_at": "2026-03-05T14:15"}, **HTMX
    )
    cancelled = client.post(_cancel(follow_up), {"reason": "Trop tard"}, **HTMX)

    follow_up.refresh_from_db()
    for response in (edited, cancelled):
        html = response.content.decode()
        assert response.status_code == 200
        assert f"This message is {status}: it can no longer be changed. Nothing was changed." in " ".join(html.split())
        assert "Save the changes" not in html and "Cancel this message" not in html
        assert "HX-Trigger" not in response
    assert (follow_up.status, follow_up.subject, follow_up.send_at) == (
        status,
        "Des nouvelles ?",
        paris(2026, 3, 4, 10),
    )


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"subject": ""}, "Give the message a subject."),
        ({"body": "   "}, "The message cannot be empty."),
        ({"subject": "x" * 201}, "Ensure this value has at most 200 characters (it has 201)."),
        ({"send_at": "soon"}, "Enter a valid date/time."),
        ({"send_at": "2026-03-01T09:00"}, "Pick a time in the future."),
        ({"send_at": "9999-12-31T23:59"}, "Pick a time within the next year."),
    ],
)
def test_bad_input_in_the_dialog_is_a_field_error_and_changes_nothing(client, bob, follow_up, fields, error):
    client.force_login(bob)
    data = {"subject": "Quoi de neuf ?", "body": "Bonjour", "send_at": "2026-03-05T14:15", **fields}

    response = client.post(_edit(follow_up), data, **HTMX)

    follow_up.refresh_from_db()
    assert response.status_code == 200
    assert error in response.content.decode()
    assert (follow_up.subject, follow_up.send_at) == ("Des nouvelles ?", paris(2026, 3, 4, 10))
    assert client.post(_cancel(follow_up), {"reason": "x" * 201}, **HTMX).status_code == 200
    assert Message.objects.get(pk=follow_up.pk).status == "scheduled"


def test_a_viewer_can_neither_edit_nor_cancel(client, carol, follow_up):
    client.force_login(carol)

    assert client.get(_edit(follow_up)).status_code == 403
    assert (
        client.post(_edit(follow_up), {"subject": "x", "body": "x", "send_at": "2026-03-05T14:15"}).status_code == 403
    )
    assert client.post(_cancel(follow_up)).status_code == 403
    assert Message.objects.get(pk=follow_up.pk).status == "scheduled"


def test_a_message_that_does_not_exist_or_goes_to_the_team_is_a_404(client, bob, lea):
    digest = MessageFactory(kind="digest", influencer=None, recipient="bob@team.example")
    reminder = MessageFactory(kind="reminder", influencer=lea, recipient="bob@team.example")
    client.force_login(bob)

    assert client.get(reverse("message_edit", args=[999999])).status_code == 404
    assert client.post(reverse("message_cancel", args=[999999])).status_code == 404
    assert client.get(_edit(digest)).status_code == 404
    assert client.post(_cancel(reminder)).status_code == 404
    assert client.get(_cancel(reminder)).status_code == 405


# --- Closing on the board -------------------------------------------------------------------------------------


def test_closing_says_when_the_thank_you_leaves_with_a_link_to_edit_or_cancel_it(client, bob, lea, spring):
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.DELIVERED, owner=bob)
    client.force_login(bob)

    closed = client.post(
        reverse("campaigns:relationship_close", args=[relationship.pk]),
        {"outcome": "completed", "thank_you": "send"},
        **HTMX,
    )
    board = client.get(reverse("campaigns:campaign_board", args=[spring.pk]), HTTP_HX_TARGET="board", **HTMX)

    thank_you = Message.objects.get(kind="thank_you", relationship=relationship)
    leaves = MONDAY_10 + datetime.timedelta(minutes=settings.THANK_YOU_DELAY_MINUTES)
    assert closed.status_code == 204
    assert thank_you.send_at == leaves
    assert (
        f'<a class="alert-link" href="{_edit(thank_you)}">The thank-you leaves at {leaves:%H:%M} — '
        "you can still edit or cancel it.</a>"
    ) in board.content.decode()


# --- Today ----------------------------------------------------------------------------------------------------


def _section(html: str, title_id: str) -> str:
    start = html.index(f'id="{title_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


def test_today_lists_my_scheduled_messages_soonest_first_and_my_failed_ones_with_their_error(client, bob, dave):
    mine = InfluencerFactory(name="Nina Faure", owner=bob)
    daves = InfluencerFactory(name="Omar Daoud", owner=dave)
    on_my_campaign = RelationshipFactory(influencer=daves, owner=bob, stage=Stage.ACTIVE)
    later = MessageFactory(influencer=mine, subject="Later one", send_at=paris(2026, 3, 9))
    sooner = MessageFactory(influencer=daves, created_by=bob, subject="Sooner one", send_at=paris(2026, 3, 3))
    MessageFactory(influencer=daves, relationship=on_my_campaign, kind="thank_you", subject="Merci Omar")
    MessageFactory(influencer=daves, created_by=dave, subject="Dave's own")
    MessageFactory(influencer=mine, kind="reminder", subject="A reminder")
    MessageFactory(influencer=mine, status="sent", subject="Gone already")
    failed = MessageFactory(influencer=mine, status="failed", subject="Bounced", last_error="550 mailbox unknown")
    client.force_login(bob)

    html = client.get(reverse("home")).content.decode()

    scheduled, failures = _section(html, "scheduled-title"), _section(html, "failed-title")
    assert scheduled.index("Sooner one") < scheduled.index("Merci Omar") < scheduled.index("Later one")
    for absent in ("Dave&#x27;s own", "A reminder", "Gone already", "Bounced"):
        assert absent not in scheduled
    assert f'href="/influencers/{mine.pk}/#message-{later.pk}"' in scheduled
    assert f'href="/influencers/{daves.pk}/#message-{sooner.pk}"' in scheduled
    assert "Bounced" in failures and "550 mailbox unknown" in failures
    assert f'href="/influencers/{mine.pk}/#message-{failed.pk}"' in failures
    assert "Later one" not in failures


def test_an_old_failure_leaves_today(client, bob):
    person = InfluencerFactory(owner=bob)
    old = MessageFactory(influencer=person, status="failed", subject="Long ago")
    Message.objects.filter(pk=old.pk).update(updated_at=MONDAY_10 - datetime.timedelta(days=15))
    client.force_login(bob)

    html = client.get(reverse("home")).content.decode()

    assert "Long ago" not in html
    assert "None of your messages failed in the last two weeks." in html


# --- The departure time, the same on every page ----------------------------------------------------------------


def test_a_thank_you_queued_outside_sending_hours_shows_when_it_leaves_on_every_page(
    client, time_machine, alice, bob, lea, spring
):
    # Sunday 23:54 in Paris (issue 14): queued for 00:54 after the hour's delay, it can only leave when Léa's
    # sending hours open on Monday at 09:00. The board said 09:00 while Today and the timeline said 00:54.
    time_machine.move_to(paris(2026, 12, 6, 23, 54), tick=False)
    relationship = RelationshipFactory(influencer=lea, campaign=spring, stage=Stage.DELIVERED, owner=bob)
    client.force_login(bob)

    client.post(
        reverse("campaigns:relationship_close", args=[relationship.pk]),
        {"outcome": "completed", "thank_you": "send"},
        **HTMX,
    )
    board = client.get(reverse("campaigns:campaign_board", args=[spring.pk]), HTTP_HX_TARGET="board", **HTMX)
    board = board.content.decode()
    today = _section(client.get(reverse("home")).content.decode(), "scheduled-title")
    thank_you = Message.objects.get(kind="thank_you", relationship=relationship)
    timeline = _entry(_person_page(client, lea), thank_you)
    client.force_login(alice)
    admin_list = client.get(reverse("admin:messaging_message_changelist")).content.decode()
    admin_page = client.get(reverse("admin:messaging_message_change", args=[thank_you.pk])).content.decode()

    assert "The thank-you leaves on Dec. 7, 2026 at 09:00 — you can still edit or cancel it." in board
    assert 'datetime="2026-12-07T09:00:00+01:00">12/07/2026 9 a.m.</time>' in today
    assert "leaves Dec. 7, 2026, 9 a.m." in timeline
    assert "Dec. 7, 2026, 9 a.m." in admin_list
    assert 'value="2026-12-07"' in admin_page and 'value="09:00:00"' in admin_page
    for page in (board, today, timeline, admin_list):  # (the admin's page also says when it was queued)
        assert "12:54" not in page and "00:54" not in page
    assert thank_you.send_at == paris(2026, 12, 7, 9, 0)


def test_a_follow_up_set_for_a_saturday_is_stored_and_shown_for_the_monday_it_leaves(client, bob, lea):
    client.force_login(bob)

    response = client.post(
        reverse("follow_up_new", args=[lea.pk]),
        {"subject": "Le post", "body": "Où en est le post ?", "send_at": "2026-03-07 10:00"},
        follow=True,
    )

    message = Message.objects.get(kind="follow_up", influencer=lea)
    assert message.send_at == paris(2026, 3, 9, 9, 0)
    html = response.content.decode()
    assert "That is outside their sending hours: it will leave at March 9, 2026, 9 a.m." in html
    assert "leaves March 9, 2026, 9 a.m." in _entry(html, message)


def test_a_send_time_changed_in_the_admin_is_stored_as_the_time_it_leaves(client, alice, lea):
    message = MessageFactory(influencer=lea, subject="Le post", body="Où en est le post ?", send_at=paris(2026, 3, 4))
    client.force_login(alice)

    client.post(
        reverse("admin:messaging_message_change", args=[message.pk]),
        {"subject": "Le post", "body": "Où en est le post ?", "send_at_0": "2026-03-07", "send_at_1": "10:00:00"},
    )

    message.refresh_from_db()
    assert message.send_at == paris(2026, 3, 9, 9, 0)
