"""Everything the product holds about one person, for their right of access (GDPR art. 15) and portability.

`influencer_personal_data` is the one read both the JSON download and the readable admin page use; its query
count does not grow with the person's contacts, messages or history.
"""

from collections.abc import Iterable

from django.db.models import Prefetch

from campaigns.models import ContentMatch, GuardrailEvent, Relationship, StageChange
from crm.addresses import email_key
from crm.models import (
    AudienceSnapshot,
    BouncingAddress,
    Channel,
    Contact,
    Exchange,
    Feed,
    Influencer,
    InfluencerAddress,
    Post,
)
from messaging.models import Message, UnknownSender

# The person's own fields, as they gave or we wrote them.
OWN_FIELDS = (
    "name",
    "email",
    "kind",
    "language",
    "timezone",
    "city",
    "region",
    "country",
    "notes",
    "cadence_days",
)
PERSON_FIELDS = (
    *OWN_FIELDS,
    "last_contact_at",
    "next_contact_due",
    "audience",
    "created_at",
    "updated_at",
    "erased_at",
)
# What a history row shows: the person's own fields, not the clocks the product keeps.
HISTORY_FIELDS = (*OWN_FIELDS, "consent", "consent_at", "consent_source", "owner_id")


def _feed(channel: Channel) -> dict | None:
    try:
        feed = channel.feed
    except Feed.DoesNotExist:
        return None
    return {"url": feed.url, "title": feed.title, "added_at": feed.created_at, "last_error": feed.last_error}


def _user(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _choice(obj, field: str) -> dict:
    return {"value": getattr(obj, field), "label": str(getattr(obj, f"get_{field}_display")())}


def their_email_keys(*, influencer: Influencer, emails: Iterable[str]) -> list[str]:
    """The comparison keys of the addresses given (the person's primary, other and past ones), less those someone
    else in the directory has now.

    Bounces and mail from unknown senders are kept by address, not by person: they are the person's through their
    keys. An address they gave up that now belongs to someone else is that other person's.
    """
    keys = {email_key(e) for e in emails} - {""}
    if not keys:
        return []
    taken = set(
        Influencer.objects.filter(email_key__in=keys).exclude(pk=influencer.pk).values_list("email_key", flat=True)
    )
    taken.update(
        InfluencerAddress.objects.filter(email_key__in=keys)
        .exclude(influencer_id=influencer.pk)
        .values_list("email_key", flat=True)
    )
    return sorted(keys - taken)


def influencer_personal_data(*, influencer: Influencer) -> dict:
    """A plain dict (dates and decimals as Python values: encode with DjangoJSONEncoder) of all we hold on them.

    Sections: person, consent, their other addresses, those of their addresses (past ones included) that bounce,
    topics, channels (with their dated audience figures, their feed and the posts read from it), contacts (with
    the Message-ID of those the mailbox logged), exchanges, relationships (with their posts matched, their stage
    changes and guardrail events), messages (the outbox rows to or about them), mail from their addresses kept in a
    shared mailbox as from an unknown sender, and history (every saved version of the record: who changed which
    fields, when).
    """
    person = (
        Influencer.objects.select_related("owner")
        .prefetch_related(
            "topics",
            "addresses",
            Prefetch(
                "channels",
                queryset=Channel.objects.order_by("platform", "handle")
                .select_related("feed")
                .prefetch_related(
                    Prefetch("snapshots", queryset=AudienceSnapshot.objects.order_by("taken_on")),
                    Prefetch("posts", queryset=Post.objects.order_by("published_at", "pk")),
                ),
            ),
            Prefetch(
                "contacts",
                queryset=Contact.objects.order_by("occurred_at", "pk").select_related(
                    "logged_by", "relationship__campaign__brand"
                ),
            ),
            Prefetch(
                "exchanges",
                queryset=Exchange.objects.order_by("occurred_on", "pk").select_related(
                    "recorded_by", "relationship__campaign__brand"
                ),
            ),
            Prefetch(
                "relationships",
                queryset=Relationship.objects.order_by("created_at", "pk")
                .select_related("campaign__brand", "owner")
                .prefetch_related(
                    Prefetch(
                        "stage_changes",
                        queryset=StageChange.objects.order_by("changed_at", "pk").select_related("changed_by"),
                    ),
                    Prefetch(
                        "content_matches",
                        queryset=ContentMatch.objects.order_by("found_at", "pk").select_related("post", "decided_by"),
                    ),
                    Prefetch(
                        "guardrail_events",
                        queryset=GuardrailEvent.objects.order_by("occurred_at", "pk").select_related("by"),
                    ),
                ),
            ),
            Prefetch("messages", queryset=Message.objects.order_by("send_at", "pk")),
        )
        .get(pk=influencer.pk)
    )
    history = list(
        Influencer.history.filter(id=person.pk).order_by("history_date", "history_id").select_related("history_user")
    )
    addresses = list(person.addresses.all())
    keys = their_email_keys(
        influencer=person, emails=[person.email, *(a.email for a in addresses), *(h.email for h in history)]
    )
    return {
        "person": {
            "id": person.pk,
            **{name: getattr(person, name) for name in PERSON_FIELDS},
            "kind_label": person.get_kind_display(),
            "tier": person.get_tier_display(),
            "owner": _user(person.owner),
        },
        "consent": {
            "status": person.consent,
            "label": person.get_consent_display(),
            "at": person.consent_at,
            "source": person.consent_source,
        },
        "other_addresses": [{"email": a.email, "added_at": a.created_at} for a in addresses],
        "bouncing_addresses": [
            {"email": b.email, "status": b.status, "diagnostic": b.diagnostic, "since": b.since}
            for b in BouncingAddress.objects.filter(email_key__in=keys).order_by("since", "pk")
        ],
        "topics": sorted(t.name for t in person.topics.all()),
        "channels": [
            {
                "platform": c.get_platform_display(),
                "handle": c.handle,
                "url": c.url,
                "followers": c.followers,
                "audience_snapshots": [
                    {"taken_on": s.taken_on, "followers": s.followers, "engagement_rate": s.engagement_rate}
                    for s in c.snapshots.all()
                ],
                "feed": _feed(c),
                "posts": [
                    {
                        "url": p.url,
                        "title": p.title,
                        "published_at": p.published_at,
                        "excerpt": p.excerpt,
                        "found_at": p.found_at,
                    }
                    for p in c.posts.all()
                ],
            }
            for c in person.channels.all()
        ],
        "contacts": [
            {
                "occurred_at": c.occurred_at,
                "kind": c.get_kind_display(),
                "direction": c.get_direction_display(),
                "summary": c.summary,
                "campaign": str(c.relationship.campaign) if c.relationship else "",
                "logged_by": _user(c.logged_by),
                "message_id": c.message_id,
                "automatic": c.automatic,
            }
            for c in person.contacts.all()
        ],
        "exchanges": [
            {
                "occurred_on": e.occurred_on,
                "direction": e.get_direction_display(),
                "kind": e.get_kind_display(),
                "value": e.value,
                "reach": e.reach,
                "url": e.url,
                "note": e.note,
                "campaign": str(e.relationship.campaign) if e.relationship else "",
                "recorded_by": _user(e.recorded_by),
            }
            for e in person.exchanges.all()
        ],
        "relationships": [_relationship(r) for r in person.relationships.all()],
        "messages": [
            {
                "kind": m.get_kind_display(),
                "to": m.recipient if m.to_influencer else "",
                "internal": not m.to_influencer,
                "subject": m.subject,
                "body": m.body,
                "status": m.get_status_display(),
                "send_at": m.send_at,
                "sent_at": m.sent_at,
            }
            for m in person.messages.all()
        ],
        "unknown_sender_mail": [
            {
                "mailbox": str(u.mailbox),
                "from": u.email,
                "name": u.name,
                "subject": u.subject,
                "received_at": u.received_at,
                "summary": u.summary,
                "message_id": u.message_id,
            }
            for u in UnknownSender.objects.filter(email_key__in=keys)
            .select_related("mailbox")
            .order_by("received_at", "pk")
        ],
        "history": _history(history),
    }


def _relationship(r) -> dict:
    return {
        "campaign": str(r.campaign),
        "stage": _choice(r, "stage"),
        "outcome": _choice(r, "outcome") if r.outcome else None,
        "owner": _user(r.owner),
        "shortlisted_at": r.shortlisted_at,
        "pitched_at": r.pitched_at,
        "accepted_at": r.accepted_at,
        "delivered_at": r.delivered_at,
        "closed_at": r.closed_at,
        "off_topic_reason": r.off_topic_reason,
        "flag_reason": r.flag_reason,
        "thank_you": r.get_thank_you_display() if r.thank_you else "",
        "thank_you_skip_reason": r.thank_you_skip_reason,
        "stage_changes": [
            {
                "at": s.changed_at,
                "from": s.get_from_stage_display() if s.from_stage else "",
                "to": s.get_to_stage_display(),
                "by": _user(s.changed_by),
                "note": s.note,
            }
            for s in r.stage_changes.all()
        ],
        "guardrail_events": [
            {
                "at": g.occurred_at,
                "rule": g.get_rule_display(),
                "result": g.get_result_display(),
                "detail": g.detail,
                "by": _user(g.by),
            }
            for g in r.guardrail_events.all()
        ],
        "posts_matched": [
            {
                "post": m.post.url or m.post.title,
                "matched": m.matched,
                "status": m.get_status_display(),
                "disclosure": m.get_disclosure_display(),
                "found_at": m.found_at,
                "decided_by": _user(m.decided_by),
            }
            for m in r.content_matches.all()
        ],
    }


def _history(rows: list) -> list[dict]:
    """Each saved version, oldest first, with the fields that changed from the version before.

    Versions where only the product's own clocks or figures moved (a contact logged, a new audience figure) are
    left out: they say nothing about the person that the contacts and channels sections do not say.
    """
    versions, previous = [], None
    for row in rows:
        changed = {
            name: getattr(row, name)
            for name in HISTORY_FIELDS
            if previous is None or getattr(row, name) != getattr(previous, name)
        }
        previous_row, previous = previous, row
        if previous_row is not None and not changed and row.history_type == "~":
            continue
        versions.append(
            {
                "at": row.history_date,
                "type": row.get_history_type_display(),
                "by": _user(row.history_user),
                "reason": row.history_change_reason or "",
                "changed": changed,
            }
        )
    return versions
