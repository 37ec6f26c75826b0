"""Response headers of issue #8, and no page that the Content Security Policy would break.

The policy refuses inline scripts, inline event handlers, javascript: links and <style> elements; a page that
has one would lose a behaviour in the browser. The browser tests catch what they click through; this walks every
page without parameters (UI and admin, as a superuser) plus the pages of one person, and reads the HTML.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from crm.models import ImportJob
from messaging.unsubscribe import make_token
from reports.registry import REPORTS
from tests.factories import ChannelFactory, ContactFactory, InfluencerFactory, RelationshipFactory
from tests.urlwalk import all_routes

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


class InlineCode(HTMLParser):
    """Collects what a policy without 'unsafe-inline' for scripts and style elements would refuse."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> handler")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script" and not attrs.get("src") and (attrs.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
            self._in_inline_script = True

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:80]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_parser_finds_each_kind_of_inline_code():
    html = (
        '<script>alert(1)</script><script src="/static/a.js"></script><script type="application/json">{}</script>'
        '<button onclick="go()">x</button><a href="javascript:go()">y</a><style>p{}</style><p style="margin:0">ok</p>'
    )

    assert inline_code(html) == [
        "inline <script>: 'alert(1)'",
        "<button onclick=…> handler",
        "<a href='javascript:go()'>",
        "<style> element",
    ]


def test_pages_carry_the_enforced_policy_and_the_other_security_headers(client):
    response = client.get(reverse("login"))

    directives = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    assert directives == POLICY
    assert "Content-Security-Policy-Report-Only" not in response
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_with_the_https_redirect_on_pages_go_to_https_but_the_health_check_answers_over_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    page = client.get("/login/")
    health = client.get("/healthz")

    assert (page.status_code, page["Location"]) == (301, "https://testserver/login/")
    assert health.status_code in (200, 503)  # 503 when no worker has reported: still an answer, not a redirect


def test_behind_a_declared_tls_proxy_a_forwarded_https_request_is_served_with_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600

    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=3600; includeSubDomains; preload"


def test_without_a_declared_proxy_a_forwarded_proto_header_does_not_count_as_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")

    assert (response.status_code, response["Location"]) == (301, "https://testserver/login/")


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@team.example", "pw-root")


@pytest.fixture
def person():
    influencer = InfluencerFactory(topics=["food"])
    ChannelFactory(influencer=influencer)
    relationship = RelationshipFactory(influencer=influencer)
    ContactFactory(influencer=influencer, relationship=relationship)
    return influencer


def pages(person) -> list[str]:
    plain = [route.path for route in all_routes() if not route.params and not route.template.endswith("logout/")]
    relationship = person.relationships.get()
    of_person = [
        f"/influencers/{person.pk}/",
        f"/influencers/{person.pk}/edit/",
        f"/influencers/{person.pk}/exchanges/new/",
        f"/influencers/{person.pk}/follow-ups/new/",
        f"/campaigns/{relationship.campaign_id}/",
        f"/campaigns/{relationship.campaign_id}/edit/",
        f"/campaigns/relationships/{relationship.pk}/pitch/",
        f"/campaigns/relationships/{relationship.pk}/close/",
        f"/unsubscribe/{make_token(person)}/",
        "/unsubscribe/tampered/",
        f"/admin/crm/influencer/{person.pk}/change/",
        f"/admin/crm/influencer/{person.pk}/history/",
        f"/admin/campaigns/relationship/{relationship.pk}/change/",
    ]
    reports = [reverse("admin:reports_report_detail", args=[slug]) for slug in REPORTS]
    return plain + of_person + reports


def test_no_page_has_code_that_the_policy_would_refuse(client, root, person):
    client.force_login(root)
    offenders = {}
    seen = 0

    for url in pages(person):
        response = client.get(url)
        if response.get("Content-Type", "").startswith("text/html") and response.status_code < 500:
            seen += 1
            if found := inline_code(response.text):
                offenders[url] = found

    assert offenders == {}
    assert seen > 80


HTMX_CONFIG = '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false}\'>'


def test_every_page_that_loads_htmx_gives_it_the_page_wide_configuration(client, root, person):
    """Without it htmx injects a <style> the policy refuses (the import job's page did, issue 14): the
    configuration and the script come from one include, templates/includes/htmx.html."""
    job = ImportJob.objects.create(file_name="people.csv", content=b"name\n", format="csv", created_by=root)
    client.force_login(root)
    with_htmx, without_config = [], []

    for url in [*pages(person), f"/admin/crm/importjob/{job.pk}/change/", "/admin/crm/importjob/add/"]:
        html = client.get(url).content.decode(errors="replace")
        if "/django_htmx/htmx" in html:
            with_htmx.append(url)
            if HTMX_CONFIG not in html:
                without_config.append(url)

    assert without_config == []
    assert f"/admin/crm/importjob/{job.pk}/change/" in with_htmx and "/influencers/" in with_htmx
