"""Hostile input on every form of the people side: adding and editing a person (with channels), the list's
filters, the contact log, the ledger and the audience figures. No example may give a server error, and
what was typed comes back escaped on the person's page, the list and the timeline.

Each test posts a valid form with one to three fields replaced by hostile values (tests.hostile.strategies).
"""

from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from crm.models import Contact, Influencer, Topic
from tests.factories import ChannelFactory, InfluencerFactory, RelationshipFactory, TopicFactory
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
    YEAR_9999,
    YEAR_ONE,
    assert_harmless,
    assert_no_live_markup,
    bad_date,
    bad_datetime,
    bad_id,
    bad_number,
    changes,
    expected_status,
    hostile_text,
    rolled_back,
)

pytestmark = pytest.mark.django_db


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


PERSON_FIELDS = {
    "name": hostile_text(),
    "email": hostile_text(40),
    "kind": hostile_text(10),
    "language": hostile_text(10),
    "timezone": hostile_text(30),
    "city": hostile_text(),
    "region": hostile_text(),
    "country": hostile_text(4),
    "topics": bad_id(),
    "owner": bad_id(),
    "cadence_days": bad_number(),
    "consent": hostile_text(10),
    "consent_at": bad_datetime(),
    "consent_source": hostile_text(),
    "notes": hostile_text(200),
    "channels-TOTAL_FORMS": bad_number(),
    "channels-INITIAL_FORMS": bad_number(),
    "channels-0-platform": hostile_text(10),
    "channels-0-handle": hostile_text(),
    "channels-0-url": hostile_text(80),
    "channels-1-handle": hostile_text(),
}


def person_form(*, owner, topic, **extra) -> dict:
    return {
        "name": "Ana Martin",
        "email": "ana.martin@example.org",
        "kind": "ambassador",
        "language": "fr",
        "timezone": "Europe/Paris",
        "city": "Lyon",
        "region": "Auvergne-Rhône-Alpes",
        "country": "FR",
        "topics": [str(topic.pk)],
        "owner": str(owner.pk),
        "cadence_days": "30",
        "consent": "opted_in",
        "consent_at": "",
        "consent_source": "a call",
        "notes": "Met at a fair",
        "channels-TOTAL_FORMS": "2",
        "channels-INITIAL_FORMS": "0",
        "channels-MIN_NUM_FORMS": "0",
        "channels-MAX_NUM_FORMS": "1000",
        "channels-0-platform": "instagram",
        "channels-0-handle": "ana.martin",
        "channels-0-url": "https://instagram.com/ana.martin",
        "channels-1-platform": "",
        "channels-1-handle": "",
        "channels-1-url": "",
        **extra,
    }


def _sharp_person_examples(test):
    for value in (NUL, LONG, CONTROL, SCRIPT, "a" * 151):
        test = example(changed={"name": value, "city": value, "notes": value, "channels-0-handle": value})(test)
    for value in (MOMENT_ONE, MOMENT_9999, "2024-03-31T02:30"):
        test = example(changed={"consent_at": value})(test)
    for value in (HUGE, "32768", "2912104", "-1"):
        test = example(changed={"cadence_days": value, "owner": value, "topics": value})(test)
    return example(changed={"channels-TOTAL_FORMS": "100000", "channels-0-url": "javascript:alert(1)"})(test)


@HOSTILE
@_sharp_person_examples
@given(changed=changes(PERSON_FIELDS))
def test_adding_a_person_never_fails_on_any_input(as_bob, bob, changed):
    with rolled_back():
        posted = {**person_form(owner=bob, topic=TopicFactory(name="cuisine")), **changed}

        response = as_bob.post(reverse("crm:influencer_add"), posted)

        assert_harmless(response)
        assert_no_live_markup(response.content)
        if response.status_code == 302:
            person = Influencer.objects.get()
            page = as_bob.get(reverse("crm:influencer_detail", args=[person.pk]))
            assert page.status_code == 200
            assert_no_live_markup(page.content)


@HOSTILE
@_sharp_person_examples
@given(changed=changes({**PERSON_FIELDS, "channels-0-id": bad_id(), "channels-0-DELETE": hostile_text(5)}))
def test_editing_a_person_never_fails_on_any_input(as_bob, bob, changed):
    with rolled_back():
        person = InfluencerFactory(name="Ana", email="ana@example.org")
        channel = ChannelFactory(influencer=person, platform="instagram", handle="ana")
        posted = {
            **person_form(owner=bob, topic=TopicFactory(name="cuisine")),
            "channels-INITIAL_FORMS": "1",
            "channels-0-id": str(channel.pk),
            "channels-0-influencer": str(person.pk),
            **changed,
        }

        response = as_bob.post(reverse("crm:influencer_edit", args=[person.pk]), posted)

        assert_harmless(response)
        assert_no_live_markup(response.content)
        if response.status_code == 302:
            page = as_bob.get(reverse("crm:influencer_detail", args=[person.pk]))
            assert page.status_code == 200
            assert_no_live_markup(page.content)


@HOSTILE
@example(query={"q": NUL, "region": LONG, "per_page": HUGE, "page": HUGE, "topic": HUGE, "owner": "-1"})
@given(
    query=st.fixed_dictionaries(
        {},
        optional={
            "q": hostile_text(),
            "kind": hostile_text(10),
            "tier": hostile_text(10),
            "region": hostile_text(),
            "topic": bad_id(),
            "consent": hostile_text(10),
            "owner": bad_id(),
            "overdue": hostile_text(5),
            "sort": hostile_text(10),
            "per_page": bad_number(),
            "page": bad_number(),
        },
    )
)
def test_the_list_filters_never_fail_on_any_input(as_carol, query):
    with rolled_back():
        InfluencerFactory(name="Ana")

        response = as_carol.get(reverse("crm:influencer_list"), query)

        assert response.status_code == expected_status(query)
        assert_no_live_markup(response.content)


CONTACT_FIELDS = {
    "influencer": bad_id(),
    "relationship": bad_id(),
    "kind": hostile_text(10),
    "direction": hostile_text(10),
    "occurred_at": bad_datetime(),
    "summary": hostile_text(300),
    "next": hostile_text(80),
    "htmx": st.sampled_from(["true", ""]),
}


@HOSTILE
@example(changed={"occurred_at": MOMENT_ONE})
@example(changed={"occurred_at": "1000-01-01T00:00"})
@example(changed={"occurred_at": MOMENT_9999})
@example(changed={"summary": NUL})
@example(changed={"summary": LONG})
@example(changed={"summary": CONTROL, "next": "//evil.example/"})
@example(changed={"relationship": "foreign"})
@example(changed={"influencer": HUGE, "relationship": HUGE})
@given(changed=changes(CONTACT_FIELDS))
def test_logging_a_contact_never_fails_on_any_input(as_bob, changed):
    with rolled_back():
        person = InfluencerFactory(name="Ana")
        relationship = RelationshipFactory(influencer=person)
        someone_elses = RelationshipFactory()
        posted = {
            "influencer": str(person.pk),
            "relationship": str(relationship.pk),
            "kind": "call",
            "direction": "inbound",
            "occurred_at": _now_local(),
            "summary": "We talked about the spring range",
            "next": "",
            **changed,
        }
        if posted["relationship"] == "foreign":
            posted["relationship"] = str(someone_elses.pk)
        headers = {"HX-Request": "true"} if posted.pop("htmx", "") else {}

        response = as_bob.post(reverse("crm:contact_log"), posted, headers=headers)

        assert_harmless(response)
        assert_no_live_markup(response.content)
        if response.status_code == 302:
            assert response["Location"].startswith("/") and not response["Location"].startswith("//")
        if Contact.objects.exists():
            assert_no_live_markup(as_bob.get(reverse("crm:influencer_detail", args=[person.pk])).content)


EXCHANGE_FIELDS = {
    "direction": hostile_text(10),
    "kind": hostile_text(10),
    "occurred_on": bad_date(),
    "relationship": bad_id(),
    "value": bad_number(),
    "reach": bad_number(),
    "url": hostile_text(80),
    "note": hostile_text(300),
    "?relationship": bad_id(),
    "?next": hostile_text(40),
}


@HOSTILE
@example(changed={"occurred_on": YEAR_ONE})
@example(changed={"occurred_on": YEAR_9999})
@example(changed={"value": "9" * 10 + ".99", "reach": "4294967296"})
@example(changed={"value": "NaN", "reach": HUGE})
@example(changed={"note": NUL, "url": "https://example.org/\x00"})
@example(changed={"note": LONG, "url": "https://" + "a" * 600 + ".example"})
@given(changed=changes(EXCHANGE_FIELDS))
def test_recording_an_exchange_never_fails_on_any_input(as_bob, changed):
    with rolled_back():
        person = InfluencerFactory(name="Ana")
        relationship = RelationshipFactory(influencer=person)
        posted = {
            "direction": "get",
            "kind": "post",
            "occurred_on": timezone.localdate().isoformat(),
            "relationship": str(relationship.pk),
            "value": "150.50",
            "reach": "1200",
            "url": "https://blog.example/post",
            "note": "A post about the range",
            **changed,
        }
        query = {key[1:]: posted.pop(key) for key in list(posted) if key.startswith("?")}
        url = reverse("crm:exchange_record", args=[person.pk]) + "?" + urlencode(query)

        response = as_bob.post(url, posted)

        assert_harmless(response)
        assert_no_live_markup(response.content)
        if response.status_code == 302:
            page = as_bob.get(reverse("crm:influencer_detail", args=[person.pk]))
            assert page.status_code == 200
            assert_no_live_markup(page.content)


SNAPSHOT_FIELDS = {"taken_on": bad_date(), "followers": bad_number(), "engagement_rate": bad_number()}


@HOSTILE
@example(changed={"taken_on": YEAR_ONE})
@example(changed={"followers": "2147483648", "engagement_rate": "100.001"})
@example(changed={"followers": HUGE, "engagement_rate": "1e5"})
@example(changed={"followers": "9" * 40})
@example(changed={"engagement_rate": "-0.001"})
@given(changed=changes(SNAPSHOT_FIELDS))
def test_recording_an_audience_figure_never_fails_on_any_input(as_bob, changed):
    with rolled_back():
        channel = ChannelFactory(handle="ana")
        posted = {
            "taken_on": timezone.localdate().isoformat(),
            "followers": "12000",
            "engagement_rate": "3.5",
            **changed,
        }

        response = as_bob.post(reverse("crm:snapshot_record", args=[channel.pk]), posted)

        assert_harmless(response)
        if response.status_code == 302:
            assert as_bob.get(reverse("crm:influencer_detail", args=[channel.influencer_id])).status_code == 200


@FEW
@given(
    noise=st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=10),
    payload=st.sampled_from(TYPED_PAYLOADS),
)
def test_markup_typed_in_every_field_of_a_person_is_shown_as_text_everywhere(as_bob, bob, noise, payload):
    with rolled_back():
        text = f"{noise}{payload}".strip() or "x"
        posted = person_form(
            owner=bob,
            topic=TopicFactory(name="cuisine"),
            name=f"{text} {SCRIPT}"[:150],
            city=SCRIPT,
            region=text[:100],
            consent_source=SCRIPT,
            notes=f"{text}\n{SCRIPT}",
            **{"channels-0-handle": SCRIPT},
        )
        response = as_bob.post(reverse("crm:influencer_add"), posted)
        assert response.status_code == 302, (response.context["form"].errors, response.context["channels"].errors)
        person = Influencer.objects.get()
        summary = {"influencer": person.pk, "kind": "call", "direction": "inbound", "occurred_at": _now_local()}
        contact = as_bob.post(reverse("crm:contact_log"), {**summary, "summary": f"{text} {SCRIPT}"})
        assert contact.status_code == 302

        pages = [
            reverse("crm:influencer_detail", args=[person.pk]),
            reverse("crm:influencer_list"),
            reverse("crm:influencer_list") + "?q=" + quote(SCRIPT),
            reverse("crm:influencer_edit", args=[person.pk]),
            reverse("home"),
        ]
        for url in pages:
            page = as_bob.get(url)
            assert page.status_code == 200, url
            assert_no_live_markup(page.content)
        detail = as_bob.get(pages[0]).content.decode()
        assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in detail


def test_an_id_no_column_can_hold_matches_nothing_in_a_list_of_ids(db):
    cuisine = TopicFactory(name="cuisine")

    found = Topic.objects.filter(pk__in=[10**30, -(10**30), cuisine.pk])

    assert list(found) == [cuisine]
    assert not Topic.objects.filter(pk__in=[10**30]).exists()
    assert list(Topic.objects.filter(pk__in=["1.0", ":", str(cuisine.pk)])) == [cuisine]
