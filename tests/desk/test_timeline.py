"""The timeline on its own (desk.timeline): one query per source, posts among the rest, and its pages."""

import datetime

import pytest

from crm.models import Post
from desk import timeline
from tests.factories import ChannelFactory, ContactFactory, InfluencerFactory, paris

NOW = paris(2026, 3, 2, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _post(channel, key: str, *, published=None, found=NOW) -> Post:
    post = Post.objects.create(channel=channel, key=key, title=key, published_at=published)
    Post.objects.filter(pk=post.pk).update(found_at=found)
    return post


@pytest.mark.django_db
def test_a_persons_posts_are_in_their_timeline_dated_when_published_else_found_never_ahead():
    lea = InfluencerFactory()
    channel = ChannelFactory(influencer=lea, platform="blog")
    _post(channel, "dated", published=paris(2026, 2, 20), found=paris(2026, 2, 21))
    _post(channel, "undated", found=paris(2026, 2, 25))
    _post(channel, "ahead", published=paris(2027, 1, 1), found=paris(2026, 2, 10))
    _post(ChannelFactory(), "someone else's")
    ContactFactory(influencer=lea, occurred_at=paris(2026, 2, 22))

    entries = timeline.influencer_timeline(influencer=lea).entries

    assert [(e.kind, getattr(e.obj, "title", None), e.at) for e in entries] == [
        ("post", "undated", paris(2026, 2, 25)),
        ("contact", None, paris(2026, 2, 22)),
        ("post", "dated", paris(2026, 2, 20)),
        ("post", "ahead", paris(2026, 2, 10)),
    ]
    assert entries[0].template == "desk/timeline/post.html"
    assert entries[0].obj.channel == channel


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_the_timeline_costs_one_query_per_source_whatever_the_posts(django_assert_num_queries, rows):
    lea = InfluencerFactory()
    for n in range(rows):
        _post(ChannelFactory(influencer=lea), f"p{n}", published=NOW - datetime.timedelta(hours=n))

    # The relationships, then contacts, exchanges, messages and posts (no relationship: no stage change to read).
    with django_assert_num_queries(5):
        page = timeline.influencer_timeline(influencer=lea, limit=20)
        titles = [entry.obj.title for entry in page.entries] + [str(entry.obj.channel) for entry in page.entries]

    assert (len(page.entries), page.has_more) == (min(rows, 20), rows > 20)
    assert titles[0] == "p0"
