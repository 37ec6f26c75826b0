"""The messages' page (issue 18): my follow-ups and thank-yous by status, kind and name, with their actions, and
retrying a failed one. Monday 2 March 2026, 10:00 in Paris."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns.models import Stage
from messaging import services
from messaging.models import Message
from tests.factories import InfluencerFactory, RelationshipFactory, paris
from tests.messaging.conftest import MONDAY_10
from tests.messaging.factories import MessageFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
LIST = reverse("messages")


@pytest.fixture(autouse=True)
def frozen(now):
    return now


def _retry(message) -> str:
    return reverse("message_retry", args=[message.pk])


def _rows(html: str) -> list[str]:
    """The subjects of the list's rows, in order."""
    return re.findall(r'<tr id="message-\d+">.*?<td class="text-break message-subject">([^<\n]+)', html, flags=re.S)


def _row(html: str, message: Message) -> str:
    start = html.index(f'<tr id="message-{message.pk}">')
    return html[start : html.index("</tr>", start)]


@pytest.fixture
def bobs_messages(lea, active, bob, dave):
    """Bob's messages in each status (his person Léa, his campaign), and one of dave's own."""
    daves_person = InfluencerFactory(name="Omar Daoud", owner=dave)
    return {
        "later": MessageFactory(influencer=lea, created_by=bob, subject="Later one", send_at=paris(2026, 3, 9)),
        "sooner": MessageFactory(
            influencer=lea, relationship=active, kind="thank_you", subject="Sooner one", send_at=paris(2026, 3, 3)
        ),
        "sent": MessageFactory(influencer=lea, status="sent", subject="Gone already", send_at=paris(2026, 2, 20)),
        "failed": MessageFactory(
            influencer=lea, created_by=bob, status="failed", subject="Bounced", last_error="550 mailbox unknown"
        ),
        "cancelled": MessageFactory(
            influencer=lea, status="cancelled", subject="Called off", last_error="They replied before it went."
        ),
        "reminder": MessageFactory(influencer=lea, kind="reminder", to_user=bob, subject="A reminder"),
        "daves": MessageFactory(influencer=daves_person, created_by=dave, subject="Dave's own"),
    }


# --- The list -------------------------------------------------------------------------------------------------


def test_the_list_shows_my_scheduled_messages_soonest_first_by_default_with_each_tab_s_count(
    client, bob, lea, bobs_messages
):
    client.force_login(bob)

    html = client.get(LIST).content.decode()

    assert _rows(html) == ["Sooner one", "Later one"]
    row = _row(html, bobs_messages["sooner"])
    assert f'href="/influencers/{lea.pk}/#message-{bobs_messages["sooner"].pk}"' in row
    assert "Thank-you" in row and ">scheduled</span>" in row and "Spring range" in row
    assert "leaves 03/03/2026 10 a.m." in " ".join(row.split())
    tabs = re.findall(r'id="tab-(\w+)" href="([^"]+)">\w+ <span class="badge [\w-]+">(\d+)</span>', html)
    assert tabs == [
        ("scheduled", "?status=scheduled", "2"),
        ("sent", "?status=sent", "1"),
        ("failed", "?status=failed", "1"),
        ("cancelled", "?status=cancelled", "1"),
    ]
    assert 'id="tab-scheduled" aria-current="page"' not in html  # the attribute follows the class
    assert 'active" aria-current="page" id="tab-scheduled"' in html


@pytest.mark.parametrize(
    ("status", "subjects", "when"),
    [
        ("sent", ["Gone already"], "sent 02/20/2026 10 a.m."),
        ("failed", ["Bounced"], "failed 03/02/2026 10 a.m."),
        ("cancelled", ["Called off"], "was due 03/03/2026 10 a.m."),
    ],
)
def test_each_status_tab_lists_only_its_messages_and_says_when(client, bob, bobs_messages, status, subjects, when):
    client.force_login(bob)

    html = client.get(LIST, {"status": status}).content.decode()

    assert _rows(html) == subjects
    assert when in " ".join(html.split())
    assert 'name="status" value="' + status + '"' in html, "the filters keep the tab"


def test_a_failed_message_shows_its_error_and_offers_retry_and_cancel(client, bob, bobs_messages):
    client.force_login(bob)
    failed = bobs_messages["failed"]

    row = _row(client.get(LIST, {"status": "failed"}).content.decode(), failed)

    assert "550 mailbox unknown" in row
    assert f'action="{_retry(failed)}"' in row and "Retry" in row
    assert f'hx-get="{reverse("message_edit", args=[failed.pk])}"' in row and "Cancel" in row
    assert "Edit" not in row


def test_a_scheduled_message_offers_edit_and_cancel_through_the_dialog(client, bob, bobs_messages):
    client.force_login(bob)
    later = bobs_messages["later"]

    html = client.get(LIST).content.decode()

    row = _row(html, later)
    assert row.count(f'hx-get="{reverse("message_edit", args=[later.pk])}"') == 2
    assert ">Edit<" in row and ">Cancel<" in row and "Retry" not in row
    assert 'id="message-modal"' in html and "js/messages" in html
    assert 'hx-trigger="messageChanged from:body"' in html


def test_sent_and_cancelled_messages_offer_no_action(client, bob, bobs_messages):
    client.force_login(bob)

    for status in ("sent", "cancelled"):
        html = client.get(LIST, {"status": status}).content.decode()
        assert "Retry" not in html and 'data-bs-target="#message-modal"' not in html


def test_a_viewer_reads_the_list_without_any_action(client, carol):
    person = InfluencerFactory(owner=carol)
    MessageFactory(influencer=person, created_by=carol, subject="Carol's")
    client.force_login(carol)

    html = client.get(LIST).content.decode()

    assert _rows(html) == ["Carol&#x27;s"]
    assert ">Edit<" not in html and 'id="message-modal"' not in html


def test_the_kind_filter_and_the_name_search_narrow_the_list_and_the_counts(client, bob, lea, bobs_messages):
    nina = InfluencerFactory(name="Nina Faure", owner=bob)
    MessageFactory(influencer=nina, created_by=bob, subject="To Nina", send_at=paris(2026, 3, 5))
    client.force_login(bob)

    thank_yous = client.get(LIST, {"kind": "thank_you"}).content.decode()
    nina_only = client.get(LIST, {"q": "  faure "}).content.decode()
    lea_failed = client.get(LIST, {"q": "léa", "status": "failed"}).content.decode()

    assert _rows(thank_yous) == ["Sooner one"]
    assert re.search(r'id="tab-sent"[^>]*>Sent <span class="badge [\w-]+">0<', thank_yous)
    assert _rows(nina_only) == ["To Nina"]
    assert _rows(lea_failed) == ["Bounced"]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"status": "lost"}, "There is no such list of messages: here are the scheduled ones."),
        ({"kind": "digest"}, "Select a valid choice. digest is not one of the available choices."),
        ({"q": "x" * 101}, "Ensure this value has at most 100 characters (it has 101)."),
    ],
)
def test_a_filter_that_is_not_one_is_said_and_the_list_shown_without_it(client, bob, bobs_messages, query, said):
    client.force_login(bob)

    response = client.get(LIST, query)

    assert response.status_code == 200
    html = response.content.decode()
    assert said in html
    assert _rows(html) == ["Sooner one", "Later one"]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999", "2"])
def test_any_page_number_gives_a_page_not_an_error(client, bob, lea, page):
    MessageFactory(influencer=lea, created_by=bob)
    client.force_login(bob)

    assert client.get(LIST, {"page": page}).status_code == 200


def test_the_list_pages_by_fifty_and_keeps_its_filters(client, bob, lea):
    for n in range(55):
        MessageFactory(
            influencer=lea, created_by=bob, status="failed", subject=f"Failed {n:02}", send_at=paris(2026, 3, 1)
        )
    client.force_login(bob)

    first = client.get(LIST, {"status": "failed", "q": "léa"}).content.decode()
    second = client.get(LIST, {"status": "failed", "q": "léa", "page": 2}).content.decode()

    assert len(_rows(first)) == 50 and len(_rows(second)) == 5
    assert set(_rows(first)) | set(_rows(second)) == {f"Failed {n:02}" for n in range(55)}
    assert 'href="?status=failed&amp;q=l%C3%A9a&amp;page=2"' in first
    assert "Page 2 of 2" in second


def _world(lea, bob, rows: int) -> None:
    for _n in range(rows):
        relationship = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE, owner=bob)
        MessageFactory(influencer=lea, relationship=relationship, created_by=bob)
        MessageFactory(influencer=lea, status="failed", last_error="refused", created_by=bob)


# Session, user, the tabs' counts, the page's count, its rows, the member's permissions (for the actions).
MESSAGES_PAGE_QUERIES = 6


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("status", ["scheduled", "failed"])
def test_the_page_costs_the_same_queries_whatever_its_number_of_rows(
    client, bob, lea, django_assert_num_queries, rows, status
):
    _world(lea, bob, rows)
    client.force_login(bob)
    client.get(LIST, {"status": status})  # the first read of a process pays one-off caches

    with django_assert_num_queries(MESSAGES_PAGE_QUERIES):
        response = client.get(LIST, {"status": status})

    assert len(_rows(response.content.decode())) == rows


def test_the_navigation_bar_links_to_the_messages(client, bob):
    client.force_login(bob)

    html = client.get(LIST).content.decode()

    assert f'active" aria-current="page" href="{LIST}">Messages</a>' in html
    assert html.index(">Campaigns</a>") < html.index(">Messages</a>")


# --- Retry ----------------------------------------------------------------------------------------------------


def test_retrying_a_failed_message_schedules_it_now_to_the_person_s_address_of_today(client, bob, lea, bobs_messages):
    failed = bobs_messages["failed"]
    Message.objects.filter(pk=failed.pk).update(attempts=3, recipient="old@example.org")
    client.force_login(bob)

    response = client.post(_retry(failed), {"next": "/messages/?status=failed&q=l%C3%A9a"}, follow=True)

    failed.refresh_from_db()
    assert response.redirect_chain == [("/messages/?status=failed&q=l%C3%A9a", 302)]
    assert (failed.status, failed.send_at, failed.attempts, failed.last_error) == ("scheduled", MONDAY_10, 0, "")
    assert failed.recipient == lea.email
    html = response.content.decode()
    assert "The message to Léa Martin is scheduled again: it leaves March 2, 2026, 10 a.m." in html
    assert "Bounced" in _rows(client.get(LIST).content.decode())


def test_a_retry_outside_the_person_s_sending_hours_leaves_when_they_open(client, time_machine, bob, bobs_messages):
    time_machine.move_to(paris(2026, 3, 7, 10), tick=False)  # a Saturday
    failed = bobs_messages["failed"]
    client.force_login(bob)

    client.post(_retry(failed))

    failed.refresh_from_db()
    assert (failed.status, failed.send_at) == ("scheduled", paris(2026, 3, 9, 9))


def test_a_retry_goes_back_to_the_failed_list_and_never_to_another_site(client, bob, bobs_messages):
    client.force_login(bob)

    response = client.post(_retry(bobs_messages["failed"]), {"next": "https://evil.example/"})

    assert response["Location"] == "/messages/?status=failed"


@pytest.mark.parametrize("status", ["scheduled", "sending", "sent", "cancelled"])
def test_only_a_failed_message_can_be_retried(client, bob, bobs_messages, status):
    message = bobs_messages["failed"]
    Message.objects.filter(pk=message.pk).update(status=status, sent_at=MONDAY_10, send_at=paris(2026, 3, 4))
    client.force_login(bob)

    response = client.post(_retry(message), follow=True)

    message.refresh_from_db()
    assert response.status_code == 200
    assert f"This message is {status}: only a failed message can be retried." in response.content.decode()
    assert (message.status, message.send_at) == (status, paris(2026, 3, 4))


def test_a_failed_message_to_someone_who_opted_out_is_not_retried(client, bob, lea, bobs_messages):
    lea.consent = "opted_out"
    lea.save()
    client.force_login(bob)

    response = client.post(_retry(bobs_messages["failed"]), follow=True)

    assert "Léa Martin opted out of e-mails: no follow-up can be scheduled." in response.content.decode()
    assert Message.objects.get(pk=bobs_messages["failed"].pk).status == "failed"


def test_the_retry_service_refuses_a_message_that_is_not_to_a_person(bob, lea):
    reminder = MessageFactory(influencer=lea, kind="reminder", to_user=bob, status="failed")

    with pytest.raises(ValidationError, match="Only a follow-up or a thank-you"):
        services.message_retry(message=reminder, by=bob)


def test_a_retry_that_lost_to_another_one_says_so_and_changes_nothing_more(bob, bobs_messages):
    failed = bobs_messages["failed"]
    stale = Message.objects.get(pk=failed.pk)
    services.message_retry(message=failed, by=bob)

    with pytest.raises(ValidationError, match="This message is scheduled"):
        services.message_retry(message=stale, by=bob)


def test_someone_else_s_message_a_reminder_or_nothing_is_a_404(client, bob, lea, bobs_messages):
    reminder = MessageFactory(influencer=lea, kind="reminder", to_user=bob, status="failed")
    Message.objects.filter(pk=bobs_messages["daves"].pk).update(status="failed")
    client.force_login(bob)

    assert client.post(_retry(bobs_messages["daves"])).status_code == 404
    assert client.post(_retry(reminder)).status_code == 404
    assert client.post(reverse("message_retry", args=[999999])).status_code == 404
    assert Message.objects.get(pk=bobs_messages["daves"].pk).status == "failed"


def test_a_viewer_cannot_retry_and_a_get_is_refused(client, bob, carol, bobs_messages):
    failed = bobs_messages["failed"]
    client.force_login(carol)
    assert client.post(_retry(failed)).status_code == 403
    client.force_login(bob)
    assert client.get(_retry(failed)).status_code == 405
    assert Message.objects.get(pk=failed.pk).status == "failed"


# --- Cancelling a failed message ------------------------------------------------------------------------------


def test_a_failed_message_s_dialog_offers_only_to_cancel_it_and_cancelling_moves_it(client, bob, bobs_messages):
    failed = bobs_messages["failed"]
    client.force_login(bob)

    dialog = client.get(reverse("message_edit", args=[failed.pk]), **HTMX).content.decode()
    done = client.post(reverse("message_cancel", args=[failed.pk]), {"reason": "Plus la peine"}, **HTMX)

    assert "Cancel this message" in dialog and "Save the changes" not in dialog
    assert "550 mailbox unknown" in dialog and "can no longer be changed" not in dialog
    assert "The message to Léa Martin is cancelled: it will not go." in done.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.last_error) == ("cancelled", "Plus la peine")
    assert "Bounced" in _rows(client.get(LIST, {"status": "cancelled"}).content.decode())
    assert "Bounced" not in _rows(client.get(LIST, {"status": "failed"}).content.decode())


def test_an_old_failure_is_listed_too(client, bob, lea):
    old = MessageFactory(influencer=lea, created_by=bob, status="failed", subject="Long ago")
    Message.objects.filter(pk=old.pk).update(updated_at=MONDAY_10 - datetime.timedelta(days=60))
    client.force_login(bob)

    assert _rows(client.get(LIST, {"status": "failed"}).content.decode()) == ["Long ago"]
