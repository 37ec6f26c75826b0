"""Numbers out of any sensible range (issue 14): "stay in touch every 2,912,104 days" was a server error.

Every number a person can type — a cadence, an audience figure, an engagement rate, a money value, a reach — is
refused on its field by the model's own validators (core.validators holds the bounds), in the UI and the admin
alike, and nothing is saved. The import reads no number from a file, and the cadences it applies come from
settings that a system check holds in the same bounds. A page number, a cursor or an id in a URL out of range or
malformed gives a page (or a 400/404), never a server error.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.admin.helpers import AdminForm, InlineAdminFormSet
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.forms import BaseForm, BaseFormSet
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Relationship, Stage
from core import validators
from crm.models import AudienceSnapshot, Exchange, ImportJob, Influencer
from tests.factories import CampaignFactory, ChannelFactory, InfluencerFactory, RelationshipFactory, TopicFactory
from tests.hostile import test_admin_forms as admin_pages
from tests.hostile.test_crm_forms import person_form
from tests.hostile.test_import import as_csv, upload_and_run

pytestmark = [pytest.mark.django_db, pytest.mark.clock]  # "today" read in the test and in the forms

HUGE = "9" * 30
# What each kind of number refuses: just past each bound, the cadence, and far beyond every column.
OUT_OF_RANGE = {
    "cadence": ["-1", str(validators.MAX_CADENCE_DAYS + 1), "2912104", "32768", HUGE],
    "audience": ["-1", str(validators.MAX_AUDIENCE + 1), "2147483648", HUGE],
    "percent": ["-0.01", "100.01", "999.99", "1e5"],
    "money": ["-0.01", "10000000.01", "9999999999.99", HUGE],
}


@dataclass
class NumberForm:
    """A form with numbers: where it posts, a valid post, and what a save would change."""

    url: str
    data: dict
    state: Callable[[], object]


def numbers(**kinds: str):
    """The number fields a form builder's form posts (prefixed names), each with its kind (a key of OUT_OF_RANGE)."""

    def mark(builder):
        builder.numbers = kinds
        return builder

    return mark


def _admin(page: admin_pages.Page, state: Callable[[], object]) -> NumberForm:
    return NumberForm(page.url, page.data, state)


@numbers(cadence_days="cadence")
def person_add(bob, alice) -> NumberForm:
    data = person_form(owner=bob, topic=TopicFactory(name="cuisine"))
    return NumberForm(reverse("crm:influencer_add"), data, Influencer.objects.count)


@numbers(cadence_days="cadence")
def person_edit(bob, alice) -> NumberForm:
    person = InfluencerFactory(name="Ana", email="ana@example.org", cadence_days=60)
    data = person_form(owner=bob, topic=TopicFactory(name="cuisine"), **{"channels-TOTAL_FORMS": "0"})
    return NumberForm(
        reverse("crm:influencer_edit", args=[person.pk]),
        data,
        lambda: Influencer.objects.values_list("cadence_days", "next_contact_due").get(),
    )


@numbers(value="money", reach="audience")
def exchange_record(bob, alice) -> NumberForm:
    person = InfluencerFactory(name="Ana")
    data = {
        "direction": "give",
        "kind": "fee",
        "occurred_on": timezone.localdate().isoformat(),
        "relationship": "",
        "value": "150.50",
        "reach": "1200",
        "url": "",
        "note": "",
    }
    return NumberForm(reverse("crm:exchange_record", args=[person.pk]), data, Exchange.objects.count)


@numbers(followers="audience", engagement_rate="percent")
def snapshot_record(bob, alice) -> NumberForm:
    channel = ChannelFactory(handle="ana")
    data = {"taken_on": timezone.localdate().isoformat(), "followers": "12000", "engagement_rate": "3.5"}
    return NumberForm(
        reverse("crm:snapshot_record", args=[channel.pk]),
        data,
        lambda: (AudienceSnapshot.objects.count(), Influencer.objects.values_list("audience", flat=True).get()),
    )


@numbers(cadence_days="cadence")
def relationship_accept(bob, alice) -> NumberForm:
    relationship = RelationshipFactory(stage=Stage.PITCHED, influencer=InfluencerFactory(name="Ana"))
    return NumberForm(
        reverse("campaigns:relationship_accept", args=[relationship.pk]),
        {"cadence_days": "30"},
        lambda: Relationship.objects.values_list("stage", "cadence_days", "next_contact_due").get(),
    )


@numbers(cadence_days="cadence")
def admin_person_add(bob, alice) -> NumberForm:
    return _admin(admin_pages.influencer_add(alice), Influencer.objects.count)


@numbers(cadence_days="cadence")
def admin_person_change(bob, alice) -> NumberForm:
    page = admin_pages.influencer_change(alice)
    return _admin(page, lambda: Influencer.objects.values_list("cadence_days", "next_contact_due").get())


@numbers(**{"snapshots-0-followers": "audience", "snapshots-0-engagement_rate": "percent"})
def admin_channel_add(bob, alice) -> NumberForm:
    return _admin(admin_pages.channel_add(alice), AudienceSnapshot.objects.count)


@numbers(followers="audience", engagement_rate="percent")
def admin_snapshot_add(bob, alice) -> NumberForm:
    return _admin(admin_pages.snapshot_add(alice), AudienceSnapshot.objects.count)


@numbers(value="money", reach="audience")
def admin_exchange_add(bob, alice) -> NumberForm:
    return _admin(admin_pages.exchange_add(alice), Exchange.objects.count)


@numbers(cadence_days="cadence")
def admin_relationship_change(bob, alice) -> NumberForm:
    page = admin_pages.relationship_change(alice)
    page.data["cadence_days"] = "21"  # the factory's is 14: a valid post changes it
    return _admin(page, lambda: Relationship.objects.values_list("cadence_days", "next_contact_due").get())


FORMS = [
    person_add,
    person_edit,
    exchange_record,
    snapshot_record,
    relationship_accept,
    admin_person_add,
    admin_person_change,
    admin_channel_add,
    admin_snapshot_add,
    admin_exchange_add,
    admin_relationship_change,
]
CASES = [
    pytest.param(builder, field, value, id=f"{builder.__name__}-{field}={value[:12]}")
    for builder in FORMS
    for field, kind in builder.numbers.items()
    for value in OUT_OF_RANGE[kind]
]


def fields_in_error(response) -> set[str]:
    """The (prefixed) names of the fields that carry an error on the page, whatever form or formset shows them."""
    contexts = response.context if isinstance(response.context, list) else [response.context]
    forms = []
    for context in contexts:
        for value in context.flatten().values():
            values = value if isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, AdminForm):
                    item = item.form
                elif isinstance(item, InlineAdminFormSet):
                    item = item.formset
                if isinstance(item, BaseFormSet):
                    forms.extend(item.forms)
                elif isinstance(item, BaseForm):
                    forms.append(item)
    return {form.add_prefix(name) for form in forms for name in form.errors if name != "__all__"}


@pytest.mark.parametrize(("builder", "field", "value"), CASES)
def test_a_number_out_of_range_is_a_form_error_and_nothing_is_saved(client, bob, alice, builder, field, value):
    form = builder(bob, alice)
    client.force_login(alice if builder.__name__.startswith("admin_") else bob)
    before = form.state()

    response = client.post(form.url, {**form.data, field: value})

    assert response.status_code == 200, response.get("Location")
    assert field in fields_in_error(response), fields_in_error(response)
    assert form.state() == before


@pytest.mark.parametrize("builder", FORMS)
def test_each_form_saves_its_valid_numbers(client, bob, alice, builder):
    """The check above is not vacuous: each form's valid post goes through."""
    form = builder(bob, alice)
    client.force_login(alice if builder.__name__.startswith("admin_") else bob)
    before = form.state()

    response = client.post(form.url, form.data)

    assert response.status_code == 302, fields_in_error(response)
    assert form.state() != before


@pytest.mark.parametrize("days", [validators.MIN_CADENCE_DAYS, validators.MAX_CADENCE_DAYS])
def test_a_person_can_stay_in_touch_at_either_bound(client, bob, days):
    client.force_login(bob)
    posted = person_form(owner=bob, topic=TopicFactory(name="cuisine"), cadence_days=str(days))

    assert client.post(reverse("crm:influencer_add"), posted).status_code == 302
    person = Influencer.objects.get()
    assert person.next_contact_due == timezone.localdate() + timezone.timedelta(days=days)


@pytest.mark.parametrize("url_name", ["crm:influencer_add", "campaigns:relationship_accept"])
def test_the_browser_is_told_the_cadence_bounds(client, bob, url_name):
    client.force_login(bob)
    args = [RelationshipFactory(stage=Stage.PITCHED).pk] if url_name.startswith("campaigns") else []

    html = client.get(reverse(url_name, args=args)).content.decode()

    assert f'min="{validators.MIN_CADENCE_DAYS}"' in html and f'max="{validators.MAX_CADENCE_DAYS}"' in html


# --- The import ----------------------------------------------------------------------------------------------------


def test_the_import_takes_no_number_from_a_file(client, alice):
    """A file's numbers (a cadence, followers) are not columns of the import: the cadence is the setting's."""
    client.force_login(alice)
    header = ["name", "email", "kind", "cadence_days", "followers"]
    row = {"name": "Zoé", "email": "zoe@example.org", "kind": "ambassador", "cadence_days": "2912104"}
    content = as_csv([{**row, "followers": HUGE}], header=header)

    job = upload_and_run(client, content, "people.csv")

    assert job is not None and job.status == ImportJob.Status.DONE, job and job.error
    zoe = Influencer.objects.get()
    assert zoe.cadence_days == 30 and zoe.audience == 0


@pytest.mark.parametrize("name", ["DEFAULT_CADENCE_DAYS", "AMBASSADOR_CADENCE_DAYS", "PITCH_FOLLOW_UP_DAYS"])
@pytest.mark.parametrize("days", [0, validators.MAX_CADENCE_DAYS + 1, 2912104])
def test_a_default_cadence_out_of_range_stops_the_site_from_starting(settings, name, days):
    setattr(settings, name, days)

    with pytest.raises(SystemCheckError, match=name):
        call_command("check")


def test_the_default_cadences_pass_the_check(settings):
    call_command("check")


# --- Numbers in URLs -----------------------------------------------------------------------------------------------

BAD_PAGE_NUMBERS = ["2912104", "0", "-1", "1.5", "1e308", "NaN", "١٢", "0x10", HUGE, "-" + HUGE, "9" * 5000, ""]


def _urls(person: Influencer, relationship: Relationship) -> list[tuple[str, str]]:
    """(url, query parameter holding a number): every page that reads a number from its query string."""
    board_more = reverse("campaigns:board_more", args=[relationship.campaign_id]) + "?stage=shortlisted"
    return [
        (reverse("crm:influencer_list"), "page"),
        (reverse("crm:influencer_list"), "per_page"),
        (reverse("crm:influencer_list"), "after"),
        (reverse("crm:influencer_list"), "before"),
        (reverse("crm:influencer_detail", args=[person.pk]), "timeline"),
        (reverse("crm:exchange_record", args=[person.pk]), "relationship"),
        (reverse("campaigns:campaign_list"), "page"),
        (board_more, "after"),
        (reverse("follow_up_new", args=[person.pk]), "relationship"),
        (reverse("follow_up_template", args=[person.pk]), "template"),
        *(
            (reverse(f"admin:{name}_changelist"), "p")
            for name in (
                "crm_influencer",
                "crm_contact",
                "crm_exchange",
                "crm_audiencesnapshot",
                "crm_channel",
                "campaigns_campaign",
                "campaigns_relationship",
                "messaging_message",
            )
        ),
    ]


@pytest.mark.parametrize("value", BAD_PAGE_NUMBERS, ids=lambda v: v[:12] or "empty")
def test_a_page_number_or_cursor_out_of_range_gives_a_page(client, alice, value):
    client.force_login(alice)
    person = InfluencerFactory(name="Ana", email="ana@example.org")
    relationship = RelationshipFactory(influencer=person, campaign=CampaignFactory())

    for url, parameter in _urls(person, relationship):
        separator = "&" if "?" in url else "?"
        response = client.get(f"{url}{separator}{parameter}={value}")

        assert response.status_code in {200, 204, 302, 400, 404}, (url, parameter, response.status_code)


@pytest.mark.parametrize("pk", ["2912104", "2147483648", "9223372036854775808", HUGE])
def test_an_id_out_of_range_in_a_path_is_a_missing_page(client, alice, pk):
    client.force_login(alice)

    for path in (
        f"/influencers/{pk}/",
        f"/influencers/{pk}/edit/",
        f"/channels/{pk}/snapshots/new/",
        f"/campaigns/{pk}/",
        f"/campaigns/relationships/{pk}/accept/",
        f"/admin/crm/influencer/{pk}/change/",
        f"/admin/campaigns/relationship/{pk}/change/",
    ):
        assert client.get(path).status_code in {302, 404}, path
