"""The people forms on their own: what they accept and what they refuse, with which message."""

import pytest

from crm.forms import ContactLogForm, InfluencerFilterForm, InfluencerForm, channel_formset_class
from crm.models import Influencer
from tests.factories import InfluencerFactory, paris

NOW = paris(2026, 3, 2, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _contact(**fields):
    data = {"influencer": 1, "kind": "call", "direction": "inbound", "occurred_at": "2026-03-02T10:04", "summary": "Hi"}
    return data | fields


def test_a_contact_a_few_minutes_ahead_of_the_server_clock_is_now_not_the_future(db):
    form = ContactLogForm(_contact(), influencer=InfluencerFactory())

    assert form.is_valid(), form.errors


def test_a_contact_tomorrow_is_refused_on_its_field(db):
    form = ContactLogForm(_contact(occurred_at="2026-03-03T09:00"), influencer=InfluencerFactory())

    assert form.errors == {
        "occurred_at": ["A contact cannot be in the future. To plan one, schedule a follow-up instead."]
    }


def test_the_contact_form_reads_the_time_on_the_teams_clock(db):
    form = ContactLogForm(_contact(occurred_at="2026-03-02T09:00"), influencer=InfluencerFactory())

    assert form.is_valid()
    assert form.cleaned_data["occurred_at"] == paris(2026, 3, 2, 9)


@pytest.mark.parametrize(
    ("tier", "inside", "outside"),
    [
        ("nano", [0, 9_999], [10_000]),
        ("micro", [10_000, 99_999], [9_999, 100_000]),
        ("macro", [500_000, 999_999], [499_999, 1_000_000]),
        ("mega", [1_000_000, 50_000_000], [999_999]),
    ],
)
def test_the_tier_filter_uses_the_tier_bounds(db, tier, inside, outside):
    for audience in inside + outside:
        InfluencerFactory(name=f"at {audience}", audience=audience)
    form = InfluencerFilterForm({"tier": tier})

    found = form.filter(Influencer.objects.all(), today=NOW.date())

    assert sorted(p.audience for p in found) == inside


def test_an_empty_filter_form_keeps_everyone_sorted_by_name_25_a_page(db):
    form = InfluencerFilterForm({})

    assert (form.ordering, form.page_size) == (["name_lower", "pk"], 25)


def test_an_influencer_form_needs_a_real_time_zone_and_a_two_letter_country(db):
    form = InfluencerForm(
        {
            "name": "Nina",
            "kind": "blogger",
            "language": "fr",
            "timezone": "Paris",
            "country": "F1",
            "consent": "unknown",
        }
    )

    assert form.errors["timezone"] == ["“Paris” is not a time zone. Use a name like Europe/Paris."]
    assert form.errors["country"] == ["Use the two-letter ISO code, e.g. FR."]


def test_a_new_consent_without_a_date_is_dated_now(db):
    form = InfluencerForm(
        {"name": "Nina", "kind": "blogger", "language": "fr", "timezone": "Europe/Paris", "consent": "opted_in"},
        instance=InfluencerFactory(),
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["consent_at"] == NOW


def test_the_email_is_unique_whatever_its_case_but_a_person_keeps_their_own(db):
    lea = InfluencerFactory(email="lea@example.org")
    data = {
        "name": "Léa",
        "email": "LEA@example.org",
        "kind": "blogger",
        "language": "fr",
        "timezone": "Europe/Paris",
        "consent": "unknown",
    }

    assert InfluencerForm(data, instance=lea).is_valid()
    assert InfluencerForm(data).errors["email"] == ["Someone in the directory already has the e-mail LEA@example.org."]


def test_a_channel_listed_twice_in_the_formset_is_refused(db):
    FormSet = channel_formset_class(extra=2)
    data = {
        "c-TOTAL_FORMS": "2",
        "c-INITIAL_FORMS": "0",
        "c-0-platform": "x",
        "c-0-handle": "Nina",
        "c-1-platform": "x",
        "c-1-handle": "nina",
    }

    formset = FormSet(data, instance=Influencer(), prefix="c")

    assert not formset.is_valid()
    assert formset.forms[1].errors == {"handle": ["This channel is listed twice."]}
