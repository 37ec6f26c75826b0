"""The posts read from a person's feeds that mention a campaign they are on: the dialog that lists them on the
board (and the same page without JavaScript), where the owner confirms a proposed post as the content received
or dismisses it. Each answer calls one service (campaigns.services.content)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import trigger_client_event

from campaigns.models import ContentMatch, Relationship
from campaigns.selectors import content_matches
from campaigns.services import content_confirm, content_dismiss
from campaigns.views.moves import change_relationship
from core.views import safe_next


@require_http_methods(["GET", "POST"])
@change_relationship
def content_review(request: HttpRequest, pk: int) -> HttpResponse:
    relationship = get_object_or_404(Relationship.objects.select_related("influencer", "campaign__brand"), pk=pk)
    board = reverse("campaigns:campaign_board", args=[relationship.campaign_id])
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"), board)
    error = ""
    if request.method == "POST":
        confirm, dismiss = request.POST.get("confirm", ""), request.POST.get("dismiss", "")
        if not (confirm or dismiss).isdigit():
            error = _("Choose a post: record it, or say it is not about this campaign.")
        else:
            error = _decide(request, relationship, confirm, dismiss)
        if not error:
            if request.htmx:
                return trigger_client_event(
                    HttpResponse(status=204),
                    "relationshipMoved",
                    {"relationship": relationship.pk, "stage": relationship.stage},
                )
            return redirect(next_url)
    context = {
        "relationship": relationship,
        "campaign": relationship.campaign,
        "influencer": relationship.influencer,
        "matches": content_matches(relationship=relationship),
        "error": error,
        "next": next_url,
    }
    return render(request, "campaigns/move/content.html", context)


def _decide(request: HttpRequest, relationship: Relationship, confirm: str, dismiss: str) -> str:
    """Confirm or dismiss one of the relationship's posts; the refusal's words, or "" once done."""
    content = get_object_or_404(ContentMatch, pk=int(confirm or dismiss), relationship=relationship)
    names = {"person": relationship.influencer.name, "campaign": relationship.campaign.name}
    try:
        if confirm:
            content_confirm(content=content, by=request.user)
            done = _("The post is recorded as received from %(person)s on %(campaign)s.")
        else:
            content_dismiss(content=content, by=request.user)
            done = _("The post is dismissed: it is not %(campaign)s's content.")
    except ValidationError as refused:
        return " ".join(refused.messages)
    messages.success(request, done % names)
    return ""
