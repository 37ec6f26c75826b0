"""The people's side of the admin: the directory list, the person's page, merging, logging through services."""

import datetime as dt

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from crm.models import AudienceSnapshot, Channel, Contact, Influencer
from tests.crm.admin_factories import campaign, person, relationship, topic

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

CHANGELIST = reverse("admin:crm_influencer_changelist")


@pytest.fixture
def admin_client(client, alice):
    client.force_login(alice)
    return client


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def crowd(count: int, owner) -> None:
    for n in range(count):
        person(
            f"Crowd {n}",
            email=f"crowd{n}@example.org",
            topics=["lifestyle", f"t{n % 3}"],
            channels=[("instagram", f"crowd{n}", 5_000 * n)],
            owner=owner,
            region="Bretagne",
        )


def test_the_directory_list_costs_the_same_queries_for_5_or_50_people(
    admin_client, alice, django_assert_max_num_queries
):
    crowd(5, alice)
    with django_assert_max_num_queries(30) as five:
        assert admin_client.get(CHANGELIST).status_code == 200
    crowd_more = 45
    for n in range(5, 5 + crowd_more):
        person(f"More {n}", topics=["lifestyle"], owner=alice)
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 50


def test_the_tier_and_overdue_filters_work_in_sql(admin_client, alice):
    person("Small", audience=2_000)
    person("Micro", audience=40_000, next_contact_due=timezone.localdate() - dt.timedelta(days=1))
    person("Mega", audience=3_000_000)

    micro = admin_client.get(CHANGELIST + "?tier=micro")
    mega = admin_client.get(CHANGELIST + "?tier=mega")
    overdue = admin_client.get(CHANGELIST + "?overdue=yes")

    assert [p.name for p in micro.context["cl"].result_list] == ["Micro"]
    assert [p.name for p in mega.context["cl"].result_list] == ["Mega"]
    assert [p.name for p in overdue.context["cl"].result_list] == ["Micro"]
    assert "micro (10k–100k)" in micro.content.decode()


def test_search_finds_people_by_channel_handle(admin_client):
    person("Léa", channels=[("tiktok", "lea.dances")])
    person("Tom")

    response = admin_client.get(CHANGELIST + "?q=lea.dances")

    assert [p.name for p in response.context["cl"].result_list] == ["Léa"]


def test_search_lists_a_person_once_however_many_of_their_handles_match(admin_client):
    person("Léa Martin", email="lea@martin.fr", channels=[("tiktok", "martin.dances"), ("x", "martin_x")])
    person("Tom")

    response = admin_client.get(CHANGELIST + "?q=martin")

    assert [p.name for p in response.context["cl"].result_list] == ["Léa Martin"]
    assert response.context["cl"].result_count == 1


def test_search_needs_every_word_and_takes_a_quoted_phrase_as_one(admin_client):
    person("Léa Martin", channels=[("tiktok", "lea.dances")])
    person("Léa Dupont")
    person("Martin Léa")

    words = admin_client.get(CHANGELIST, {"q": "dances martin"})
    phrase = admin_client.get(CHANGELIST, {"q": '"léa martin"'})

    assert [p.name for p in words.context["cl"].result_list] == ["Léa Martin"]
    assert [p.name for p in phrase.context["cl"].result_list] == ["Léa Martin"]


@pytest.mark.parametrize(
    "query", ["?kind=blogger&consent=unknown", "?region=Bretagne", "?topics__id__exact=1", "?overdue=no&tier=nano"]
)
def test_the_filters_render(admin_client, alice, query):
    crowd(3, alice)
    assert admin_client.get(CHANGELIST + query).status_code == 200


def test_the_person_page_shows_channels_campaigns_contacts_and_audience(admin_client, alice):
    lea = person("Léa", channels=[("instagram", "lea.m", 42_000)])
    AudienceSnapshot.objects.create(channel=lea.channels.get(), taken_on=dt.date(2025, 3, 1), followers=42_000)
    relationship(lea, campaign("Spring"))
    for n in range(15):
        Contact.objects.create(influencer=lea, occurred_at=timezone.now() - dt.timedelta(days=n), summary=f"call {n}")

    response = admin_client.get(reverse("admin:crm_influencer_change", args=[lea.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "lea.m" in page and "Spring" in page and "42000" in page
    assert "call 0" in page and "call 9" in page and "call 10" not in page  # latest ten, newest first
    campaigns, contacts, exchanges = response.context["latest_tables"]
    assert [row.cells[3] for row in contacts.rows] == [f"call {n}" for n in range(10)]
    assert contacts.headers == ["When", "Kind", "Direction", "Summary", "Campaign", "Logged by"]
    assert [str(row.cells[0]) for row in campaigns.rows] == [str(lea.relationships.get().campaign)]
    assert exchanges.rows == [] and "None yet." in page
    assert admin_client.get(reverse("admin:crm_influencer_history", args=[lea.pk])).status_code == 200


def test_the_person_page_shows_the_latest_ten_campaigns_and_links_to_every_row(admin_client, alice):
    lea = person("Léa")
    for n in range(12):
        relationship(lea, campaign(f"Op {n:02}"))

    response = admin_client.get(reverse("admin:crm_influencer_change", args=[lea.pk]))

    page = response.content.decode()
    campaigns = response.context["latest_tables"][0]
    newest = list(lea.relationships.order_by("-updated_at", "-id")[:10])
    assert [row.url for row in campaigns.rows] == [f"/admin/campaigns/relationship/{r.pk}/change/" for r in newest]
    assert all(f'<a href="{row.url}">' in page for row in campaigns.rows)
    for changelist in ("crm/contact", "crm/exchange", "campaigns/relationship"):
        assert f'href="/admin/{changelist}/?influencer__id__exact={lea.pk}"' in page


def test_the_person_page_lists_every_topic_with_the_persons_own_selected(admin_client, alice):
    lea = person("Léa", topics=["travel", "food"])
    topic("sport")

    response = admin_client.get(reverse("admin:crm_influencer_change", args=[lea.pk]))

    page = response.content.decode()
    field = response.context["adminform"].form["topics"]
    assert [str(label) for _value, label in field.field.choices] == ["food", "sport", "travel"]
    for name, selected in [("food", " selected"), ("sport", ""), ("travel", " selected")]:
        assert f'<option value="{topic(name).pk}"{selected}>{name}</option>' in page


def test_the_person_page_saves_a_new_choice_of_topics(admin_client, alice):
    lea = person("Léa", email="lea@example.org", topics=["travel", "food"], owner=alice)
    sport = topic("sport")
    management = {
        f"{prefix}-{name}": value
        for prefix in ("channels", "addresses")
        for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MAX_NUM_FORMS", "1000"))
    }

    response = admin_client.post(
        reverse("admin:crm_influencer_change", args=[lea.pk]),
        {"name": "Léa", "email": "lea@example.org", "kind": "blogger", "owner": alice.pk, "topics": [sport.pk],
         "language": "fr", "timezone": "Europe/Paris", "consent": "unknown", **management},
    )  # fmt: skip

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [t.name for t in Influencer.objects.get(pk=lea.pk).topics.all()] == ["sport"]


def test_the_filtered_list_a_person_page_links_to_shows_only_that_person(admin_client, alice):
    lea, tom = person("Léa"), person("Tom")
    Contact.objects.create(influencer=lea, occurred_at=timezone.now(), summary="lea's call")
    Contact.objects.create(influencer=tom, occurred_at=timezone.now(), summary="tom's call")

    response = admin_client.get(reverse("admin:crm_contact_changelist"), {"influencer__id__exact": lea.pk})

    assert [c.summary for c in response.context["cl"].result_list] == ["lea's call"]


def test_the_person_page_dates_each_channels_latest_figure(admin_client, alice):
    lea = person("Léa", channels=[("instagram", "lea.m", 42_000), ("blog", "lea-blog")])
    instagram = lea.channels.get(platform="instagram")
    AudienceSnapshot.objects.create(channel=instagram, taken_on=dt.date(2025, 3, 1), followers=40_000)
    AudienceSnapshot.objects.create(channel=instagram, taken_on=dt.date(2025, 4, 1), followers=42_000)

    response = admin_client.get(reverse("admin:crm_influencer_change", args=[lea.pk]))

    channels = response.context["inline_admin_formsets"][0].formset
    assert {f.instance.handle: f.instance.figure_on for f in channels.forms} == {
        "lea.m": dt.date(2025, 4, 1),
        "lea-blog": None,
    }


def test_the_owner_box_names_the_owner_the_page_read_with_the_person(admin_client, alice, bob):
    lea = person("Léa", owner=bob)

    page = admin_client.get(reverse("admin:crm_influencer_change", args=[lea.pk])).content.decode()

    assert f'<option value="{bob.pk}" selected>{bob.username}</option>' in page


def test_adding_a_person_goes_through_the_service(admin_client, alice):
    response = admin_client.post(
        reverse("admin:crm_influencer_add"),
        {
            "name": "Nina",
            "email": "nina@example.org",
            "kind": "ambassador",
            "language": "fr",
            "timezone": "Europe/Paris",
            "country": "FR",
            "consent": "unknown",
            "channels-TOTAL_FORMS": "1",
            "channels-INITIAL_FORMS": "0",
            "channels-0-platform": "instagram",
            "channels-0-handle": "nina.b",
            **{
                f"{prefix}-{key}": "0"
                for prefix in ("addresses", "relationships", "contacts", "exchanges")
                for key in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )

    assert response.status_code == 302, response.context["errors"]
    nina = Influencer.objects.get(name="Nina")
    assert nina.owner == alice
    assert nina.cadence_days  # an ambassador stays in touch by default (the service's rule)
    assert nina.channels.get().handle == "nina.b"


def test_logging_a_contact_in_the_admin_resets_the_clocks(admin_client, alice):
    lea = person("Léa", cadence_days=30, next_contact_due=timezone.localdate() - dt.timedelta(days=3))
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    response = admin_client.post(
        reverse("admin:crm_contact_add"),
        {
            "influencer": lea.pk,
            "kind": "call",
            "direction": "outbound",
            "occurred_at_0": yesterday.isoformat(),
            "occurred_at_1": "09:00:00",
            "summary": "Caught up about the summer",
        },
    )

    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.logged_by == alice
    lea.refresh_from_db()
    assert lea.next_contact_due == yesterday + dt.timedelta(days=30)


def test_a_contact_saved_twice_in_the_admin_is_logged_once(admin_client, alice):
    lea = person("Léa")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    contact = {
        "influencer": lea.pk,
        "kind": "call",
        "direction": "outbound",
        "occurred_at_0": yesterday.isoformat(),
        "occurred_at_1": "09:00:00",
        "summary": "Caught up about the summer",
    }

    first = admin_client.post(reverse("admin:crm_contact_add"), contact, follow=True)
    second = admin_client.post(reverse("admin:crm_contact_add"), contact, follow=True)

    assert first.status_code == 200
    assert Contact.objects.count() == 1
    logged = Contact.objects.get()
    assert second.redirect_chain == [(reverse("admin:crm_contact_change", args=[logged.pk]), 302)]
    said = [str(m) for m in second.context["messages"]]
    assert said == ["This contact with Léa was already logged; it was not added twice."]
    assert LogEntry.objects.filter(object_id=str(logged.pk), action_flag=ADDITION).count() == 1


def test_a_contact_the_service_refuses_is_a_form_error(admin_client):
    lea = person("Léa")
    tomorrow = timezone.localdate() + dt.timedelta(days=2)

    response = admin_client.post(
        reverse("admin:crm_contact_add"),
        {
            "influencer": lea.pk,
            "kind": "call",
            "direction": "outbound",
            "occurred_at_0": tomorrow.isoformat(),
            "occurred_at_1": "09:00:00",
            "summary": "Planned call",
        },
    )

    assert response.status_code == 200
    assert "A contact cannot be in the future." in response.content.decode()
    assert not Contact.objects.exists()


def _person_change(client, person: Influencer, **fields):
    data = {"name": person.name, "email": person.email, "kind": person.kind, "owner": "", "language": "fr",
            "timezone": "Europe/Paris", "cadence_days": person.cadence_days or "", "channels-TOTAL_FORMS": "0",
            "channels-INITIAL_FORMS": "0", "addresses-TOTAL_FORMS": "0", "addresses-INITIAL_FORMS": "0"}  # fmt: skip
    return client.post(reverse("admin:crm_influencer_change", args=[person.pk]), data | fields)


def test_a_new_cadence_in_the_admin_restarts_the_persons_clock_as_in_the_web_ui(admin_client):
    last_contact = timezone.now() - dt.timedelta(days=10)
    lea = person("Léa", cadence_days=30, last_contact_at=last_contact)
    lea.next_contact_due = timezone.localdate(last_contact) + dt.timedelta(days=30)
    lea.save()

    response = _person_change(admin_client, lea, cadence_days="7")

    assert response.status_code == 302, response.context["adminform"].form.errors
    lea.refresh_from_db()
    assert (lea.cadence_days, lea.next_contact_due) == (7, timezone.localdate(last_contact) + dt.timedelta(days=7))


def test_no_cadence_in_the_admin_stops_the_persons_clock(admin_client):
    lea = person("Léa", cadence_days=30, next_contact_due=timezone.localdate() + dt.timedelta(days=5))

    _person_change(admin_client, lea, cadence_days="")

    lea.refresh_from_db()
    assert (lea.cadence_days, lea.next_contact_due) == (None, None)


def test_other_edits_in_the_admin_leave_the_persons_clock_alone(admin_client):
    due = timezone.localdate() + dt.timedelta(days=5)
    lea = person("Léa", cadence_days=30, next_contact_due=due, last_contact_at=timezone.now())

    _person_change(admin_client, lea, city="Brest")

    lea.refresh_from_db()
    assert (lea.city, lea.next_contact_due) == ("Brest", due)


def merge(client, *people, survivor=None):
    data = {"action": "merge_people", "_selected_action": [p.pk for p in people]}
    if survivor is not None:
        data.update(apply="1", survivor=survivor.pk)
    return client.post(CHANGELIST, data, follow=True)


def test_the_merge_action_asks_for_the_survivor_then_merges(admin_client):
    first = person("Léa Martin", email="lea@blog.example", channels=[("blog", "lea-blog", 8_000)])
    second = person("Lea M.", channels=[("instagram", "lea.m", 42_000)], notes="Prefers DMs.")

    page = merge(admin_client, first, second)
    assert page.status_code == 200 and b'name="survivor"' in page.content
    assert Influencer.objects.count() == 2

    done = merge(admin_client, first, second, survivor=first)

    assert said(done) == ["1 record was merged into Léa Martin."]
    [lea] = Influencer.objects.all()
    assert lea.pk == first.pk
    assert sorted(lea.channels.values_list("handle", flat=True)) == ["lea-blog", "lea.m"]
    assert lea.audience == 42_000
    assert "Prefers DMs." in lea.notes


def test_the_merge_action_refuses_two_people_on_one_campaign_and_changes_nothing(admin_client):
    first = person("Léa Martin", channels=[("blog", "lea-blog")])
    second = person("Lea M.", channels=[("instagram", "lea.m")])
    spring = campaign("Spring")
    relationship(first, spring)
    relationship(second, spring)

    done = merge(admin_client, first, second, survivor=second)

    assert said(done) == [
        "Lea M. and Léa Martin are both on Maison Verte · Spring. "
        "Close or delete one of the two relationships, then merge.",
        "Nothing was merged.",
    ]
    assert Influencer.objects.count() == 2
    assert Channel.objects.get(handle="lea-blog").influencer == first


@pytest.mark.parametrize(
    "name",
    ["topic", "channel", "audiencesnapshot", "contact", "exchange"],
)
def test_the_other_lists_and_add_pages_render(admin_client, alice, name):
    crowd(2, alice)
    assert admin_client.get(reverse(f"admin:crm_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:crm_{name}_add")).status_code == 200


def test_a_marketer_does_not_reach_the_admin(client, bob):
    client.force_login(bob)
    assert client.get(CHANGELIST).status_code == 302
