from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin.inlines import ParentRowsFormSet
from core.admin.paging import BigTableAdmin
from core.admin.rows import ModelAdmin
from core.forms import GuardedModelForm, add_service_errors
from core.validators import guard_fields
from messaging.mailbox.accounts import (
    mailbox_connect,
    mailbox_disconnect,
    mailbox_pause,
    mailbox_resume,
    mailbox_test,
    mailbox_update,
)
from messaging.models import Mailbox, MailboxFolder, Message, MessageTemplate, Profile, UnknownSender
from messaging.services import departure_time, message_cancel


@admin.register(Message)
class MessageAdmin(BigTableAdmin, ModelAdmin):
    form = GuardedModelForm  # a line break in a subject would reach an e-mail header
    list_display = ("send_at", "kind", "recipient", "subject", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "kind", "send_at")
    search_fields = ("recipient", "subject", "key")
    list_select_related = ("influencer", "to_user")
    raw_id_fields = ("influencer", "relationship", "to_user", "created_by")
    readonly_fields = (
        "kind", "recipient", "to_user", "influencer", "relationship", "key", "status", "attempts", "last_error",
        "sent_at", "message_id", "created_by", "created_at", "updated_at", "due_on",
    )  # fmt: skip
    fields = (
        ("kind", "status"), ("recipient", "to_user"), ("influencer", "relationship"), "subject", "body",
        ("send_at", "cancel_if_reply"), ("attempts", "sent_at"), "last_error", ("key", "message_id"),
        ("created_by", "created_at", "updated_at"), "due_on",
    )  # fmt: skip
    actions = ["cancel_messages"]

    def get_queryset(self, request):
        # The message's page names its person, relationship (person · brand · campaign) and team members: joined.
        # (The list adds its own joins only to a queryset that has none, so they are all here.)
        return (
            super()
            .get_queryset(request)
            .select_related(
                *self.list_select_related, "relationship__influencer", "relationship__campaign__brand", "created_by"
            )
        )

    def has_add_permission(self, request):
        return False  # messages are queued by the product (services), never typed in

    def save_model(self, request, obj, form, change):
        # A new send time is stored as the time it leaves, as from every other page (the outbox works it out).
        if "send_at" in form.changed_data:
            obj.send_at = departure_time(obj.send_at, kind=obj.kind, influencer=obj.influencer)
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None):
        # Editing is only for what has not gone yet.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    @admin.action(description=_("Cancel the selected messages that have not gone"), permissions=["change"])
    def cancel_messages(self, request, queryset):
        done = 0
        for message in queryset:
            try:
                message_cancel(message=message, by=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{message}: {' '.join(error.messages)}", messages.ERROR)
        if done:
            self.message_user(request, _("%(count)d message(s) cancelled.") % {"count": done}, messages.SUCCESS)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ModelAdmin):
    form = GuardedModelForm
    list_display = ("name", "language", "subject")
    list_filter = ("language",)
    search_fields = ("name", "subject", "body")


@admin.register(Profile)
class ProfileAdmin(ModelAdmin):
    list_display = ("user", "timezone", "language", "wants_digest")
    list_filter = ("language", "wants_digest")
    search_fields = ("user__username", "user__email")


# --- Mailboxes ----------------------------------------------------------------------------------------------------


class MailboxFolderInline(admin.TabularInline):
    """Where the sync stands in each folder: written by the sync only."""

    model = MailboxFolder
    formset = ParentRowsFormSet
    extra = 0
    can_delete = False
    fields = ("name", "role", "uidvalidity", "last_uid")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SharedMailboxForm(forms.ModelForm):
    """A shared mailbox, added or edited: the services run as the form validates, their refusal lands on the form
    (as campaigns.admin.ShortlistForm). The password is write-only: never put back in the page."""

    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    by = None  # the acting user, set by the admin

    class Meta:
        model = Mailbox
        fields = ("owner", "name", "address", "host", "port", "security", "username", "paused")
        help_texts = {"owner": _("Who sees the mail from senders nobody in the directory has.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        adding = self.instance.pk is None
        self.fields["password"].help_text = (
            _("Stored encrypted, never shown again.") if adding else _("Leave it empty to keep the saved password.")
        )
        if adding:
            self.fields.pop("paused", None)
        guard_fields(self)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        server = {f: data[f] for f in ("name", "address", "host", "port", "security", "username", "password")}
        try:
            if self.instance.pk is None:
                self.instance = mailbox_connect(owner=data["owner"], by=self.by, shared=True, **server)
            else:
                mailbox = mailbox_update(mailbox=self.instance, by=self.by, owner=data["owner"], **server)
                if "paused" in self.changed_data:
                    pause = mailbox_pause if data["paused"] else mailbox_resume
                    mailbox = pause(mailbox=mailbox, by=self.by)
                self.instance = mailbox
        except ValidationError as refused:
            add_service_errors(self, refused)
        return data


class PersonalMailboxForm(forms.ModelForm):
    """Someone's own mailbox: its server, user and password are theirs alone; the admin only pauses or resumes it."""

    by = None

    class Meta:
        model = Mailbox
        fields = ("paused",)

    def clean(self):
        data = super().clean()
        if "paused" in self.changed_data:
            pause = mailbox_pause if data["paused"] else mailbox_resume
            self.instance = pause(mailbox=self.instance, by=self.by)
        return data


HEALTH_FIELDS = (
    "last_sync_at", "next_sync_at", "failures", "last_error", "last_error_at", "logged_count", "unreadable_count",
    "last_unreadable", "created_at",
)  # fmt: skip


@admin.register(Mailbox)
class MailboxAdmin(ModelAdmin):
    """Shared mailboxes are added and edited here; everyone's mailbox is listed with its health. A personal
    mailbox is connected by its owner on their mailbox page (messaging.mailbox.views), never here."""

    list_display = (
        "__str__", "owner", "shared", "paused", "last_sync_at", "failures", "last_error", "logged_count",
        "unreadable_count",
    )  # fmt: skip
    list_filter = ("shared", "paused")
    search_fields = ("name", "address", "owner__username")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    inlines = (MailboxFolderInline,)
    actions = ("test_connection", "pause", "resume")

    def get_form(self, request, obj=None, change=False, **kwargs):
        personal = obj is not None and not obj.shared
        kwargs["form"] = PersonalMailboxForm if personal else SharedMailboxForm
        if personal:
            kwargs["fields"] = ("paused",)
        form = super().get_form(request, obj, change=change, **kwargs)
        form.by = request.user
        return form

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (None, {"fields": ("owner", "name", "address", "host", ("port", "security"), "username", "password")}),
            )
        health = (_("Health (kept by the sync)"), {"fields": HEALTH_FIELDS})
        if not obj.shared:
            return ((None, {"fields": ("owner", "address", "shared", "paused")}), health)
        server = ("owner", "name", "address", "host", ("port", "security"), "username", "password", "paused")
        return ((None, {"fields": server}), health)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return HEALTH_FIELDS + (("owner", "address", "shared") if not obj.shared else ())

    def save_model(self, request, obj, form, change):
        pass  # the form's clean() saved it through the services

    def delete_model(self, request, obj):
        mailbox_disconnect(mailbox=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for mailbox in queryset:
            mailbox_disconnect(mailbox=mailbox, by=request.user)

    @admin.action(description=_("Test the connection of the selected shared mailboxes"), permissions=["view"])
    def test_connection(self, request, queryset):
        for mailbox in queryset:
            if not mailbox.shared:
                self.message_user(
                    request,
                    _("%(mailbox)s: a personal mailbox is tested by its owner.") % {"mailbox": mailbox},
                    messages.WARNING,
                )
                continue
            server = {f: getattr(mailbox, f) for f in ("host", "port", "security", "username")}
            try:
                tested = mailbox_test(mailbox=mailbox, **server)
            except ValidationError as refused:
                self.message_user(request, f"{mailbox}: {' '.join(refused.messages)}", messages.ERROR)
                continue
            level = messages.SUCCESS if tested.ok else messages.ERROR
            self.message_user(request, f"{mailbox}: {tested.message}", level)

    @admin.action(description=_("Pause the selected mailboxes"), permissions=["change"])
    def pause(self, request, queryset):
        for mailbox in queryset:
            mailbox_pause(mailbox=mailbox, by=request.user)
        self.message_user(request, _("Paused: their mail is not read until they are resumed."), messages.SUCCESS)

    @admin.action(description=_("Resume the selected mailboxes"), permissions=["change"])
    def resume(self, request, queryset):
        for mailbox in queryset:
            mailbox_resume(mailbox=mailbox, by=request.user)
        self.message_user(request, _("Resumed: they are read again within a minute."), messages.SUCCESS)


@admin.register(UnknownSender)
class UnknownSenderAdmin(ModelAdmin):
    """Read only: the sync writes these rows, and the mailbox's owner acts on them from the web UI (add the sender,
    dismiss), where the mail is logged through the touch service."""

    list_display = ("received_at", "email", "name", "subject", "mailbox")
    list_filter = ("mailbox",)
    search_fields = ("email", "name", "subject")
    list_select_related = ("mailbox",)
    fields = readonly_fields = (
        "mailbox", "email", "name", "subject", "received_at", "summary", "message_id", "thread_ids", "created_at",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
