"""Hostile input on every form of the messaging side: scheduling a follow-up (and its template picker), editing
and cancelling a message, my settings, and the public unsubscribe link. No server error ever; a subject can
never carry a line break into an e-mail header; the texts come back escaped on the timeline."""

import datetime
import string
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from messaging.models import Message
from messaging.unsubscribe import make_token
from tests.factories import InfluencerFactory, RelationshipFactory
from tests.hostile.strategies import (
    CONTROL,
    FEW,
    HOSTILE,
    HUGE,
    LONG,
    MOMENT_9999,
    MOMENT_ONE,
    NUL,
    SCRIPT,
    TYPED_PAYLOADS,
    assert_harmless,
    assert_no_live_markup,
    bad_datetime,
    bad_id,
    changes,
    hostile_text,
    rolled_back,
)
from tests.messaging.factories import MessageFactory, MessageTemplateFactory

pytestmark = pytest.mark.django_db


def _tomorrow() -> str:
    return (timezone.localtime() + datetime.timedelta(days=1)).replace(hour=10).strftime("%Y-%m-%dT%H:%M")


FOLLOW_UP_FIELDS = {
    "relationship": bad_id(),
    "template": bad_id(),
    "subject": hostile_text(),
    "body": hostile_text(300),
    "send_at": bad_datetime(),
    "cancel_if_reply": hostile_text(5),
}


def _sharp_message_examples(test):
    for value in (NUL, LONG, CONTROL, SCRIPT, "Hi\r\nBcc: victim@example.org", "Hi\u2028there", "a" * 201):
        test = example(changed={"subject": value, "body": value})(test)
    for value in (MOMENT_ONE, MOMENT_9999, "2024-03-31T02:30", "2024-10-27T02:30"):
        test = example(changed={"send_at": value})(test)
    return test


@HOSTILE
@_sharp_message_examples
@example(changed={"relationship": HUGE, "template": HUGE})
@given(changed=changes(FOLLOW_UP_FIELDS))
def test_scheduling_a_follow_up_never_fails_on_any_input(as_bob, changed):
    with rolled_back():
        person = InfluencerFactory(name="Ana", email="ana@example.org", timezone="Pacific/Kiritimati")
        relationship = RelationshipFactory(influencer=person)
        posted = {
            "relationship": str(relationship.pk),
            "template": "",
            "subject": "Any news?",
            "body": "Hello Ana,\nhow is the range doing?",
            "send_at": _tomorrow(),
            "cancel_if_reply": "on",
            **changed,
        }

        response = as_bob.post(reverse("follow_up_new", args=[person.pk]), posted)

        assert_harmless(response)
        assert_no_live_markup(response.content)
        if response.status_code == 302:
            message = Message.objects.get()
            assert "\n" not in message.subject and "\r" not in message.subject
            page = as_bob.get(reverse("crm:influencer_detail", args=[person.pk]))
            assert page.status_code == 200
            assert_no_live_markup(page.content)


@HOSTILE
@example(relationship=HUGE, template=HUGE)
@example(relationship=NUL, template=NUL)
@given(relationship=bad_id(), template=bad_id())
def test_the_follow_up_page_and_its_template_picker_never_fail_on_any_query(as_bob, relationship, template):
    with rolled_back():
        person = InfluencerFactory(name="Ana", email="ana@example.org", language="fr")
        MessageTemplateFactory(language="fr", subject=SCRIPT, body=SCRIPT)

        page = as_bob.get(reverse("follow_up_new", args=[person.pk]), {"relationship": relationship})
        picked = as_bob.get(reverse("follow_up_template", args=[person.pk]), {"template": template})

        for response in (page, picked):
            assert_harmless(response)
            assert_no_live_markup(response.content)


EDIT_FIELDS = {"subject": hostile_text(), "body": hostile_text(300), "send_at": bad_datetime(), "htmx": st.just("1")}


@HOSTILE
@_sharp_message_examples
@given(changed=changes(EDIT_FIELDS))
def test_editing_a_message_never_fails_on_any_input(as_bob, changed):
    with rolled_back():
        message = MessageFactory(influencer=InfluencerFactory(name="Ana", email="ana@example.org"))
        posted = {"subject": "Any news?", "body": "Hello", "send_at": _tomorrow(), **changed}
        headers = {"HX-Request": "true"} if posted.pop("htmx", "") else {}

        response = as_bob.post(reverse("message_edit", args=[message.pk]), posted, headers=headers)

        assert_harmless(response)
        assert_no_live_markup(response.content)
        message.refresh_from_db()
        assert "\n" not in message.subject and "\r" not in message.subject
        assert_no_live_markup(as_bob.get(reverse("crm:influencer_detail", args=[message.influencer_id])).content)


@HOSTILE
@example(reason=NUL)
@example(reason=LONG)
@example(reason=SCRIPT)
@given(reason=hostile_text())
def test_cancelling_a_message_never_fails_on_any_reason(as_bob, reason):
    with rolled_back():
        message = MessageFactory(influencer=InfluencerFactory(name="Ana", email="ana@example.org"))

        response = as_bob.post(reverse("message_cancel", args=[message.pk]), {"reason": reason})

        assert_harmless(response)
        assert_no_live_markup(response.content)
        page = as_bob.get(reverse("crm:influencer_detail", args=[message.influencer_id]))
        assert_no_live_markup(page.content)


PROFILE_FIELDS = {
    "timezone": st.one_of(hostile_text(30), st.sampled_from(["UTC", "Pacific/Kiritimati", "../../etc/passwd"])),
    "language": hostile_text(8),
    "signature": hostile_text(300),
    "wants_digest": hostile_text(5),
}


@HOSTILE
@example(changed={"signature": NUL, "timezone": NUL})
@example(changed={"signature": LONG, "language": LONG})
@example(changed={"signature": CONTROL, "timezone": "/etc/localtime"})
@given(changed=changes(PROFILE_FIELDS))
def test_my_settings_never_fail_on_any_input(client, carol, changed):
    with rolled_back():
        client.force_login(carol)  # the settings change the session (time zone): one login per example
        posted = {"timezone": "Europe/Paris", "language": "fr", "signature": "Carol", "wants_digest": "on", **changed}

        response = client.post(reverse("my_settings"), posted)

        assert_harmless(response)
        assert_no_live_markup(response.content)
        assert client.get(reverse("home")).status_code == 200


@HOSTILE
@example(token=NUL)
@example(token="." * 300)
@example(token="eJyrVspUsjI0MjIw0FFKVrJSKkvMKU0FAEGEBiM:1tXyZ:abc")
@given(token=st.one_of(hostile_text(120), st.text(string.ascii_letters + string.digits + "-_:.")))
def test_any_unsubscribe_token_is_refused_or_harmless(client, token, db):
    with rolled_back():
        person = InfluencerFactory(name="Ana", email="ana@example.org")
        url = f"/unsubscribe/{quote(token, safe='')}/"

        for response in (client.get(url), client.post(url)):
            assert response.status_code in {200, 400, 404, 405}, response.status_code
        person.refresh_from_db()
        assert person.consent == "unknown"


def test_a_valid_unsubscribe_token_with_markup_in_the_name_shows_it_as_text(client, db):
    person = InfluencerFactory(name=SCRIPT, email="ana@example.org")

    confirm = client.get(f"/unsubscribe/{make_token(person)}/")
    done = client.post(f"/unsubscribe/{make_token(person)}/")

    assert confirm.status_code == done.status_code == 200
    assert_no_live_markup(confirm.content)
    assert_no_live_markup(done.content)


@FEW
@given(payload=st.sampled_from(TYPED_PAYLOADS))
def test_markup_in_a_follow_up_is_shown_as_text_on_the_timeline_and_in_the_dialog(as_bob, payload):
    with rolled_back():
        person = InfluencerFactory(name="Ana", email="ana@example.org")
        posted = {"subject": f"{payload} {SCRIPT}"[:200], "body": f"{payload}\n{SCRIPT}", "send_at": _tomorrow()}
        assert as_bob.post(reverse("follow_up_new", args=[person.pk]), posted).status_code == 302
        message = Message.objects.get()

        for url in (
            reverse("crm:influencer_detail", args=[person.pk]),
            reverse("message_edit", args=[message.pk]),
            reverse("home"),
        ):
            page = as_bob.get(url)
            assert page.status_code == 200
            assert_no_live_markup(page.content)
        assert "&lt;script&gt;" in as_bob.get(reverse("crm:influencer_detail", args=[person.pk])).content.decode()
