"""Mail from unknown senders, for the owners of shared mailboxes (and managers): the list, and adding the sender as
a person or as another address of someone's, or dismissing a mail. Each action is one call to
messaging.mailbox.unknown; a mail someone else may not see is a 404 to them.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors
from crm.forms import InfluencerForm
from crm.models import Influencer
from crm.selectors import matching_people
from crm.views.common import influencer_url
from messaging.mailbox import unknown
from messaging.models import UnknownSender

PER_PAGE = 50
PEOPLE_CHOICES = 50  # people offered in "add this address to …" at once; the search narrows them


def _row(request: HttpRequest, pk: int) -> UnknownSender:
    # Someone else's mailbox's mail is not theirs to know of: the same 404 as a mail that is gone.
    return get_object_or_404(unknown.unknown_senders_for(request.user).select_related("mailbox"), pk=pk)


@require_GET
def unknown_senders(request: HttpRequest) -> HttpResponse:
    """The mail from unknown senders I may act on, newest first, paged."""
    rows = (
        unknown.unknown_senders_for(request.user)
        .select_related("mailbox")
        .only("email", "name", "subject", "received_at", "mailbox__name", "mailbox__address")
    )
    # get_page: a page number that is not one, or past the end, gives the first or the last page, not an error.
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "messaging/unknown_senders.html", {"page": page})


@require_http_methods(["GET", "POST"])
@permission_required("crm.add_influencer", raise_exception=True)
def unknown_sender_person(request: HttpRequest, pk: int) -> HttpResponse:
    """'Add as a person': the person form, filled with the sender's name and address; saving logs their mail."""
    row = _row(request, pk)
    if request.method == "GET":
        form = InfluencerForm(initial={"name": row.name or row.email.split("@")[0], "email": row.email})
        form.initial["owner"] = request.user.pk
        return render(request, "messaging/unknown_sender_person.html", {"form": form, "row": row})
    form = InfluencerForm(request.POST)
    if form.is_valid():
        try:
            person, logged = unknown.unknown_sender_add_person(row=row, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        except IntegrityError:
            form.add_error(None, _("Someone saved the same person at the same moment. Check and try again."))
        else:
            messages.success(request, _logged_text(person, logged))
            return redirect(influencer_url(person.pk))
    return render(request, "messaging/unknown_sender_person.html", {"form": form, "row": row})


class AddToForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Find a person"), required=False, max_length=200)
    influencer = forms.ModelChoiceField(
        label=gettext_lazy("Person"), queryset=Influencer.objects.none(), required=False
    )

    def __init__(self, *args, user, search: str, **kwargs):
        super().__init__(*args, **kwargs)
        people = Influencer.objects.filter(pk__in=matching_people(search)) if search else user.influencers.all()
        self.fields["influencer"].queryset = people.order_by("name", "pk")
        self.fields["influencer"].choices = [
            (person.pk, f"{person.name} ({person.email})" if person.email else person.name)
            for person in self.fields["influencer"].queryset[:PEOPLE_CHOICES]
        ]

    def clean_influencer(self) -> Influencer:
        person = self.cleaned_data.get("influencer")
        if person is None:
            raise ValidationError(_("Pick the person this address belongs to."))
        return person


@require_http_methods(["GET", "POST"])
@permission_required("crm.change_influencer", raise_exception=True)
def unknown_sender_add_to(request: HttpRequest, pk: int) -> HttpResponse:
    """'Add this address to …': pick a person (my people, or those a search finds); their mail is logged."""
    row = _row(request, pk)
    search = (request.POST.get("q") or request.GET.get("q") or "").strip()[:200]
    if request.method == "GET":
        form = AddToForm(user=request.user, search=search, initial={"q": search})
        return render(request, "messaging/unknown_sender_add_to.html", {"form": form, "row": row})
    form = AddToForm(request.POST, user=request.user, search=search)
    if form.is_valid():
        person = form.cleaned_data["influencer"]
        try:
            logged = unknown.unknown_sender_add_to(row=row, influencer=person, by=request.user)
        except ValidationError as refusal:
            form.add_error("influencer", refusal.messages)
        except IntegrityError:
            form.add_error(None, _("Someone added this address at the same moment. Check and try again."))
        else:
            messages.success(request, _logged_text(person, logged))
            return redirect("unknown_senders")
    return render(request, "messaging/unknown_sender_add_to.html", {"form": form, "row": row})


@require_POST
# Whoever may log contacts sorts their own shared mailbox's mail; the model's own permissions are the managers'
# (core.roles: strangers' mail is not every marketer's to browse in the admin).
@permission_required("crm.add_contact", raise_exception=True)
def unknown_sender_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    row = _row(request, pk)
    unknown.unknown_sender_dismiss(row=row, by=request.user)
    messages.success(request, _("The mail from %(email)s was dismissed.") % {"email": row.email})
    return redirect("unknown_senders")


def _logged_text(person: Influencer, logged: int) -> str:
    return ngettext("%(count)d mail logged with %(person)s.", "%(count)d mails logged with %(person)s.", logged) % {
        "count": logged,
        "person": person,
    }
