"""Mailboxes in the admin: managers add and edit the shared ones and see everyone's health; a personal mailbox's
server, user and password are neither shown nor editable there (only pause and resume)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from messaging.mailbox import accounts
from messaging.mailbox.imap import ConnectionTest
from messaging.mailbox.secrets import password_open
from messaging.models import Mailbox
from tests.factories import paris
from tests.messaging.factories import MAILBOX_PASSWORD, MailboxFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:messaging_mailbox_add")
CHANGELIST = reverse("admin:messaging_mailbox_changelist")
NOW = paris(2026, 3, 2, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def admin_client(client, alice):
    client.force_login(alice)
    return client


def change_url(mailbox: Mailbox) -> str:
    return reverse("admin:messaging_mailbox_change", args=[mailbox.pk])


def _shared(owner, **fields) -> dict:
    data = {
        "owner": owner.pk,
        "name": "Press desk",
        "address": "press@team.example",
        "host": "imap.team.example",
        "port": "993",
        "security": "tls",
        "username": "press@team.example",
        "password": "shared-s3cret",
        "folders-TOTAL_FORMS": "0",
        "folders-INITIAL_FORMS": "0",
    }
    return data | fields


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_manager_adds_a_shared_mailbox_with_its_password_sealed(admin_client, bob):
    page = admin_client.get(ADD).content.decode()
    response = admin_client.post(ADD, _shared(bob))

    assert 'name="shared"' not in page  # the admin adds shared mailboxes only
    assert response.status_code == 302, response.content.decode()[:3000]
    mailbox = Mailbox.objects.get()
    assert (mailbox.owner, mailbox.shared, mailbox.name, mailbox.next_sync_at) == (bob, True, "Press desk", NOW)
    assert password_open(mailbox.password_sealed) == "shared-s3cret"


def test_the_services_refusals_land_on_the_admins_form(admin_client, bob):
    response = admin_client.post(ADD, _shared(bob, security="none"))

    assert response.status_code == 200
    assert "only allowed to this computer" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_a_shared_mailboxs_password_is_write_only_and_kept_when_left_empty(admin_client, bob):
    mailbox = MailboxFactory(owner=bob, shared=True, name="Press desk")

    page = admin_client.get(change_url(mailbox)).content.decode()
    response = admin_client.post(change_url(mailbox), _shared(bob, password="", port="143", security="starttls"))

    assert MAILBOX_PASSWORD not in page and mailbox.password_sealed not in page
    assert "Leave it empty to keep the saved password." in page
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.port, mailbox.security, password_open(mailbox.password_sealed)) == (
        143, "starttls", MAILBOX_PASSWORD,
    )  # fmt: skip


def test_a_personal_mailboxs_credentials_are_not_in_its_change_page_and_only_pausing_changes(admin_client, bob):
    mailbox = MailboxFactory(owner=bob, host="imap.bob-private.example", username="bob-login", logged_count=12)

    page = admin_client.get(change_url(mailbox)).content.decode()
    response = admin_client.post(
        change_url(mailbox), _shared(bob, paused="on", host="imap.evil.example", username="evil", password="x")
    )

    for secret in ("imap.bob-private.example", "bob-login", MAILBOX_PASSWORD, mailbox.password_sealed):
        assert secret not in page
    assert 'name="host"' not in page and 'name="password"' not in page and 'name="paused"' in page
    assert "12" in page  # its health is shown
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.paused, mailbox.host, mailbox.username) == (True, "imap.bob-private.example", "bob-login")
    assert password_open(mailbox.password_sealed) == MAILBOX_PASSWORD


def test_the_list_shows_every_mailboxs_health(admin_client, bob, dave):
    MailboxFactory(owner=bob, failures=3, last_error="The server did not answer in time.", logged_count=7)
    MailboxFactory(owner=dave, shared=True, name="Press desk")

    html = admin_client.get(CHANGELIST).content.decode()

    assert "The server did not answer in time." in html and "Press desk" in html and "bob@team.example" in html


def test_pause_and_resume_actions_go_through_the_services(admin_client, bob):
    mailbox = MailboxFactory(owner=bob)

    admin_client.post(CHANGELIST, {"action": "pause", "_selected_action": [mailbox.pk]})
    assert Mailbox.objects.get().paused
    admin_client.post(CHANGELIST, {"action": "resume", "_selected_action": [mailbox.pk]})
    mailbox.refresh_from_db()
    assert (mailbox.paused, mailbox.next_sync_at) == (False, NOW)


def test_the_test_action_says_what_each_shared_mailbox_answered(admin_client, bob, monkeypatch):
    shared = MailboxFactory(owner=bob, shared=True, name="Press desk")
    personal = MailboxFactory(owner=bob)
    tried = []
    refused = ConnectionTest(problem="The server refused the user name.")
    monkeypatch.setattr(accounts, "connection_test", lambda s: tried.append(s) or refused)

    response = admin_client.post(
        CHANGELIST, {"action": "test_connection", "_selected_action": [shared.pk, personal.pk]}, follow=True
    )

    messages = said(response)
    assert "Press desk: The server refused the user name." in messages
    assert any("a personal mailbox is tested by its owner" in m for m in messages)
    assert [t.authenticator.password for t in tried] == [MAILBOX_PASSWORD]


def test_deleting_a_mailbox_goes_through_disconnect(admin_client, bob):
    mailbox = MailboxFactory(owner=bob, shared=True)
    mailbox.folders.create(name="INBOX", role="inbox")

    response = admin_client.post(reverse("admin:messaging_mailbox_delete", args=[mailbox.pk]), {"post": "yes"})

    assert response.status_code == 302 and not Mailbox.objects.exists()


def test_marketers_have_no_mailbox_admin(client, dave):
    dave.is_staff = True
    dave.save()
    client.force_login(dave)

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(ADD).status_code == 403
