from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin.paging import BigTableAdmin
from core.admin.rows import ModelAdmin
from core.forms import GuardedModelForm
from messaging.models import Message, MessageTemplate, Profile, UnknownSender
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
