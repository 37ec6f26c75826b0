"""Pictures of the main pages for the README (`make screenshots`), taken from the demo data in a real browser.

The demo data goes into a throw-away SQLite database under var/screenshots/ (never the one `make run` uses),
a development server serves it on a free port, and Debian's Chromium, driven by Playwright, logs in as the
demo marketer (and the manager, for the admin) and saves PNGs into docs/screenshots/. The pictures are
documentation: they are committed, and `make test` never takes them.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
WORK_DIR = BASE_DIR / "var" / "screenshots"
DATABASE = WORK_DIR / "db.sqlite3"
OUT_DIR = BASE_DIR / "docs" / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "demo"  # demo.seed.PASSWORD; the demo team's, known to everyone

# Set before Django reads its settings, here and in the server started below: this database, demo mode.
os.environ.update(
    DATABASE_URL=f"sqlite:///{DATABASE}",
    DEBUG="true",
    CELERY_BROKER_FOLDER=str(WORK_DIR / "celery"),
    DJANGO_SETTINGS_MODULE="config.settings",
    # Playwright's sync API runs an event loop in this thread; the ORM queries below run before it starts,
    # but Django checks the thread, not the moment.
    DJANGO_ALLOW_ASYNC_UNSAFE="true",
)
sys.path.insert(0, str(BASE_DIR))


def seed() -> None:
    for leftover in WORK_DIR.glob("db.sqlite3*"):
        leftover.unlink()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the development server stopped (exit code {server.returncode})")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
            return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the development server did not answer within 30 s")


def subjects() -> dict:
    """What to photograph: ids chosen in the demo data so that each picture shows what it is for."""
    from django.db.models import Count, Q

    from campaigns.models import OPEN_STAGES, Campaign, Relationship, Stage
    from crm.models import AudienceSnapshot, Influencer

    # The board with the most people, spread over the most stages.
    campaign = (
        Campaign.objects.exclude(status=Campaign.Status.FINISHED)
        .annotate(
            stages=Count("relationships__stage", distinct=True),
            shortlisted=Count("relationships", filter=Q(relationships__stage=Stage.SHORTLISTED)),
            people=Count("relationships"),
        )
        .filter(shortlisted__gt=0)
        .order_by("-stages", "-people", "pk")
        .first()
    )
    on_board = Relationship.objects.filter(campaign=campaign).select_related("influencer").order_by("pk")
    to_pitch = on_board.filter(stage=Stage.SHORTLISTED).first()
    # No pitch yet: someone shortlisted on a campaign whose brief is not complete (B4).
    refused = next(
        r
        for r in Relationship.objects.filter(stage=Stage.SHORTLISTED).select_related("campaign").order_by("pk")
        if r.campaign.brief_missing()
    )
    # A close with a thank-you to preview: someone delivered, with an e-mail, who did not opt out.
    to_close = next(
        r
        for r in on_board.filter(stage__in=[Stage.DELIVERED, Stage.ACTIVE]).order_by("-stage", "pk")
        if r.influencer.email and not r.influencer.is_opted_out
    )
    # A person with a long history: several audience figures (the sparkline) and many timeline entries.
    person = (
        Influencer.objects.annotate(
            figures=Count("channels__snapshots", distinct=True), n_contacts=Count("contacts", distinct=True)
        )
        .filter(figures__gte=3, relationships__stage__in=OPEN_STAGES)
        .order_by("-n_contacts", "-figures", "pk")
        .first()
    )
    assert AudienceSnapshot.objects.filter(channel__influencer=person).count() >= 2, "no sparkline to show"
    return {
        "campaign": campaign.pk,
        "pitch": to_pitch.pk,
        "close": to_close.pk,
        "person": person.pk,
        "refused": refused.pk,
        "refused_campaign": refused.campaign_id,
    }


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def shoot(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    path = OUT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=False, animations="disabled", caret="hide")
    print(f"  {path.relative_to(BASE_DIR)}  {path.stat().st_size // 1024} KB")


def open_dialog(page, relationship: int, move: str) -> None:
    page.locator(f"#card-{relationship} a[href='/campaigns/relationships/{relationship}/{move}/']").click()
    # The footer comes with the dialog htmx loads (the "Loading…" placeholder has none); the screenshot
    # itself finishes Bootstrap's fade-in (animations="disabled").
    page.locator("#move-modal .modal-footer").wait_for()


def take(base_url: str, ids: dict) -> None:
    from playwright.sync_api import sync_playwright

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        desktop = browser.new_context(base_url=base_url, viewport=DESKTOP, locale="en-GB")
        page = desktop.new_page()
        log_in(page, "marketer")
        shoot(page, "today")
        page.goto("/influencers/")
        shoot(page, "influencers")
        page.goto(f"/influencers/{ids['person']}/")
        page.locator("canvas[data-sparkline]").first.wait_for()
        shoot(page, "person")
        page.locator("#timeline").evaluate("element => window.scrollTo(0, element.offsetTop - 16)")
        shoot(page, "person-timeline")
        page.goto(f"/campaigns/{ids['campaign']}/")
        shoot(page, "board")
        open_dialog(page, ids["pitch"], "pitch")
        shoot(page, "pitch-dialog")
        page.keyboard.press("Escape")
        page.locator("#move-modal").wait_for(state="hidden")
        open_dialog(page, ids["close"], "close")
        page.locator("#thank-you-preview").scroll_into_view_if_needed()
        shoot(page, "close-dialog")
        page.goto(f"/campaigns/{ids['refused_campaign']}/")
        page.locator(f"#card-{ids['refused']}").scroll_into_view_if_needed()
        shoot(page, "brief-incomplete")

        manager = browser.new_context(base_url=base_url, viewport=DESKTOP, locale="en-GB").new_page()
        log_in(manager, "manager")
        manager.goto("/admin/crm/influencer/")
        shoot(manager, "admin-influencers")

        phone = browser.new_context(
            base_url=base_url, viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True
        ).new_page()
        log_in(phone, "marketer")
        shoot(phone, "today-phone")
        phone.goto(f"/campaigns/{ids['campaign']}/")
        shoot(phone, "board-phone")
        manager.goto("/admin/reports/report/pipeline/")
        manager.locator("canvas[data-report-chart]").wait_for()
        shoot(manager, "report-pipeline")
        browser.close()


def main() -> None:
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium)")
    started = time.monotonic()
    print(f"Seeding the demo data into {DATABASE.relative_to(BASE_DIR)}…")
    seed()
    ids = subjects()
    port = free_port()
    server = serve(port)
    try:
        print(f"Taking pictures from http://127.0.0.1:{port}/ …")
        take(f"http://127.0.0.1:{port}", ids)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"Done in {time.monotonic() - started:.0f} s.")


if __name__ == "__main__":
    main()
