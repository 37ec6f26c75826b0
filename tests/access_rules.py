"""The access rules tests/test_access.py walks: who may GET and POST each page of the UI (PAGES), the model
permissions each role holds in the admin (ADMIN_RIGHTS), what each admin offers at all (ADMIN_OFFERS), and the
admin's own pages (SITE_PAGES). They say what should happen, never what the code answers today.
"""

from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from campaigns.models import Campaign, ContentMatch, GuardrailEvent, Relationship, StageChange
from core import roles
from core.models import TeamRules
from crm.models import BouncingAddress, Channel, ImportJob, Influencer, Post
from messaging.models import Message, UnknownSender
from reports.models import Report

ANONYMOUS, VIEWER, MARKETER, MANAGER = "anonymous", "viewer", "marketer", "manager"
MEMBERS = frozenset({VIEWER, MARKETER, MANAGER})
WRITERS = frozenset({MARKETER, MANAGER})
EVERYONE = MEMBERS | {ANONYMOUS}
# Staff status is not a role: a marketer given it by mistake (dave) reaches the admin's door, and no further
# than a marketer's rights. Walked on the admin only, with GET.
STAFF_MARKETER = "staff-marketer"
# The named people of tests/conftest.py, one per role.
PEOPLE = {VIEWER: "carol", MARKETER: "bob", MANAGER: "alice", STAFF_MARKETER: "dave"}
ROLE_GROUPS = {VIEWER: roles.VIEWER, MARKETER: roles.MARKETER, MANAGER: roles.MANAGER, STAFF_MARKETER: roles.MARKETER}
STAFF = {MANAGER, STAFF_MARKETER}

MISSING_ID = 987654  # an id that belongs to nothing
NAMES_NOTHING = ("missing", "malformed")
# The admin's URLs take any text as an id (its views receive it as typed): walked with text too, by a manager.
TEXT_IDS = {"object_id", "id", "arg1", "arg2"}
LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"


# --- The web UI ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """Who may do what on one page of the UI.

    get / post: the roles that may; None when the page does not take that method at all (405).
    answer_get / answer_post: what a role that may gets — for POST, the answer to an empty form (200: the form
    again with its errors; 302: the page acts and sends you on). A dict gives it per role.
    pk: the model the page's {pk} names; query: the query string that names the page's subject.
    """

    get: frozenset | None
    post: frozenset | None
    answer_get: int | dict = 200
    answer_post: int | dict = 200
    pk: type | None = None
    query: str = ""
    # What a role that may gets when the page's id (or query) names nothing.
    missing: int = 404
    public: bool = False  # an anonymous visitor is not sent to log in


# The mailbox pages reach the member's own mailbox only: the marketer's page (200), an action sends back (302); the
# manager has none (404).
OWN_MAILBOX = {MARKETER: 200, MANAGER: 404}
OWN_MAILBOX_ACTS = {MARKETER: 302, MANAGER: 404}

PAGES: dict[str, Page] = {
    # Today, and each member's own settings: every member, whatever the role.
    "home": Page(get=MEMBERS, post=None),
    # The navigation bar's search: every member reads, each the groups their role shows.
    "search": Page(get=MEMBERS, post=None),
    "my_settings": Page(get=MEMBERS, post=MEMBERS),
    # The directory: everyone reads, marketers and managers change it.
    "crm:influencer_list": Page(get=MEMBERS, post=None),
    "crm:influencer_detail": Page(get=MEMBERS, post=None, pk=Influencer),
    "crm:influencer_add": Page(get=WRITERS, post=WRITERS),
    "crm:influencer_edit": Page(get=WRITERS, post=WRITERS, pk=Influencer),
    "crm:exchange_record": Page(get=WRITERS, post=WRITERS, pk=Influencer),
    "crm:snapshot_record": Page(get=WRITERS, post=WRITERS, pk=Channel),
    # The contact log names its person in the query (GET) or the form (POST): an empty form names nobody.
    "crm:contact_log": Page(get=WRITERS, post=WRITERS, query="influencer={influencer}", answer_post=404),
    # Campaigns and their boards: everyone reads, marketers and managers write briefs and move relationships.
    "campaigns:campaign_list": Page(get=MEMBERS, post=None),
    "campaigns:campaign_board": Page(get=MEMBERS, post=None, pk=Campaign),
    # "Show more" at the bottom of a long column: the query names the column and the card to follow (400 without).
    "campaigns:board_more": Page(get=MEMBERS, post=None, pk=Campaign, answer_get=400),
    "campaigns:campaign_add": Page(get=WRITERS, post=WRITERS),
    "campaigns:campaign_edit": Page(get=WRITERS, post=WRITERS, pk=Campaign),
    "campaigns:campaign_brief_check": Page(get=None, post=WRITERS),
    "campaigns:influencer_search": Page(get=WRITERS, post=None, pk=Campaign),
    # An empty shortlisting is refused with a message on the board.
    "campaigns:relationship_shortlist": Page(get=None, post=WRITERS, answer_post=302, pk=Campaign),
    "campaigns:relationship_pitch": Page(get=WRITERS, post=WRITERS, pk=Relationship),
    "campaigns:relationship_accept": Page(get=WRITERS, post=WRITERS, pk=Relationship),
    "campaigns:relationship_deliver": Page(get=WRITERS, post=WRITERS, pk=Relationship),
    "campaigns:relationship_close": Page(get=WRITERS, post=WRITERS, pk=Relationship),
    "campaigns:content_review": Page(get=WRITERS, post=WRITERS, pk=Relationship),
    # Follow-ups and the outbox.
    "follow_up_new": Page(get=WRITERS, post=WRITERS, pk=Influencer),
    # With no template chosen there is nothing to fill in: 204, the typed text stays.
    "follow_up_template": Page(get=WRITERS, post=None, answer_get=204, pk=Influencer),
    "message_edit": Page(get=WRITERS, post=WRITERS, pk=Message),
    # Each member's own mailbox (the walk's marketer has one; the manager none: 404): those who log contacts.
    "mailbox": Page(get=WRITERS, post=WRITERS),
    "mailbox_edit": Page(get=WRITERS, post=WRITERS, answer_get=OWN_MAILBOX, answer_post=OWN_MAILBOX),
    "mailbox_pause": Page(get=None, post=WRITERS, answer_post=OWN_MAILBOX_ACTS),
    "mailbox_resume": Page(get=None, post=WRITERS, answer_post=OWN_MAILBOX_ACTS),
    "mailbox_sync": Page(get=None, post=WRITERS, answer_post=OWN_MAILBOX_ACTS),
    "mailbox_disconnect": Page(get=WRITERS, post=WRITERS, answer_get=OWN_MAILBOX, answer_post=OWN_MAILBOX_ACTS),
    # Each member's own failed messages (Today links to it): everyone reads their own.
    "failed_messages": Page(get=MEMBERS, post=None),
    "message_cancel": Page(get=None, post=WRITERS, answer_post=302, pk=Message),
    # Each member's own messages, by status: everyone reads their own.
    "messages": Page(get=MEMBERS, post=None),
    # Retrying reaches only the member's own messages: the walk's message is the marketer's (refused as it is not
    # failed: back to the list, 302); it is not the manager's (404).
    "message_retry": Page(get=None, post=WRITERS, answer_post={MARKETER: 302, MANAGER: 404}, pk=Message),
    # "It works again" on a person's page: the form names the bounce, and an empty one names none.
    "crm:address_bounce_clear": Page(get=None, post=WRITERS, answer_post=404, pk=Influencer),
    # Mail from unknown senders: everyone reads the list, which holds what their own shared mailboxes received
    # (every one for a manager); acting on a mail is for its mailbox's owner (the marketer of the walk) and managers.
    "unknown_senders": Page(get=MEMBERS, post=None),
    "unknown_sender_person": Page(get=WRITERS, post=WRITERS, pk=UnknownSender),
    "unknown_sender_add_to": Page(get=WRITERS, post=WRITERS, pk=UnknownSender),
    "unknown_sender_dismiss": Page(get=None, post=WRITERS, answer_post=302, pk=UnknownSender),
    # Public: the people in the directory unsubscribe without an account; a token that names no one is a 400.
    "unsubscribe": Page(get=EVERYONE, post=EVERYONE, missing=400, public=True),
    "healthz": Page(get=EVERYONE, post=EVERYONE, public=True),
    # /favicon.ico: sent on to the static icon, for anyone.
    "favicon": Page(get=EVERYONE, post=EVERYONE, answer_get=302, answer_post=302, public=True),
    "set_language": Page(get=EVERYONE, post=EVERYONE, answer_get=302, answer_post=302, public=True),
    # Logged-in members are sent on from the login page.
    "login": Page(
        get=EVERYONE,
        post=EVERYONE,
        answer_get={ANONYMOUS: 200, **dict.fromkeys(MEMBERS, 302)},
        answer_post={ANONYMOUS: 200, **dict.fromkeys(MEMBERS, 302)},
        public=True,
    ),
    "logout": Page(get=None, post=MEMBERS, answer_post=302),
    # Every member changes their own password (an empty form: the form again, with its errors).
    "password_change": Page(get=MEMBERS, post=MEMBERS),
    "password_change_done": Page(get=MEMBERS, post=None),
}


# --- The admin -------------------------------------------------------------------------------------------------

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ALL = frozenset({VIEW, ADD, CHANGE, DELETE})
NONE = frozenset()

# What each role may do, per app ("crm") or per model ("crm.importjob"), in model permissions: the admin's
# answers are derived from this, and the groups must hold exactly it
# (test_the_roles_hold_the_rights_the_walk_expects). Only managers are staff.
ADMIN_RIGHTS: dict[str, dict[str, frozenset]] = {
    MANAGER: {
        "crm": ALL,
        "campaigns": ALL,
        "messaging": ALL,
        "health": frozenset({VIEW}),
        "django_celery_beat": frozenset({VIEW}),
        "reports": frozenset({VIEW}),  # reports.view_reports
        "auth": NONE,  # groups and permissions: superusers only
        "auth.user": frozenset({VIEW}),  # the team's accounts, read only: the admin's owner boxes complete them
        "axes": NONE,  # every login's address, the failure log: superusers only
        "axes.accessattempt": frozenset({VIEW, DELETE}),  # a lockout: seen, and deleted to unlock a teammate
        "core": frozenset({VIEW, CHANGE}),  # the team's rules (and their history): managers only
    },
    MARKETER: {
        "crm": ALL - {DELETE},
        "crm.importjob": NONE,  # an import writes the whole directory at once: managers only
        "campaigns": ALL - {DELETE},
        "messaging": ALL - {DELETE},
        "messaging.mailbox": NONE,  # everyone's mailbox and the shared ones: managers only
        "messaging.unknownsender": NONE,  # strangers' mail: its mailbox's owner, in the web UI, and managers
        "crm.bouncingaddress": NONE,
    },
    VIEWER: {
        "crm": frozenset({VIEW}),
        "crm.importjob": NONE,
        "campaigns": frozenset({VIEW}),
        "messaging": frozenset({VIEW}),
        "messaging.mailbox": NONE,
        "messaging.unknownsender": NONE,
        "crm.bouncingaddress": NONE,
    },
}


def rights_of(role: str, model) -> frozenset:
    rights = ADMIN_RIGHTS.get(MARKETER if role == STAFF_MARKETER else role, {})
    meta = model._meta
    return rights.get(meta.label_lower, rights.get(meta.app_label, NONE))


# What an admin offers at all, whatever the permissions: what the product writes is read (and deleted) only.
ADMIN_OFFERS: dict[type, frozenset] = {
    Message: frozenset({VIEW, CHANGE, DELETE}),  # queued by the product, never typed in
    UnknownSender: frozenset({VIEW, DELETE}),  # kept by the mailbox's sync; acted on from the web UI
    BouncingAddress: frozenset({VIEW}),  # recorded from delivery reports; cleared by "It works again"
    Post: frozenset({VIEW, DELETE}),  # read from feeds by their poll
    StageChange: frozenset({VIEW, DELETE}),
    GuardrailEvent: frozenset({VIEW, DELETE}),
    ContentMatch: frozenset({VIEW, DELETE}),  # matched after each poll; confirmed or dismissed on the board
    Report: frozenset({VIEW}),
    TeamRules: frozenset({VIEW, CHANGE}),  # one row: edited, never added nor deleted
    ImportJob: frozenset({VIEW, ADD, DELETE}),  # uploaded, then written by its worker
    # Recorded by the login pages; django-axes' admin never adds one.
    AccessAttempt: frozenset({VIEW, CHANGE, DELETE}),
    AccessLog: frozenset({VIEW, CHANGE, DELETE}),
    AccessFailureLog: frozenset({VIEW, CHANGE, DELETE}),
}


@dataclass(frozen=True)
class ModelPage:
    """A page of a model's admin: the rights that open it (any one of them), per method; None: not allowed (405).

    answer_get / answer_post: what a staff member with the right gets (for POST: an empty form).
    missing: what they get for an id that names nothing; Django's own pages go back to the index (302).
    """

    get: frozenset | None
    post: frozenset | None
    answer_get: int = 200
    answer_post: int = 200
    missing: int = 302
    on: str = ""  # the model whose rights open the page ("crm.importjob"), when it is not the admin's own


READ = frozenset({VIEW, CHANGE})  # Django's admin shows a page to whoever may view or change
ADD_JOB = frozenset({ADD})

MODEL_PAGES: dict[str, ModelPage] = {
    "changelist": ModelPage(get=READ, post=READ),
    "add": ModelPage(get=frozenset({ADD}), post=frozenset({ADD})),
    "change": ModelPage(get=READ, post=frozenset({CHANGE})),
    # An empty POST is not a confirmation: the page again.
    "delete": ModelPage(get=frozenset({DELETE}), post=frozenset({DELETE})),
    # Django's history page looks the row up before the rights (see expected()); django-simple-history's
    # answers 404.
    "history": ModelPage(get=READ, post=READ),
    "redirect": ModelPage(get=NONE, post=NONE, answer_get=302, answer_post=302, missing=302),  # {id}/ → change
    # django-simple-history's "this version" page.
    "simple_history": ModelPage(get=READ, post=frozenset({CHANGE}), missing=404),
    # A team member's password, on the user's admin.
    "password_change": ModelPage(get=frozenset({CHANGE}), post=frozenset({CHANGE}), missing=404),
    # The directory's import button leads to the import job's upload page; exporting reads the directory.
    "import": ModelPage(get=ADD_JOB, post=ADD_JOB, answer_get=302, answer_post=302, on="crm.importjob"),
    "process_import": ModelPage(get=ADD_JOB, post=ADD_JOB, answer_get=302, answer_post=302, on="crm.importjob"),
    # The whole directory's personal data: the right to delete people, i.e. managers (as for one person's).
    "export": ModelPage(get=frozenset({DELETE}), post=frozenset({DELETE})),
    # A person's privacy (desk/privacy/admin.py): seeing all we hold, the consent, erasure. The right to delete
    # people, i.e. managers.
    "privacy": ModelPage(get=frozenset({DELETE}), post=frozenset({DELETE}), missing=404),
    "privacy_json": ModelPage(get=frozenset({DELETE}), post=frozenset({DELETE}), missing=404),
    "consent": ModelPage(get=frozenset({DELETE}), post=frozenset({DELETE}), missing=404),
    "erase": ModelPage(get=frozenset({DELETE}), post=frozenset({DELETE}), missing=404),
    # An import job's progress, polled by its page.
    "progress": ModelPage(get=frozenset({VIEW}), post=frozenset({VIEW}), missing=404),
    # The reports (reports/admin.py): an unknown report is a 404.
    "detail": ModelPage(get=frozenset({VIEW}), post=frozenset({VIEW}), missing=404),
    "csv": ModelPage(get=frozenset({VIEW}), post=frozenset({VIEW}), missing=404),
    "xlsx": ModelPage(get=frozenset({VIEW}), post=frozenset({VIEW}), missing=404),
    "figures": ModelPage(get=frozenset({VIEW}), post=frozenset({VIEW}), missing=404),  # a card of the overview
}


# Pages of one model's admin that answer unlike MODEL_PAGES says.
MODEL_PAGE_EXCEPTIONS: dict[tuple[type, str], ModelPage] = {
    # The team's rules are one row: their list opens its page.
    (TeamRules, "changelist"): ModelPage(get=READ, post=READ, answer_get=302, answer_post=302),
}


@dataclass(frozen=True)
class SitePage:
    """One of the admin's own pages (not a model's): what a staff member gets; the others are sent to log in."""

    get: int | None  # None: the method is not allowed (405)
    post: int | None
    answers_anyone: bool = False  # the login page answers whoever asks
    others_to: str = ADMIN_LOGIN  # where the others are sent


SITE_PAGES: dict[str, SitePage] = {
    "admin:index": SitePage(get=200, post=200),
    "admin:login": SitePage(get=302, post=200, answers_anyone=True),  # staff are sent on to the index
    "admin:logout": SitePage(get=None, post=302, others_to="/admin/"),  # Django sends them to the index, which…
    "admin:password_change": SitePage(get=200, post=200),
    "admin:password_change_done": SitePage(get=200, post=None),
    # Without the field to complete, the autocomplete refuses (test_a_manager_can_pick_an_owner_in_the_admin).
    "admin:autocomplete": SitePage(get=403, post=None),
    "admin:jsi18n": SitePage(get=200, post=None),
    # No model of the project has a page on the site to show.
    "admin:view_on_site": SitePage(get=404, post=404),
    "admin:app_list": SitePage(get=200, post=200),
    "/admin/{url}": SitePage(get=404, post=404),
}
