"""What each kind of e-mail says, over one shared builder.

Templates: templates/emails/<kind>_subject.txt, <kind>_body.txt and <kind>_body.html, rendered in the
recipient's language. Subject and text body are rendered when the message is queued and stored on the row
(the marketer may edit them); the HTML part is rendered from the stored text when the message is sent, so an
edit shows in both.
"""

import functools
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation

from campaigns.models import Relationship
from campaigns.selectors import campaigns_that_fit
from crm.models import Influencer
from messaging.unsubscribe import make_token

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for(influencer: Influencer) -> str:
    return influencer.language if influencer.language in SUPPORTED else "en"


def language_for_user(user) -> str:
    profile = getattr(user, "profile", None)
    return profile.language if profile is not None and profile.language in SUPPORTED else settings.LANGUAGE_CODE


def signature_of(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.signature.strip():
        return profile.signature.strip()
    return user.get_full_name() or user.get_username()


def with_signature(body: str, user) -> str:
    signature = signature_of(user)
    if not signature or body.rstrip().endswith(signature):
        return body
    return f"{body.rstrip()}\n\n{signature}"


def build(kind: str, context: dict, language: str) -> tuple[str, str]:
    """Render the subject (one line) and the text body of a kind of e-mail in a language."""
    with translation.override(language):
        subject = render_to_string(f"emails/{kind}_subject.txt", context)
        body = render_to_string(f"emails/{kind}_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


# --- One function per kind -------------------------------------------------------------------------------------


def thank_you_fitting(relationship: Relationship) -> list:
    """The open operations a thank-you tells about (E2): running, with a complete brief, fitting the person."""
    return list(
        campaigns_that_fit(influencer=relationship.influencer, exclude=relationship.campaign, outreach=True)[:5]
    )


def thank_you_content(*, relationship: Relationship, sender, outcome: str | None = None) -> tuple[str, str]:
    """'Merci et à bientôt': the project is over, thanks, and the open operations that fit them (E2).

    `outcome` defaults to the relationship's; the close dialog previews it before the closing.
    """
    influencer = relationship.influencer
    context = {
        "person": influencer,
        "campaign": relationship.campaign,
        "brand": relationship.campaign.brand,
        "took_part": (outcome or relationship.outcome) == "completed",
        "fitting": thank_you_fitting(relationship),
        "signature": signature_of(sender),
    }
    return build("thank_you", context, language_for(influencer))


@dataclass(frozen=True)
class ThankYouPreview:
    subject: str
    body: str
    fitting: list  # the open campaigns it tells about; none, and the dialog says so
    language: str  # the person's language, named in the reader's


def thank_you_preview(*, relationship: Relationship, sender) -> ThankYouPreview:
    """The thank-you exactly as the outbox will write it (E1, E2), in the person's language.

    Previewed as for a completed collaboration; a declined or silent ending gets the softer wording.
    """
    subject, body = thank_you_content(relationship=relationship, sender=sender, outcome="completed")
    language = language_for(relationship.influencer)
    # Named in the reader's language (the marketer's), not the person's.
    language_name = str(dict(settings.LANGUAGES).get(language, language))
    return ThankYouPreview(subject=subject, body=body, fitting=thank_you_fitting(relationship), language=language_name)


def reminder_content(
    *, person: Influencer, relationship: Relationship | None, due_on: date, owner=None, language: str = "en"
) -> tuple[str, str]:
    context = {
        "person": person,
        "relationship": relationship,
        "campaign": relationship.campaign if relationship else None,
        "due_on": due_on,
        "owner": owner,
        "person_url": settings.SITE_URL + reverse("crm:influencer_detail", args=[person.pk]),
    }
    return build("reminder", context, language)


def content_notice_content(*, content, owner, language: str = "en") -> tuple[str, str]:
    """To a relationship's owner: a post of their person was found that mentions the campaign (`content` is a
    campaigns.ContentMatch): recorded or to confirm, and for a sponsored campaign whether its disclosure is there."""
    relationship = content.relationship
    context = {
        "content": content,
        "post": content.post,
        "person": relationship.influencer,
        "campaign": relationship.campaign,
        "owner": owner,
        "recorded": content.status == "recorded",
        "missing": content.disclosure == "missing",
        "person_url": settings.SITE_URL + reverse("crm:influencer_detail", args=[relationship.influencer_id]),
    }
    return build("content", context, language)


def digest_content(
    *, user, today: date, relationships, people, scheduled, failed, bouncing=(), broken=()
) -> tuple[str, str]:
    """`bouncing`: the member's people whose address bounces (crm.selectors.bouncing_people); `broken`: their
    people's broken feeds (crm.selectors.broken_feeds)."""
    context = {
        "bouncing": bouncing,
        "broken": broken,
        "user": user,
        "today": today,
        "relationships": relationships,
        "people": people,
        "scheduled": scheduled,
        "failed": failed,
        "site_url": settings.SITE_URL,
    }
    return build("digest", context, language_for_user(user))


# --- At send time ----------------------------------------------------------------------------------------------


def unsubscribe_url(message) -> str:
    before, after = _unsubscribe_url_around(get_script_prefix(), get_urlconf())
    return f"{settings.SITE_URL}{before}{make_token(message.influencer)}{after}"


@functools.lru_cache(maxsize=8)
def _unsubscribe_url_around(_script_prefix: str, urlconf: str | None) -> tuple[str, str]:
    """The unsubscribe URL before and after its token: reverse() took three times the token's own cost.

    Keyed on what reverse() reads besides its arguments; a token (signing's URL-safe alphabet) needs no quoting.
    """
    before, after = reverse("unsubscribe", args=["TOKEN"], urlconf=urlconf).split("TOKEN")
    return before, after


def as_email(message) -> EmailMultiAlternatives:
    """The e-mail for an outbox row: stored text, HTML from it, and for influencers the unsubscribe headers."""
    headers = {"Message-ID": message.message_id}
    context = {"message": message, "body": message.body, "unsubscribe_url": ""}
    if message.to_influencer:
        url = unsubscribe_url(message)
        context["unsubscribe_url"] = url
        # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to this URL.
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    with translation.override(message.language):
        text = render_to_string("emails/footer.txt", context)
        html = render_to_string(f"emails/{message.kind}_body.html", context)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body.rstrip() + "\n" + text,
        to=[message.recipient],
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return email
