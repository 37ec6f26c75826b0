"""Playwright on Debian's Chromium (browsers cannot be downloaded here)."""

import os
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run in a thread with a running loop unless told it is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs chromium, browser tests cannot be skipped in CI")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # A busy CI machine answers an htmx request in more than expect's 5 s now and then; a real failure still
    # fails, and an action that finds nothing gives up long before Playwright's 30 s (see page_in).
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every page reports what the Content Security Policy refused, through a binding that survives navigation.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__reportCspViolation(`${e.effectiveDirective} refused ${e.blockedURI || "inline"} `
    + `at ${e.sourceFile || document.location.href}:${e.lineNumber} ${e.sample || ""}`.trim());
});
"""


@pytest.fixture
def csp_violations() -> list[str]:
    """What the policy refused in this test's pages: any left at the end fails the test (see page_in)."""
    return []


@pytest.fixture
def console_errors() -> list[str]:
    """What the browser reported as an error in this test's pages, besides the policy's refusals: a resource that
    did not load (the /favicon.ico a page did not name answered 404 on every page), an uncaught exception. Any
    left at the end fails the test (see page_in)."""
    return []


def _is_csp(text: str) -> bool:
    return "Content Security Policy" in text or text.startswith("Refused to")


@pytest.fixture
def page_in(browser, live_server, csp_violations, console_errors):
    """page_in("fr") opens a page in a browser that asks for French.

    A test fails when one of its pages had something refused by the Content Security Policy (a page that works
    only without the policy is a broken page), or an error on the browser's console. A test that provokes one on
    purpose empties csp_violations or console_errors once it has checked them.
    """
    contexts = []

    def open_page(locale: str = "en-GB"):
        context = browser.new_context(locale=locale, base_url=live_server.url)
        context.set_default_timeout(15_000)
        context.expose_binding("__reportCspViolation", lambda _source, text: csp_violations.append(text))
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        # Chromium also says it on the console, e.g. for a violation in a frame or before the listener is set.
        page.on("console", lambda message: _on_console(page, message, csp_violations, console_errors))
        page.on("pageerror", lambda error: console_errors.append(f"uncaught {error} at {page.url}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    # A request the browser sent just before it closed may still be running in the server's thread; the flush
    # after the test (a TRUNCATE of every table) would deadlock with its query on PostgreSQL.
    _requests_in_flight.wait_until_quiet()
    if csp_violations:
        pytest.fail("The Content Security Policy refused:\n" + "\n".join(dict.fromkeys(csp_violations)))
    if console_errors:
        pytest.fail("The browser's console reported:\n" + "\n".join(dict.fromkeys(console_errors)))


def _on_console(page, message, csp_violations: list[str], console_errors: list[str]) -> None:
    if _is_csp(message.text):
        csp_violations.append(message.text)
        return
    url = message.location.get("url", "")
    # A page's own status (a lockout's 429, a refusal's 403) is the test's to check; what the page loads must load.
    if message.type == "error" and url != page.url:
        console_errors.append(f"{message.text} ({url})")


class _RequestsInFlight:
    """Counts the live server's requests between Django's request_started and request_finished signals."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()

    def started(self, **_kwargs):
        with self.changed:
            self.count += 1

    def finished(self, **_kwargs):
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_until_quiet(self, quiet: float = 0.2, timeout: float = 30.0) -> None:
        """Returns once no request has run for `quiet` seconds (one sent last may not have started yet), or
        after `timeout`: a request still running then shows up as the flush's own error."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while time.monotonic() < deadline:
                if self.count > 0:
                    self.changed.wait(deadline - time.monotonic())
                elif not self.changed.wait_for(lambda: self.count > 0, timeout=quiet):
                    return


_requests_in_flight = _RequestsInFlight()
request_started.connect(_requests_in_flight.started, dispatch_uid="tests.browser.requests_in_flight.started")
request_finished.connect(_requests_in_flight.finished, dispatch_uid="tests.browser.requests_in_flight.finished")
