"""The Content Security Policy in a real browser: it is sent, enforced, and an injected script does not run.

The injection is simulated by rewriting a real response of the live server on its way to the browser (its
headers, the policy included, are kept): the same as a stored XSS that escaped the templates' escaping.
"""

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from crm.models import ImportJob
from reports.registry import REPORTS
from tests.admin_world import every_kind_of_row
from tests.browser.steps import follow, log_in
from tests.factories import ContactFactory, InfluencerFactory, RelationshipFactory
from tests.test_security_headers import pages as ui_and_admin_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INJECTED = (
    "<script>window.pwnedByScript = true</script>"
    '<img src="data:," onload="window.pwnedByHandler = true" alt="">'
    '<a id="pwn" href="javascript:window.pwnedByLink = true">x</a>'
)

# True when the report's canvas holds a Chart.js chart (null without a canvas).
CHART_DRAWN = "() => { const c = document.querySelector('canvas[data-report-chart]'); return c && !!Chart.getChart(c) }"


def admin_log_in(page, username: str, password: str) -> None:
    page.goto("/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def inject_into_login_page(page) -> None:
    def rewrite(route):
        response = route.fetch()
        body = response.text().replace("</main>", INJECTED + "</main>")
        route.fulfill(response=response, body=body)

    page.route("**/login/", rewrite)


def test_every_page_carries_the_enforced_policy(page_in):
    page = page_in()

    response = page.goto("/login/")

    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "unsafe-eval" not in policy
    assert "content-security-policy-report-only" not in response.headers


def test_an_injected_inline_script_handler_or_javascript_link_does_not_run(page_in, csp_violations):
    page = page_in()
    inject_into_login_page(page)

    page.goto("/login/")
    page.locator("#pwn").click()
    page.wait_for_timeout(300)  # the click's refused navigation is reported asynchronously

    assert page.evaluate("[window.pwnedByScript, window.pwnedByHandler, window.pwnedByLink]") == [None, None, None]
    refused = " ".join(csp_violations)
    assert refused.count("script-src-elem refused inline") == 2  # the <script> and the javascript: link
    assert "script-src-attr refused inline" in refused  # the onload handler
    csp_violations.clear()  # provoked on purpose: not a failure of this test


def test_our_own_scripts_still_run_under_the_policy(page_in, bob):
    """htmx and Bootstrap load from our origin and run; htmx injects no <style> of its own."""
    page = page_in()
    log_in(page, "bob", "pw-bob")

    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("typeof bootstrap") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.locator("style").count() == 0
    follow(page.get_by_role("link", name="Influencers"))
    assert page.evaluate("typeof htmx") == "object"


@pytest.fixture
def community(bob):
    for n in range(3):
        person = InfluencerFactory(name=f"Person {n}", topics=["food"], owner=bob)
        relationship = RelationshipFactory(influencer=person)
        ContactFactory(influencer=person, relationship=relationship, logged_by=bob)


def test_the_admin_reports_charts_and_export_work_under_the_policy(page_in, alice, community):
    """The admin's own scripts, Chart.js and django-import-export run from static files; none is refused."""
    page = page_in()
    admin_log_in(page, "alice", "pw-alice")
    drawn = {}

    for slug in REPORTS:
        page.goto(f"/admin/reports/report/{slug}/")
        page.wait_for_load_state()
        drawn[slug] = page.evaluate(CHART_DRAWN)
    page.goto("/admin/crm/influencer/export/")
    boxes = page.locator(".selectable-field-export-row input[type=checkbox]")
    page.locator("input.select-toggle").uncheck()
    unchecked_after_toggle = boxes.evaluate_all("boxes => boxes.filter(b => !b.checked).length")

    assert drawn == dict.fromkeys(REPORTS, True)
    assert unchecked_after_toggle == boxes.count() > 0


def test_the_periodic_task_form_keeps_its_crontab_helper_under_the_policy(page_in, django_user_model):
    django_user_model.objects.create_superuser("root", "root@team.example", "pw-root")
    page = page_in()
    admin_log_in(page, "root", "pw-root")

    page.goto("/admin/django_celery_beat/periodictask/add/")
    page.wait_for_load_state()

    assert page.locator(".field-crontab_translation").is_hidden()


def test_the_import_job_page_polls_its_progress_under_the_policy(page_in, alice):
    """The admin page that loads htmx gets its page-wide configuration too: htmx injects no <style> there."""
    job = ImportJob.objects.create(file_name="people.csv", content=b"name\n", format="csv", created_by=alice)
    page = page_in()
    admin_log_in(page, "alice", "pw-alice")

    with page.expect_request(f"**/admin/crm/importjob/{job.pk}/progress/"):
        page.goto(f"/admin/crm/importjob/{job.pk}/change/")

    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.locator("style").count() == 0


def test_every_admin_page_is_free_of_csp_reports(page_in, django_user_model, bob):
    """The index, and each model's list, add page and a row's change and history pages: nothing refused."""
    root = django_user_model.objects.create_superuser("root", "root@team.example", "pw-root")
    rows = {type(row): row for row in every_kind_of_row(owner=bob)["rows"]}
    as_root = RequestFactory().get("/admin/")
    as_root.user = root
    page = page_in()
    admin_log_in(page, "root", "pw-root")
    answers = {"/admin/": page.goto("/admin/").status}

    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        paths = [reverse(f"{info}_changelist")]
        if model_admin.has_add_permission(as_root):
            paths.append(reverse(f"{info}_add"))
        if model in rows:
            paths += [reverse(f"{info}_{kind}", args=[rows[model].pk]) for kind in ("change", "history")]
        for path in paths:
            answers[path] = page.goto(path).status
            page.wait_for_load_state()

    assert {path: status for path, status in answers.items() if status != 200} == {}
    assert len(answers) > 3 * len(rows)


def test_every_page_of_the_ui_is_free_of_csp_reports(page_in, bob):
    """Every page of the marketers' UI that takes no form to reach (those of one person and campaign included),
    as tests/test_security_headers.py reads them in HTML: in Chromium, nothing refused."""
    person = InfluencerFactory(topics=["food"], owner=bob)
    relationship = RelationshipFactory(influencer=person, owner=bob)
    ContactFactory(influencer=person, relationship=relationship, logged_by=bob)
    pages_of_html = Client()
    pages_of_html.force_login(bob)
    paths = [
        path
        for path in ui_and_admin_pages(person)
        if not path.startswith("/admin/") and _is_a_page(pages_of_html.get(path))
    ]
    page = page_in()
    log_in(page, "bob", "pw-bob")
    answers = {}

    for path in paths:
        answers[path] = page.goto(path).status
        page.wait_for_load_state()

    assert {path: status for path, status in answers.items() if status != 200} == {}
    assert {"/", "/influencers/", "/password/", f"/influencers/{person.pk}/"} <= set(answers)


def _is_a_page(response) -> bool:
    """A page a person opens (not a POST-only URL, a redirect or a fragment answering 204)."""
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")
