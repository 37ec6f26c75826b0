"""A campaign's pipeline board, and shortlisting people onto it."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from campaigns.forms import BoardFilterForm, InfluencerSearchForm, ShortlistForm
from campaigns.models import Campaign, GuardrailEvent, Outcome, Relationship, Stage
from campaigns.selectors import pipeline, pipeline_after
from campaigns.services import PitchChecks, pitch_checks_for, relationship_shortlist
from core.links import PkUrl
from core.rules import team_rules
from crm.models import Influencer, Tier

SEARCH_LIMIT = 10
# Cards per column on the board and per "Show more": a column of 5,000 rendered whole took many seconds. A card's
# text is made ready in _cards rather than worked out by the template, five times cheaper; rendering is still the
# largest share of the board's time after its SQL (docs/PERFORMANCE.md, "Figures behind the code").
COLUMN_CARDS = 25

# The move each open stage leads to: its dialog (URL name) and its button. Closing is offered on every open card
# besides. The services decide whether a move is allowed; this only chooses which button to show.
NEXT_MOVE = {
    Stage.SHORTLISTED: ("campaigns:relationship_pitch", gettext_lazy("Pitch…")),
    Stage.PITCHED: ("campaigns:relationship_accept", gettext_lazy("They said yes…")),
    Stage.ACTIVE: ("campaigns:relationship_deliver", gettext_lazy("Mark delivered…")),
}


def _column(stage: str, *, brief_missing: bool = False, campaign_id: int | None = None) -> dict:
    """What every card of a column shares, worked out once for the column rather than on each card. While the
    brief is incomplete a pitch would be refused (B4): the shortlisted cards lead to the brief instead."""
    move = NEXT_MOVE.get(stage)
    brief_url = ""
    if stage == Stage.SHORTLISTED and brief_missing:
        brief_url = reverse("campaigns:campaign_edit", args=[campaign_id])
    return {
        "stage": Stage(stage),
        "is_open": stage != Stage.CLOSED,
        "move": str(move[1]) if move else "",
        "brief_url": brief_url,
        # Where a dragged card may be dropped (static/js/board.js): its next move's column; anywhere else, this.
        "next_stage": _next_stage(stage) if move and not brief_url else "",
        "drop_hint": _drop_hint(stage, brief_missing=bool(brief_url)),
    }


def _next_stage(stage: str) -> str:
    stages = Stage.values
    return stages[stages.index(stage) + 1]


def _drop_hint(stage: str, *, brief_missing: bool) -> str:
    """What a card dropped on a column it cannot go to says: the moves it can make (the live region reads it)."""
    if stage == Stage.CLOSED:
        return ""
    if brief_missing:
        return _("The brief is incomplete: nobody can be pitched yet.")
    names = {"stage": capfirst(Stage(stage).label), "closed": capfirst(Stage.CLOSED.label)}
    if stage in NEXT_MOVE:
        names["next"] = capfirst(Stage(_next_stage(stage)).label)
        return _("A card in “%(stage)s” can only go to “%(next)s” or to “%(closed)s”.") % names
    return _("A card in “%(stage)s” can only go to “%(closed)s”.") % names


@dataclass(frozen=True)
class CardFlag:
    label: str  # short, on the card
    detail: str = ""  # longer, for the title/tooltip and screen readers
    blocking: bool = False  # cannot be overridden: the brief, an opt-out


def _card_flags(checks: PitchChecks) -> list[CardFlag]:
    """A shortlisted card's pitch checks in a card's words; which ones apply is campaigns.services' to say."""
    flags: list[CardFlag] = []
    if checks.brief_missing:
        flags.append(CardFlag(_("brief incomplete"), _("Missing: %s") % ", ".join(checks.brief_missing), blocking=True))
    if checks.opted_out:
        flags.append(CardFlag(_("opted out"), _("They opted out of contact: they cannot be pitched."), True))
    if checks.off_topic:
        flags.append(CardFlag(_("off-topic"), _("No topic in common with the campaign: a pitch needs a reason.")))
    days = team_rules().guardrail_window_days
    for rule in checks.flag_rules:
        if rule == GuardrailEvent.Rule.CONSISTENCY:
            count = len(checks.unrelated)
            detail = ngettext(
                "Pitched on %(count)d unrelated campaign in the last %(days)d days.",
                "Pitched on %(count)d unrelated campaigns in the last %(days)d days.",
                count,
            ) % {"count": count, "days": days}
            flags.append(CardFlag(_("pitched on unrelated topics"), detail))
        elif rule == GuardrailEvent.Rule.FREQUENCY:
            flags.append(
                CardFlag(
                    _("pitched %(count)d times lately") % {"count": checks.earlier_pitches},
                    _("Across all campaigns and brands in the last %(days)d days; the limit is %(limit)d.")
                    % {"days": days, "limit": team_rules().guardrail_max_pitches},
                )
            )
    return flags


def _flags(campaign: Campaign, stage: str, relationships: list[Relationship]) -> dict[int, list[CardFlag]]:
    """The cards' flags, by relationship id: only a shortlisted card has a pitch ahead of it."""
    if stage != Stage.SHORTLISTED:
        return {}
    checks = pitch_checks_for(relationships=relationships, campaign=campaign)
    return {pk: _card_flags(each) for pk, each in checks.items()}


def _cards(stage: str, relationships: list[Relationship], flags: dict) -> list[dict]:
    """Each card's text and links, ready to print: the template only places them (campaigns/_cards.html)."""
    # Links reversed once per pattern rather than by {% url %} on every card (see core.links).
    move = NEXT_MOVE.get(stage)
    move_url = PkUrl(move[0]) if move else None
    person_url, close_url = PkUrl("crm:influencer_detail"), PkUrl("campaigns:relationship_close")
    content_url = PkUrl("campaigns:content_review")
    follow_up_url, contact_url = PkUrl("follow_up_new"), reverse("crm:contact_log")
    # Labels translated once per column, not once per card (get_FOO_display translates every choice it holds).
    tiers = {tier.value: str(tier.label) for tier in Tier}
    outcomes = {outcome.value: str(outcome.label) for outcome in Outcome}
    cards = []
    for relationship in relationships:
        person, owner, pk = relationship.influencer, relationship.owner, relationship.pk
        cards.append(
            {
                "relationship": relationship,
                "id": f"card-{pk}",
                "name": person.name,
                "tier": tiers[person.tier],
                "place": person.region or person.city,
                "owner": (owner.get_full_name() or owner.username) if owner else "",
                "outcome": outcomes.get(relationship.outcome, ""),
                "thank_you": relationship.thank_you,
                "thank_you_skip_reason": relationship.thank_you_skip_reason,
                "due": relationship.next_contact_due,
                "is_overdue": relationship.is_overdue,
                "flags": flags.get(pk, []),
                "disclosure_missing": relationship.disclosure_missing,
                "content_proposed": relationship.content_proposed,
                "content_url": content_url(pk),
                "person_url": person_url(person.pk),
                "move_url": move_url(pk) if move_url else "",
                "close_url": close_url(pk),
                "follow_up_url": f"{follow_up_url(person.pk)}?relationship={pk}",
                "contact_url": f"{contact_url}?influencer={person.pk}&relationship={pk}",
            }
        )
    return cards


def _more_url(campaign: Campaign, stage: str, last: Relationship, filters: BoardFilterForm) -> str:
    query = filters.query()
    return f"{reverse('campaigns:board_more', args=[campaign.pk])}?stage={stage}&after={last.pk}" + (
        f"&{query}" if query else ""
    )


def _board_context(campaign: Campaign, filters: BoardFilterForm, *, shown_stage: str = "") -> dict:
    """`shown_stage`: the column a phone shows (one at a time, the others behind their tabs); by default the first
    that has anyone in it. `filters` narrow every column, its count and its "Show more"."""
    board = pipeline(campaign=campaign, per_stage=COLUMN_CARDS, filters=filters.filters())
    topics = list(campaign.topics.all())  # prefetched: the page and the flags share them
    flags = _flags(campaign, Stage.SHORTLISTED, board[Stage.SHORTLISTED])
    brief_missing = campaign.brief_missing()
    columns = []
    for stage in Stage:
        shown = board[stage]
        total = shown[0].stage_total if shown else 0
        columns.append(
            {
                **_column(stage, brief_missing=bool(brief_missing), campaign_id=campaign.pk),
                "cards": _cards(stage, shown, flags),
                "total": total,
                "more_url": _more_url(campaign, stage, shown[-1], filters) if total > len(shown) else "",
                "more": total - len(shown),
            }
        )
    if shown_stage not in Stage.values:
        shown_stage = next((c["stage"].value for c in columns if c["total"]), Stage.SHORTLISTED.value)
    return {
        "campaign": campaign,
        "columns": columns,
        "shown_stage": shown_stage,
        "brief_missing": brief_missing,
        "topics": topics,
        "filters": filters,
        # The board's own reloads (after a move, a logged contact) and its stage tabs keep the filters through it.
        "filter_query": filters.query(),
    }


@require_GET
@permission_required(["campaigns.view_campaign", "campaigns.view_relationship"], raise_exception=True)
def campaign_board(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("brand").prefetch_related("topics"), pk=pk)
    filters = BoardFilterForm(request.GET or None, campaign=campaign, user=request.user)
    context = _board_context(campaign, filters, shown_stage=request.GET.get("stage", ""))
    if request.htmx and request.htmx.target == "board":
        # A refresh after a move, a shortlisting or a logged contact: the columns only.
        return render(request, "campaigns/_board.html", context)
    search = _search_form(campaign, request.GET or None)
    context.update(
        search=search,
        # Without JavaScript the search form reloads the board with ?q=: the results are rendered here then.
        results=_search(campaign, search) if request.GET.get("q") else None,
    )
    return render(request, "campaigns/campaign_board.html", context)


@require_GET
@permission_required(["campaigns.view_campaign", "campaigns.view_relationship"], raise_exception=True)
def board_more(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Show more" at the bottom of a long column: the cards of `?stage=` after `?after=<relationship id>` (htmx)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    stage = request.GET.get("stage", "")
    try:
        after = int(request.GET.get("after", ""))
    except ValueError:
        after = None
    if stage not in Stage.values or after is None or not -(2**63) <= after < 2**63:
        return HttpResponseBadRequest(_("Which column, and which card the next ones follow, is missing."))
    # One more than shown: whether another "Show more" is needed, without counting the column again.
    filters = BoardFilterForm(request.GET, campaign=campaign, user=request.user)
    following = pipeline_after(
        campaign=campaign, stage=stage, after=after, limit=COLUMN_CARDS + 1, filters=filters.filters()
    )
    shown = following[:COLUMN_CARDS]
    flags = _flags(campaign, stage, shown)
    return render(
        request,
        "campaigns/_board_more.html",
        {
            "campaign": campaign,
            "column": _column(stage, brief_missing=bool(campaign.brief_missing()), campaign_id=campaign.pk),
            "cards": _cards(stage, shown, flags),
            "more_url": _more_url(campaign, stage, shown[-1], filters) if len(following) > COLUMN_CARDS else "",
        },
    )


def _search_form(campaign: Campaign, data=None) -> InfluencerSearchForm:
    return InfluencerSearchForm(data, search_url=reverse("campaigns:influencer_search", args=[campaign.pk]))


def _search(campaign: Campaign, search: InfluencerSearchForm):
    if not search.is_valid() or not search.cleaned_data["q"].strip():
        return None
    q = search.cleaned_data["q"].strip()
    matches = (
        Influencer.objects.filter(
            Q(name__icontains=q)
            | Q(email__icontains=q)
            | Q(city__icontains=q)
            | Q(region__icontains=q)
            | Q(channels__handle__icontains=q)
        )
        .exclude(Exists(Relationship.objects.filter(campaign_id=campaign.pk, influencer_id=OuterRef("pk"))))
        .annotate(
            on_topic=Exists(
                Influencer.topics.through.objects.filter(influencer_id=OuterRef("pk"), topic__campaigns=campaign.pk)
            )
        )
        .distinct()
        .order_by("name", "pk")
    )
    return list(matches[:SEARCH_LIMIT])


@require_GET
@permission_required("campaigns.add_relationship", raise_exception=True)
def influencer_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Search-as-you-type under the "Shortlist someone" field: people not on the campaign yet."""
    campaign = get_object_or_404(Campaign, pk=pk)
    search = _search_form(campaign, request.GET)
    return render(
        request,
        "campaigns/_search_results.html",
        {"campaign": campaign, "results": _search(campaign, search), "search": search},
    )


@require_http_methods(["POST"])
@permission_required("campaigns.add_relationship", raise_exception=True)
def shortlist(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    form = ShortlistForm(request.POST)
    error = ""
    if form.is_valid():
        influencer = form.cleaned_data["influencer"]
        try:
            relationship_shortlist(influencer=influencer, campaign=campaign, by=request.user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            done = _("%(person)s is shortlisted on %(campaign)s.") % {"person": influencer, "campaign": campaign}
            if request.htmx:
                response = render(
                    request,
                    "campaigns/_shortlist.html",
                    {"campaign": campaign, "search": _search_form(campaign), "done": done},
                )
                return trigger_client_event(response, "relationshipShortlisted", {"influencer": influencer.pk})
            messages.success(request, done)
            return redirect("campaigns:campaign_board", pk=campaign.pk)
    else:
        error = " ".join(message for errors in form.errors.values() for message in errors)
    if request.htmx:
        return render(
            request,
            "campaigns/_shortlist.html",
            {"campaign": campaign, "search": _search_form(campaign), "error": error},
        )
    messages.error(request, error)
    return redirect("campaigns:campaign_board", pk=campaign.pk)
