"""One row of every model of ours that the admin shows, around one person and one campaign, for the tests that
walk the admin's pages (tests/test_admin_after_deletes.py, tests/browser/test_csp.py)."""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.utils import timezone

from campaigns.models import ContentMatch, DisclosureMarker, GuardrailEvent, StageChange
from core.models import TeamRules
from crm.models import BouncingAddress, Feed, ImportJob, Post
from messaging.models import Profile
from tests.factories import (
    AudienceSnapshotFactory,
    CampaignFactory,
    ChannelFactory,
    ContactFactory,
    ExchangeFactory,
    InfluencerFactory,
    RelationshipFactory,
    TopicFactory,
)
from tests.messaging.factories import MailboxFactory, MessageFactory, MessageTemplateFactory
from tests.messaging.unknown_factories import SharedMailboxFactory, UnknownSenderFactory


def team_rules_saved_twice() -> TeamRules:
    """The team's rules, saved and changed once: their history page shows a change."""
    rules = TeamRules.defaults()
    rules.save()
    rules.guardrail_max_pitches = 4
    rules.save()
    return rules


def every_kind_of_row(owner) -> dict:
    """A person and a campaign with everything around them, each tracked row with several versions."""
    topic = TopicFactory(name="lifestyle")
    lea = InfluencerFactory(name="Léa Martin", owner=owner, topics=[topic])
    channel = ChannelFactory(influencer=lea)
    campaign = CampaignFactory(owner=owner, topics=[topic])
    relationship = RelationshipFactory(influencer=lea, campaign=campaign, owner=owner)
    # A second version of each tracked row, so that the history pages show a change.
    lea.notes, campaign.name, relationship.owner = "Met at the spring fair", "Spring, again", None
    for tracked in (lea, campaign, relationship):
        tracked.save()
    campaign.topics.set([topic, TopicFactory(name="food")])
    rules = team_rules_saved_twice()
    now = timezone.now()
    post = Post.objects.create(channel=channel, key="p1", url="https://lea.example/p1/", title="Au lac", excerpt="Lac.")
    rows = [
        topic,
        lea,
        channel,
        AudienceSnapshotFactory(channel=channel),
        Feed.objects.create(channel=channel, url="https://lea.example/feed/", last_error="HTTP 503."),
        post,
        ContentMatch.objects.create(relationship=relationship, post=post, matched="Lea", disclosure="missing"),
        DisclosureMarker.objects.get_or_create(text="#ad")[0],
        ContactFactory(influencer=lea, relationship=relationship, logged_by=owner),
        ExchangeFactory(influencer=lea, relationship=relationship, recorded_by=owner),
        campaign.brand,
        campaign,
        relationship,
        StageChange.objects.create(relationship=relationship, to_stage="shortlisted", changed_at=now, changed_by=owner),
        GuardrailEvent.objects.create(
            relationship=relationship, rule="off_topic", result="overridden", occurred_at=now, by=owner
        ),
        MessageFactory(influencer=lea, relationship=relationship, created_by=owner),
        MessageTemplateFactory(),
        Profile.objects.create(user=owner),
        MailboxFactory(owner=owner, shared=True, name="Press desk"),
        ImportJob.objects.create(file_name="people.csv", content=b"name\n", format="csv", created_by=owner),
        UnknownSenderFactory(mailbox=SharedMailboxFactory(owner=owner)),
        rules,
        BouncingAddress.objects.create(
            email=lea.email, status="5.1.1", diagnostic="User unknown", since=timezone.now()
        ),
        owner,
    ]
    # The admin's own record of each row, as its add and change pages write it: the index lists them.
    for action in (ADDITION, CHANGE):
        LogEntry.objects.log_actions(owner.pk, rows, action, change_message="walk", single_object=False)
    targets = {
        "owner": owner,
        "influencer": lea,
        "campaign": campaign,
        "brand": campaign.brand,
        "topic": topic,
        "relationship": relationship,
        "channel": channel,
    }
    return {"rows": rows, "targets": targets}
