from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from crm.services.consent import influencer_opt_out
from messaging.unsubscribe import InvalidToken, read_token


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
