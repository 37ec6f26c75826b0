"""Recording what was given and got (the ledger), and a channel's audience on a day."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from core.views import safe_next
from crm.forms import AudienceSnapshotForm, ExchangeForm
from crm.models import Channel, Exchange, Influencer
from crm.services import audience_snapshot_record, exchange_record
from crm.views.common import influencer_url


@require_http_methods(["GET", "POST"])
@permission_required("crm.add_exchange", raise_exception=True)
def exchange_new(request: HttpRequest, pk: int) -> HttpResponse:
    """?relationship=<id> (from the board's deliver dialog) preselects that campaign and a "got" entry, and
    ?next= returns there once it is recorded."""
    influencer = get_object_or_404(Influencer, pk=pk)
    # The form posts back to this same URL, query string included.
    next_url = safe_next(request, request.GET.get("next"), influencer_url(influencer.pk))
    initial = {}
    relationship = influencer.relationships.filter(pk=_int_or_none(request.GET.get("relationship"))).first()
    if relationship is not None:
        initial = {"relationship": relationship.pk, "direction": Exchange.Direction.GET}
    form = ExchangeForm(request.POST or None, influencer=influencer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            exchange = exchange_record(influencer=influencer, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        else:
            messages.success(
                request,
                _("Recorded: %(what)s, %(direction)s.")
                % {"what": exchange.get_kind_display(), "direction": exchange.get_direction_display()},
            )
            return redirect(next_url)
    return render(request, "crm/exchanges/form.html", {"form": form, "influencer": influencer, "next_url": next_url})


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
@permission_required("crm.add_audiencesnapshot", raise_exception=True)
def snapshot_new(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("influencer"), pk=pk)
    form = AudienceSnapshotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audience_snapshot_record(channel=channel, **form.cleaned_data)
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        else:
            messages.success(request, _("Audience of %(channel)s recorded.") % {"channel": channel})
            return redirect(influencer_url(channel.influencer_id))
    return render(request, "crm/exchanges/snapshot_form.html", {"form": form, "channel": channel})
