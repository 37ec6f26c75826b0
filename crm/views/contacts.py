"""The contact log: a small form that any page opens in a modal (htmx), or as a page of its own without JS."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import trigger_client_event

from campaigns.models import OPEN_STAGES, Relationship
from core.forms import add_service_errors
from core.views import id_or_404, safe_next
from crm.forms import ContactLogForm
from crm.models import Influencer
from crm.services import contact_log as log_contact
from crm.views.common import influencer_url

# The event pages listen to (hx-trigger="contactLogged from:body") to refresh their due dates.
CONTACT_LOGGED = "contactLogged"


@require_http_methods(["GET", "POST"])
@permission_required("crm.add_contact", raise_exception=True)
def contact_log(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    influencer = get_object_or_404(Influencer, pk=id_or_404(data.get("influencer")))
    relationship_id = data.get("relationship") or None
    if relationship_id is not None:
        # An id that exists nowhere is a missing page; one that belongs to someone else is a form error.
        get_object_or_404(Relationship, pk=id_or_404(relationship_id))
    next_url = safe_next(request, data.get("next"), influencer_url(influencer.pk))

    if request.method == "GET":
        if "relationship" not in data:
            relationship_id = _only_open_relationship(influencer)
        form = ContactLogForm(influencer=influencer, initial=_initial(influencer, relationship_id, next_url))
        return _render(request, form, influencer, next_url=next_url)

    form = ContactLogForm(request.POST, influencer=influencer)
    if not form.is_valid():
        return _render(request, form, influencer, next_url=next_url)
    cleaned = form.cleaned_data
    try:
        contact, created = log_contact(
            influencer=influencer,
            by=request.user,
            kind=cleaned["kind"],
            direction=cleaned["direction"],
            summary=cleaned["summary"],
            occurred_at=cleaned["occurred_at"],
            relationship=cleaned["relationship"],
        )
    except ValidationError as refusal:
        add_service_errors(form, refusal)
        return _render(request, form, influencer, next_url=next_url)

    if created:
        done = _("Contact with %(name)s logged.") % {"name": influencer}
    else:
        done = _("This contact with %(name)s was already logged; it was not added twice.") % {"name": influencer}
    if not request.htmx:
        messages.success(request, done)
        return redirect(next_url)
    fresh = ContactLogForm(influencer=influencer, initial=_initial(influencer, cleaned["relationship"], next_url))
    response = _render(request, fresh, influencer, next_url=next_url, done=done, contact=contact)
    return trigger_client_event(response, CONTACT_LOGGED, {"influencer": influencer.pk})


def _only_open_relationship(influencer: Influencer) -> int | None:
    """The id of the person's open relationship when they have exactly one: the contact is most likely about it."""
    open_ids = list(
        Relationship.objects.filter(influencer=influencer, stage__in=OPEN_STAGES).values_list("pk", flat=True)[:2]
    )
    return open_ids[0] if len(open_ids) == 1 else None


def _initial(influencer: Influencer, relationship, next_url: str) -> dict:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {
        "influencer": influencer.pk,
        "relationship": getattr(relationship, "pk", relationship),
        "occurred_at": now,
        "next": next_url,
    }


def _render(request: HttpRequest, form: ContactLogForm, influencer: Influencer, **extra) -> HttpResponse:
    context = {"form": form, "influencer": influencer, "in_modal": bool(request.htmx), **extra}
    template = "crm/contacts/_log_form.html" if request.htmx else "crm/contacts/log.html"
    return render(request, template, context)
