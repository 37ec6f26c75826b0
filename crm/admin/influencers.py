"""The directory of people in the admin: list, filters, the person's page and merging duplicates."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Lower
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin

from core.admin.history import HistoryAdmin
from core.admin.inlines import ParentRowsFormSet
from core.admin.paging import BigTableAdmin
from core.admin.widgets import PreloadedAutocompleteSelect, ReadChoicesField, preload_autocomplete
from core.forms import GuardedModelForm
from crm.addresses import email_key
from crm.admin.filters import OverdueFilter, RegionFilter, TierFilter
from crm.exports import EXPORT_FORMATS, InfluencerResource
from crm.forms.influencers import clean_unique_email
from crm.models import AudienceSnapshot, Channel, Influencer, InfluencerAddress, Topic
from crm.services import influencer_addresses_set, influencer_create, influencer_update
from crm.services.addresses import addresses_check
from crm.services.merge import influencer_merge
from desk.latest import latest_tables
from desk.privacy.admin import PrivacyAdminMixin, may_handle_privacy
from desk.privacy.erasure import influencer_delete, influencers_delete


class PersonForm(GuardedModelForm):
    def clean_email(self) -> str:
        return clean_unique_email(self.cleaned_data.get("email", ""), person=self.instance)

    def __init__(self, *args, instance=None, **kwargs):
        topics = None
        if instance is not None and instance.pk is not None:
            # One query for the topics box and for which of them the person has (Django reads each apart): the
            # chosen ones become the person's topics as if prefetched, which is where the form reads its initial.
            topics = list(Topic.objects.annotate(chosen=Exists(_chosen_topics(instance))))
            chosen = instance.topics.all()
            chosen._result_cache, chosen._prefetch_done = [t for t in topics if t.chosen], True
            instance._prefetched_objects_cache = {
                **getattr(instance, "_prefetched_objects_cache", {}),
                "topics": chosen,
            }
        super().__init__(*args, instance=instance, **kwargs)
        if topics is not None and isinstance(self.fields.get("topics"), ReadChoicesField):
            self.fields["topics"].rows = topics
        # The page read the owner with the person (InfluencerAdmin.get_queryset): its box need not read it again.
        if self.instance.owner_id is not None and Influencer.owner.is_cached(self.instance):
            preload_autocomplete(self, "owner", self.instance.owner)


def _other_addresses_containing(text: str):
    return InfluencerAddress.objects.filter(email_key__contains=email_key(text) or text).values("influencer_id")


def _chosen_topics(person: Influencer):
    return Influencer.topics.through.objects.filter(influencer_id=person.pk, topic_id=OuterRef("pk"))


class PeopleList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list shows each person's topics: read for the page's people in one query. (Only here: the person's
        # page reads them with its topics box, PersonForm.)
        topics = Prefetch("topics", queryset=Topic.objects.order_by())
        return super().get_queryset(request, exclude_parameters).prefetch_related(topics)


class ChannelInline(admin.TabularInline):
    model = Channel
    form = GuardedModelForm
    formset = ParentRowsFormSet
    extra = 0
    fields = ("platform", "handle", "url", "followers", "figure_on")
    readonly_fields = ("followers", "figure_on")
    # The channel's own page holds its dated audience snapshots (a snapshot hangs off a channel).
    show_change_link = True

    def get_queryset(self, request):
        # The date of each channel's latest figure, read with the channels (the person's page once listed the
        # latest snapshots in a query of their own).
        latest = AudienceSnapshot.objects.filter(channel=OuterRef("pk")).order_by("-taken_on").values("taken_on")[:1]
        return super().get_queryset(request).annotate(figure_on=Subquery(latest))

    @admin.display(description=_("figure dated"))
    def figure_on(self, obj: Channel):
        return getattr(obj, "figure_on", None) or "—"


class AddressFormSet(ParentRowsFormSet):
    """The person's other addresses, checked as the service checks them (crm.services.addresses), on the form."""

    def emails(self) -> list[str]:
        """The person's other addresses once saved: the posted rows, and those the page did not post untouched."""
        kept = {row.pk: row.email for row in self.get_queryset()} if self.instance.pk is not None else {}
        posted = []
        for form in self.forms:
            kept.pop(form.instance.pk, None)
            if form.cleaned_data.get("email") and not form.cleaned_data.get("DELETE"):
                posted.append(form.cleaned_data["email"])
        return [*kept.values(), *posted]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        try:
            # The page's person as the form left it (Django saved it without commit): their new main address counts.
            addresses_check(influencer=self.instance, emails=self.emails())
        except ValidationError as refused:
            raise ValidationError(refused.message_dict["addresses"]) from None


class AddressInline(admin.TabularInline):
    model = InfluencerAddress
    form = GuardedModelForm
    formset = AddressFormSet
    extra = 0
    fields = ("email",)
    verbose_name = _("other e-mail address")


@admin.register(Influencer)
class InfluencerAdmin(BigTableAdmin, PrivacyAdminMixin, ImportExportMixin, HistoryAdmin):
    form = PersonForm
    resource_classes = [InfluencerResource]
    export_formats = EXPORT_FORMATS

    def has_export_permission(self, request):
        # The whole directory's personal data in one file: managers, like one person's privacy export
        # (import-export's default lets any staff member export).
        return may_handle_privacy(request.user)

    list_display = (
        "name",
        "kind",
        "tier",
        "region",
        "topic_list",
        "consent",
        "owner",
        "last_contact_at",
        "next_contact_due",
    )
    list_filter = ("kind", TierFilter, RegionFilter, "topics", "consent", "owner", OverdueFilter)
    search_fields = ("name", "email", "channels__handle")
    list_select_related = ("owner",)
    ordering = (Lower("name"),)  # as the directory sorts, read from its index (crm_infl_name_key_idx)
    autocomplete_fields = ("owner",)
    filter_horizontal = ("topics",)
    readonly_fields = ("audience", "tier", "full_history", "last_contact_at", "next_contact_due", "created_at")
    fieldsets = (
        (None, {"fields": ("name", "email", "kind", "owner", "topics")}),
        (_("Where and how"), {"fields": ("language", "timezone", "city", "region", "country")}),
        (_("Consent"), {"fields": ("consent", "consent_at", "consent_source")}),
        (
            _("Staying in touch"),
            {"fields": ("cadence_days", "last_contact_at", "next_contact_due", "notes", "full_history")},
        ),
        (_("Audience"), {"fields": ("audience", "tier")}),
    )
    inlines = (
        ChannelInline,
        AddressInline,
    )  # and, after it, the latest campaigns, contacts and exchanges (desk.latest)
    change_form_template = "admin/crm/influencer/change_form.html"
    actions = ("merge_people",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["latest_tables"] = latest_tables(obj, request, self.admin_site)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_changelist(self, request, **kwargs):
        return PeopleList

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "topics":
            kwargs["form_class"] = ReadChoicesField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # The directory's own search (crm.forms), so the same indexes serve both: names and e-mails, and handles
        # through a subquery. Django's joins the channels and then needs DISTINCT, for the page and for its count,
        # which sorts every match (1.7 s of SQL for "martin" at 100,000 people).
        for bit in smart_split(search_term):
            if bit[:1] in "\"'" and bit[-1:] == bit[:1] and len(bit) > 1:
                bit = unescape_string_literal(bit)
            queryset = queryset.filter(
                Q(name__icontains=bit)
                | Q(email_key__contains=email_key(bit) or bit)  # crm.selectors.matching_people's e-mail search
                | Q(pk__in=_other_addresses_containing(bit))
                | Q(pk__in=Channel.objects.filter(handle__icontains=bit).values("influencer_id"))
            )
        return queryset, False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["widget"] = PreloadedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Importing is a background job (crm.admin.imports): the import button leads to its upload page.
    def has_import_permission(self, request):
        return request.user.has_perm("crm.add_importjob")

    def import_action(self, request, *args, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        return redirect("admin:crm_importjob_add")

    process_import = import_action

    @admin.display(description=_("tier"), ordering="audience")
    def tier(self, obj: Influencer) -> str:
        return obj.get_tier_display()

    @admin.display(description=_("topics"))
    def topic_list(self, obj: Influencer) -> str:
        return ", ".join(sorted(t.name for t in obj.topics.all()))

    @admin.display(description=_("full history"))
    def full_history(self, obj: Influencer) -> str:
        # The inlines below show the latest rows only; each full list is the admin's own, filtered to this person.
        if obj.pk is None:
            return "—"
        lists = (
            ("admin:crm_contact_changelist", _("every contact")),
            ("admin:crm_exchange_changelist", _("every exchange")),
            ("admin:campaigns_relationship_changelist", _("every campaign")),
        )
        links = ((reverse(url), obj.pk, label) for url, label in lists)
        return format_html_join(" · ", '<a href="{}?influencer__id__exact={}">{}</a>', links)

    def save_model(self, request, obj, form, change):
        # A person goes through the services, as in the web UI: an ambassador's stay-in-touch cadence starts in
        # influencer_create, and a new cadence restarts the person's clock in influencer_update.
        if change:
            changes = dict(form.cleaned_data)
            influencer_update(influencer=obj, by=request.user, topics=changes.pop("topics", None), **changes)
            return
        fields = {
            name: form.cleaned_data[name]
            for name in form.cleaned_data
            if name not in ("name", "email", "kind", "topics", "cadence_days")
        }
        if fields.get("owner") is None:
            fields.pop("owner", None)  # the service makes whoever adds the person its owner
        created = influencer_create(
            by=request.user,
            name=form.cleaned_data["name"],
            email=form.cleaned_data.get("email", ""),
            kind=form.cleaned_data["kind"],
            topics=form.cleaned_data.get("topics", ()),
            cadence_days=form.cleaned_data.get("cadence_days"),
            **fields,
        )
        # The admin goes on with `obj` and reads only its values (the channels' key, the log entry, the redirect).
        for field in Influencer._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))

    def save_related(self, request, form, formsets, change):
        # The services saved the topics with the person: only the inlines (addresses, channels) are left to save.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, AddressFormSet):
            influencer_addresses_set(influencer=form.instance, by=request.user, emails=formset.emails())
            # What the admin's change message reads of a saved formset (the service did the saving).
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_formset(request, form, formset, change)

    # Deleting a person erases them first (desk.privacy.erasure.influencer_delete): no history row, log entry or
    # note keeps their name or address once the record, which an erasure needs, is gone. The admin logs the deletion
    # before it calls these; the erasure rewrites that entry too.
    def delete_model(self, request, obj):
        influencer_delete(influencer=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        influencers_delete(influencers=queryset, by=request.user)

    @admin.action(description=_("Merge the selected people into one (pick the survivor)"))
    def merge_people(self, request, queryset):
        people = list(queryset.order_by("created_at", "pk"))
        if len(people) < 2:
            self.message_user(request, _("Select at least two records of the same person."), messages.WARNING)
            return None
        survivor_id = request.POST.get("survivor")
        if "apply" not in request.POST or survivor_id not in {str(p.pk) for p in people}:
            return TemplateResponse(
                request,
                "admin/crm/influencer/merge.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Merge duplicates"),
                    "opts": self.model._meta,
                    "people": people,
                    "survivor_id": people[0].pk,
                    "action": "merge_people",
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        survivor = next(p for p in people if str(p.pk) == survivor_id)
        try:
            # All or nothing: one refused pair leaves every record as it was.
            with transaction.atomic():
                for duplicate in people:
                    if duplicate.pk != survivor.pk:
                        influencer_merge(survivor=survivor, duplicate=duplicate, by=request.user)
        except ValidationError as refused:
            for message in refused.messages:
                self.message_user(request, message, messages.ERROR)
            self.message_user(request, _("Nothing was merged."), messages.ERROR)
            return None
        merged = len(people) - 1
        self.message_user(
            request,
            ngettext(
                "%(count)d record was merged into %(person)s.",
                "%(count)d records were merged into %(person)s.",
                merged,
            )
            % {"count": merged, "person": survivor},
            messages.SUCCESS,
        )
        return None
