"""Content received, noticed by itself: a post read from a feed matched to the open relationships of its author,
proposed to the owner or recorded at once, and for a sponsored campaign checked for its disclosure.

`posts_match` runs after each poll on the posts it added or saw change (campaigns.tasks.poll_feed). A match is one
row per relationship and post (unique), so a second run, a re-poll or two workers never make two; an exact link or
the promo code records the content at once (a "get" exchange, which lets the relationship be marked delivered), any
other mention is proposed for the owner to confirm or dismiss. A sponsored campaign's post without a disclosure
raises the flag (a guardrail event, a reminder to the owner, a badge on the board); a later poll that finds the
disclosure added clears it.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.matching import Identifiers, PostText, disclosed, identifiers, match, post_text
from campaigns.models import OPEN_STAGES, Campaign, ContentMatch, DisclosureMarker, GuardrailEvent, Relationship
from core.functions import Epoch
from crm.models import Channel, Exchange, Post
from crm.services.exchanges import exchange_record
from messaging import emails
from messaging.models import Message
from messaging.services import message_queue

# A post older than its relationship is not what the relationship asked for (a feed's first read brings its
# backlog); a day's slack for a post dated by another time zone or a relationship entered the day after.
BEFORE_RELATIONSHIP = timedelta(days=1)


@dataclass(frozen=True)
class _Open:
    """What matching reads of an open relationship and its campaign: plain values, not models (one post is checked
    against every open campaign of its author; only a match loads its relationship)."""

    pk: int
    influencer_id: int
    created_at: float  # seconds since 1970
    sponsored: bool
    campaign: Identifiers


def posts_match(*, post_ids: Iterable[int]) -> int:
    """Match each post to its author's open relationships (new posts), or check again what it matched (changed
    posts); returns how many matches were made or changed."""
    posts = list(Post.objects.filter(pk__in=list(post_ids)).select_related("channel"))
    if not posts:
        return 0
    relationships = _open_relationships({post.channel.influencer_id for post in posts})
    if not relationships:
        return 0
    known = {(m.relationship_id, m.post_id): m for m in ContentMatch.objects.filter(post__in=posts)}
    markers = _markers(relationships)
    loaded: dict[int, Relationship] = {}
    changed = 0
    for post in posts:
        text = post_text(title=post.title, text=post.text, links=post.links, url=post.url)
        for open_ in relationships.get(post.channel.influencer_id, ()):
            existing = known.get((open_.pk, post.pk))
            if existing is not None:
                if open_.sponsored:
                    changed += _disclosure_recheck(existing, _load(loaded, open_.pk), post, text, markers)
                continue
            if _dated(post).timestamp() < open_.created_at - BEFORE_RELATIONSHIP.total_seconds():
                continue
            found = match(text, open_.campaign)
            if found is not None:
                relationship = _load(loaded, open_.pk)
                changed += _matched(relationship, post, text, found.matched, found.exact, markers)
    return changed


# Each campaign's identifiers as last read, by (id, updated_at, brand name): an edited campaign is saved with a new
# updated_at and read again. A worker matches posts against the same open campaigns all day; their text is not
# fetched again for every post (see docs/PERFORMANCE.md, "Feeds").
_identifiers: dict[tuple[int, float, str], Identifiers] = {}
IDENTIFIERS_KEPT = 10_000


def _open_relationships(people: set[int]) -> dict[int, list[_Open]]:
    rows = list(
        Relationship.objects.filter(influencer_id__in=people, stage__in=OPEN_STAGES)
        .order_by()
        .values_list(
            "pk",
            "influencer_id",
            Epoch("created_at"),
            "campaign__sponsored",
            "campaign_id",
            Epoch("campaign__updated_at"),
            "campaign__brand__name",
        )
    )
    unread = {(row[4], row[5], row[6]) for row in rows} - _identifiers.keys()
    if unread:
        if len(_identifiers) + len(unread) > IDENTIFIERS_KEPT:
            _identifiers.clear()
        brands = {key[0]: key for key in unread}
        texts = Campaign.objects.filter(pk__in=list(brands)).values_list(
            "pk", "content_terms", "content_links", "promo_code"
        )
        for pk, terms, links, promo_code in texts:
            key = brands[pk]
            _identifiers[key] = identifiers(brand=key[2], terms=terms, links=links, promo_code=promo_code)
    found: dict[int, list[_Open]] = defaultdict(list)
    for pk, person, created_at, sponsored, campaign_id, updated_at, brand in rows:
        campaign = _identifiers.get((campaign_id, updated_at, brand))
        if campaign is not None:  # None: the campaign changed between the two reads; the next post reads it again
            found[person].append(_Open(pk, person, created_at, sponsored, campaign))
    return found


def _load(loaded: dict[int, Relationship], pk: int) -> Relationship:
    if pk not in loaded:
        loaded[pk] = Relationship.objects.select_related("campaign__brand", "owner", "influencer").get(pk=pk)
    return loaded[pk]


def content_confirm(*, content: ContentMatch, by) -> ContentMatch:
    """The owner says a proposed post is the content received: it becomes a "get" exchange of the relationship."""
    with transaction.atomic():
        content = _locked(content)
        if content.status != ContentMatch.Status.PROPOSED:
            raise ValidationError(_already_decided(content), code="decided")
        content.exchange = _exchange(content.relationship, content.post, by=by, matched=content.matched)
        _decide(content, ContentMatch.Status.RECORDED, by)
    return content


def content_dismiss(*, content: ContentMatch, by) -> ContentMatch:
    """The owner says a proposed post is not this campaign's content: it is not proposed again, and its disclosure
    no longer counts against the relationship."""
    with transaction.atomic():
        content = _locked(content)
        if content.status != ContentMatch.Status.PROPOSED:
            raise ValidationError(_already_decided(content), code="decided")
        _decide(content, ContentMatch.Status.DISMISSED, by)
    return content


def _markers(relationships: dict[int, list[_Open]]) -> list[str]:
    """The disclosure markers, read once, and only when a sponsored campaign is among those to check."""
    if any(r.sponsored for rows in relationships.values() for r in rows):
        return list(DisclosureMarker.objects.values_list("text", flat=True))
    return []


def _dated(post: Post) -> datetime:
    return post.published_at or post.found_at


def _matched(relationship: Relationship, post: Post, text: PostText, matched: str, exact: bool, markers) -> int:
    campaign = relationship.campaign
    disclosure = ""
    if campaign.sponsored:
        present = disclosed(text, [*markers, campaign.disclosure])
        disclosure = ContentMatch.Disclosure.PRESENT if present else ContentMatch.Disclosure.MISSING
    now = timezone.now()
    try:
        with transaction.atomic():
            content = ContentMatch.objects.create(
                relationship=relationship,
                post=post,
                matched=matched[: ContentMatch._meta.get_field("matched").max_length],
                exact=exact,
                disclosure=disclosure,
                status=ContentMatch.Status.RECORDED if exact else ContentMatch.Status.PROPOSED,
                decided_at=now if exact else None,
            )
            if exact:
                content.exchange = _exchange(relationship, post, by=None, matched=content.matched)
                content.save(update_fields=["exchange"])
            if disclosure == ContentMatch.Disclosure.MISSING:
                _flag(content, now)
            _tell_owner(content, f"content:{content.pk}", now)
    except IntegrityError:
        return 0  # another run matched it first: theirs stands
    return 1


def _disclosure_recheck(content: ContentMatch, relationship: Relationship, post: Post, text: PostText, markers) -> int:
    """A matched post read again: its disclosure may have been added (the flag clears) or taken away (it rises)."""
    if not relationship.campaign.sponsored or content.status == ContentMatch.Status.DISMISSED:
        return 0
    present = disclosed(text, [*markers, relationship.campaign.disclosure])
    now_missing = not present
    was_missing = content.disclosure == ContentMatch.Disclosure.MISSING
    if now_missing == was_missing:
        return 0
    disclosure = ContentMatch.Disclosure.MISSING if now_missing else ContentMatch.Disclosure.PRESENT
    with transaction.atomic():
        still = ContentMatch.objects.filter(pk=content.pk, disclosure=content.disclosure)
        if not still.update(disclosure=disclosure):  # another run saw the change first
            return 0
        content.disclosure = disclosure
        if now_missing:
            now = timezone.now()
            _flag(content, now)
            _tell_owner(content, f"disclosure:{content.pk}:{post.digest[:16]}", now)
    return 1


def _flag(content: ContentMatch, now: datetime) -> None:
    GuardrailEvent.objects.create(
        relationship=content.relationship,
        rule=GuardrailEvent.Rule.DISCLOSURE,
        result=GuardrailEvent.Result.FLAGGED,
        detail=content.post.url or content.post.title,
        occurred_at=now,
    )


def _tell_owner(content: ContentMatch, key: str, now: datetime) -> None:
    """A reminder to the relationship's owner: what was found, what to do (confirm it, ask for the disclosure)."""
    owner = content.relationship.owner
    if owner is None or not owner.email:
        return
    language = emails.language_for_user(owner)
    subject, body = emails.content_notice_content(content=content, owner=owner, language=language)
    message_queue(
        key=key,
        kind=Message.Kind.REMINDER,
        recipient=owner.email,
        to_user=owner,
        influencer=content.relationship.influencer,
        relationship=content.relationship,
        language=language,
        subject=subject,
        body=body,
        send_at=now,
    )


def _exchange(relationship: Relationship, post: Post, *, by, matched: str) -> Exchange:
    channel = post.channel
    kind = Exchange.Kind.VIDEO if channel.platform == Channel.Platform.YOUTUBE else Exchange.Kind.POST
    return exchange_record(
        influencer=relationship.influencer,
        relationship=relationship,
        by=by,
        direction=Exchange.Direction.GET,
        kind=kind,
        occurred_on=_day(post),
        url=post.url if len(post.url) <= Exchange._meta.get_field("url").max_length else "",
        note=_("Read from %(channel)s's feed (%(matched)s): %(title)s")
        % {"channel": channel, "matched": matched, "title": post.title},
    )


def _day(post: Post) -> date:
    # Never after today: a post dated a few hours ahead (another time zone) is still received today.
    return min(timezone.localdate(_dated(post)), timezone.localdate())


def _locked(content: ContentMatch) -> ContentMatch:
    return (
        ContentMatch.objects.select_for_update(of=("self",))
        .select_related("relationship__influencer", "post__channel")
        .get(pk=content.pk)
    )


def _decide(content: ContentMatch, status: str, by) -> None:
    content.status = status
    content.decided_at = timezone.now()
    content.decided_by = by
    content.save(update_fields=["status", "decided_at", "decided_by", "exchange"])


def _already_decided(content: ContentMatch) -> str:
    return _("This post was already %(status)s: nothing changed.") % {"status": content.get_status_display()}
