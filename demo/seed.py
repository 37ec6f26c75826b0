"""The demo team and community loaded by `manage.py seed_demo`.

Deterministic (one seeded random generator, every date relative to today) and idempotent: the team is completed
if someone is missing, and the community is made once, in one transaction, so a failure leaves nothing half-made.
"""

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from campaigns.models import Brand, Campaign, Relationship
from core import roles
from crm.models import AudienceSnapshot, Channel, Contact, Exchange, Influencer, Topic
from demo import feeds, people_data, work_data
from demo.directory import DirectoryBuilder
from demo.message_templates import message_templates
from demo.story import Story

PASSWORD = "demo"
# The article the lifecycle comes from was published on 15 February 2011: the demo's random seed.
RANDOM_SEED = 20110215

# username, first name, last name, role, staff (reaches the admin)
TEAM = [
    ("manager", "Claire", "Dubois", roles.MANAGER, True),
    ("marketer", "Hugo", "Martin", roles.MARKETER, False),
    ("viewer", "Inès", "Moreau", roles.VIEWER, False),
] + [(username, first, last, roles.MARKETER, False) for username, first, last in people_data.MORE_MARKETERS]


@dataclass
class Seeded:
    """What a run created: nothing at all on a second run."""

    users: list[str] = field(default_factory=list)
    community: bool = False
    templates: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.users or self.community or self.templates or self.identifiers or self.feeds)


@transaction.atomic
def run() -> Seeded:
    """Create what is missing of the demo team and community; return what was created."""
    seeded = Seeded()
    team = _team(seeded)
    # The first demo brand marks the community as loaded: a second run, or a run after people started using the
    # demo, must not add a second community next to the first.
    if not Brand.objects.filter(name__iexact=work_data.BRANDS[0]).exists():
        _community(team)
        seeded.community = True
    # Apart from the community: a demo loaded before templates existed gets them on its next run.
    seeded.templates = message_templates()
    # Apart from the community too: a demo loaded before feeds existed gets them, and its campaigns what identifies
    # their content, on its next run.
    seeded.identifiers = feeds.content_identifiers()
    seeded.feeds = feeds.demo_feeds()
    feeds.invented_pages_not_searched()
    return seeded


def _team(seeded: Seeded) -> dict:
    User = get_user_model()
    team = {}
    for username, first, last, role, staff in TEAM:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                password=PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.example",
                is_staff=staff,
            )
            user.groups.add(Group.objects.get(name=role))
            seeded.users.append(username)
        team[username] = user
    return team


def community_counts() -> dict[str, int]:
    """What the demo community holds, for the command to say what it made."""
    return {
        "people": Influencer.objects.count(),
        "channels": Channel.objects.count(),
        "audience figures": AudienceSnapshot.objects.count(),
        "campaigns": Campaign.objects.count(),
        "relationships": Relationship.objects.count(),
        "contacts": Contact.objects.count(),
        "exchanges": Exchange.objects.count(),
    }


def _community(team: dict) -> None:
    rng = random.Random(RANDOM_SEED)
    today, now = timezone.localdate(), timezone.now()
    topics = {}
    for key, name in people_data.TOPICS.items():
        topic = Topic.objects.filter(name__iexact=name).first()
        topics[key] = topic or Topic.objects.create(name=name)
    people = DirectoryBuilder(rng=rng, today=today, team=team, topics=topics).build()
    Story(rng=rng, today=today, now=now, team=team, topics=topics).build(people)
