"""What a marketer does in the browser, found by URL, id and name rather than by label.

The French catalogue is being filled in: a step that looked for "Pitch…" would break the day it reads
"Proposer…". The tests assert the words; these steps only find the places.
"""

from django.utils import formats, translation


def log_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def follow(link) -> None:
    """Click a link or a submit button that leads to another page, and wait until that page has loaded.

    htmx binds its triggers once the page has loaded; a hand is never faster than that, but Playwright is:
    a search typed earlier would go unheard, a dialog link would open as a page of its own.
    """
    link.click()
    link.page.wait_for_load_state()


def column(page, stage: str):
    """The board's column of a stage (shortlisted, pitched, active, delivered, closed)."""
    return page.locator(f"section[aria-labelledby=stage-{stage}]")


def card(page, relationship):
    return page.locator(f"#card-{relationship.pk}")


def open_move(page, relationship, move: str):
    """Open the move dialog (pitch, accept, deliver, close) of a card and wait for its form."""
    card(page, relationship).locator(f"a[href='/campaigns/relationships/{relationship.pk}/{move}/']").click()
    dialog = page.locator("#move-modal")
    dialog.locator(".modal-header").wait_for()
    return dialog


def day(value, language: str, style: str = "DATE_FORMAT") -> str:
    """A date as Django writes it in `language`: the expected text of a page, from Django's own catalogue."""
    with translation.override(language):
        return formats.date_format(value, style)
