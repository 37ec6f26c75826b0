"""Reminders to the team and their morning digests: beat's sweeps, over the people and relationships due.

They read every app's clocks (campaigns.selectors.who_needs_news) and write outbox rows; the outbox
(messaging.services) and the dispatcher (messaging.delivery) take it from there.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, OuterRef, Q, Value
from django.utils import timezone

from campaigns.models import Relationship
from campaigns.selectors import who_needs_news
from core import roles
from core.rules import team_rules
from crm.models import Influencer
from crm.selectors import bouncing_people, broken_feeds
from messaging import emails
from messaging.models import Message
from messaging.services import message_queue, new_message_id
from messaging.timezones import zone

Kind = Message.Kind
Status = Message.Status


def reminders_queue(*, today: date | None = None) -> int:
    """Queue a reminder to the owner of each relationship and person due today or overdue.

    At most one per relationship or person per due date: the key says so, and rows that already have their
    reminder are left out in SQL, so running the sweep more often than scheduled is harmless.

    Scan, then read: one query finds who is due and not yet reminded (relationships' clocks and people's own
    cadence, UNION ALL of two index scans), then only those rows are read whole, in chunks. Beat repeats the
    sweep every ten minutes and the scan finds nothing new: one query.
    """
    today = today or timezone.localdate()
    due_relationships, due_people = _due_without_reminder(today)
    scan = due_relationships.values_list("pk", Value(True, output_field=BooleanField())).union(
        due_people.values_list("pk", Value(False, output_field=BooleanField())), all=True
    )
    relationship_ids, person_ids = [], []
    for pk, is_relationship in scan:
        (relationship_ids if is_relationship else person_ids).append(pk)
    now = timezone.now()
    rows = []
    # The owner's language and signature are read with the row, not once per reminder.
    for ids in _chunks(sorted(relationship_ids)):
        for relationship in Relationship.objects.filter(pk__in=ids).select_related(
            "influencer", "campaign__brand", "owner__profile"
        ):
            rows.append(
                _reminder(relationship.owner, relationship.influencer, relationship, relationship.next_contact_due, now)
            )
    for ids in _chunks(sorted(person_ids)):
        for person in Influencer.objects.filter(pk__in=ids).select_related("owner__profile"):
            rows.append(_reminder(person.owner, person, None, person.next_contact_due, now))
    # ignore_conflicts: a sweep running at the same moment may have inserted some of these keys already.
    Message.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


SWEEP_CHUNK = 2000


def _chunks(ids: list[int]):
    for start in range(0, len(ids), SWEEP_CHUNK):
        yield ids[start : start + SWEEP_CHUNK]


def _due_without_reminder(today: date):
    """Relationships and people due by `today`, with an owner to remind, not yet reminded for that due date."""
    news = who_needs_news(today=today, soon_days=0)
    reminded = Message.objects.filter(kind=Kind.REMINDER, due_on=OuterRef("next_contact_due"))
    relationships = (
        news.relationships.filter(owner__isnull=False)
        .exclude(owner__email="")
        .exclude(Exists(reminded.filter(relationship=OuterRef("pk"))))
        .order_by()
    )
    people = (
        news.people.filter(owner__isnull=False)
        .exclude(owner__email="")
        .exclude(Exists(reminded.filter(influencer=OuterRef("pk"), relationship__isnull=True)))
        .order_by()
    )
    return relationships, people


def _reminder(owner, person: Influencer, relationship: Relationship | None, due_on: date, now: datetime) -> Message:
    about = f"relationship:{relationship.pk}" if relationship else f"person:{person.pk}"
    language = emails.language_for_user(owner)
    subject, body = emails.reminder_content(
        person=person, relationship=relationship, due_on=due_on, owner=owner, language=language
    )
    return Message(
        key=f"reminder:{about}:{due_on.isoformat()}",
        message_id=new_message_id(),
        kind=Kind.REMINDER,
        recipient=owner.email,
        to_user=owner,
        influencer=person,
        relationship=relationship,
        due_on=due_on,
        language=language,
        subject=subject,
        body=body,
        send_at=now,
    )


def digests_queue(*, now: datetime | None = None) -> int:
    """Queue each team member's morning digest: from DIGEST_HOUR in their own time zone, on working days, once a day.

    Harmless to run more often: the key (user + local date) allows one per day, and members who have it are
    skipped in SQL.
    """
    now = now or timezone.now()
    User = get_user_model()
    members = (
        User.objects.filter(is_active=True, groups__name__in=[roles.MANAGER, roles.MARKETER])
        .exclude(email="")
        .exclude(profile__wants_digest=False)
        .select_related("profile")
        .distinct()
    )
    created = 0
    for user in members:
        profile = getattr(user, "profile", None)
        local = now.astimezone(zone(profile.timezone if profile else None))
        if local.weekday() not in team_rules().sending_weekdays or local.hour < settings.DIGEST_HOUR:
            continue
        key = f"digest:{user.pk}:{local.date().isoformat()}"
        if Message.objects.filter(key=key).exists():
            continue
        news = who_needs_news(owner=user, today=local.date(), soon_days=0)
        mine = Message.objects.filter(Q(created_by=user) | Q(relationship__owner=user) | Q(influencer__owner=user))
        mine = mine.filter(kind__in=Message.TO_INFLUENCERS).select_related("influencer")
        subject, body = emails.digest_content(
            user=user,
            today=local.date(),
            relationships=list(news.relationships[:50]),
            people=list(news.people[:50]),
            scheduled=list(mine.filter(status=Status.SCHEDULED).order_by("send_at")[:50]),
            failed=list(mine.filter(status=Status.FAILED, updated_at__gte=now - timedelta(days=7))[:50]),
            bouncing=list(bouncing_people(owner=user)[:50]),
            broken=list(broken_feeds(owner=user)[:50]),
        )
        _message, was_created = message_queue(
            key=key,
            kind=Kind.DIGEST,
            recipient=user.email,
            to_user=user,
            language=emails.language_for_user(user),
            subject=subject,
            body=body,
            send_at=now,
        )
        created += was_created
    return created
