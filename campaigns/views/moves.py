"""The move dialogs of the board: pitch, accept, mark delivered, close. Each calls exactly one service.

A dialog is a Bootstrap modal filled by htmx; opened without htmx (no JavaScript, a link in a new tab) the
same view renders a page. A refusal of the service (a guardrail, a stale move posted twice) comes back as a
form error in the dialog. On success an htmx request gets 204 and a `relationshipMoved` event, on which the
modal closes and the board reloads its columns.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import trigger_client_event

from campaigns.forms import AcceptForm, CloseForm, DeliverForm, PitchForm
from campaigns.models import OPEN_STAGES, Relationship, Stage
from campaigns.services import (
    pitch_checks,
    pitch_text,
    relationship_accept,
    relationship_close,
    relationship_deliver,
    relationship_pitch,
    thank_you_skip_reason,
)
from crm.models import Exchange
from messaging.emails import thank_you_preview
from messaging.selectors import thank_you_queued

change_relationship = permission_required("campaigns.change_relationship", raise_exception=True)


def _posted(request: HttpRequest):
    """The form data of a POST, even an empty one (a form with no field is bound by an empty POST too)."""
    return request.POST if request.method == "POST" else None


def _day(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else _("not set")


def _relationship(pk: int) -> Relationship:
    return get_object_or_404(
        Relationship.objects.select_related("influencer", "owner", "campaign__brand"),
        pk=pk,
    )


def _stale(relationship: Relationship, allowed: list[str]) -> str:
    """What to say when a dialog is opened on a card that has moved since the board was drawn."""
    if relationship.stage in allowed:
        return ""
    return _("%(relationship)s is %(stage)s now: this move is no longer possible. Reload the board.") % {
        "relationship": relationship,
        "stage": relationship.get_stage_display(),
    }


def _moved(request: HttpRequest, relationship: Relationship, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        response = HttpResponse(status=204)
        return trigger_client_event(
            response, "relationshipMoved", {"relationship": relationship.pk, "stage": relationship.stage}
        )
    return redirect("campaigns:campaign_board", pk=relationship.campaign_id)


def _dialog(request: HttpRequest, template: str, relationship: Relationship, **context) -> HttpResponse:
    context.update(relationship=relationship, campaign=relationship.campaign, influencer=relationship.influencer)
    return render(request, template, context)


def _refused(form, refused: ValidationError) -> None:
    # A service error may carry a dict (field → messages) or a list; either way it is shown at the top.
    form.add_error(None, refused.messages)


# --- Pitch ----------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@change_relationship
def pitch(request: HttpRequest, pk: int) -> HttpResponse:
    relationship = _relationship(pk)
    checks = pitch_checks(relationship=relationship)
    # Brief and opt-out cannot be overridden here: the dialog says what to do instead of offering a button.
    blocked = bool(checks.brief_missing or checks.opted_out)
    form = PitchForm(_posted(request), checks=checks)
    if request.method == "POST":
        valid = form.is_valid()
        if valid or blocked:
            # A blocked pitch still goes to the service: it refuses and records the refusal for the reports.
            try:
                relationship_pitch(
                    relationship=relationship,
                    by=request.user,
                    override_reason=form.cleaned_data.get("override_reason", ""),
                    acknowledge_flags=form.cleaned_data.get("acknowledge_flags", False),
                    contact_kind=form.cleaned_data.get("contact_kind") or "email",
                )
            except ValidationError as refused:
                _refused(form, refused)
            else:
                return _moved(
                    request,
                    relationship,
                    _("%(person)s is pitched on %(campaign)s; a follow-up is due on %(date)s.")
                    % {
                        "person": relationship.influencer,
                        "campaign": relationship.campaign,
                        "date": _day(relationship.next_contact_due),
                    },
                )
    return _dialog(
        request,
        "campaigns/move/pitch.html",
        relationship,
        form=form,
        checks=checks,
        blocked=blocked,
        stale=_stale(relationship, [Stage.SHORTLISTED]),
        pitch=pitch_text(campaign=relationship.campaign, influencer=relationship.influencer),
    )


# --- Accept ---------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@change_relationship
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    relationship = _relationship(pk)
    form = AcceptForm(_posted(request), relationship=relationship)
    if request.method == "POST" and form.is_valid():
        try:
            relationship_accept(
                relationship=relationship, by=request.user, cadence_days=form.cleaned_data["cadence_days"]
            )
        except ValidationError as refused:
            _refused(form, refused)
        else:
            return _moved(
                request,
                relationship,
                _("%(person)s said yes: the next contact is due on %(date)s.")
                % {
                    "person": relationship.influencer,
                    "date": _day(relationship.next_contact_due),
                },
            )
    return _dialog(
        request,
        "campaigns/move/accept.html",
        relationship,
        form=form,
        stale=_stale(relationship, [Stage.PITCHED]),
    )


# --- Deliver --------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@change_relationship
def deliver(request: HttpRequest, pk: int) -> HttpResponse:
    relationship = _relationship(pk)
    form = DeliverForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            relationship_deliver(relationship=relationship, by=request.user)
        except ValidationError as refused:
            _refused(form, refused)
        else:
            return _moved(
                request,
                relationship,
                _("%(relationship)s is delivered.") % {"relationship": relationship},
            )
    content = relationship.exchanges.filter(direction=Exchange.Direction.GET).order_by("-occurred_on", "-pk")
    return _dialog(
        request,
        "campaigns/move/deliver.html",
        relationship,
        form=form,
        content=list(content[:5]),
        stale=_stale(relationship, [Stage.ACTIVE]),
    )


# --- Close ----------------------------------------------------------------------------------------------------


def _with_thank_you_time(relationship: Relationship, done: str) -> str:
    """Say when the queued thank-you leaves (the marketer's time), with a link to edit or cancel it meanwhile."""
    thank_you = thank_you_queued(relationship=relationship)
    if thank_you is None:
        return done
    # Its send_at is when it leaves (the outbox moved it into the person's sending hours), read in the page's zone
    # as Today and the timeline read it.
    leaves = timezone.localtime(thank_you.send_at)
    moment = {"time": formats.date_format(leaves, "H:i"), "date": formats.date_format(leaves, "DATE_FORMAT")}
    if leaves.date() == timezone.localdate(timezone=leaves.tzinfo):
        text = _("The thank-you leaves at %(time)s — you can still edit or cancel it.") % moment
    else:
        text = _("The thank-you leaves on %(date)s at %(time)s — you can still edit or cancel it.") % moment
    return format_html(
        '{} <a class="alert-link" href="{}">{}</a>', done, reverse("message_edit", args=[thank_you.pk]), text
    )


@require_http_methods(["GET", "POST"])
@change_relationship
def close(request: HttpRequest, pk: int) -> HttpResponse:
    relationship = _relationship(pk)
    automatic_skip = thank_you_skip_reason(relationship=relationship)
    form = CloseForm(_posted(request), automatic_skip=automatic_skip)
    if request.method == "POST" and form.is_valid():
        try:
            relationship_close(
                relationship=relationship,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                skip_reason=form.chosen_skip_reason(),
            )
        except ValidationError as refused:
            _refused(form, refused)
        else:
            if relationship.thank_you_skip_reason:
                done = _("%(relationship)s is closed; no thank-you: %(reason)s")
            else:
                done = _("%(relationship)s is closed; the thank-you is queued.")
            done = done % {"relationship": relationship, "reason": relationship.thank_you_skip_reason}
            return _moved(request, relationship, _with_thank_you_time(relationship, done))
    sender = relationship.owner or request.user
    return _dialog(
        request,
        "campaigns/move/close.html",
        relationship,
        form=form,
        automatic_skip=automatic_skip,
        preview=None if automatic_skip else thank_you_preview(relationship=relationship, sender=sender),
        stale=_stale(relationship, OPEN_STAGES),
    )
