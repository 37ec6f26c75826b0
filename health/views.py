from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from health import checks


@never_cache
@login_not_required
def healthz(request):
    """200 when the database and the broker answer; the worker, the mailboxes and the feeds are reported, not
    required."""
    results = {
        "database": checks.check_database(),
        "broker": checks.check_broker(),
        "worker": checks.check_worker(),
        "mailboxes": checks.check_mailboxes(),
        "feeds": checks.check_feeds(),
    }
    body = {name: state for name, (state, _reason) in results.items()}
    reasons = {name: reason for name, (_state, reason) in results.items() if reason}
    if reasons:
        body["reasons"] = reasons
    healthy = results["database"][0] == checks.OK and results["broker"][0] == checks.OK
    return JsonResponse(body, status=200 if healthy else 503)
