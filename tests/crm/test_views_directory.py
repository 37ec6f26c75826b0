"""The directory: search, filters, sort and pages."""

import datetime
import re

import pytest

from campaigns.models import Stage
from crm.models import Channel, Feed, Post
from tests.crm.directory_people import NOW, days
from tests.factories import CampaignFactory, ChannelFactory, InfluencerFactory, RelationshipFactory, paris

LIST = "/influencers/"
# Session, user, permissions, the filter form's topics and owners, the count, the page, its topics, its channels.
LIST_QUERIES = 9


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _names(response) -> list[str]:
    return [person.name for person in response.context["page"].object_list]


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
    person = InfluencerFactory(name="Noé Blanc", next_contact_due=None if own is None else days(own))
    if stage is not None:
        RelationshipFactory(influencer=person, stage=stage, next_contact_due=days(campaign))
    client.force_login(bob)

    assert _names(client.get(LIST, {"overdue": "on"})) == (["Noé Blanc"] if overdue else [])
    assert _names(client.get(LIST, {"due_this_week": "on"})) == (["Noé Blanc"] if this_week else [])


def _post(person, key: str, *, published_days_ago: int | None = None, found_days_ago: int = 0, feed: bool = False):
    channel = person.channels.first() or ChannelFactory(influencer=person, platform=Channel.Platform.BLOG)
    if feed and not Feed.objects.filter(channel=channel).exists():
        Feed.objects.create(channel=channel, url=f"https://{key}.example/feed")
    published = None if published_days_ago is None else NOW - datetime.timedelta(days=published_days_ago)
    post = Post.objects.create(channel=channel, key=key, title=key, published_at=published)
    Post.objects.filter(pk=post.pk).update(found_at=NOW - datetime.timedelta(days=found_days_ago))


@pytest.mark.parametrize(
    ("posted", "expected"),
    [
        ("7", ["Léa Martin"]),
        ("30", ["Léa Martin", "Zoé Petit"]),
        ("90", ["Léa Martin", "marc Durand", "Zoé Petit"]),
        ("silent", ["Anna Roux"]),
        ("", ["Anna Roux", "Léa Martin", "marc Durand", "Zoé Petit"]),
    ],
)
def test_the_posted_filter_reads_when_posts_were_published_else_found(client, bob, directory, posted, expected):
    _post(directory["lea"], "lea-new", published_days_ago=3, found_days_ago=1)
    _post(directory["lea"], "lea-old", published_days_ago=200, found_days_ago=1)
    # Found yesterday, published 40 days ago: the publication counts.
    _post(directory["marc"], "marc", published_days_ago=40, found_days_ago=1, feed=True)
    _post(directory["zoe"], "zoe-undated", found_days_ago=10)
    # Read from a feed, nothing new in 90 days: silent. Nobody else is, having no feed, or having posted lately.
    _post(directory["anna"], "anna", published_days_ago=120, found_days_ago=95, feed=True)
    client.force_login(bob)

    assert _names(client.get(LIST, {"posted": posted})) == expected


def test_a_search_matches_a_person_once_even_through_name_email_and_several_handles(client, bob, directory):
    person = InfluencerFactory(name="Jade Martin", email="jade.martin@example.org")
    ChannelFactory(influencer=person, platform=Channel.Platform.INSTAGRAM, handle="martinjade")
    ChannelFactory(influencer=person, platform=Channel.Platform.TIKTOK, handle="jade_martin")
    client.force_login(bob)

    response = client.get(LIST, {"q": "MARTIN"})

    assert _names(response) == ["Jade Martin", "Léa Martin"]
    assert response.context["page"].count == 2


def test_each_handle_is_named_with_its_platform(client, bob, directory):
    person = InfluencerFactory(name="Jade Martin")
    ChannelFactory(influencer=person, platform=Channel.Platform.INSTAGRAM, handle="martinjade")
    ChannelFactory(influencer=person, platform=Channel.Platform.BLOG, handle="jade-blog")
    client.force_login(bob)

    html = client.get(LIST, {"q": "Jade"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert '<span class="text-nowrap">blog <span class="text-body-secondary">jade-blog</span></span> · ' in html
    assert '<span class="text-nowrap">Instagram <span class="text-body-secondary">martinjade</span></span>' in html


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


@pytest.mark.parametrize(
    "params", [{"tier": "giga"}, {"topic": "x"}, {"owner": "999"}, {"sort": "drop table"}, {"posted": "-5"}]
)
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
            next_contact_due=days(n % 3) if n % 5 else None,
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
        person = InfluencerFactory(owner=bob, topics=[f"topic {n % 4}", "food"], next_contact_due=days(n - 5))
        ChannelFactory(influencer=person)
        youtube = ChannelFactory(influencer=person, platform=Channel.Platform.YOUTUBE)
        Post.objects.create(channel=youtube, key=f"video-{n}", published_at=NOW - datetime.timedelta(days=n % 60))
        RelationshipFactory(influencer=person, campaign=campaign, stage=Stage.ACTIVE, next_contact_due=days(n))


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_costs_the_same_number_of_queries_at_3_and_30_rows(client, bob, django_assert_num_queries, rows):
    _community(rows, bob)
    client.force_login(bob)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST, {"sort": "due", "q": "person", "per_page": 100, "posted": "90"})

    assert len(_names(response)) == rows
