"""Erasing a person (GDPR's right to erasure): what identifies them goes, the figures stay.

The record is kept, anonymised ("Erased person #12"), so that reports' counts, stages, outcomes, values and
audience figures do not change; everything that says who they are (name, e-mail, city, notes, channel handles
and links, what the contact log, the ledger and the outbox say) is blanked, and so is every mention of their
name, e-mail or handles anywhere else the product writes text (other rows, history, the admin's log). What the
mailbox keeps of them goes too: their other addresses, and the bounces and mail from an unknown sender kept under
any of their addresses (export.their_email_keys); a logged mail keeps a stand-in for its Message-ID. Kept
reports (settings.REPORTS_CACHE: pickled figures and tables, which name people) are all dropped; pages and beat
compute them again.

Kept, because reports count by them and none says who the person is: kind, language, time zone, region,
country, topics, owner, dates, the contact and exchange rows (kind, direction, date, value, reach), stages and
outcomes, audience figures, whether a logged mail was an automatic reply. Not reachable from here: files people
uploaded (an import's stored spreadsheet) and copies outside the database (backups, the mailboxes themselves, logs).
"""

import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Outcome, Relationship, Stage
from campaigns.services import relationship_close
from crm.addresses import email_key
from crm.models import BouncingAddress, Channel, Contact, Exchange, Feed, Influencer, InfluencerAddress, Post
from crm.services.locks import people_lock, person_lock
from crm.services.merge import merged_into_reason
from desk.privacy.export import their_email_keys
from messaging.models import Message, UnknownSender

# The apps whose tables hold what the product writes about people (history tables included: they live in the
# tracked model's app). auth, sessions, contenttypes and the beat schedules hold the team's data, not theirs.
PRODUCT_APPS = ("admin", "crm", "campaigns", "messaging", "reports")
# A shorter needle (a two-letter name) would rewrite unrelated words everywhere.
MIN_NEEDLE_LENGTH = 4
# Fields that identify a row to the machinery, never text a person wrote.
TECHNICAL_FIELDS = {("messaging", "message", "key"), ("messaging", "message", "message_id")}
# What an erased contact's Message-ID starts with (_scrub_message_ids).
ERASED_ID = "erased:"


@dataclass
class Erasure:
    """What influencer_erase did, for the person who asked (the admin shows it)."""

    influencer: Influencer
    label: str
    channels: int = 0
    contacts: int = 0
    exchanges: int = 0
    messages: int = 0
    messages_cancelled: int = 0
    relationships_closed: list[str] = field(default_factory=list)
    history_rows: int = 0
    log_entries: int = 0
    addresses: int = 0  # their other addresses, removed
    bouncing: int = 0  # bounces kept under any of their addresses, removed
    unknown_sender_mail: int = 0  # mail from their addresses in a shared mailbox, removed
    posts: int = 0  # posts read from their channels' feeds, removed with the feeds
    mentions: dict[str, int] = field(default_factory=dict)  # "model · field" (readable) -> rows rewritten


def erased_label(influencer: Influencer) -> str:
    return _("Erased person #%(id)d") % {"id": influencer.pk}


def influencer_erase(*, influencer: Influencer, by) -> Erasure:
    """Erase a person: anonymise their record and everything that names them; aggregates stay.

    All or nothing, under a lock on the person (the same lock a contact or a move takes first). Afterwards
    they can never be contacted again: opted out (influencer_opt_in refuses an erased person), no e-mail,
    every message to or about them that had not gone cancelled, their open relationships closed as dropped
    with the thank-you skipped.
    """
    with transaction.atomic():
        person = person_lock(influencer_id=influencer.pk)
        if person.is_erased:
            raise ValidationError(
                _("This person was already erased on %(date)s.")
                % {"date": timezone.localtime(person.erased_at).strftime("%Y-%m-%d %H:%M")},
                code="erased",
            )
        result, needles = _erase_record(person, by=by)
        result.mentions = _replace_mentions(dict.fromkeys(needles, result.label))
        _drop_kept_reports()
    return result


def influencers_delete(*, influencers: Iterable[Influencer], by) -> int:
    """Delete people for good: erase each first (unless done already), then remove the records and what hangs on
    them; how many. All or nothing.

    A deletion alone would leave every earlier version of a record (django-simple-history keeps them, and adds one
    for the deletion), the admin's log and other people's notes naming them, with no record left to erase them
    from; erased first, the history that stays (and the deletion's own row) reads "Erased person #12". Their
    mentions are searched in one pass, which costs about as much as one pass each (docs/PERFORMANCE.md).
    """
    with transaction.atomic():
        people = people_lock(influencer_ids=[p.pk for p in influencers])
        replacements: dict[str, str] = {}
        for person in people:
            if not person.is_erased:
                result, needles = _erase_record(person, by=by)
                for needle in needles:
                    replacements.setdefault(needle, result.label)
        _replace_mentions(replacements)
        _drop_kept_reports()
        for person in people:
            # The deletion's history row copies this instance: the anonymised one, never a copy loaded before.
            person._history_user = by
            person.delete()
    return len(people)


def influencer_delete(*, influencer: Influencer, by) -> None:
    """Delete one person for good (influencers_delete)."""
    influencers_delete(influencers=[influencer], by=by)


def _erase_record(person: Influencer, *, by) -> tuple[Erasure, list[str]]:
    """Everything an erasure does to a locked person's own rows and history; the needles that still name them
    elsewhere, for _replace_mentions."""
    label = erased_label(person)
    result = Erasure(influencer=person, label=label)
    record_ids = _record_ids(person)
    needles = _needles(person, record_ids)
    # Read before the address fields are blanked below: the keys of every address they have or had.
    result.addresses, result.bouncing, result.unknown_sender_mail = _erase_addresses(person, record_ids)
    now = timezone.now()
    note = _("The person's data was erased.")

    result.relationships_closed = _close_open_relationships(person, by=by, reason=note)
    result.messages_cancelled, result.messages = _scrub_messages(person, note=note, now=now)
    result.contacts = Contact.objects.filter(influencer=person).update(summary=_("(erased)"))
    _scrub_message_ids(person)
    result.exchanges = Exchange.objects.filter(influencer=person).update(note="", url="")
    result.channels = _scrub_channels(person)
    result.posts = _remove_feeds(person)

    person.name = label
    person.email = ""
    person.city = ""
    person.notes = ""
    person.consent = Influencer.Consent.OPTED_OUT
    person.consent_at = now
    person.consent_source = _("erasure")
    person.cadence_days = None
    person.next_contact_due = None
    person.erased_at = now
    person._history_user = by
    person._change_reason = _("erasure")
    person.save()

    # Earlier versions of the record, and of duplicates merged into it, are the same person: same treatment.
    result.history_rows = Influencer.history.filter(id__in=record_ids).update(
        name=label, email="", city="", notes="", history_change_reason=_("erasure")
    )
    influencer_type = ContentType.objects.get_for_model(Influencer)
    result.log_entries = LogEntry.objects.filter(
        content_type=influencer_type, object_id__in=[str(pk) for pk in record_ids]
    ).update(object_repr=label[:200])
    return result, needles


def _drop_kept_reports() -> None:
    """Drop every kept report: which of them name the person is only known by unpickling each.

    In the erasure's transaction (the cache is a table of the same database), so that it is all or nothing; and
    again once committed, for a report stored in between from figures read before the erasure. One computed from
    such figures and stored later still is replaced by the next refresh, or expires and is purged by beat.
    """
    kept = caches[settings.REPORTS_CACHE]
    kept.clear()
    transaction.on_commit(kept.clear)


def _record_ids(person: Influencer) -> set[int]:
    """The person's record and every duplicate merged into it (and into those), whose history is theirs too."""
    ids, todo = {person.pk}, [person.pk]
    while todo:
        reasons = [merged_into_reason(pk) for pk in todo]
        todo = [
            pk
            for pk in Influencer.history.filter(history_change_reason__in=reasons).values_list("id", flat=True)
            if pk not in ids
        ]
        ids.update(todo)
    return ids


def _needles(person: Influencer, record_ids: set[int]) -> list[str]:
    """What identifies the person in free text: names and e-mails (past ones, other ones and merged duplicates'
    too), channel handles and links."""
    emails = {person.email, *InfluencerAddress.objects.filter(influencer=person).values_list("email", flat=True)}
    found: set[str] = {person.name}
    versions = Influencer.history.filter(id__in=record_ids).order_by().values_list("name", "email").distinct()
    for name, email in versions:
        found.add(name)
        emails.add(email)
    # An address they gave up that someone else has now names that other person: it is not rewritten.
    theirs = set(their_email_keys(influencer=person, emails=emails))
    found.update(e for e in emails if email_key(e) in theirs)
    for handle, url in Channel.objects.filter(influencer=person).values_list("handle", "url"):
        found.update((handle, url))
    cleaned = {n.strip() for n in found if n and len(n.strip()) >= MIN_NEEDLE_LENGTH}
    return sorted(cleaned)


def _erase_addresses(person: Influencer, record_ids: set[int]) -> tuple[int, int, int]:
    """Remove their other addresses, and what is kept by address (bounces, unknown senders' mail) under any address
    of theirs, past ones and merged duplicates' included; how many of each."""
    past = Influencer.history.filter(id__in=record_ids).order_by().values_list("email", flat=True).distinct()
    others = InfluencerAddress.objects.filter(influencer=person)
    keys = their_email_keys(influencer=person, emails=[person.email, *others.values_list("email", flat=True), *past])
    addresses, _by_model = others.delete()
    bouncing, _by_model = BouncingAddress.objects.filter(email_key__in=keys).delete()
    unknown, _by_model = UnknownSender.objects.filter(email_key__in=keys).delete()
    return addresses, bouncing, unknown


def _scrub_message_ids(person: Influencer) -> None:
    """Replace the Message-ID of each mail logged about them with a random stand-in.

    A Message-ID often carries the sender's name or machine ("…zephyrine-marmottan@macbook-de-zephyrine.local").
    Not a hash of it: the mail itself stays in the team's mailboxes, and hashing its Message-ID again would tie the
    anonymised record back to her. Nothing needs it for dedupe any more: with no address left, the mailbox never
    logs a mail for this record again. Not "" either: the row still reads as a logged mail.
    """
    mails = Contact.objects.filter(influencer=person).exclude(message_id="").exclude(message_id__startswith=ERASED_ID)
    for pk in mails.values_list("pk", flat=True):
        Contact.objects.filter(pk=pk).update(message_id=ERASED_ID + secrets.token_hex(16))


def _close_open_relationships(person: Influencer, *, by, reason: str) -> list[str]:
    closed = []
    for relationship in Relationship.objects.filter(influencer=person).exclude(stage=Stage.CLOSED):
        relationship_close(relationship=relationship, by=by, outcome=Outcome.DROPPED, skip_reason=reason)
        closed.append(str(relationship.campaign))
    return closed


def _scrub_messages(person: Influencer, *, note: str, now) -> tuple[int, int]:
    Status = Message.Status
    about_them = Message.objects.filter(influencer=person)
    # A reminder about them to their owner is cancelled too: there is nobody left to get in touch with.
    cancelled = about_them.filter(status=Status.SCHEDULED).update(
        status=Status.CANCELLED, last_error=note, updated_at=now
    )
    scrubbed = about_them.update(subject=_("(erased)"), body="", updated_at=now)
    about_them.filter(kind__in=Message.TO_INFLUENCERS).update(recipient="")
    return cancelled, scrubbed


def _remove_feeds(person: Influencer) -> int:
    # What their feeds published is theirs (titles, links, words): removed, not kept as figures.
    # delete() counts what it took with them too (the campaigns' matches of these posts): the posts are counted alone.
    _total, per_model = Post.objects.filter(channel__influencer=person).delete()
    Feed.objects.filter(channel__influencer=person).delete()
    return per_model.get(Post._meta.label, 0)


def _scrub_channels(person: Influencer) -> int:
    # The handle is unique per platform and must stay filled: "erased-<id>" is both. The snapshots (figures) stay.
    channels = list(Channel.objects.filter(influencer=person).only("pk"))
    for channel in channels:
        Channel.objects.filter(pk=channel.pk).update(handle=f"erased-{channel.pk}", url="")
    return len(channels)


def _text_fields(model) -> list[models.Field]:
    fields = []
    for f in model._meta.concrete_fields:
        if (model._meta.app_label, model._meta.model_name, f.name) in TECHNICAL_FIELDS:
            continue
        if f.max_length is not None and f.max_length < MIN_NEEDLE_LENGTH:
            continue  # a country code cannot hold a name
        if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices:
            fields.append(f)
    return fields


def _replace_mentions(replacements: dict[str, str]) -> dict[str, int]:
    """Rewrite every mention of each needle (the keys), in every text column of the product's tables, as its label.

    One query per table (every text column, all needles, case-insensitively: one scan however many columns)
    finds the few rows that mention them; each is rewritten in Python (whole words only, any case) and saved
    with update(), so no save() hook or history row repeats the text.
    """
    if not replacements:
        return {}
    # Longest first, so that an e-mail is replaced whole before a handle that is part of it.
    needles = sorted(replacements, key=lambda n: (-len(n), n))
    labels = [replacements[n] for n in needles]
    # One case-insensitive regular expression per column: on PostgreSQL a single pass over each value, some
    # twice as fast as one UPPER(...) LIKE per needle. re.escape only escapes non-alphanumeric characters,
    # which PostgreSQL's regular expressions read as themselves too.
    any_needle = "|".join(re.escape(n) for n in needles)
    # One group per needle: the group that matched says whose label replaces it.
    pattern = re.compile("|".join(rf"(?<!\w)({re.escape(n)})(?!\w)" for n in needles), re.IGNORECASE)
    rewritten: dict[str, int] = {}
    for model in apps.get_models():
        if model._meta.app_label not in PRODUCT_APPS or model._meta.proxy or not model._meta.managed:
            continue
        fields = _text_fields(model)
        if not fields:
            continue
        rows = model._base_manager.all()
        matches = Q()
        for f in fields:
            lookup = f.attname
            if isinstance(f, models.JSONField):
                lookup = f"_text_{f.attname}"
                rows = rows.annotate(**{lookup: Cast(f.attname, models.TextField())})
            matches |= Q(**{f"{lookup}__iregex": any_needle})
        counts: dict[models.Field, int] = {}
        for pk, *values in rows.filter(matches).values_list("pk", *(f.attname for f in fields)).order_by():
            changes = {}
            for f, value in zip(fields, values, strict=True):
                new = _rewrite(value, pattern, labels, f)
                if new != value:
                    changes[f.attname] = new
                    counts[f] = counts.get(f, 0) + 1
            if changes:
                model._base_manager.filter(pk=pk).update(**changes)
        for f, count in counts.items():
            rewritten[f"{model._meta.verbose_name} · {f.verbose_name}"] = count
    return rewritten


def _rewrite(value, pattern: re.Pattern, labels: list[str], f: models.Field):
    if value is None:
        return value

    def label(match: re.Match) -> str:
        return labels[match.lastindex - 1]

    if isinstance(f, models.JSONField):
        return json.loads(pattern.sub(label, json.dumps(value, ensure_ascii=False)))
    new = pattern.sub(label, value)
    return new[: f.max_length] if f.max_length else new
