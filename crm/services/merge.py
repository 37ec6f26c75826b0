"""Merging two records of the same person into one."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Relationship
from crm.addresses import email_key
from crm.models import Influencer, InfluencerAddress
from crm.services.contacts import contact_replies_refresh
from crm.services.locks import people_lock
from messaging.services import messages_cancel_for_opt_out


def _incoming_relations():
    """Every one-to-many relation that points at Influencer (channels, contacts, exchanges, relationships, messages…).

    Found from the model graph rather than listed, so that a model added later (an outbox row, a note)
    follows the person instead of being cascade-deleted with the duplicate.
    """
    for rel in Influencer._meta.related_objects:
        if rel.many_to_many or rel.one_to_one or hasattr(rel.related_model, "instance_type"):
            continue
        yield rel


def merged_into_reason(survivor_id: int) -> str:
    """The history change reason of a record deleted by a merge (not translated: it is looked up)."""
    return f"merged into #{survivor_id}"


def influencer_merge(*, survivor: Influencer, duplicate: Influencer, by) -> Influencer:
    """Fold `duplicate` into `survivor` and delete it; everything the duplicate had now belongs to the survivor.

    Refuses, with nothing changed, when both people are on the same campaign (a person has one relationship
    per campaign, and picking which one survives is a human decision) or when any other constraint would break.
    An opt-out on either record wins: merging must never make an opted-out person reachable again.
    """
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A person cannot be merged into themselves."))

    with transaction.atomic():
        locked = {p.pk: p for p in people_lock(influencer_ids=[survivor.pk, duplicate.pk])}
        if len(locked) != 2:
            raise ValidationError(_("One of the two people no longer exists; reload the page."))
        keep, drop = locked[survivor.pk], locked[duplicate.pk]
        if keep.is_erased or drop.is_erased:
            # Folding a live record into an erased one would bring the erased data back, and the other way round
            # would hide a live person behind "Erased person #…".
            raise ValidationError(_("An erased person cannot be merged."), code="erased")

        shared = _shared_campaigns(keep, drop)
        if shared:
            raise ValidationError(
                _(
                    "%(survivor)s and %(duplicate)s are both on %(campaigns)s. "
                    "Close or delete one of the two relationships, then merge."
                )
                % {"survivor": keep, "duplicate": drop, "campaigns": ", ".join(shared)}
            )

        drop_label = str(drop)
        try:
            with transaction.atomic():
                for rel in _incoming_relations():
                    rel.related_model._base_manager.filter(**{rel.field.name: drop}).update(**{rel.field.name: keep})
                # One log now: a reply logged on one record answers outbound contacts logged on the other.
                contact_replies_refresh(influencer_ids=[keep.pk])
                keep.topics.add(*drop.topics.all())
                drop_data = {f.attname: getattr(drop, f.attname) for f in Influencer._meta.concrete_fields}
                drop._history_user = by
                # The deleted record's history keeps its name and e-mail: this reason ties it to the survivor, so
                # that erasing the survivor later (desk.privacy.erasure) finds and erases it too.
                drop._change_reason = merged_into_reason(keep.pk)
                drop.delete()
                _fold_fields(keep, drop_data, drop_label)
                keep._history_user = by
                keep.save()
                # The duplicate's other addresses moved with the relations above; its main one, when the survivor
                # did not take it as theirs, becomes one more, so that its mail still finds the person.
                if drop_data["email_key"] and drop_data["email_key"] != keep.email_key:
                    InfluencerAddress.objects.create(influencer=keep, email=drop_data["email"])
                if keep.is_opted_out:
                    # The duplicate's opt-out now covers the survivor: what was queued to them must not go.
                    messages_cancel_for_opt_out(influencer=keep)
                # auto_now_add fields ignore assignment on save(): the earliest creation date is set directly.
                Influencer.objects.filter(pk=keep.pk, created_at__gt=drop_data["created_at"]).update(
                    created_at=drop_data["created_at"]
                )
        except IntegrityError as error:
            raise ValidationError(
                _("%(survivor)s and %(duplicate)s cannot be merged: %(error)s")
                % {"survivor": keep, "duplicate": drop_label, "error": error}
            ) from error
    keep.refresh_from_db()
    return keep


def _shared_campaigns(keep: Influencer, drop: Influencer) -> list[str]:
    both = (
        Relationship.objects.filter(influencer__in=[keep, drop])
        .values("campaign")
        .annotate(people=models.Count("influencer", distinct=True))
        .filter(people=2)
        .values("campaign")
    )
    return [
        str(r.campaign)
        for r in Relationship.objects.select_related("campaign__brand").filter(influencer=keep, campaign__in=both)
    ]


def _fold_fields(keep: Influencer, drop: dict, drop_label: str) -> None:
    # Blank fields of the survivor take the duplicate's value; filled ones stay as they are.
    for name in ("email", "city", "region", "country", "consent_source", "owner_id", "cadence_days"):
        if getattr(keep, name) in ("", None) and drop[name] not in ("", None):
            setattr(keep, name, drop[name])
    consents = [Influencer.Consent.OPTED_OUT, Influencer.Consent.OPTED_IN, Influencer.Consent.UNKNOWN]
    if consents.index(drop["consent"]) < consents.index(keep.consent):
        keep.consent, keep.consent_at, keep.consent_source = drop["consent"], drop["consent_at"], drop["consent_source"]

    notes = [keep.notes.strip()]
    header = _("Merged from %(name)s on %(date)s.") % {"name": drop_label, "date": timezone.localdate().isoformat()}
    lost_email = drop["email"] if drop["email_key"] and drop["email_key"] != email_key(keep.email) else ""
    if lost_email:
        header += " " + _("Their other e-mail: %(email)s.") % {"email": lost_email}
    notes.append("\n".join(filter(None, [header, drop["notes"].strip()])))
    keep.notes = "\n\n".join(filter(None, notes))

    keep.audience = keep.channels.aggregate(top=Max("followers"))["top"] or max(keep.audience, drop["audience"])
    contacts = [d for d in (keep.last_contact_at, drop["last_contact_at"]) if d]
    keep.last_contact_at = max(contacts) if contacts else None
    dues = [d for d in (keep.next_contact_due, drop["next_contact_due"]) if d]
    keep.next_contact_due = min(dues) if dues else None
    # The latest contact may be on a moved relationship's log; the contact log is the truth.
    logged = keep.contacts.aggregate(last=Max("occurred_at"), first=Min("occurred_at"))["last"]
    if logged and (keep.last_contact_at is None or logged > keep.last_contact_at):
        keep.last_contact_at = logged
