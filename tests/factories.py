"""factory_boy factories for the domain. They write rows directly: to exercise a rule, call the service."""

import datetime
import importlib

import factory
from django.utils import timezone

from campaigns.models import Brand, Campaign, DisclosureMarker, Relationship, Stage
from crm.models import AudienceSnapshot, Channel, Contact, Exchange, Influencer, Topic


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"topic {n}")


class InfluencerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Influencer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda o: f"{o.name.lower().replace(' ', '.')}@example.org")
    kind = Influencer.Kind.BLOGGER
    city = "Lyon"
    region = "Auvergne-Rhône-Alpes"

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        """InfluencerFactory(topics=["lifestyle", "food"]): topic names or Topic objects."""
        if create and extracted:
            self.topics.set(TopicFactory(name=t) if isinstance(t, str) else t for t in extracted)


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    influencer = factory.SubFactory(InfluencerFactory)
    platform = Channel.Platform.INSTAGRAM
    handle = factory.Sequence(lambda n: f"handle{n}")


class AudienceSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AudienceSnapshot

    channel = factory.SubFactory(ChannelFactory)
    taken_on = factory.LazyFunction(timezone.localdate)
    followers = 1000


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Brand {n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    """A running campaign with a complete, organic brief. CampaignFactory(topics=["sport"])."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Operation {n}")
    objective = "Make the spring range known outside Paris"
    ask = "One post and two stories about the range"
    deliverables = "1 Instagram post, 2 stories, before the end date"
    offer = "The full range, sent to your home"
    sponsored = False
    disclosure = ""
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=60) if o.starts_on else None)
    status = Campaign.Status.RUNNING

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(TopicFactory(name=t) if isinstance(t, str) else t for t in extracted)


class RelationshipFactory(factory.django.DjangoModelFactory):
    """A relationship at a stage, written directly: RelationshipFactory(stage=Stage.ACTIVE)."""

    class Meta:
        model = Relationship

    influencer = factory.SubFactory(InfluencerFactory)
    campaign = factory.SubFactory(CampaignFactory)
    stage = Stage.SHORTLISTED
    shortlisted_at = factory.LazyFunction(timezone.now)
    pitched_at = factory.LazyAttribute(lambda o: None if o.stage == Stage.SHORTLISTED else timezone.now())
    outcome = factory.LazyAttribute(lambda o: "completed" if o.stage == Stage.CLOSED else "")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    influencer = factory.SubFactory(InfluencerFactory)
    kind = Contact.Kind.EMAIL
    direction = Contact.Direction.OUTBOUND
    occurred_at = factory.LazyFunction(timezone.now)
    summary = "A word about the next operation"


class ExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exchange

    influencer = factory.SubFactory(InfluencerFactory)
    direction = Exchange.Direction.GET
    kind = Exchange.Kind.POST
    occurred_on = factory.LazyFunction(timezone.localdate)


def paris(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An aware datetime on the team's clock (TIME_ZONE), for freezing time in tests."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


def disclosure_markers() -> list:
    """The disclosure markers the migration seeds ("Publicité", "#ad"…), again: a transactional test's flush empties
    every table, the migration's rows too, for the tests that follow it in the same process."""
    defaults = importlib.import_module("campaigns.migrations.0009_content_matches").DEFAULT_MARKERS
    return [DisclosureMarker.objects.get_or_create(text=text)[0] for text in defaults]
