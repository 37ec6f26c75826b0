"""Signed one-click unsubscribe tokens (RFC 8058 links in every e-mail to an influencer).

A token names one person and the address it was sent to. It is refused when tampered with, signed by another
site or for another purpose, expired, issued for an address the person no longer has ("foreign"), or older than
a later opt-in (a replayed old link must not undo a fresh consent). Replaying it while opted out is harmless.
"""

import time

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from crm.models import Influencer

SALT = "messaging.unsubscribe"


class InvalidToken(Exception):
    pass


def _fingerprint(influencer: Influencer) -> str:
    return salted_hmac(SALT, f"{influencer.pk}:{influencer.email.lower()}").hexdigest()[:20]


def make_token(influencer: Influencer, *, issued_at: float | None = None) -> str:
    payload = {"i": influencer.pk, "f": _fingerprint(influencer), "t": int(issued_at or time.time())}
    return signing.dumps(payload, salt=SALT, compress=True)


def read_token(token: str) -> Influencer:
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.UNSUBSCRIBE_MAX_AGE_DAYS * 86400)
        influencer = Influencer.objects.get(pk=int(payload["i"]))
        fingerprint, issued = str(payload["f"]), int(payload["t"])
    except (signing.BadSignature, Influencer.DoesNotExist, KeyError, TypeError, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc
    if not influencer.email or not constant_time_compare(fingerprint, _fingerprint(influencer)):
        raise InvalidToken("issued for another address")
    opted_in_later = (
        influencer.consent == Influencer.Consent.OPTED_IN
        and influencer.consent_at is not None
        and influencer.consent_at.timestamp() > issued
    )
    if opted_in_later:
        raise InvalidToken("older than the person's latest opt-in")
    return influencer
