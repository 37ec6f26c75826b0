"""Who may reach what: every URL pattern of the project (UI and admin), for each role, with GET and an empty POST.

The expectations come from the rules in tests/access_rules.py, never from what the code answers today:

- UI pages: PAGES says, per URL name, which roles may GET and which may POST (None: the method is not allowed).
  A role that may gets the page's answer; a logged-in role that may not gets 403; an anonymous visitor is sent
  to the login page (302) unless the page is public; a method the page does not take is a 405.
- The admin: only staff enter (the others are sent to a login page, 302). For a staff member, what a model's
  pages answer follows from the model permissions of their role (ADMIN_RIGHTS, checked against the groups in
  test_the_roles_hold_the_rights_the_walk_expects) and what each admin offers at all (ADMIN_OFFERS): without
  the permission, 403. A marketer with staff status by mistake walks the admin too, and gets no further.
- Every URL with an id is walked twice: with the id of a row that exists and with one that belongs to nothing
  (404 in the UI; Django's admin goes back to its index with a message, 302; the project's admin pages 404).

A URL that no rule covers fails `test_every_url_has_an_expectation`, so a new page cannot escape the walk.
For the requests a role may not make, nothing may change in the database.
"""

import time
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask, SolarSchedule

from campaigns.models import ContentMatch, DisclosureMarker, GuardrailEvent, StageChange
from config.middleware import REFRESHED_AT
from core import roles
from crm.models import BouncingAddress, Feed, ImportJob, Influencer, Post
from health.models import Heartbeat
from messaging.models import Profile
from messaging.unsubscribe import make_token
from reports.models import Report
from reports.registry import REPORTS
from tests.access_rules import (
    ADMIN_LOGIN,
    ADMIN_OFFERS,
    ADMIN_RIGHTS,
    ALL,
    ANONYMOUS,
    LOGIN,
    MANAGER,
    MARKETER,
    MISSING_ID,
    MODEL_PAGE_EXCEPTIONS,
    MODEL_PAGES,
    NAMES_NOTHING,
    PAGES,
    PEOPLE,
    ROLE_GROUPS,
    SITE_PAGES,
    STAFF,
    STAFF_MARKETER,
    TEXT_IDS,
    VIEWER,
    rights_of,
)
from tests.admin_world import team_rules_saved_twice
from tests.factories import (
    AudienceSnapshotFactory,
    CampaignFactory,
    ChannelFactory,
    ContactFactory,
    ExchangeFactory,
    InfluencerFactory,
    RelationshipFactory,
    TopicFactory,
)
from tests.messaging.factories import MailboxFactory, MessageFactory, MessageTemplateFactory
from tests.messaging.unknown_factories import SharedMailboxFactory, UnknownSenderFactory
from tests.rendered import template_leftovers
from tests.urlwalk import Route, all_routes

# --- The world the walk runs in --------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, object]
    rows: dict[type, object] = field(default_factory=dict)  # one row of each model a URL can name
    history: dict[type, int] = field(default_factory=dict)  # a history record of each tracked row
    token: str = ""
    sessions: dict[str, str] = field(default_factory=dict)  # each role's session cookie


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One of everything, shared by the whole walk; each test runs in a savepoint that is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        users = {role: _member(name, role) for role, name in PEOPLE.items()}
        bob = users[MARKETER]
        now = timezone.now()
        topic = TopicFactory(name="lifestyle")
        lea = InfluencerFactory(name="Léa Martin", owner=bob, topics=[topic])
        channel = ChannelFactory(influencer=lea)
        campaign = CampaignFactory(owner=bob, topics=[topic])
        relationship = RelationshipFactory(influencer=lea, campaign=campaign, owner=bob)
        rows = {
            row._meta.model: row
            for row in (
                topic,
                lea,
                channel,
                AudienceSnapshotFactory(channel=channel),
                Feed.objects.create(channel=channel, url="https://lea.example/feed/"),
                Post.objects.create(channel=channel, key="p1", url="https://lea.example/p1/", title="Au lac"),
                ContactFactory(influencer=lea, logged_by=bob),
                ExchangeFactory(influencer=lea),
                campaign.brand,
                campaign,
                relationship,
                StageChange.objects.create(
                    relationship=relationship, to_stage="shortlisted", changed_at=now, changed_by=bob
                ),
                GuardrailEvent.objects.create(
                    relationship=relationship, rule="off_topic", result="overridden", occurred_at=now, by=bob
                ),
                ContentMatch.objects.create(
                    relationship=relationship, post=Post.objects.get(key="p1"), matched="Lea", disclosure="missing"
                ),
                DisclosureMarker.objects.get_or_create(text="#ad")[0],
                team_rules_saved_twice(),
                MessageFactory(influencer=lea, relationship=relationship, created_by=bob),
                MessageTemplateFactory(),
                Profile.objects.create(user=bob),
                # The admin's pages walk a shared one; the mailbox pages, bob's own (below).
                MailboxFactory(owner=users[MANAGER], shared=True, name="Press desk", address="press@team.example"),
                Heartbeat.objects.create(name="walk", beat_at=now),
                users[MANAGER],
                Group.objects.get(name=roles.VIEWER),
                *_schedules(),
                *_lockouts(),
                ImportJob.objects.create(file_name="people.csv", content=b"name\n", format="csv", created_by=bob),
                UnknownSenderFactory(mailbox=SharedMailboxFactory(owner=bob)),
                BouncingAddress.objects.create(email="gone@example.org", status="5.1.1", since=timezone.now()),
            )
        }
        MailboxFactory(owner=bob)
        history = {model: row.history.latest().history_id for model, row in rows.items() if hasattr(row, "history")}
        # One login per role for the whole walk: each test only picks its role's cookie.
        sessions = {}
        for role, user in users.items():
            login = Client()
            login.force_login(user)
            sessions[role] = login.cookies[settings.SESSION_COOKIE_NAME].value
        yield World(users=users, rows=rows, history=history, token=make_token(lea), sessions=sessions)
        transaction.set_rollback(True)


def _member(username: str, role: str):
    user = get_user_model().objects.create_user(
        # No password: the walk logs them in directly, and hashing four passwords costs seconds.
        username=username,
        password=None,
        email=f"{username}@team.example",
        is_staff=role in STAFF,
    )
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    return user


def _lockouts() -> list:
    seen = {"user_agent": "walk", "ip_address": "192.0.2.1", "username": "someone", "http_accept": "*/*"}
    return [
        AccessAttempt.objects.create(**seen, path_info="/login/", get_data="", post_data="", failures_since_start=1),
        AccessLog.objects.create(**seen, path_info="/login/"),
        AccessFailureLog.objects.create(**seen, path_info="/login/"),
    ]


def _schedules() -> list:
    interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    return [
        interval,
        PeriodicTask.objects.create(name="walk", task="health.tasks.beat", interval=interval),
        CrontabSchedule.objects.create(minute="0", hour="7"),
        SolarSchedule.objects.create(event="sunrise", latitude=48.85, longitude=2.35),
        ClockedSchedule.objects.create(clocked_time=timezone.now()),
    ]


# --- The expectations ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    route: Route
    role: str
    method: str
    variant: str  # "" (no id), "existing", "missing" (an id of nothing) or "malformed" (not an id at all)


def _model_page(route: Route) -> str | None:
    """ "change" for admin:crm_channel_change, "redirect" for /admin/crm/channel/{object_id}/, else None."""
    if route.model is None:
        return None
    meta = route.model._meta
    prefix = f"admin:{meta.app_label}_{meta.model_name}_"
    if route.name.startswith(prefix):
        return route.name.removeprefix(prefix)
    if route.name == f"/admin/{meta.app_label}/{meta.model_name}/{{object_id}}/":
        return "redirect"
    return None


def expected(case: Case) -> int:
    """The status the rules above give for this request."""
    if case.route.is_admin:
        return _expected_in_admin(case)
    page, role = PAGES[case.route.name], case.role
    if role == ANONYMOUS and not page.public:
        return 302
    allowed = page.get if case.method == "GET" else page.post
    if allowed is None:
        return 405
    if role not in allowed:
        return 403
    if case.variant == "missing":
        return page.missing
    answer = page.answer_get if case.method == "GET" else page.answer_post
    return answer[role] if isinstance(answer, dict) else answer


def _expected_in_admin(case: Case) -> int:
    route, role, method = case.route, case.role, case.method
    staff = role in STAFF
    if route.name in SITE_PAGES:
        site_page = SITE_PAGES[route.name]
        if not staff:
            return 200 if site_page.answers_anyone else 302
        answer = site_page.get if method == "GET" else site_page.post
        return 405 if answer is None else answer

    model, kind = route.model, _model_page(route)
    page = MODEL_PAGE_EXCEPTIONS.get((model, kind), MODEL_PAGES[kind])
    rights = rights_of(role, apps.get_model(page.on) if page.on else model) & ADMIN_OFFERS.get(model, ALL)
    if model is Report and role != ANONYMOUS:
        # The reports' gate asks for the permission before the admin's own checks: a member without it gets 403.
        staff = True
    if not staff:
        return 302
    needs = page.get if method == "GET" else page.post
    if needs is None:
        return 405
    if needs and not needs & rights:
        if kind == "history" and case.variant in NAMES_NOTHING and not _tracked(model):
            return 302  # Django's history page looks the row up before it checks the rights
        return 403
    if case.variant in NAMES_NOTHING:
        return 404 if kind == "history" and _tracked(model) else page.missing
    return page.answer_get if method == "GET" else page.answer_post


def _tracked(model) -> bool:
    """Whether django-simple-history keeps the model's versions (its admin then has their history page)."""
    return hasattr(model, "history")


# --- The walk --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Walk:
    """The requests of one URL × role × method: one per variant of its ids."""

    route: Route
    role: str
    method: str
    variants: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.route.name}-{self.role}-{self.method}"

    @property
    def cases(self) -> list[Case]:
        return [Case(self.route, self.role, self.method, variant) for variant in self.variants]


def _walks() -> list[Walk]:
    walks = []
    for route in all_routes():
        variants = ("existing", "missing") if _has_ids(route) else ("",)
        text_ids = ("malformed",) if TEXT_IDS & set(route.params) else ()
        for role in (ANONYMOUS, VIEWER, MARKETER, MANAGER):
            for method in ("GET", "POST"):
                walks.append(Walk(route, role, method, variants + (text_ids if role == MANAGER else ())))
        if route.is_admin:
            walks.append(Walk(route, STAFF_MARKETER, "GET", variants[:1]))
    return walks


def _has_ids(route: Route) -> bool:
    page = PAGES.get(route.name)
    return bool(set(route.params) - {"app_label", "url"}) or bool(page and page.query)


def _path(case: Case, world: World) -> str:
    route = case.route
    missing = case.variant in NAMES_NOTHING
    values = {}
    for name in route.params:
        if route.name == "admin:view_on_site":  # a content type and an id of its model
            values[name] = MISSING_ID if missing else world.rows[Influencer].pk
            if name == "content_type_id":
                values[name] = ContentType.objects.get_for_model(Influencer).pk
        elif name in ("pk", "id", "object_id", "arg1"):
            model = route.model or PAGES[route.name].pk
            assert model in world.rows, f"{route.name}: the walk's world has no {model.__name__}, add one"
            values[name] = MISSING_ID if missing else world.rows[model].pk
        elif name == "arg2":
            values[name] = MISSING_ID if missing else world.history[route.model]
        elif name == "slug":
            values[name] = "nothing" if missing else next(iter(REPORTS))
        elif name == "token":
            values[name] = "not-a-token" if missing else world.token
        elif name == "app_label":
            values[name] = "crm"
        elif name == "url":
            values[name] = "nowhere/"
        else:
            raise AssertionError(f"{route.name}: no value for {{{name}}}")
    if case.variant == "malformed":
        values.update(dict.fromkeys(TEXT_IDS & set(values), "not-an-id"))
    path = route.fill(**values)
    page = PAGES.get(route.name)
    if page and page.query:
        path += "?" + page.query.format(influencer=MISSING_ID if missing else world.rows[Influencer].pk)
    return path


WALKS = _walks()
CASES = [case for walk in WALKS for case in walk.cases]


def rows_written() -> int:
    """How many rows this connection has inserted, updated or deleted so far: equal before and after a request
    when it wrote nothing, to any table (cheaper than reading every table twice, and it sees updates too)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_all_tables")
        else:
            cursor.execute("SELECT total_changes()")
        return cursor.fetchone()[0]


@pytest.fixture(scope="module")
def walker() -> Client:
    """One client for the whole walk: a new one loads the middleware again, and WhiteNoise's scan of the static
    files is most of the time of a small request."""
    return Client()


@pytest.fixture
def client_as(walker, world, db):
    def as_role(role: str) -> Client:
        walker.cookies.clear()
        if role != ANONYMOUS:
            walker.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
            _just_active(world.sessions[role])
        return walker

    return as_role


def _just_active(session_key: str) -> None:
    """The session was active a moment ago, so that a walk's requests do not push its end back: that write
    (config.middleware.session_idle_timeout) would be taken for a refused request writing to the database."""
    session = SessionStore(session_key)
    session[REFRESHED_AT] = int(time.time())
    session.save()


@pytest.mark.parametrize("walk", WALKS, ids=lambda w: w.id)
def test_each_role_gets_exactly_what_the_rules_say(walk, world, client_as):
    wrong = [problem for case in walk.cases if (problem := _request(case, world, client_as(case.role)))]

    assert wrong == []


def _request(case: Case, world: World, client: Client) -> str:
    """What is wrong with the answer to this request: "" when it is what the rules say."""
    path = _path(case, world)
    want = expected(case)
    refused = want in (403, 405) or (want == 302 and _sent_to_log_in(case))
    before = rows_written()

    response = client.generic(case.method, path)

    said = f"{case.method} {path} as {case.role}"
    if response.status_code != want:
        return f"{said}: {response.status_code}, want {want}"
    if response.get("Content-Type", "").startswith("text/") and (left := template_leftovers(response.text)):
        return f"{said}: template syntax left in the page: {left}"
    if want == 302 and refused and not response["Location"].startswith(_login_page(case)):
        return f"{said}: sent to {response['Location']}, want {_login_page(case)}"
    if refused and rows_written() != before:
        return f"{said}: refused, but it wrote to the database"
    return ""


def _login_page(case: Case) -> str:
    """The admin sends members who are not staff to its own login page, and visitors too from its own pages
    (which name it as their login_url); elsewhere the login-required middleware sends visitors to the app's."""
    if case.route.name in SITE_PAGES:
        return SITE_PAGES[case.route.name].others_to
    if case.route.is_admin and case.role != ANONYMOUS:
        return ADMIN_LOGIN
    return LOGIN


def _sent_to_log_in(case: Case) -> bool:
    if case.route.is_admin:
        # The admin keeps out whoever is not staff; the reports' gate answers 403 first.
        return case.role not in STAFF and (case.route.model is not Report or case.role == ANONYMOUS)
    return case.role == ANONYMOUS and not PAGES[case.route.name].public


def test_every_url_has_an_expectation():
    assert [route.name for route in all_routes() if not _covered(route)] == []


def _covered(route: Route) -> bool:
    if not route.is_admin:
        return route.name in PAGES
    if route.name in SITE_PAGES:
        return True
    if route.model is None or route.model._meta.app_label not in ADMIN_RIGHTS[MANAGER]:
        return False
    return _model_page(route) in MODEL_PAGES


def test_the_roles_hold_the_rights_the_walk_expects(db):
    """The groups hold, on each model of the apps the walk names, exactly the rights ADMIN_RIGHTS gives them."""
    for role in ADMIN_RIGHTS:
        group = Group.objects.get(name=ROLE_GROUPS[role])
        held = set(group.permissions.values_list("content_type__app_label", "codename"))
        labels = {key.split(".")[0] for key in ADMIN_RIGHTS[role]}
        for model in [m for label in labels for m in apps.get_app_config(label).get_models()]:
            if hasattr(model, "instance_type"):  # a history model: read only, for every role (tests/crm/test_roles)
                continue
            label = model._meta.app_label
            on_model = {(label, _codename(model, action)) for action in ALL}
            want = {(label, _codename(model, action)) for action in rights_of(role, model)}
            assert held & on_model == want, (role, model)


def _codename(model, action: str) -> str:
    # The reports carry one permission of their own instead of Django's four.
    return "view_reports" if model is Report else f"{action}_{model._meta.model_name}"


def test_the_walk_covers_the_ui_the_admin_and_ids_that_belong_to_nothing():
    names = {case.route.name for case in CASES}
    assert {"home", "crm:influencer_edit", "admin:index", "admin:crm_influencer_change", "unsubscribe"} <= names
    assert {case.variant for case in CASES} == {"", "existing", "missing", "malformed"}
    assert {case.role for case in CASES} == {ANONYMOUS, VIEWER, MARKETER, MANAGER, STAFF_MARKETER}


@pytest.mark.parametrize(
    "model,field",
    [("crm.influencer", "owner"), ("campaigns.campaign", "owner"), ("campaigns.relationship", "influencer")],
)
def test_a_manager_can_pick_in_the_admins_autocomplete_boxes(world, client_as, model, field):
    app_label, model_name = model.split(".")
    query = f"app_label={app_label}&model_name={model_name}&field_name={field}&term="

    response = client_as(MANAGER).get(f"/admin/autocomplete/?{query}")

    assert response.status_code == 200
    assert response.json()["results"]


def test_the_language_switcher_works_without_a_login(world, client_as):
    response = client_as(ANONYMOUS).post("/i18n/setlang/", {"language": "fr", "next": "/login/"})

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert response.cookies["django_language"].value == "fr"
