"""The messaging side of the web UI: schedule a follow-up, edit or cancel a message that has not gone, my
settings; and the public unsubscribe page.

Views stay thin: each change is one call to messaging.services, whose ValidationError becomes a form error.
Times are typed and shown in the team member's own time zone (messaging.timezones.member_zone).
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from core.forms import add_service_errors
from core.links import PkUrl
from core.views import id_or_404, safe_next
from crm.models import Influencer
from crm.services.consent import influencer_opt_out
from crm.views.common import influencer_url
from messaging import services
from messaging import timezones as member_timezone
from messaging.forms import (
    MESSAGE_TAB_LABELS,
    FollowUpForm,
    MessageCancelForm,
    MessageEditForm,
    MessageFilterForm,
    ProfileForm,
    sending_hours_text,
    templates_for,
)
from messaging.models import Message, Profile
from messaging.selectors import FAILED_DAYS, my_failed_messages, my_message, my_message_counts, my_message_list
from messaging.timezones import member_zone
from messaging.unsubscribe import InvalidToken, read_token

# The event a page listens to (hx-trigger="messageChanged from:body") to redraw its timeline or lists.
MESSAGE_CHANGED = "messageChanged"


def message_url(message: Message) -> str:
    """Where a message is shown: its entry on the person's timeline."""
    return f"{influencer_url(message.influencer_id)}#message-{message.pk}"


# --- Schedule a follow-up --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("messaging.add_message", raise_exception=True)
def follow_up_new(request: HttpRequest, pk: int) -> HttpResponse:
    influencer = get_object_or_404(Influencer, pk=pk)
    with timezone.override(member_zone(request.user)):
        if request.method == "GET":
            form = FollowUpForm(influencer=influencer, initial=_follow_up_initial(request, influencer))
            return _follow_up_page(request, form, influencer)
        form = FollowUpForm(request.POST, influencer=influencer)
        if form.is_valid():
            data = form.cleaned_data
            try:
                message = services.follow_up_schedule(
                    influencer=influencer,
                    by=request.user,
                    subject=data["subject"],
                    body=data["body"],
                    send_at=data["send_at"],
                    cancel_if_reply=data["cancel_if_reply"],
                    relationship=data["relationship"],
                )
            except ValidationError as refusal:
                add_service_errors(form, refusal)
            else:
                messages.success(request, _scheduled_text(message, influencer, asked=data["send_at"]))
                return redirect(message_url(message))
        return _follow_up_page(request, form, influencer)


def _follow_up_initial(request: HttpRequest, influencer: Influencer) -> dict:
    """Tomorrow at 10:00 the marketer's time; the campaign of the card it was opened from, if it is theirs."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    initial = {"send_at": timezone.make_aware(datetime.combine(tomorrow, time(10, 0)))}
    relationship = request.GET.get("relationship")
    if relationship and influencer.relationships.filter(pk=id_or_404(relationship)).exists():
        initial["relationship"] = int(relationship)
    return initial


def _scheduled_text(message: Message, influencer: Influencer, *, asked: datetime) -> str:
    """The time asked for, and the time it leaves (the message's send_at) when the sending hours moved it."""
    send_at = timezone.localtime(asked)
    leaves = timezone.localtime(message.send_at)
    text = _("Follow-up to %(person)s scheduled for %(when)s.") % {
        "person": influencer,
        "when": _when(send_at),
    }
    if leaves != send_at:
        text += " " + _("That is outside their sending hours: it will leave at %(when)s.") % {"when": _when(leaves)}
    return text


def _when(moment: datetime) -> str:
    return formats.date_format(moment, "DATETIME_FORMAT")


def _follow_up_page(request: HttpRequest, form: FollowUpForm, influencer: Influencer) -> HttpResponse:
    context = {
        "form": form,
        "influencer": influencer,
        "blocked": services.follow_up_refusal(influencer=influencer),
        "sending_hours": sending_hours_text(influencer),
        "has_templates": form.fields["template"].queryset.exists(),
    }
    return render(request, "messaging/follow_up_form.html", context)


@require_GET
@permission_required("messaging.add_message", raise_exception=True)
def follow_up_template(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the subject and text fields of the follow-up form, filled from a template in the person's language."""
    influencer = get_object_or_404(Influencer, pk=pk)
    chosen = request.GET.get("template")
    if not chosen:
        return HttpResponse(status=204)  # "write my own": keep what is typed
    template = get_object_or_404(templates_for(influencer), pk=id_or_404(chosen))
    form = FollowUpForm(influencer=influencer, initial={"subject": template.subject, "body": template.body})
    return render(request, "messaging/_follow_up_text.html", {"form": form})


# --- Edit or cancel a message that has not gone ----------------------------------------------------------------


def _message(pk: int) -> Message:
    # Only messages to people are edited here; reminders and digests go to the team and leave at once.
    return get_object_or_404(
        Message.objects.select_related("influencer", "relationship__campaign__brand"),
        pk=pk,
        kind__in=Message.TO_INFLUENCERS,
    )


@require_http_methods(["GET", "POST"])
@permission_required("messaging.change_message", raise_exception=True)
def message_edit(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(pk)
    with timezone.override(member_zone(request.user)):
        if request.method == "GET":
            return _dialog(request, message)
        form = MessageEditForm(request.POST)
        if form.is_valid():
            try:
                services.message_edit(message=message, by=request.user, **form.cleaned_data)
            except ValidationError as refusal:
                add_service_errors(form, refusal)
            else:
                done = _("The message to %(person)s is saved.") % {"person": message.influencer}
                return _changed(request, message, done)
        return _dialog(request, message, form=form)


@require_POST
@permission_required("messaging.change_message", raise_exception=True)
def message_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(pk)
    with timezone.override(member_zone(request.user)):
        cancel_form = MessageCancelForm(request.POST)
        if cancel_form.is_valid():
            try:
                services.message_cancel(message=message, by=request.user, reason=cancel_form.cleaned_data["reason"])
            except ValidationError as refusal:
                add_service_errors(cancel_form, refusal)
            else:
                done = _("The message to %(person)s is cancelled: it will not go.") % {"person": message.influencer}
                return _changed(request, message, done)
        return _dialog(request, message, cancel_form=cancel_form)


def _dialog(request: HttpRequest, message: Message, *, form=None, cancel_form=None, done: str = "") -> HttpResponse:
    if form is None:
        form = MessageEditForm(initial={"subject": message.subject, "body": message.body, "send_at": message.send_at})
    context = {
        "message": message,
        "influencer": message.influencer,
        "form": form,
        "cancel_form": cancel_form or MessageCancelForm(),
        "done": done,
        "in_modal": bool(request.htmx),
        "sending_hours": sending_hours_text(message.influencer) if message.influencer else "",
    }
    template = "messaging/_message_dialog.html" if request.htmx else "messaging/message_edit.html"
    return render(request, template, context)


def _changed(request: HttpRequest, message: Message, done: str) -> HttpResponse:
    """After an edit or a cancel: the dialog says so and the page behind redraws itself (htmx); else back to it."""
    if not request.htmx:
        messages.success(request, done)
        return redirect(message_url(message))
    message.refresh_from_db()
    response = _dialog(request, message, done=done)
    return trigger_client_event(response, MESSAGE_CHANGED, {"message": message.pk})


# --- My messages ----------------------------------------------------------------------------------------------

MESSAGES_PER_PAGE = 50


@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    """My follow-ups and thank-yous, one tab per status (scheduled by default), by kind and by the person's name.

    Everyone reads their own; the actions (edit, cancel, retry) are offered to those who may change messages.
    """
    filters = MessageFilterForm(request.GET)
    tab, kind, name = filters.chosen()
    counts = my_message_counts(request.user, kind=kind, name=name)
    # get_page: a page number that is not one, or past the end, gives the first or the last page, not an error.
    page = Paginator(my_message_list(request.user, tab=tab, kind=kind, name=name), MESSAGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    person_url = PkUrl("crm:influencer_detail")
    for message in page:
        message.person_url = person_url(message.influencer_id)
    tabs = [(key, label, counts[key]) for key, label in MESSAGE_TAB_LABELS.items()]
    context = {"filters": filters, "tab": tab, "tabs": tabs, "page": page}
    return render(request, "messaging/message_list.html", context)


@require_POST
@permission_required("messaging.change_message", raise_exception=True)
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a failed message of mine again, now (in the person's sending hours); back to the list it came from."""
    message = my_message(request.user, pk)
    if message is None:
        raise Http404
    back = safe_next(request, request.POST.get("next"), f"{reverse('messages')}?status=failed")
    try:
        message = services.message_retry(message=message, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(
            request,
            _("The message to %(person)s is scheduled again: it leaves %(when)s.")
            % {"person": message.influencer, "when": _when(timezone.localtime(message.send_at))},
        )
    return redirect(back)


# --- My settings ----------------------------------------------------------------------------------------------


FAILED_PER_PAGE = 50


@require_GET
def failed_messages(request: HttpRequest) -> HttpResponse:
    """All my messages that failed lately: Today shows the latest ten and links here for the others."""
    # get_page: a page number that is not one, or past the end, gives the first or the last page, not an error.
    page = Paginator(my_failed_messages(request.user), FAILED_PER_PAGE).get_page(request.GET.get("page"))
    person_url = PkUrl("crm:influencer_detail")
    for message in page:
        message.person_url = person_url(message.influencer_id)
    return render(request, "messaging/failed_messages.html", {"page": page, "days": FAILED_DAYS})


@require_http_methods(["GET", "POST"])
def my_settings(request: HttpRequest) -> HttpResponse:
    """Any team member's own settings: time zone, language, signature, morning digest."""
    profile, _created = Profile.objects.get_or_create(
        user=request.user,
        defaults={"timezone": settings.TIME_ZONE, "language": translation.get_language() or settings.LANGUAGE_CODE},
    )
    if request.method == "GET":
        return render(request, "messaging/my_settings.html", {"form": ProfileForm(instance=profile)})
    form = ProfileForm(request.POST, instance=profile)
    if not form.is_valid():
        return render(request, "messaging/my_settings.html", {"form": form})
    # Stand-in for a messaging.services.profile_update (there is none): the profile is the member's own row.
    profile = form.save()
    member_timezone.remember(request, profile.timezone)
    # Like the language switcher: the choice holds for this browser at once, through the language cookie.
    translation.activate(profile.language)
    messages.success(request, _("Your settings are saved."))
    response = redirect("my_settings")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        profile.language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


# --- Unsubscribe (public) -------------------------------------------------------------------------------------


@csrf_exempt  # RFC 8058: mail clients POST without a CSRF token; the signed token is the proof.
@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST records the opt-out."""
    try:
        influencer = read_token(token)
    except InvalidToken:
        return render(request, "messaging/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        influencer_opt_out(influencer=influencer, source="unsubscribe link")
        return render(request, "messaging/unsubscribe_done.html", {"influencer": influencer})
    return render(request, "messaging/unsubscribe_confirm.html", {"influencer": influencer, "token": token})
