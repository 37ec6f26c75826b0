"""The addresses mail no longer reaches, across the directory: managers read them here and say one works again."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin.rows import ModelAdmin
from crm.models import BouncingAddress, Influencer, InfluencerAddress
from crm.services.addresses import bounces_clear


@admin.register(BouncingAddress)
class BouncingAddressAdmin(ModelAdmin):
    """Read only: the mailbox records a bounce from a delivery report; "It works again" clears it through the same
    service as the person's page."""

    list_display = ("email", "person", "status", "diagnostic", "since")
    search_fields = ("email",)
    fields = readonly_fields = ("email", "status", "diagnostic", "since")
    actions = ["works_again"]

    def get_queryset(self, request):
        primary = Influencer.objects.filter(email_key=OuterRef("email_key")).values("name")[:1]
        other = InfluencerAddress.objects.filter(email_key=OuterRef("email_key")).values("influencer__name")[:1]
        return super().get_queryset(request).annotate(person_name=Coalesce(Subquery(primary), Subquery(other)))

    @admin.display(description=_("person"), ordering="person_name")
    def person(self, obj: BouncingAddress) -> str:
        return obj.person_name or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        # Django offers an action only with some right on the rows; a manager's is "view".
        actions = super().get_actions(request)
        if not self.has_view_permission(request):
            actions.pop("works_again", None)
        return actions

    @admin.action(description=_("It works again: send mail to these addresses again"))
    def works_again(self, request, queryset):
        try:
            cleared = bounces_clear(bouncing=list(queryset), by=request.user)
        except (PermissionDenied, ValidationError) as refused:
            self.message_user(request, " ".join(getattr(refused, "messages", [str(refused)])), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(n)d address works again.", "%(n)d addresses work again.", cleared) % {"n": cleared},
            messages.SUCCESS,
        )
