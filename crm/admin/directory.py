"""Topics, channels and their audience figures, the contact log and the give-and-get ledger in the admin.

New contacts, exchanges and snapshots go through the crm services, so that the clocks and the audience
figures they keep stay right whichever screen a row was typed in.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.models import Relationship
from core.admin.inlines import ParentRowsFormSet
from core.admin.paging import BigTableAdmin
from core.admin.rows import ModelAdmin
from core.forms import GuardedModelForm
from crm.admin.feeds import FeedInline
from crm.models import AudienceSnapshot, Channel, Contact, Exchange, Feed, Topic
from crm.services import (
    audience_snapshot_record,
    audience_snapshot_update,
    audience_snapshots_delete,
    channel_feed_set,
    contact_log,
    contacts_delete,
    exchange_record,
)


def _adopt(obj, created) -> None:
    """Give the admin's unsaved `obj` the values of the row a service created: the admin goes on with `obj`, and
    reads only its values from here on (the log entry's id and name, the redirect)."""
    for field in type(obj)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(created, field.attname))


class ServiceAddForm(GuardedModelForm):
    """An add form whose validation is the service itself.

    clean() runs the service once every field is valid, inside the admin's transaction, so its ValidationError
    lands on the form's fields like any other error. The row it saves becomes the form's instance, which the admin
    goes on with (its log entry, its redirect); the model's checks Django runs after clean() find that row valid.
    These pages have no inlines: a valid form is a saved one.
    """

    by = None  # the acting user, set by the admin's get_form()

    def create(self, data):
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                self.instance = self.create(data)
            except ValidationError as error:
                self.add_error(None, error)
        return data


class ContactAddForm(ServiceAddForm):
    def create(self, data):
        touch = contact_log(
            influencer=data["influencer"],
            by=self.by,
            kind=data["kind"],
            direction=data["direction"],
            summary=data["summary"],
            occurred_at=data["occurred_at"],
            relationship=data.get("relationship"),
        )
        # The very same contact was there already: ContactAdmin says so instead of "added".
        touch.contact.already_logged = not touch.created
        return touch.contact


class ExchangeAddForm(ServiceAddForm):
    def create(self, data):
        return exchange_record(
            influencer=data["influencer"],
            by=self.by,
            direction=data["direction"],
            kind=data["kind"],
            occurred_on=data["occurred_on"],
            value=data.get("value"),
            reach=data.get("reach"),
            url=data.get("url", ""),
            note=data.get("note", ""),
            relationship=data.get("relationship"),
        )


class ServiceAddAdmin(ModelAdmin):
    """A contact or an exchange: added through its service, shown with its person and relationship by name."""

    add_form = None

    def get_queryset(self, request):
        # The change page names the person and the relationship (person · brand · campaign) as the list does:
        # joined, not read one by one. (The list adds its own joins only to a queryset that has none.)
        return super().get_queryset(request).select_related(*self.list_select_related)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "relationship":
            # The selected relationship's label in the autocomplete box names its person, brand and campaign.
            kwargs["queryset"] = Relationship.objects.select_related("influencer", "campaign__brand")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type(self.add_form.__name__, (self.add_form,), {"by": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        # Added: the service saved it as the form validated (ServiceAddForm.clean); obj is that row.


class SnapshotForm(GuardedModelForm):
    """The service refuses a figure dated in the future; saying it on the field keeps that from being a crash."""

    def clean_taken_on(self):
        taken_on = self.cleaned_data["taken_on"]
        if taken_on > timezone.localdate():
            raise ValidationError(_("An audience figure cannot be dated in the future."))
        return taken_on


@admin.register(Topic)
class TopicAdmin(ModelAdmin):
    form = GuardedModelForm
    list_display = ("name",)
    search_fields = ("name",)


class SnapshotInline(admin.TabularInline):
    model = AudienceSnapshot
    form = SnapshotForm
    formset = ParentRowsFormSet
    extra = 1
    fields = ("taken_on", "followers", "engagement_rate")
    ordering = ("-taken_on",)


@admin.register(Channel)
class ChannelAdmin(BigTableAdmin, ModelAdmin):
    form = GuardedModelForm
    list_display = ("handle", "platform", "influencer", "followers", "url")
    list_filter = ("platform",)
    search_fields = ("handle", "influencer__name", "url")
    list_select_related = ("influencer",)
    autocomplete_fields = ("influencer",)
    readonly_fields = ("followers",)
    inlines = (FeedInline, SnapshotInline)
    # The unique index on (platform, lower(handle)) gives this order; "platform, handle" (the model's) sorted every
    # channel to show a page.
    ordering = ("platform", Lower("handle"))

    def save_formset(self, request, form, formset, change):
        if formset.model is Feed:
            return self._feed_save(form, formset)
        if formset.model is not AudienceSnapshot:
            return super().save_formset(request, form, formset, change)
        # Figures go through the services: they keep the channel's followers and the person's audience (tier).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk]
        if deleted:
            formset.deleted_objects = deleted
            audience_snapshots_delete(snapshots=AudienceSnapshot.objects.filter(pk__in=[s.pk for s in deleted]))
        for snapshot_form in formset.forms:
            if not snapshot_form.has_changed() or snapshot_form in formset.deleted_forms:
                continue
            data = snapshot_form.cleaned_data
            if snapshot_form.instance.pk is None:
                formset.new_objects.append(
                    audience_snapshot_record(
                        channel=form.instance,
                        taken_on=data["taken_on"],
                        followers=data["followers"],
                        engagement_rate=data.get("engagement_rate"),
                    )
                )
            else:
                corrected = audience_snapshot_update(
                    snapshot=snapshot_form.instance,
                    taken_on=data["taken_on"],
                    followers=data["followers"],
                    engagement_rate=data.get("engagement_rate"),
                )
                formset.changed_objects.append((corrected, snapshot_form.changed_data))

    def _feed_save(self, form, formset) -> None:
        # Through the service: a new address is read from scratch, and taking the feed away keeps its posts.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for feed_form in formset.forms:
            if feed_form in formset.deleted_forms and feed_form.instance.pk:
                formset.deleted_objects.append(feed_form.instance)
                channel_feed_set(channel=form.instance, url="")
            elif feed_form.has_changed() and feed_form not in formset.deleted_forms:
                feed = channel_feed_set(channel=form.instance, url=feed_form.cleaned_data["url"])
                if feed_form.instance.pk:
                    formset.changed_objects.append((feed, feed_form.changed_data))
                else:
                    formset.new_objects.append(feed)


@admin.register(AudienceSnapshot)
class AudienceSnapshotAdmin(BigTableAdmin, ModelAdmin):
    form = SnapshotForm
    list_display = ("channel", "taken_on", "followers", "engagement_rate")
    list_filter = ("channel__platform", ("taken_on", admin.DateFieldListFilter))
    search_fields = ("channel__handle", "channel__influencer__name")
    list_select_related = ("channel__influencer",)
    autocomplete_fields = ("channel",)
    # Newest figures first, from crm_snapshot_taken_idx: the model's order (by channel, i.e. by platform and handle
    # through a join) sorted every snapshot to show a page.
    ordering = ("-taken_on", "-id")

    def save_model(self, request, obj, form, change):
        # The services keep the channel's followers and the person's audience (the tier) on the latest figures.
        if change:
            audience_snapshot_update(
                snapshot=obj, taken_on=obj.taken_on, followers=obj.followers, engagement_rate=obj.engagement_rate
            )
            return
        created = audience_snapshot_record(
            channel=obj.channel, taken_on=obj.taken_on, followers=obj.followers, engagement_rate=obj.engagement_rate
        )
        _adopt(obj, created)

    def delete_model(self, request, obj):
        audience_snapshots_delete(snapshots=AudienceSnapshot.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        audience_snapshots_delete(snapshots=queryset)


@admin.register(Contact)
class ContactAdmin(BigTableAdmin, ServiceAddAdmin):
    add_form = ContactAddForm
    list_display = ("occurred_at", "influencer", "kind", "direction", "short_summary", "relationship", "logged_by")
    list_filter = ("kind", "direction", ("occurred_at", admin.DateFieldListFilter), "logged_by")
    search_fields = ("influencer__name", "summary")
    list_select_related = ("influencer", "logged_by", "relationship__campaign__brand", "relationship__influencer")
    autocomplete_fields = ("influencer", "relationship")
    readonly_fields = ("logged_by", "created_at")

    def get_changeform_initial_data(self, request):
        return {"occurred_at": timezone.now(), **super().get_changeform_initial_data(request)}

    def get_readonly_fields(self, request, obj=None):
        # A logged touch moved clocks when it was logged, and answered (or was answered by) the person's other
        # contacts: its person, date and direction stay what they were.
        if obj is not None:
            return (*self.readonly_fields, "influencer", "occurred_at", "direction", "relationship")
        return self.readonly_fields

    def log_addition(self, request, obj, message):
        if not getattr(obj, "already_logged", False):  # nothing was added: no "Added" in the admin's log
            return super().log_addition(request, obj, message)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        if not getattr(obj, "already_logged", False):
            return super().response_add(request, obj, post_url_continue)
        already = gettext("This contact with %(name)s was already logged; it was not added twice.")
        self.message_user(request, already % {"name": obj.influencer}, messages.WARNING)
        return redirect(reverse("admin:crm_contact_change", args=[obj.pk]))

    # Deleting an inbound contact takes an answer away: the service works the replies out again.
    def delete_model(self, request, obj):
        contacts_delete(contacts=Contact.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        contacts_delete(contacts=queryset)

    @admin.display(description=_("summary"))
    def short_summary(self, obj: Contact) -> str:
        return obj.summary if len(obj.summary) <= 80 else obj.summary[:79] + "…"


@admin.register(Exchange)
class ExchangeAdmin(BigTableAdmin, ServiceAddAdmin):
    add_form = ExchangeAddForm
    list_display = ("occurred_on", "influencer", "direction", "kind", "value", "reach", "relationship")
    list_filter = ("direction", "kind", ("occurred_on", admin.DateFieldListFilter))
    search_fields = ("influencer__name", "note", "url")
    list_select_related = ("influencer", "relationship__campaign__brand", "relationship__influencer")
    autocomplete_fields = ("influencer", "relationship")
    readonly_fields = ("recorded_by", "created_at")

    def get_changeform_initial_data(self, request):
        return {"occurred_on": timezone.localdate(), **super().get_changeform_initial_data(request)}

    def get_readonly_fields(self, request, obj=None):
        # Recorded through exchange_record, which checks its person, relationship and date: they stay what they
        # were (a "get" on a relationship is what lets it be delivered).
        if obj is not None:
            return (*self.readonly_fields, "influencer", "relationship", "direction", "occurred_on")
        return self.readonly_fields
