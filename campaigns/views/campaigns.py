"""The campaign list and the brief: create, edit, and the live "brief complete" checklist."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.forms import CampaignFilterForm, CampaignForm
from campaigns.models import Campaign, Relationship, Stage

# Campaign.brief_missing() decides what is missing; these are the items the checklist lists, in order.
BRIEF_FIELDS = ["objective", "ask", "deliverables", "offer", "starts_on", "ends_on"]
PAGE_SIZE = 25


def _posted(request: HttpRequest):
    """The form data of a POST, even an empty one (a form with no field is bound by an empty POST too)."""
    return request.POST if request.method == "POST" else None


def brief_checklist(campaign: Campaign) -> dict:
    """Every item of the brief with whether it is filled, for the checklist next to the form."""
    missing = campaign.brief_missing()
    fields = BRIEF_FIELDS + (["disclosure"] if campaign.sponsored else [])
    items = []
    for name in fields:
        label = str(Campaign._meta.get_field(name).verbose_name)
        items.append({"name": name, "label": label, "done": label not in missing})
    return {"items": items, "complete": not missing, "missing": len(missing)}


@require_GET
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    filters = CampaignFilterForm(request.GET or None)
    campaigns = Campaign.objects.select_related("brand")
    if filters.is_valid():
        if filters.cleaned_data["brand"]:
            campaigns = campaigns.filter(brand=filters.cleaned_data["brand"])
        if filters.cleaned_data["status"]:
            campaigns = campaigns.filter(status=filters.cleaned_data["status"])
    page = Paginator(campaigns.order_by("-starts_on", "name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    # Counted for the page's campaigns only, in one grouped query: counting per stage in the page's own query
    # made the database count every campaign's relationships before the LIMIT (1.8 s for 500 campaigns).
    counts: dict[tuple[int, str], int] = {
        (row["campaign_id"], row["stage"]): row["n"]
        for row in Relationship.objects.filter(campaign_id__in=[campaign.pk for campaign in page])
        .order_by()
        .values("campaign_id", "stage")
        .annotate(n=Count("pk"))
    }
    for campaign in page:
        campaign.stage_counts = [(stage, counts.get((campaign.pk, stage.value), 0)) for stage in Stage]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "campaigns/campaign_list.html",
        {"filters": filters, "page": page, "stages": Stage, "query": query.urlencode()},
    )


@require_http_methods(["GET", "POST"])
@permission_required("campaigns.add_campaign", raise_exception=True)
def campaign_add(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(_posted(request), instance=Campaign(owner=request.user))
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        messages.success(request, _("%(campaign)s is saved.") % {"campaign": campaign})
        return redirect("campaigns:campaign_board", pk=campaign.pk)
    return _form_page(request, form, campaign=None)


@require_http_methods(["GET", "POST"])
@permission_required("campaigns.change_campaign", raise_exception=True)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    form = CampaignForm(_posted(request), instance=campaign)
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        messages.success(request, _("The brief of %(campaign)s is saved.") % {"campaign": campaign})
        return redirect("campaigns:campaign_board", pk=campaign.pk)
    return _form_page(request, form, campaign=campaign)


def _form_page(request: HttpRequest, form: CampaignForm, *, campaign: Campaign | None) -> HttpResponse:
    # The checklist reads the instance as the form left it: on a failed POST, what was typed.
    return render(
        request,
        "campaigns/campaign_form.html",
        {"form": form, "campaign": campaign, "checklist": brief_checklist(form.instance)},
    )


@require_POST
@permission_required("campaigns.change_campaign", raise_exception=True)
def campaign_brief_check(request: HttpRequest) -> HttpResponse:
    """The checklist for what is typed in the form so far (htmx, as the fields are filled); saves nothing."""
    form = CampaignForm(request.POST)
    form.is_valid()  # fills form.instance with the fields that are valid; an invalid one counts as missing
    return render(request, "campaigns/_brief_checklist_items.html", {"checklist": brief_checklist(form.instance)})
