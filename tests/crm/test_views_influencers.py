"""The directory: search, filters, sort and pages; a person's page; adding and editing a person."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from campaigns.models import Stage, StageChange
from crm.models import Channel, Influencer
from tests.factories import (
    AudienceSnapshotFactory,
    CampaignFactory,
    ChannelFactory,
    ContactFactory,
    ExchangeFactory,
    InfluencerFactory,
    RelationshipFactory,
    paris,
)
from tests.messaging.factories import MessageFactory

NOW = paris(2026, 3, 2, 10)
TODAY = NOW.date()
LIST = "/influencers/"
# Session, user, permissions, the filter form's topics and owners, the count, the page, its topics, its channels.
LIST_QUERIES = 9
# Session, user, permissions, the person (with topics, channels, snapshots and ledger totals), their relationships
# (the open ones listed, and the campaign of every timeline entry), the timeline (contacts, stage changes,
# exchanges — the ledger's rows too —, messages), campaigns that fit.
DETAIL_QUERIES = 10


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def _names(response) -> list[str]:
    return [person.name for person in response.context["page"].object_list]


@pytest.fixture
def directory(db, bob, dave):
    people = {
        "lea": InfluencerFactory(
            name="Léa Martin",
            email="lea@blog.example",
            kind=Influencer.Kind.BLOGGER,
            region="Bretagne",
            audience=5_000,
            owner=bob,
            topics=["food"],
            consent=Influencer.Consent.OPTED_IN,
            last_contact_at=paris(2026, 2, 1),
            next_contact_due=_days(-3),
            cadence_days=30,
        ),
        "marc": InfluencerFactory(
            name="marc Durand",
            email="marc@mail.example",
            kind=Influencer.Kind.PODCASTER,
            region="Occitanie",
            audience=250_000,
            owner=dave,
            topics=["sport"],
            last_contact_at=paris(2026, 2, 25),
            next_contact_due=_days(10),
            cadence_days=30,
        ),
        "zoe": InfluencerFactory(
            name="Zoé Petit",
            email="zoe@example.org",
            kind=Influencer.Kind.AMBASSADOR,
            region="Bretagne",
            audience=1_200_000,
            owner=bob,
            topics=["food", "sport"],
            consent=Influencer.Consent.OPTED_OUT,
        ),
        "anna": InfluencerFactory(
            name="Anna Roux", email="", region="", audience=40_000, owner=None, last_contact_at=paris(2026, 1, 10)
        ),
    }
    ChannelFactory(influencer=people["marc"], platform=Channel.Platform.YOUTUBE, handle="MarcTrail")
    # Anna's own clock is not due, but her campaign is overdue: she is overdue.
    RelationshipFactory(influencer=people["anna"], stage=Stage.ACTIVE, next_contact_due=_days(-1))
    return people


# --- The list ----------------------------------------------------------------------------------------------


def test_the_list_is_sorted_by_name_by_default_whatever_the_case(client, bob, directory):
    client.force_login(bob)

    assert _names(client.get(LIST)) == ["Anna Roux", "Léa Martin", "marc Durand", "Zoé Petit"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("léa", ["Léa Martin"]),
        ("DURAND", ["marc Durand"]),
        ("blog.example", ["Léa Martin"]),
        ("trail", ["marc Durand"]),
        ("example.org", ["Zoé Petit"]),
        ("nobody", []),
    ],
)
def test_search_matches_name_email_and_channel_handle(client, bob, directory, query, expected):
    client.force_login(bob)

    assert _names(client.get(LIST, {"q": query})) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "podcaster"}, ["marc Durand"]),
        ({"tier": "nano"}, ["Léa Martin"]),
        ({"tier": "micro"}, ["Anna Roux"]),
        ({"tier": "mid"}, ["marc Durand"]),
        ({"tier": "macro"}, []),
        ({"tier": "mega"}, ["Zoé Petit"]),
        ({"region": "bretagne"}, ["Léa Martin", "Zoé Petit"]),
        ({"consent": "opted_out"}, ["Zoé Petit"]),
        ({"consent": "unknown"}, ["Anna Roux", "marc Durand"]),
        ({"overdue": "on"}, ["Anna Roux", "Léa Martin"]),
        ({"region": "Bretagne", "tier": "nano"}, ["Léa Martin"]),
    ],
)
def test_filters_return_exactly_the_matching_people(client, bob, directory, params, expected):
    client.force_login(bob)

    assert _names(client.get(LIST, params)) == expected


@pytest.mark.parametrize(
    ("own", "campaign", "stage", "overdue", "this_week"),
    [
        (-2, 3, Stage.ACTIVE, True, False),  # own clock overdue: overdue, whatever the campaign's says
        (20, 3, Stage.ACTIVE, False, True),  # the campaign's clock is the soonest
        (None, 0, Stage.PITCHED, False, True),  # due today: due, not yet overdue
        (None, -1, Stage.DELIVERED, True, False),
        (None, 7, Stage.ACTIVE, False, True),  # a week ahead is still this week
        (None, 8, Stage.ACTIVE, False, False),
        (10, -5, Stage.CLOSED, False, False),  # a closed relationship has no clock
        (-1, -5, Stage.SHORTLISTED, True, False),
        (None, None, None, False, False),  # no clock at all
    ],
)
def test_overdue_and_due_this_week_read_the_soonest_of_the_persons_and_their_campaigns_clocks(
    client, bob, own, campaign, stage, overdue, this_week
):
    person = InfluencerFactory(name="Noé Blanc", next_contact_due=None if own is None else _days(own))
    if stage is not None:
        RelationshipFactory(influencer=person, stage=stage, next_contact_due=_days(campaign))
    client.force_login(bob)

    assert _names(client.get(LIST, {"overdue": "on"})) == (["Noé Blanc"] if overdue else [])
    assert _names(client.get(LIST, {"due_this_week": "on"})) == (["Noé Blanc"] if this_week else [])


def test_a_search_matches_a_person_once_even_through_name_email_and_several_handles(client, bob, directory):
    person = InfluencerFactory(name="Jade Martin", email="jade.martin@example.org")
    ChannelFactory(influencer=person, platform=Channel.Platform.INSTAGRAM, handle="martinjade")
    ChannelFactory(influencer=person, platform=Channel.Platform.TIKTOK, handle="jade_martin")
    client.force_login(bob)

    response = client.get(LIST, {"q": "MARTIN"})

    assert _names(response) == ["Jade Martin", "Léa Martin"]
    assert response.context["page"].count == 2


def test_filter_by_topic_and_owner(client, bob, dave, directory):
    client.force_login(bob)
    food = directory["lea"].topics.get()

    assert _names(client.get(LIST, {"topic": food.pk})) == ["Léa Martin", "Zoé Petit"]
    assert _names(client.get(LIST, {"owner": dave.pk})) == ["marc Durand"]
    assert _names(client.get(LIST, {"owner": bob.pk, "topic": food.pk})) == ["Léa Martin", "Zoé Petit"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Anna Roux", "Léa Martin", "marc Durand", "Zoé Petit"]),
        # Soonest clock first (Léa's own, then Anna's campaign, then Marc's own); nobody's clock last.
        ("due", ["Léa Martin", "Anna Roux", "marc Durand", "Zoé Petit"]),
        ("last_contact", ["marc Durand", "Léa Martin", "Anna Roux", "Zoé Petit"]),
        ("audience", ["Zoé Petit", "marc Durand", "Anna Roux", "Léa Martin"]),
    ],
)
def test_sorts(client, bob, directory, sort, expected):
    client.force_login(bob)

    assert _names(client.get(LIST, {"sort": sort})) == expected


@pytest.mark.parametrize("params", [{"tier": "giga"}, {"topic": "x"}, {"owner": "999"}, {"sort": "drop table"}])
def test_an_unknown_filter_value_is_ignored_and_shown_as_an_error_never_a_500(client, bob, directory, params):
    client.force_login(bob)

    response = client.get(LIST, params)

    assert response.status_code == 200
    assert len(_names(response)) == 4
    html = response.content.decode()
    name = next(iter(params))
    # Marked on its field, and the message tied to it for screen readers.
    field = re.search(rf'<select name="{name}"[^>]*>', html).group(0)
    assert 'class="form-select is-invalid"' in field and f'aria-describedby="id_{name}_error"' in field
    assert re.search(rf'<div id="id_{name}_error" class="invalid-feedback d-block">Select a valid choice\.', html)


def _link(response, rel: str) -> str | None:
    """The query string of the page's "next" or "prev" link, None when there is none."""
    found = re.search(rf'href="\?([^"]*)" rel="{rel}"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


def test_pages_hold_25_people_by_default_and_100_on_request(client, bob):
    InfluencerFactory.create_batch(120)
    client.force_login(bob)

    first = client.get(LIST, {"per_page": 100})
    second = client.get(f"{LIST}?{_link(first, 'next')}")

    assert len(_names(client.get(LIST))) == 25
    assert (len(_names(first)), len(_names(second)), _link(second, "next")) == (100, 20, None)
    assert len(_names(client.get(LIST, {"per_page": 7}))) == 25, "not an offered size: the default"
    assert len(_names(client.get(LIST, {"after": "zz"}))) == 25, "a cursor that is not ours: the first page"
    assert len(_names(client.get(LIST, {"page": 999}))) == 25, "an old page number: the first page"


def test_the_pages_keep_the_filters_in_their_links(client, bob):
    InfluencerFactory.create_batch(30, region="Bretagne")
    client.force_login(bob)

    response = client.get(LIST, {"region": "Bretagne"})

    assert _link(response, "next").startswith("region=Bretagne&after=")
    assert 'href="?region=Bretagne&amp;sort=audience"' in response.content.decode()


@pytest.mark.parametrize("sort", ["name", "due", "last_contact", "audience"])
def test_paging_forward_then_back_shows_everyone_once_in_the_sorts_order(client, bob, sort):
    # Ties on every sort key but the id, and people with no date at all (they come last, in name order).
    for n in range(12):
        InfluencerFactory(
            name=["Ana", "bea", "Cy"][n % 3],
            email="",
            audience=[1000, 50][n % 2],
            last_contact_at=paris(2026, 2, 1 + n % 2) if n % 4 else None,
            next_contact_due=_days(n % 3) if n % 5 else None,
        )
    InfluencerFactory.create_batch(40, name="Zed", email="", audience=10)  # three pages of 25
    client.force_login(bob)
    everyone = _names(client.get(LIST, {"sort": sort, "per_page": 100}))

    pages = [client.get(LIST, {"sort": sort})]
    while _link(pages[-1], "next"):
        pages.append(client.get(f"{LIST}?{_link(pages[-1], 'next')}"))
    back = [pages[-1]]
    while _link(back[-1], "prev"):
        back.append(client.get(f"{LIST}?{_link(back[-1], 'prev')}"))

    forward_names = [name for page in pages for name in _names(page)]
    forward_ids = [p.pk for page in pages for p in page.context["page"].object_list]
    back_ids = [p.pk for page in reversed(back) for p in page.context["page"].object_list]
    assert (len(pages), forward_names) == (3, everyone)
    assert len(set(forward_ids)) == 52
    assert back_ids == forward_ids


def _community(size: int, bob) -> None:
    campaign = CampaignFactory()
    for n in range(size):
        person = InfluencerFactory(owner=bob, topics=[f"topic {n % 4}", "food"], next_contact_due=_days(n - 5))
        ChannelFactory(influencer=person)
        ChannelFactory(influencer=person, platform=Channel.Platform.YOUTUBE)
        RelationshipFactory(influencer=person, campaign=campaign, stage=Stage.ACTIVE, next_contact_due=_days(n))


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_costs_the_same_number_of_queries_at_3_and_30_rows(client, bob, django_assert_num_queries, rows):
    _community(rows, bob)
    client.force_login(bob)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST, {"sort": "due", "q": "person", "per_page": 100})

    assert len(_names(response)) == rows


# --- A person's page ---------------------------------------------------------------------------------------


@pytest.fixture
def lea_story(db, bob, dave):
    lea = InfluencerFactory(name="Léa Martin", topics=["food"], owner=bob)
    spring = RelationshipFactory(
        influencer=lea, campaign=CampaignFactory(name="Spring range", topics=["food"]), stage=Stage.ACTIVE
    )
    autumn = RelationshipFactory(
        influencer=lea, campaign=CampaignFactory(name="Autumn soups", topics=["food"]), stage=Stage.CLOSED
    )
    CampaignFactory(name="Winter market", topics=["food"])
    CampaignFactory(name="Trail season", topics=["sport"])
    StageChange.objects.create(
        relationship=autumn, from_stage="pitched", to_stage="active", changed_at=paris(2026, 1, 5), changed_by=dave
    )
    ContactFactory(influencer=lea, relationship=spring, occurred_at=paris(2026, 2, 20), summary="First call")
    ContactFactory(influencer=lea, occurred_at=paris(2026, 3, 1, 18), summary="Coffee in Rennes")
    ExchangeFactory(
        influencer=lea, relationship=spring, direction="give", kind="product", value=120, occurred_on=_days(-10)
    )
    ExchangeFactory(influencer=lea, relationship=spring, direction="give", kind="fee", value=300, occurred_on=_days(-8))
    ExchangeFactory(
        influencer=lea, relationship=spring, direction="get", kind="post", reach=15_000, occurred_on=_days(-1)
    )
    channel = ChannelFactory(influencer=lea, handle="lea.cooks")
    for weeks, followers in [(3, 1000), (2, 1200), (1, 1500)]:
        AudienceSnapshotFactory(channel=channel, taken_on=_days(-7 * weeks), followers=followers)
    return {"lea": lea, "spring": spring, "autumn": autumn, "channel": channel}


def test_a_persons_page_shows_one_timeline_newest_first_across_campaigns(client, bob, lea_story):
    client.force_login(bob)

    response = client.get(reverse("crm:influencer_detail", args=[lea_story["lea"].pk]))

    entries = [(e.kind, str(e.obj)) for e in response.context["timeline"].entries]
    # 1 March 18:00 contact, 1 March (a day) post, 22 Feb fee, 20 Feb 10:00 call, 20 Feb (a day) product, January.
    assert [kind for kind, _ in entries] == ["contact", "exchange", "exchange", "contact", "exchange", "stage_change"]
    html = response.content.decode()
    assert html.index("Coffee in Rennes") < html.index("First call")


def test_the_timeline_shows_more_on_request(client, bob, lea_story):
    for day in range(1, 26):
        ContactFactory(influencer=lea_story["lea"], occurred_at=paris(2025, 12, day), summary=f"December {day}")
    client.force_login(bob)
    url = reverse("crm:influencer_detail", args=[lea_story["lea"].pk])

    first = client.get(url).context["timeline"]
    more = client.get(url, {"timeline": 40}).context["timeline"]
    silly = client.get(url, {"timeline": "lots"}).context["timeline"]

    assert (len(first.entries), first.has_more) == (20, True)
    assert (len(more.entries), more.has_more) == (31, False)
    assert len(silly.entries) == 20


def test_a_persons_page_shows_the_ledger_totals_relationships_and_campaigns_that_fit(client, bob, lea_story):
    client.force_login(bob)

    response = client.get(reverse("crm:influencer_detail", args=[lea_story["lea"].pk]))

    context = response.context
    assert (context["given"]["count"], context["given"]["value"]) == (2, 420)
    assert (context["got"]["count"], context["got"]["reach"]) == (1, 15_000)
    assert [r.campaign.name for r in context["relationships"]] == ["Spring range"]
    assert [c.name for c in context["fitting"]] == ["Winter market"]
    html = response.content.decode()
    assert "€420.00 in value" in html
    assert "15,000 people reached" in html


def test_the_audience_sparkline_data_is_passed_with_json_script(client, bob, lea_story):
    client.force_login(bob)

    html = client.get(reverse("crm:influencer_detail", args=[lea_story["lea"].pk])).content.decode()

    data = re.search(r'<script id="audience-series" type="application/json">(.*?)</script>', html).group(1)
    series = json.loads(data)[str(lea_story["channel"].pk)]
    assert series == {"labels": ["2026-02-09", "2026-02-16", "2026-02-23"], "values": [1000, 1200, 1500]}
    assert f'data-sparkline="{lea_story["channel"].pk}"' in html
    assert "js/sparklines.js" in html and "chart.umd.min.js" in html


def test_a_marketer_sees_the_edit_buttons_a_viewer_does_not(client, bob, carol, lea_story):
    url = reverse("crm:influencer_detail", args=[lea_story["lea"].pk])
    buttons = ["Log contact", "Record give or get", "Record audience", f"/influencers/{lea_story['lea'].pk}/edit/"]

    client.force_login(bob)
    marketer_html = client.get(url).content.decode()
    client.force_login(carol)
    viewer_response = client.get(url)

    assert all(button in marketer_html for button in buttons)
    assert viewer_response.status_code == 200
    assert not any(button in viewer_response.content.decode() for button in buttons)
    assert "Add a person" not in client.get(LIST).content.decode()


def test_a_person_who_does_not_exist_is_a_404(client, bob):
    client.force_login(bob)

    assert client.get("/influencers/999999/").status_code == 404
    assert client.get("/influencers/999999/edit/").status_code == 404
    assert client.post("/influencers/999999/edit/", {}).status_code == 404


def _story(size: int, bob):
    lea = InfluencerFactory(topics=["food"])
    for _n in range(size):
        relationship = RelationshipFactory(
            influencer=lea, campaign=CampaignFactory(topics=["food"]), stage=Stage.ACTIVE, owner=bob
        )
        StageChange.objects.create(relationship=relationship, to_stage="active", changed_at=NOW, changed_by=bob)
        ContactFactory(influencer=lea, relationship=relationship, logged_by=bob)
        ExchangeFactory(influencer=lea, relationship=relationship, recorded_by=bob, value=10)
        MessageFactory(influencer=lea, relationship=relationship, created_by=bob)
        CampaignFactory(topics=["food"])
        channel = ChannelFactory(influencer=lea)
        AudienceSnapshotFactory(channel=channel, taken_on=_days(-1))
        AudienceSnapshotFactory(channel=channel, taken_on=_days(-2))
    return lea


@pytest.mark.parametrize("rows", [3, 30])
def test_a_persons_page_costs_the_same_number_of_queries_at_3_and_30_rows(client, bob, django_assert_num_queries, rows):
    lea = _story(rows, bob)
    client.force_login(bob)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("crm:influencer_detail", args=[lea.pk]), {"timeline": 100})

    assert len(response.context["timeline"].entries) == min(rows * 4, 100)
    assert len(response.context["channels"]) == rows


# --- Adding and editing ------------------------------------------------------------------------------------


def _person_form(**fields) -> dict:
    data = {
        "name": "Nina Faure",
        "email": "nina@example.org",
        "kind": "blogger",
        "language": "fr",
        "timezone": "Europe/Paris",
        "city": "Brest",
        "region": "Bretagne",
        "country": "FR",
        "owner": "",
        "cadence_days": "",
        "consent": "unknown",
        "consent_at": "",
        "consent_source": "",
        "notes": "",
        "channels-TOTAL_FORMS": "2",
        "channels-INITIAL_FORMS": "0",
        "channels-MIN_NUM_FORMS": "0",
        "channels-MAX_NUM_FORMS": "20",
        "channels-0-platform": "instagram",
        "channels-0-handle": "nina.cooks",
        "channels-0-url": "https://instagram.com/nina.cooks",
        "channels-1-platform": "",
        "channels-1-handle": "",
        "channels-1-url": "",
    }
    data.update(fields)
    return data


def test_a_marketer_adds_a_person_with_channels_and_topics(client, bob):
    food = InfluencerFactory(topics=["food"]).topics.get()
    client.force_login(bob)

    response = client.post(reverse("crm:influencer_add"), _person_form(topics=[food.pk], kind="ambassador"))

    nina = Influencer.objects.get(name="Nina Faure")
    assert response.status_code == 302 and response["Location"] == f"/influencers/{nina.pk}/"
    assert [(c.platform, c.handle) for c in nina.channels.all()] == [("instagram", "nina.cooks")]
    assert list(nina.topics.all()) == [food]
    assert nina.cadence_days == 30, "an ambassador stays in touch by default (the service's rule)"


def test_the_add_form_offers_me_as_owner(client, bob):
    client.force_login(bob)

    html = client.get(reverse("crm:influencer_add")).content.decode()

    assert f'<option value="{bob.pk}" selected>' in html
    assert 'for="id_channels-0-handle"' in html, "every channel field has its label"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 151}, "Ensure this value has at most 150 characters (it has 151)."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": "TAKEN@example.org"}, "Someone in the directory already has the e-mail TAKEN@example.org."),
        ({"timezone": "Mars/Olympus"}, "“Mars/Olympus” is not a time zone."),
        ({"country": "France"}, "Ensure this value has at most 2 characters"),
        ({"cadence_days": "-3"}, "Ensure this value is greater than or equal to 0."),
        ({"consent_at": "2027-01-01T10:00", "consent": "opted_in"}, "The consent date cannot be in the future."),
        ({"channels-0-url": "not a url"}, "Enter a valid URL."),
        ({"channels-0-handle": "TAKEN.handle"}, "This handle is already in the directory for this platform."),
        ({"channels-1-platform": "instagram", "channels-1-handle": "NINA.cooks"}, "This channel is listed twice."),
        ({"channels-0-handle": ""}, "This field is required."),
    ],
)
def test_bad_input_on_a_person_is_a_field_error_never_a_500(client, bob, fields, message):
    InfluencerFactory(email="taken@example.org")
    ChannelFactory(platform="instagram", handle="taken.handle")
    client.force_login(bob)

    response = client.post(reverse("crm:influencer_add"), _person_form(**fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Influencer.objects.filter(name="Nina Faure").exists()


def test_editing_a_person_saves_fields_topics_and_channels(client, bob, directory):
    marc = directory["marc"]
    channel = marc.channels.get()
    sport = marc.topics.get()
    client.force_login(bob)
    data = _person_form(
        name="Marc Durand",
        email="marc@mail.example",
        kind="podcaster",
        topics=[sport.pk],
        **{
            "channels-TOTAL_FORMS": "2",
            "channels-INITIAL_FORMS": "1",
            "channels-0-id": channel.pk,
            "channels-0-platform": "youtube",
            "channels-0-handle": "MarcTrail",
            "channels-0-url": "",
            "channels-0-DELETE": "on",
            "channels-1-platform": "podcast",
            "channels-1-handle": "Les sentiers",
        },
    )

    response = client.post(reverse("crm:influencer_edit", args=[marc.pk]), data)

    assert response.status_code == 302
    marc.refresh_from_db()
    assert marc.name == "Marc Durand"
    assert [(c.platform, c.handle) for c in marc.channels.all()] == [("podcast", "Les sentiers")]


def test_changing_the_cadence_restarts_the_persons_clock_from_the_last_contact(client, bob, directory):
    lea = directory["lea"]
    client.force_login(bob)
    data = _person_form(
        name=lea.name,
        email=lea.email,
        cadence_days="10",
        **{"channels-0-handle": "", "channels-0-platform": "", "channels-0-url": ""},
    )

    client.post(reverse("crm:influencer_edit", args=[lea.pk]), data)

    lea.refresh_from_db()
    assert lea.next_contact_due == datetime.date(2026, 2, 11), "last contact on 1 February + 10 days"


def test_a_viewer_cannot_add_or_edit_a_person(client, carol, directory):
    client.force_login(carol)
    lea = directory["lea"]

    assert client.get(reverse("crm:influencer_add")).status_code == 403
    assert client.post(reverse("crm:influencer_add"), _person_form()).status_code == 403
    assert client.get(reverse("crm:influencer_edit", args=[lea.pk])).status_code == 403
    assert client.post(reverse("crm:influencer_edit", args=[lea.pk]), _person_form()).status_code == 403
    assert not Influencer.objects.filter(name="Nina Faure").exists()
