"""`make load`: 50 marketers at work against gunicorn, on the bench data set.

Each simulated marketer is already logged in (a session made by bench.load, so that 50 password hashes at the
start do not stand for a working day) and, between short pauses: looks at Today, browses and filters the
directory, searches, opens people, logs contacts, opens a campaign board and moves cards (accepts pitches).
The data (sessions, ids) comes from the JSON file named by BENCH_LOAD_DATA.
"""

import html
import json
import os
import random
import re
import secrets
import string
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

from locust import FastHttpUser, between, task

DATA = json.loads(Path(os.environ["BENCH_LOAD_DATA"]).read_text()) if os.environ.get("BENCH_LOAD_DATA") else {}
SEARCHES = ["martin", "dubois", "lyon", "camille", "thomas", "petit", "nguyen", "rennes", "blog", "léa"]
_ALPHABET = string.ascii_letters + string.digits
BROWSED_PAGES = 20
BROWSE = "/influencers/ (pages 1-20, by the Next link)"
# The directory's "Next" link (templates/crm/influencers/list.html): `?after=` its last row's cursor.
NEXT_LINK = re.compile(r'href="([^"]*)" rel="next"')
_next_user = iter(range(10**9))


def _check(response) -> None:
    """A page that sends a logged-in marketer to the login page has failed, whatever its status."""
    if response.status_code >= 400:
        response.failure(f"HTTP {response.status_code}")
    elif "/login/" in (response.url or ""):
        response.failure("redirected to the login page")
    else:
        response.success()


class Marketer(FastHttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        n = next(_next_user)
        sessions = DATA["sessions"]
        self.session = sessions[n % len(sessions)]
        # A CSRF secret of our own, sent as the cookie and as the form field (Django accepts the bare secret): the
        # server's cookies are marked Secure and would not come back over plain http.
        self.csrf = "".join(secrets.choice(_ALPHABET) for _ in range(32))
        self.headers = {"Cookie": f"sessionid={self.session}; csrftoken={self.csrf}"}
        mine = DATA["pitched"][n :: max(1, DATA["users"])]
        self.pitched = list(mine)
        self.next_page: str | None = None
        self.pages_turned = 0

    def _get(self, url: str, name: str | None = None) -> None:
        with self.client.get(url, headers=self.headers, name=name or url, catch_response=True) as response:
            _check(response)

    def _post(self, url: str, data: dict, name: str) -> None:
        # As the UI posts its dialogs: through htmx, which gets a fragment (or 204) back instead of a redirect.
        headers = dict(self.headers, **{"HX-Request": "true"})
        data = {"csrfmiddlewaretoken": self.csrf, **data}
        with self.client.post(url, data=data, headers=headers, name=name, catch_response=True) as response:
            _check(response)

    @task(3)
    def today(self) -> None:
        self._get("/", "Today")

    @task(4)
    def browse(self) -> None:
        # Pages 1 to 20 of the directory, as a marketer turns them: by the "Next" link, a cursor (`?page=` is
        # ignored: it once made every request of this task the first page).
        url = self.next_page if self.next_page and self.pages_turned < BROWSED_PAGES else "/influencers/"
        self.pages_turned = self.pages_turned + 1 if url != "/influencers/" else 1
        with self.client.get(url, headers=self.headers, name=BROWSE, catch_response=True) as response:
            _check(response)
            found = NEXT_LINK.search(response.text or "")
            # The link is the query string alone ("?after=…"): on the directory's own path.
            self.next_page = urljoin("/influencers/", html.unescape(found.group(1))) if found else None

    @task(2)
    def filter(self) -> None:
        region = random.choice(DATA["regions"])
        tier = random.choice(["nano", "micro", "mid"])
        self._get(f"/influencers/?region={region}&tier={tier}", "/influencers/?region&tier")

    @task(3)
    def search(self) -> None:
        self._get(f"/influencers/?q={random.choice(SEARCHES)}", "/influencers/?q=")

    @task(4)
    def open_person(self) -> None:
        self._get(f"/influencers/{random.randint(1, DATA['influencers'])}/", "/influencers/<id>/")

    @task(2)
    def log_contact(self) -> None:
        person = random.randint(1, DATA["influencers"])
        self._get(f"/contacts/log/?influencer={person}", "/contacts/log/ (dialog)")
        self._post(
            "/contacts/log/",
            {
                "influencer": person,
                "kind": "call",
                "direction": "outbound",
                "occurred_at": datetime.now().strftime("%Y-%m-%dT%H:%M"),
                "summary": f"Appel de suivi (charge {secrets.token_hex(4)})",
            },
            "/contacts/log/ (POST)",
        )

    @task(1)
    def board(self) -> None:
        self._get(f"/campaigns/{random.choice(DATA['campaigns'])}/", "/campaigns/<id>/")

    @task(1)
    def campaigns(self) -> None:
        self._get("/campaigns/", "/campaigns/")

    @task(2)
    def move_card(self) -> None:
        if not self.pitched:
            return
        relationship = self.pitched.pop()
        self._get(f"/campaigns/relationships/{relationship}/accept/", "/campaigns/relationships/<id>/accept/ (dialog)")
        self._post(
            f"/campaigns/relationships/{relationship}/accept/",
            {"cadence_days": 14},
            "/campaigns/relationships/<id>/accept/ (POST)",
        )
