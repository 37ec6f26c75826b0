"""The directory: the list with its search and filters, a person's page, adding and editing a person."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DateField, F, Func, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce, Least, Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.models import OPEN_STAGES, STAGES_WITH_A_CLOCK, Relationship
from campaigns.selectors import campaigns_that_fit
from core.forms import add_service_errors
from core.keyset import keyset_page
from core.views import id_or_404
from crm.forms import ChannelFormHelper, InfluencerFilterForm, InfluencerForm, channel_formset_class
from crm.models import BouncingAddress, Channel, Influencer
from crm.selectors import influencer_profile
from crm.services import address_bounce_clear, influencer_create, influencer_update
from crm.services.addresses import may_clear_bounce
from crm.services.feeds import channel_feed_edit
from crm.tasks import find_feed
from crm.views.common import influencer_url
from desk import timeline

TIMELINE_PAGE = 20
TIMELINE_MAX = 500
LEDGER_ROWS = 10
LATEST_POSTS = 5
FITTING_CAMPAIGNS = 8
CHANNELS_PREFIX = "channels"


@require_GET
@permission_required("crm.view_influencer", raise_exception=True)
def influencer_list(request: HttpRequest) -> HttpResponse:
    filters = InfluencerFilterForm(request.GET or None)
    today = timezone.localdate()
    people = (
        _with_next_due(Influencer.objects.all())
        .select_related("owner")
        .prefetch_related("topics", Prefetch("channels", queryset=Channel.objects.order_by("platform", "handle")))
        .annotate(name_lower=Lower("name"))
    )
    if filters.is_bound:
        people = filters.filter(people, today=today)
    # Pages follow the sort's key (cursor pagination): the 4,000th page costs what the first does.
    page = keyset_page(
        people,
        filters.ordering if filters.is_bound else ["name_lower", "pk"],
        size=filters.page_size if filters.is_bound else 25,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        nullable=frozenset({"last_contact_at", "next_due"}),
    )
    return render(request, "crm/influencers/list.html", {"filters": filters, "page": page, "today": today})


def _with_next_due(people):
    """Annotate `next_due`: the soonest of the person's own clock and their open relationships' clocks.

    Stand-in for a selector (crm.selectors could offer it): a person is due when any clock that concerns them is.
    """
    soonest_relationship = Subquery(
        Relationship.objects.filter(
            influencer_id=OuterRef("pk"), stage__in=STAGES_WITH_A_CLOCK, next_contact_due__isnull=False
        )
        .order_by("next_contact_due")
        .values("next_contact_due")[:1]
    )
    return people.annotate(next_due=Soonest(F("next_contact_due"), soonest_relationship))


class Soonest(Func):
    """The earlier of two dates, either of which may be NULL (then the other one).

    PostgreSQL's LEAST ignores NULLs: the relationships' subquery is written (and run) once per row. SQLite's
    MIN(a, b) is NULL when either is: there, each side is coalesced with the other.
    """

    function = "LEAST"
    arity = 2
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra_context):
        own, other = self.get_source_expressions()
        return compiler.compile(Least(Coalesce(own, other), Coalesce(other, own)))


@require_GET
@permission_required("crm.view_influencer", raise_exception=True)
def influencer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        shown = min(max(int(request.GET.get("timeline", TIMELINE_PAGE)), TIMELINE_PAGE), TIMELINE_MAX)
    except ValueError:
        shown = TIMELINE_PAGE
    try:
        # The timeline's posts come with the person (shown + 1 of them: whether older ones exist), and the page's
        # latest posts are the first of those.
        influencer = influencer_profile(pk=pk, posts=shown + 1)
    except Influencer.DoesNotExist:
        raise Http404 from None
    today = timezone.localdate()
    channels = influencer.channel_list
    audience_series = {
        str(channel.pk): {
            "labels": [s.taken_on.isoformat() for s in channel.series],
            "values": [s.followers for s in channel.series],
        }
        for channel in channels
    }
    # Every relationship of the person, read once: the open ones are listed, and the timeline's and the ledger's
    # rows take theirs from here instead of joining them in each of their queries (desk.timeline).
    relationships = timeline.relationships_of(influencer)
    # The ledger's latest rows are the newest exchanges, which the timeline reads anyway (shown + 1 ≥ LEDGER_ROWS).
    recent_exchanges = timeline.exchanges(influencer, shown + 1, relationships)
    read = {
        timeline.exchanges: timeline.already_read(recent_exchanges),
        timeline.posts: timeline.already_read(timeline.post_entries(influencer.latest_posts)),
    }
    sources = [read.get(source, source) for source in timeline.SOURCES]
    entries = timeline.influencer_timeline(
        influencer=influencer, limit=shown, sources=sources, relationships=relationships
    )
    open_relationships = _open_soonest_due_first(relationships.values(), today)
    next_due, next_due_on = _next_contact_due(influencer, open_relationships)
    measured = [channel for channel in channels if channel.followers is not None]
    largest = max(measured, key=lambda channel: channel.followers, default=None)
    fitting = campaigns_that_fit(influencer=influencer)[:FITTING_CAMPAIGNS]
    return render(
        request,
        "crm/influencers/detail.html",
        {
            "influencer": influencer,
            "channels": channels,
            "audience_series": audience_series,
            "timeline": entries,
            "timeline_more": min(shown + TIMELINE_PAGE, TIMELINE_MAX),
            "given": influencer.given,
            "got": influencer.got,
            "ledger": [entry.obj for entry in recent_exchanges[:LEDGER_ROWS]],
            "latest_posts": influencer.latest_posts[:LATEST_POSTS],
            "broken_feeds": influencer.broken_feeds,
            "relationships": open_relationships,
            "fitting": fitting,
            "today": today,
            "largest_channel": largest,
            "next_due": next_due,
            "next_due_on": next_due_on,
            "is_overdue": bool(next_due and next_due < today),
            "may_clear_bounces": bool(influencer.bounces) and may_clear_bounce(influencer=influencer, by=request.user),
        },
    )


@require_POST
@permission_required("crm.change_influencer", raise_exception=True)
def bounce_clear(request: HttpRequest, pk: int) -> HttpResponse:
    """'It works again': mail goes to the address again (the form names the bounce)."""
    influencer = get_object_or_404(Influencer, pk=pk)
    bouncing = get_object_or_404(BouncingAddress, pk=id_or_404(request.POST.get("bounce")))
    try:
        address_bounce_clear(influencer=influencer, bouncing=bouncing, by=request.user)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, _("Mail goes to %(email)s again.") % {"email": bouncing.email})
    return redirect(influencer_url(influencer.pk))


def _next_contact_due(influencer: Influencer, open_relationships: list[Relationship]) -> tuple[date | None, str]:
    """The soonest of the person's own clock and their open relationships' (as Today reads them), and the campaign
    it is through ("" for their own)."""
    dues = [(r.next_contact_due, str(r.campaign)) for r in open_relationships if r.next_contact_due]
    if influencer.next_contact_due:
        dues.append((influencer.next_contact_due, ""))
    return min(dues, key=lambda due: due[0]) if dues else (None, "")


def _open_soonest_due_first(relationships, today: date) -> list[Relationship]:
    """The open ones, soonest due first (those without a due day last), each with `is_overdue`."""
    found = [relationship for relationship in relationships if relationship.stage in OPEN_STAGES]
    for relationship in found:
        due = relationship.next_contact_due
        relationship.is_overdue = due is not None and due < today
    return sorted(found, key=lambda r: (r.next_contact_due is None, r.next_contact_due or today, r.pk))


@require_http_methods(["GET", "POST"])
@permission_required("crm.add_influencer", raise_exception=True)
def influencer_add(request: HttpRequest) -> HttpResponse:
    ChannelFormSet = channel_formset_class(extra=2)
    if request.method == "GET":
        form = InfluencerForm(initial={"owner": request.user.pk})
        channels = ChannelFormSet(instance=Influencer(), prefix=CHANNELS_PREFIX)
        return _render_form(request, form, channels, influencer=None)

    form = InfluencerForm(request.POST)
    channels = ChannelFormSet(request.POST, instance=Influencer(), prefix=CHANNELS_PREFIX)
    if form.is_valid() and channels.is_valid():
        fields = dict(form.cleaned_data)
        try:
            with transaction.atomic():
                influencer = influencer_create(by=request.user, **fields)
                channels.instance = influencer
                _channels_save(channels)
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        except IntegrityError:
            form.add_error(None, _("Someone saved the same person or channel at the same moment. Check and try again."))
        else:
            messages.success(request, _("%(name)s was added to the directory.") % {"name": influencer})
            return redirect(influencer_url(influencer.pk))
    return _render_form(request, form, channels, influencer=None)


@require_http_methods(["GET", "POST"])
@permission_required("crm.change_influencer", raise_exception=True)
def influencer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    influencer = get_object_or_404(Influencer, pk=pk)
    ChannelFormSet = channel_formset_class(extra=1)
    if request.method == "GET":
        form = InfluencerForm(instance=influencer)
        channels = ChannelFormSet(instance=influencer, prefix=CHANNELS_PREFIX, queryset=_channels_with_feeds())
        return _render_form(request, form, channels, influencer=influencer)

    form = InfluencerForm(request.POST, instance=influencer)
    channels = ChannelFormSet(
        request.POST, instance=influencer, prefix=CHANNELS_PREFIX, queryset=_channels_with_feeds()
    )
    if form.is_valid() and channels.is_valid():
        try:
            with transaction.atomic():
                influencer_update(influencer=influencer, by=request.user, **form.cleaned_data)
                _channels_save(channels)
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        except IntegrityError:
            form.add_error(None, _("Someone saved the same person or channel at the same moment. Check and try again."))
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": influencer})
            return redirect(influencer_url(influencer.pk))
    return _render_form(request, form, channels, influencer=influencer)


def _channels_with_feeds():
    # Each row's feed address is a field of its form: read with the rows, not one query per row.
    return Channel.objects.select_related("feed")


def _channels_save(channels) -> None:
    """Save the channel rows and what each says of its feed (inside the caller's transaction); a saved channel
    left without a feed has its page searched for one once committed (crm.tasks.find_feed)."""
    channels.save()
    for channel_form in channels.forms:
        channel = channel_form.instance
        if channel.pk is None or not channel_form.has_changed() or channel_form in channels.deleted_forms:
            continue  # an empty extra row, a deleted channel, or one nobody touched
        changed = channel_form.changed_data
        look_up = channel_feed_edit(
            channel=channel,
            feed_url=channel_form.cleaned_data.get("feed_url") or "",
            feed_changed="feed_url" in changed,
            address_changed="url" in changed,
        )
        if look_up:
            find_feed.delay_on_commit(channel.pk)


def _render_form(request: HttpRequest, form: InfluencerForm, channels, *, influencer: Influencer | None):
    return render(
        request,
        "crm/influencers/form.html",
        {"form": form, "channels": channels, "channel_helper": ChannelFormHelper(), "influencer": influencer},
    )
