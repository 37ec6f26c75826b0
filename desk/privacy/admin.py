"""A person's privacy in the admin, for managers: what we hold on them (page and JSON), their consent, erasure.

Mixed into InfluencerAdmin: the pages hang off the person's admin URL (…/influencer/<id>/privacy/) and are
linked from the object tools of their change page. Each view is thin: desk.privacy.export reads, crm.services change.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import Influencer
from crm.services.consent import influencer_opt_in, influencer_opt_out
from desk.privacy.erasure import influencer_erase
from desk.privacy.export import influencer_personal_data

CONSENT_FIELDS = ("consent", "consent_at", "consent_source")


def may_handle_privacy(user) -> bool:
    """Managers (and superusers): erasing is a deletion, and only the Manager role may delete people.

    A permission rather than a group lookup: the admin has loaded the user's permissions already, so asking
    costs no query on the person's page.
    """
    return user.is_active and user.has_perm(f"crm.delete_{Influencer._meta.model_name}")


class EraseForm(forms.Form):
    confirm_name = forms.CharField(
        label=gettext_lazy("Type the person's name to confirm"), max_length=200, strip=True, required=True
    )

    def __init__(self, *args, person: Influencer, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"]
        if typed.casefold() != self.person.name.strip().casefold():
            raise ValidationError(_("This is not the person's name as the directory has it: nothing was erased."))
        return typed


class ConsentForm(forms.Form):
    consent = forms.ChoiceField(
        label=gettext_lazy("Consent"),
        choices=[
            (Influencer.Consent.OPTED_IN, gettext_lazy("They agreed to be e-mailed (opt in)")),
            (Influencer.Consent.OPTED_OUT, gettext_lazy("They asked not to be e-mailed (opt out)")),
        ],
        widget=forms.RadioSelect,
    )
    source = forms.CharField(
        label=gettext_lazy("How do we know?"),
        max_length=200,
        help_text=gettext_lazy("A form, an e-mail, a call… with its date if you have it."),
    )
    at = forms.DateTimeField(
        label=gettext_lazy("When"), required=False, help_text=gettext_lazy("Empty: now."), localize=True
    )

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at is not None and at > timezone.now():
            raise ValidationError(_("The consent date cannot be in the future."))
        return at


class PrivacyAdminMixin:
    """URLs, object tools and read-only consent for the person's admin (InfluencerAdmin)."""

    change_form_template = "admin/crm/influencer/change_form_privacy.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path("<int:pk>/privacy/", view(self.privacy_view), name=f"{prefix}_privacy"),
            path("<int:pk>/privacy/json/", view(self.privacy_json_view), name=f"{prefix}_privacy_json"),
            path("<int:pk>/consent/", view(self.consent_view), name=f"{prefix}_consent"),
            path("<int:pk>/erase/", view(self.erase_view), name=f"{prefix}_erase"),
            *super().get_urls(),
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is None:
            return fields
        # Consent changes only through the consent page (an explicit opt-in or opt-out, with its source), so
        # that no edit of the record can quietly turn an opt-out back into a consent.
        return fields + tuple(f for f in CONSENT_FIELDS if f not in fields)

    def has_change_permission(self, request, obj=None):
        # An erased record stays for the figures only: nobody types a name or an address back into it.
        if obj is not None and obj.is_erased:
            return False
        return super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "privacy_allowed": may_handle_privacy(request.user)}
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    # --- Views ---------------------------------------------------------------------------------------------------

    def _person(self, request: HttpRequest, pk: int) -> Influencer:
        if not may_handle_privacy(request.user):
            raise PermissionDenied
        return get_object_or_404(Influencer, pk=pk)

    def _context(self, request: HttpRequest, person: Influencer, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "original": person,
            "person": person,
            **extra,
        }

    def privacy_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self._person(request, pk)
        data = influencer_personal_data(influencer=person)
        return TemplateResponse(
            request,
            "admin/crm/influencer/privacy.html",
            self._context(request, person, _("Personal data held on %(person)s") % {"person": person}, data=data),
        )

    def privacy_json_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self._person(request, pk)
        data = {
            "exported_at": timezone.now(),
            "exported_by": request.user.get_username(),
            **influencer_personal_data(influencer=person),
        }
        response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="person-{person.pk}-personal-data.json"'
        response["Cache-Control"] = "no-store"
        return response

    def consent_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self._person(request, pk)
        form = ConsentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            opting_in = form.cleaned_data["consent"] == Influencer.Consent.OPTED_IN
            record = influencer_opt_in if opting_in else influencer_opt_out
            try:
                record(influencer=person, source=form.cleaned_data["source"], at=form.cleaned_data["at"])
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                person.refresh_from_db()
                self.log_change(request, person, _("Consent: %(consent)s") % {"consent": person.get_consent_display()})
                self.message_user(
                    request,
                    _("%(person)s: %(consent)s, recorded.")
                    % {"person": person, "consent": person.get_consent_display()},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:crm_influencer_change", args=[person.pk]))
        return TemplateResponse(
            request,
            "admin/crm/influencer/privacy_consent.html",
            self._context(request, person, _("Consent of %(person)s") % {"person": person}, form=form),
        )

    def erase_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self._person(request, pk)
        form = EraseForm(request.POST or None, person=person)
        erasure = None
        if request.method == "POST" and not person.is_erased and form.is_valid():
            try:
                erasure = influencer_erase(influencer=person, by=request.user)
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                person = erasure.influencer
                # Logged after the erasure, so the admin's log names the anonymised record only.
                self.log_change(request, person, _("Erased the person's data."))
        title = _("Erase %(person)s") % {"person": person} if erasure is None else _("Erased")
        return TemplateResponse(
            request,
            "admin/crm/influencer/privacy_erase.html",
            self._context(request, person, title, form=form, erasure=erasure),
        )
