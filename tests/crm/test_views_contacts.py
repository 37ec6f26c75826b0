"""Logging a contact from any page: the htmx modal form, its refusals, and never twice."""

import datetime
import json

import pytest
from django.urls import reverse

from campaigns.models import Stage
from crm.models import Contact
from tests.factories import InfluencerFactory, RelationshipFactory, paris

NOW = paris(2026, 3, 2, 10)
URL = "/contacts/log/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def lea(db, bob):
    return InfluencerFactory(name="Léa", owner=bob, cadence_days=30, next_contact_due=datetime.date(2026, 2, 20))


@pytest.fixture
def on_spring(lea, bob):
    return RelationshipFactory(
        influencer=lea, owner=bob, stage=Stage.ACTIVE, cadence_days=14, next_contact_due=datetime.date(2026, 2, 25)
    )


def _post(lea, relationship=None, **fields):
    data = {
        "influencer": lea.pk,
        "relationship": relationship.pk if relationship else "",
        "kind": "call",
        "direction": "outbound",
        "occurred_at": "2026-03-02T09:30",
        "summary": "Talked about the spring range",
        "next": "/",
    }
    data.update(fields)
    return data


def test_the_url_name_is_crm_contact_log():
    assert reverse("crm:contact_log") == URL


def test_htmx_get_returns_the_small_form_preset_for_the_person_and_campaign(client, bob, lea, on_spring):
    client.force_login(bob)

    response = client.get(URL, {"influencer": lea.pk, "relationship": on_spring.pk}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html, "a partial, for the modal"
    assert f'hx-post="{URL}"' in html
    assert f'<option value="{on_spring.pk}" selected>' in html
    assert 'value="2026-03-02T10:00"' in html, "when: now, on the team's clock"
    for field in ("kind", "direction", "occurred_at", "summary", "relationship"):
        assert f'for="id_{field}"' in html, f"{field} has a label"


def test_a_person_with_one_open_relationship_has_it_preselected(client, bob, lea, on_spring):
    RelationshipFactory(influencer=lea, stage=Stage.CLOSED)  # a closed one does not count
    client.force_login(bob)

    html = client.get(URL, {"influencer": lea.pk}, **HTMX).content.decode()

    assert f'<option value="{on_spring.pk}" selected>' in html


def test_with_two_open_relationships_or_none_chosen_nothing_is_preselected(client, bob, lea, on_spring):
    client.force_login(bob)

    asked_for_none = client.get(URL, {"influencer": lea.pk, "relationship": ""}, **HTMX).content.decode()
    RelationshipFactory(influencer=lea, stage=Stage.PITCHED)
    two = client.get(URL, {"influencer": lea.pk}, **HTMX).content.decode()

    for html in (asked_for_none, two):
        assert '<option value="" selected>— no campaign —</option>' in html


def test_without_htmx_get_is_a_whole_page(client, bob, lea):
    client.force_login(bob)

    response = client.get(URL, {"influencer": lea.pk, "next": "/influencers/"})

    html = response.content.decode()
    assert "<html" in html and "hx-post" not in html
    assert 'href="/influencers/"' in html, "Cancel goes back where the user came from"


def test_an_htmx_post_logs_the_contact_moves_the_due_dates_and_triggers_contact_logged(client, bob, lea, on_spring):
    client.force_login(bob)

    response = client.post(URL, _post(lea, on_spring), **HTMX)

    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"contactLogged": {"influencer": lea.pk}}
    contact = Contact.objects.get()
    assert (contact.influencer, contact.relationship, contact.logged_by) == (lea, on_spring, bob)
    assert contact.occurred_at == paris(2026, 3, 2, 9, 30)
    on_spring.refresh_from_db()
    lea.refresh_from_db()
    assert on_spring.next_contact_due == datetime.date(2026, 3, 16), "14 days after the call"
    assert lea.next_contact_due == datetime.date(2026, 4, 1), "30 days after the call"
    html = response.content.decode()
    assert "Contact with Léa logged." in html
    assert 'id="id_summary"' in html and "Talked about the spring range" not in html, "a fresh form"


def test_without_htmx_a_post_redirects_back_to_next(client, bob, lea):
    client.force_login(bob)

    response = client.post(URL, _post(lea, next="/influencers/?q=l%C3%A9a"))

    assert response.status_code == 302
    assert response["Location"] == "/influencers/?q=l%C3%A9a"
    assert Contact.objects.count() == 1


def test_next_cannot_send_the_user_to_another_site(client, bob, lea):
    client.force_login(bob)

    response = client.post(URL, _post(lea, next="https://evil.example/"))

    assert response["Location"] == f"/influencers/{lea.pk}/"


def test_a_form_posted_twice_logs_one_contact(client, bob, lea, on_spring):
    client.force_login(bob)

    first = client.post(URL, _post(lea, on_spring), **HTMX)
    second = client.post(URL, _post(lea, on_spring), **HTMX)

    assert Contact.objects.count() == 1
    assert first.status_code == second.status_code == 200
    assert "already logged" in second.content.decode()
    assert "HX-Trigger" in second, "the page refreshes the same way: the contact is there"


def test_a_stale_form_posted_again_without_htmx_logs_one_contact(client, bob, lea):
    client.force_login(bob)

    client.post(URL, _post(lea))
    client.post(URL, _post(lea))

    assert Contact.objects.count() == 1


def test_a_different_contact_on_the_same_minute_is_logged(client, bob, lea):
    client.force_login(bob)

    client.post(URL, _post(lea), **HTMX)
    client.post(URL, _post(lea, summary="A second, different call"), **HTMX)

    assert Contact.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"summary": ""}, "summary", "This field is required."),
        ({"summary": "   "}, "summary", "This field is required."),
        ({"summary": "x" * 5001}, "summary", "Ensure this value has at most 5000 characters (it has 5001)."),
        ({"occurred_at": "2026-03-03T09:00"}, "occurred_at", "A contact cannot be in the future."),
        ({"occurred_at": "yesterday-ish"}, "occurred_at", "Enter a valid date/time."),
        ({"occurred_at": ""}, "occurred_at", "This field is required."),
        ({"kind": "telepathy"}, "kind", "Select a valid choice. telepathy is not one of the available choices."),
        ({"direction": "sideways"}, "direction", "Select a valid choice."),
    ],
)
def test_bad_input_is_a_field_error_never_a_500(client, bob, lea, fields, field, message):
    client.force_login(bob)

    response = client.post(URL, _post(lea, **fields), **HTMX)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert f'id="error_1_id_{field}"' in response.content.decode()
    assert "HX-Trigger" not in response
    assert Contact.objects.count() == 0


def test_another_persons_relationship_is_not_a_valid_choice(client, bob, lea):
    someone_elses = RelationshipFactory(stage=Stage.ACTIVE)
    client.force_login(bob)

    response = client.post(URL, _post(lea, someone_elses), **HTMX)

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert Contact.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("params", [{"influencer": 999999}, {"influencer": "abc"}, {"influencer": ""}, {}])
def test_a_person_who_does_not_exist_is_a_404(client, bob, method, params):
    client.force_login(bob)

    response = getattr(client, method)(URL, params, **HTMX)

    assert response.status_code == 404


@pytest.mark.parametrize("relationship", [999999, "x"])
def test_a_relationship_that_does_not_exist_is_a_404(client, bob, lea, relationship):
    client.force_login(bob)

    assert client.get(URL, {"influencer": lea.pk, "relationship": relationship}).status_code == 404
    assert client.post(URL, _post(lea, relationship=None) | {"relationship": relationship}).status_code == 404


def test_a_viewer_cannot_log_a_contact(client, carol, lea):
    client.force_login(carol)

    assert client.get(URL, {"influencer": lea.pk}, **HTMX).status_code == 403
    assert client.post(URL, _post(lea), **HTMX).status_code == 403
    assert Contact.objects.count() == 0


def test_a_manager_can_log_a_contact(client, alice, lea):
    client.force_login(alice)

    assert client.post(URL, _post(lea), **HTMX).status_code == 200
    assert Contact.objects.get().logged_by == alice


def test_the_contact_form_costs_the_same_queries_whatever_the_persons_history(
    client, bob, lea, django_assert_num_queries
):
    for _n in range(10):
        RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)
    client.force_login(bob)

    # Session, user, permissions, the person, whether one relationship is open, their relationships for the choice.
    with django_assert_num_queries(6):
        client.get(URL, {"influencer": lea.pk}, **HTMX)


# --- The nights the clocks change -------------------------------------------------------------------------------


def test_a_contact_logged_in_the_hour_the_clocks_repeat_is_taken_with_the_forms_own_time(
    client, time_machine, bob, lea
):
    # Paris goes back from 03:00 to 02:00: 02:30 happens twice. The form offers it; the first is meant (the past).
    time_machine.move_to(datetime.datetime(2027, 10, 31, 1, 30, tzinfo=datetime.UTC), tick=False)
    client.force_login(bob)
    form = client.get(URL, {"influencer": lea.pk}, **HTMX).content.decode()

    response = client.post(URL, _post(lea, occurred_at="2027-10-31T02:30"), **HTMX)

    assert 'value="2027-10-31T02:30"' in form
    assert "contactLogged" in response["HX-Trigger"], response.content.decode()
    assert lea.contacts.get().occurred_at == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=datetime.UTC)


def test_a_contact_typed_in_the_hour_the_clocks_skip_is_refused_as_a_field_error(client, time_machine, bob, lea):
    # Paris skips from 02:00 to 03:00: no clock showed 02:30 that night.
    time_machine.move_to(datetime.datetime(2027, 3, 28, 1, 45, tzinfo=datetime.UTC), tick=False)
    client.force_login(bob)

    response = client.post(URL, _post(lea, occurred_at="2027-03-28T02:30"), **HTMX)

    assert response.status_code == 200
    assert "couldn’t be interpreted in time zone Europe/Paris" in response.content.decode()
    assert not lea.contacts.exists()
