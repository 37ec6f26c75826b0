"""A person's page (timeline, ledger totals, audience, feeds and posts, campaigns that fit); the form is in
test_views_person_form.py."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from campaigns.models import Stage, StageChange
from crm.models import Feed, Influencer, Post
from tests.crm.directory_people import NOW, days
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

# Session, user, permissions, the person (with topics, channels and their feeds and rhythm, snapshots, the latest
# posts — the timeline's too —, and ledger totals), their relationships
# (the open ones listed, and the campaign of every timeline entry), the timeline (contacts, stage changes,
# exchanges — the ledger's rows too —, messages), campaigns that fit.
DETAIL_QUERIES = 10


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


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
        influencer=lea, relationship=spring, direction="give", kind="product", value=120, occurred_on=days(-10)
    )
    ExchangeFactory(influencer=lea, relationship=spring, direction="give", kind="fee", value=300, occurred_on=days(-8))
    ExchangeFactory(
        influencer=lea, relationship=spring, direction="get", kind="post", reach=15_000, occurred_on=days(-1)
    )
    channel = ChannelFactory(influencer=lea, handle="lea.cooks")
    for weeks, followers in [(3, 1000), (2, 1200), (1, 1500)]:
        AudienceSnapshotFactory(channel=channel, taken_on=days(-7 * weeks), followers=followers)
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
    buttons = [
        "Log a contact<span",
        "Record give or get",
        "Record audience",
        f"/influencers/{lea_story['lea'].pk}/edit/",
    ]

    client.force_login(bob)
    marketer_html = client.get(url).content.decode()
    client.force_login(carol)
    viewer_response = client.get(url)

    assert all(button in marketer_html for button in buttons)
    assert viewer_response.status_code == 200
    assert not any(button in viewer_response.content.decode() for button in buttons)
    assert "Add a person" not in client.get(reverse("crm:influencer_list")).content.decode()


def test_the_header_names_the_largest_audience_and_its_platform(client, bob, lea_story):
    lea = lea_story["lea"]
    ChannelFactory(influencer=lea, platform="x", handle="lea_x", followers=4309)
    ChannelFactory(influencer=lea, platform="blog", handle="lea-blog", followers=None)
    client.force_login(bob)

    html = client.get(f"/influencers/{lea.pk}/").content.decode()

    assert "largest audience 4,309 on X" in html


def test_next_contact_due_is_the_soonest_of_her_own_and_her_campaigns_as_today_says(client, bob, lea_story):
    lea, spring = lea_story["lea"], lea_story["spring"]
    Influencer.objects.filter(pk=lea.pk).update(next_contact_due=None)  # no cadence of her own
    spring.next_contact_due = days(-3)
    spring.save()
    client.force_login(bob)

    html = client.get(f"/influencers/{lea.pk}/").content.decode()

    due = html[html.index('id="person-next-due"') :].split("</dd>")[0]
    assert f'<time datetime="{days(-3).isoformat()}">' in due
    assert f"({spring.campaign})" in due and "overdue" in due


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
        AudienceSnapshotFactory(channel=channel, taken_on=days(-1))
        AudienceSnapshotFactory(channel=channel, taken_on=days(-2))
        Feed.objects.create(channel=channel, url=f"https://feed.example/{channel.pk}", broken_at=NOW)
        for n in range(3):
            _post(channel, f"post{n}", published=NOW - datetime.timedelta(days=n))
    return lea


@pytest.mark.parametrize("rows", [3, 30])
def test_a_persons_page_costs_the_same_number_of_queries_at_3_and_30_rows(client, bob, django_assert_num_queries, rows):
    lea = _story(rows, bob)
    client.force_login(bob)
    # SQLite checks once per connection that it reads JSON (the page's JSON rows): not a query of the page.
    client.get(reverse("crm:influencer_detail", args=[lea.pk]))

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("crm:influencer_detail", args=[lea.pk]), {"timeline": 100})

    assert len(response.context["timeline"].entries) == min(rows * 7, 100)
    assert len(response.context["channels"]) == rows
    assert len(response.context["latest_posts"]) == 5
    assert len(response.context["broken_feeds"]) == rows


# --- A person's feeds and posts ------------------------------------------------------------------------------


def hours(n: int) -> datetime.timedelta:
    return datetime.timedelta(hours=n)


def _post(channel, key: str, *, published=None, found=NOW, **fields) -> Post:
    post = Post.objects.create(
        channel=channel, key=key, url=f"https://blog.example/{key}", published_at=published, **fields
    )
    Post.objects.filter(pk=post.pk).update(found_at=found)
    return post


def test_each_channel_says_how_its_feed_is_read_and_how_often_it_posts(client, bob, lea_story):
    blog = ChannelFactory(influencer=lea_story["lea"], platform="blog", handle="lea-cuisine")
    Feed.objects.create(
        channel=blog, url="https://lea.example/feed", interval_minutes=120, last_success_at=NOW - hours(3)
    )
    for n, days_ago in enumerate([1, 7, 13, 19]):
        _post(blog, f"p{n}", published=NOW - datetime.timedelta(days=days_ago))
    _post(blog, "old", published=NOW - datetime.timedelta(days=100))
    client.force_login(bob)

    response = client.get(reverse("crm:influencer_detail", args=[lea_story["lea"].pk]))

    channel = next(c for c in response.context["channels"] if c.pk == blog.pk)
    assert (channel.rhythm.count, channel.rhythm.every_days) == (4, 6), "18 days between the first and the last"
    assert channel.feed_state.url == "https://lea.example/feed"
    html = response.content.decode()
    assert "4 posts in 90 days, about every 6 days" in html
    assert "Read 3\xa0hours ago · polled every 2 h" in html
    assert "No feed" in html, "Léa's Instagram has none"


def test_a_broken_feed_is_a_warning_with_its_reason_and_the_way_to_fix_it(client, bob, carol, lea_story):
    blog = ChannelFactory(influencer=lea_story["lea"], platform="blog", handle="lea-cuisine")
    Feed.objects.create(
        channel=blog,
        url="https://lea.example/feed",
        broken_at=NOW - datetime.timedelta(days=2),
        last_error="The server says this address is gone (410).",
    )
    url = reverse("crm:influencer_detail", args=[lea_story["lea"].pk])
    client.force_login(bob)

    html = client.get(url).content.decode()

    warning = re.search(r'<div class="alert alert-warning[^"]*broken-feed".*?</div>\s*</div>', html, re.S).group(0)
    assert "The feed of blog lea-cuisine is broken since" in warning
    assert "The server says this address is gone (410)." in warning
    assert f'href="/influencers/{lea_story["lea"].pk}/edit/"' in warning
    client.force_login(carol)
    assert "/edit/" not in re.search(r"broken-feed.*?</div>\s*</div>", client.get(url).content.decode(), re.S).group(0)


def test_the_latest_five_posts_across_channels_link_out_without_trust(client, bob, lea_story):
    blog = ChannelFactory(influencer=lea_story["lea"], platform="blog", handle="lea-cuisine")
    for n in range(4):
        _post(blog, f"blog{n}", title=f"Recette {n}", published=NOW - datetime.timedelta(days=n + 1))
    _post(lea_story["channel"], "reel", title="Un reel", published=None, found=NOW - hours(12))
    _post(blog, "future", title="Dated ahead", published=NOW + datetime.timedelta(days=300), found=NOW - hours(36))
    _post(blog, "long", title="Long", published=NOW - datetime.timedelta(days=3, hours=1), excerpt="é" * 400)
    ChannelFactory(influencer=InfluencerFactory(), handle="someone-else")  # another person's posts are theirs
    client.force_login(bob)

    response = client.get(reverse("crm:influencer_detail", args=[lea_story["lea"].pk]))

    latest = [post.title for post in response.context["latest_posts"]]
    # The undated post at when it was found; the one dated ahead of its finding, at its finding.
    assert latest == ["Un reel", "Recette 0", "Dated ahead", "Recette 1", "Recette 2"]
    html = response.content.decode()
    assert (
        '<a class="fw-semibold" href="https://blog.example/blog0" rel="noopener noreferrer nofollow" '
        'target="_blank">Recette 0</a>'
    ) in html
    assert "Instagram lea.cooks" in html.split('id="posts-title"')[1]


def test_an_excerpt_is_cut_short_on_the_page(client, bob, lea_story):
    _post(lea_story["channel"], "long", title="Long", published=NOW - hours(1), excerpt="é" * 400)
    client.force_login(bob)

    html = client.get(reverse("crm:influencer_detail", args=[lea_story["lea"].pk])).content.decode()

    assert "é" * 199 + "…" in html and "é" * 201 not in html


def test_posts_are_entries_of_the_timeline_dated_when_published_else_found(client, bob, lea_story):
    _post(lea_story["channel"], "dated", title="Galettes", published=paris(2026, 2, 25, 9))
    _post(lea_story["channel"], "undated", title="Crêpes", found=paris(2026, 2, 21, 9))
    client.force_login(bob)

    response = client.get(reverse("crm:influencer_detail", args=[lea_story["lea"].pk]))

    entries = [(e.kind, e.at) for e in response.context["timeline"].entries]
    assert [kind for kind, _ in entries] == [
        "contact",
        "exchange",
        "post",
        "exchange",
        "post",
        "contact",
        "exchange",
        "stage_change",
    ]
    assert ("post", paris(2026, 2, 25, 9)) in entries and ("post", paris(2026, 2, 21, 9)) in entries
    html = response.content.decode()
    assert "Galettes</a>" in html and "on Instagram lea.cooks" in html


def test_older_posts_come_with_the_timelines_next_page(client, bob, lea_story):
    for day in range(1, 26):
        _post(lea_story["channel"], f"dec{day}", title=f"December {day}", published=paris(2025, 12, day))
    client.force_login(bob)
    url = reverse("crm:influencer_detail", args=[lea_story["lea"].pk])

    first = client.get(url).context["timeline"]
    more = client.get(url, {"timeline": 40}).context["timeline"]

    assert (len(first.entries), first.has_more) == (20, True)
    assert (len(more.entries), more.has_more) == (31, False)
    assert [e.obj.title for e in more.entries if e.kind == "post"] == [f"December {day}" for day in range(25, 0, -1)]
