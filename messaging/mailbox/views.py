"""'Your mailbox' (My settings → Your mailbox): a team member connects their own mailbox, sees how it is read,
pauses, syncs, edits or disconnects it.

A personal mailbox is its owner's alone: these pages only ever reach the signed-in member's own mailbox, so
nobody else's can be named (nothing there: 404). Each change is one call to messaging.mailbox.accounts.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors
from messaging.mailbox import accounts
from messaging.mailbox.forms import MailboxForm
from messaging.models import Mailbox

# The mailbox logs contacts in its owner's name: connecting one takes the right to log them.
MAY_CONNECT = "crm.add_contact"


def own_mailbox(user) -> Mailbox | None:
    return Mailbox.objects.filter(owner=user, shared=False).first()


def _own_or_404(request: HttpRequest) -> Mailbox:
    mailbox = own_mailbox(request.user)
    if mailbox is None:
        raise Http404("No mailbox is connected.")
    return mailbox


@require_http_methods(["GET", "POST"])
@permission_required(MAY_CONNECT, raise_exception=True)
def mailbox(request: HttpRequest) -> HttpResponse:
    """The mailbox's state when there is one; else the form to connect it ("Test the connection", "Connect")."""
    current = own_mailbox(request.user)
    if request.method == "GET":
        if current is not None:
            return render(request, "messaging/mailbox.html", {"mailbox": current})
        form = MailboxForm(initial={"address": request.user.email})
        return _form_page(request, form)
    form = MailboxForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form)
    data = form.cleaned_data
    if "test" in request.POST:
        return _tested(request, form, mailbox=None)
    try:
        accounts.mailbox_connect(owner=request.user, by=request.user, **data)
    except ValidationError as refusal:
        add_service_errors(form, refusal)
        return _form_page(request, form)
    messages.success(request, _("Your mailbox is connected: its mail is read within a minute."))
    return redirect("mailbox")


@require_http_methods(["GET", "POST"])
@permission_required(MAY_CONNECT, raise_exception=True)
def mailbox_edit(request: HttpRequest) -> HttpResponse:
    current = _own_or_404(request)
    if request.method == "GET":
        initial = {f: getattr(current, f) for f in ("address", "host", "port", "security", "username")}
        return _form_page(request, MailboxForm(initial=initial, editing=True), mailbox=current)
    form = MailboxForm(request.POST, editing=True)
    if not form.is_valid():
        return _form_page(request, form, mailbox=current)
    if "test" in request.POST:
        return _tested(request, form, mailbox=current)
    try:
        accounts.mailbox_update(mailbox=current, by=request.user, **form.cleaned_data)
    except ValidationError as refusal:
        add_service_errors(form, refusal)
        return _form_page(request, form, mailbox=current)
    messages.success(request, _("Your mailbox's settings are saved: it is read again within a minute."))
    return redirect("mailbox")


def _tested(request: HttpRequest, form: MailboxForm, *, mailbox: Mailbox | None) -> HttpResponse:
    """The form again with what the server said, the typed values kept (the password never comes back)."""
    data = {f: form.cleaned_data[f] for f in ("host", "port", "security", "username", "password")}
    try:
        tested = accounts.mailbox_test(mailbox=mailbox, **data)
    except ValidationError as refusal:
        add_service_errors(form, refusal)
        return _form_page(request, form, mailbox=mailbox)
    return _form_page(request, form, mailbox=mailbox, tested=tested.message, test_ok=tested.ok)


def _form_page(
    request: HttpRequest, form: MailboxForm, *, mailbox: Mailbox | None = None, tested: str = "", test_ok=False
) -> HttpResponse:
    context = {"form": form, "mailbox": mailbox, "tested": tested, "test_ok": test_ok}
    return render(request, "messaging/mailbox_form.html", context)


def _act(request: HttpRequest, service, done: str) -> HttpResponse:
    try:
        service(mailbox=_own_or_404(request), by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, done)
    return redirect("mailbox")


@require_POST
@permission_required(MAY_CONNECT, raise_exception=True)
def mailbox_pause(request: HttpRequest) -> HttpResponse:
    return _act(request, accounts.mailbox_pause, _("Your mailbox is paused: its mail is not read until you resume."))


@require_POST
@permission_required(MAY_CONNECT, raise_exception=True)
def mailbox_resume(request: HttpRequest) -> HttpResponse:
    return _act(request, accounts.mailbox_resume, _("Your mailbox is read again, starting within a minute."))


@require_POST
@permission_required(MAY_CONNECT, raise_exception=True)
def mailbox_sync(request: HttpRequest) -> HttpResponse:
    return _act(request, accounts.mailbox_sync_soon, _("Your mailbox will be read within a minute."))


@require_http_methods(["GET", "POST"])
@permission_required(MAY_CONNECT, raise_exception=True)
def mailbox_disconnect(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; POST disconnects."""
    current = _own_or_404(request)
    if request.method == "GET":
        return render(request, "messaging/mailbox_disconnect.html", {"mailbox": current})
    accounts.mailbox_disconnect(mailbox=current, by=request.user)
    messages.success(request, _("Your mailbox is disconnected. The contacts it logged stay on people's timelines."))
    return redirect("mailbox")
