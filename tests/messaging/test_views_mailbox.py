"""Your mailbox (/settings/mailbox/): a member connects their own, sees its state, pauses, syncs, edits or
disconnects it. Nobody reaches anyone else's; the password never comes back in a page."""

import datetime

import pytest
from django.urls import reverse

from messaging.mailbox import accounts
from messaging.mailbox.imap import ConnectionTest, FolderRef
from messaging.mailbox.secrets import password_open
from messaging.models import Mailbox
from tests.factories import paris
from tests.messaging.factories import MAILBOX_PASSWORD, MailboxFactory

NOW = paris(2026, 3, 2, 10)
URL = "/settings/mailbox/"
TYPED_PASSWORD = "typed-app-p4ssword"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _form(**fields) -> dict:
    data = {
        "address": "bob@team.example",
        "host": "imap.gmail.com",
        "port": "993",
        "security": "tls",
        "username": "bob@team.example",
        "password": TYPED_PASSWORD,
    }
    return data | fields


def test_my_settings_link_to_my_mailbox(client, bob):
    client.force_login(bob)

    assert reverse("mailbox") == URL
    assert f'href="{URL}"' in client.get(reverse("my_settings")).content.decode()


def test_without_a_mailbox_the_page_offers_the_form_with_gmails_settings_as_help(client, bob):
    client.force_login(bob)

    html = client.get(URL).content.decode()

    for field in ("address", "host", "port", "security", "username", "password"):
        assert f'for="id_{field}"' in html, f"{field} has a label"
    assert "imap.gmail.com" in html and "app password" in html and "README" in html
    assert 'name="test"' in html and "Test the connection" in html and ">Connect<" in html
    assert 'value="bob@team.example"' in html  # the member's own address, to start from


def test_connecting_saves_my_mailbox_and_shows_its_state(client, bob):
    client.force_login(bob)

    response = client.post(URL, _form())

    assert response.status_code == 302 and response["Location"] == URL
    mailbox = Mailbox.objects.get(owner=bob)
    assert (mailbox.shared, password_open(mailbox.password_sealed)) == (False, TYPED_PASSWORD)
    html = client.get(URL).content.decode()
    assert "Your mailbox is connected" in html
    assert "bob@team.example" in html and "not yet" in html and TYPED_PASSWORD not in html


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"security": "none"}, "only allowed to this computer"),
        ({"port": "99999"}, "less than or equal to 65535"),
        ({"port": "nine"}, "Enter a whole number."),
        ({"host": "imap.gmail.com\r\nX: y"}, "Keep this on one line"),
        ({"host": "bad host"}, "is not a server name"),
        ({"address": "nobody"}, "Enter a valid email address."),
        ({"password": ""}, "Give the password"),
        ({"security": "rot13"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_form_error_that_keeps_nothing_and_never_shows_the_password(client, bob, fields, error):
    client.force_login(bob)

    response = client.post(URL, _form(**fields))

    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert TYPED_PASSWORD not in html
    assert not Mailbox.objects.exists()


def test_a_second_connection_is_refused_on_the_form(client, bob):
    MailboxFactory(owner=bob)
    client.force_login(bob)

    response = client.post(URL, _form())

    assert response.status_code == 200
    assert "already have a mailbox connected" in response.content.decode()
    assert Mailbox.objects.count() == 1


def test_testing_the_connection_says_what_went_wrong_and_keeps_the_typed_values_but_the_password(
    client, bob, monkeypatch
):
    tried = []
    nothing = ConnectionTest(problem="Nothing answers at this host.")
    monkeypatch.setattr(accounts, "connection_test", lambda s: tried.append(s) or nothing)
    client.force_login(bob)

    response = client.post(URL, _form(host="imap.team.example", test="1"))

    html = response.content.decode()
    assert "Nothing answers at this host." in html
    assert 'value="imap.team.example"' in html and TYPED_PASSWORD not in html
    assert (tried[0].host, tried[0].user, tried[0].authenticator.password) == (
        "imap.team.example", "bob@team.example", TYPED_PASSWORD,
    )  # fmt: skip
    assert not Mailbox.objects.exists()  # testing connects nothing


def test_a_successful_test_names_the_sent_folder_it_found(client, bob, monkeypatch):
    found = (FolderRef("INBOX", "inbox"), FolderRef("Sent Items", "sent"))
    monkeypatch.setattr(accounts, "connection_test", lambda s: ConnectionTest(folders=found))
    client.force_login(bob)

    html = client.post(URL, _form(test="1")).content.decode()

    assert "Connected: the inbox and “Sent Items” (the sent mail) were found." in html


def test_a_server_without_a_sent_folder_connects_but_says_what_is_not_logged(client, bob, monkeypatch):
    monkeypatch.setattr(accounts, "connection_test", lambda s: ConnectionTest(folders=(FolderRef("INBOX", "inbox"),)))
    client.force_login(bob)

    html = client.post(URL, _form(test="1")).content.decode()

    assert "Connected: the inbox was found, but no sent-mail folder: only the mail you receive is logged." in html


def test_my_mailbox_page_shows_its_health(client, bob):
    MailboxFactory(
        owner=bob,
        last_sync_at=NOW - datetime.timedelta(minutes=3),
        logged_count=42,
        unreadable_count=2,
        last_unreadable="The mail is larger than 25 MB.",
        last_error="The server did not answer in time.",
        last_error_at=NOW - datetime.timedelta(hours=2),
    )
    client.force_login(bob)

    html = client.get(URL).content.decode()

    assert "3\xa0minutes ago" in html
    assert ">42<" in html and "The mail is larger than 25 MB." in html
    assert "The server did not answer in time." in html and "2\xa0hours ago" in html
    assert "Sync now" in html and "Pause" in html and MAILBOX_PASSWORD not in html


def test_a_failing_mailbox_says_when_it_tries_again_and_a_paused_one_says_so(client, bob):
    mailbox = MailboxFactory(owner=bob, failures=3, next_sync_at=NOW + datetime.timedelta(minutes=8))
    client.force_login(bob)

    assert "failing" in client.get(URL).content.decode() and "next try at" in client.get(URL).content.decode()
    Mailbox.objects.filter(pk=mailbox.pk).update(paused=True)
    html = client.get(URL).content.decode()
    assert "paused" in html and "Resume" in html and "Sync now" not in html


def test_pause_resume_and_sync_now_are_posts_on_my_own_mailbox(client, bob):
    MailboxFactory(owner=bob, next_sync_at=NOW + datetime.timedelta(hours=1))
    client.force_login(bob)

    assert client.get(reverse("mailbox_pause")).status_code == 405
    assert client.post(reverse("mailbox_pause"))["Location"] == URL
    assert Mailbox.objects.get().paused
    client.post(reverse("mailbox_resume"))
    assert not Mailbox.objects.get().paused
    Mailbox.objects.update(next_sync_at=NOW + datetime.timedelta(hours=1))
    client.post(reverse("mailbox_sync"))
    assert Mailbox.objects.get().next_sync_at == NOW


def test_editing_with_an_empty_password_keeps_the_saved_one(client, bob):
    MailboxFactory(owner=bob)
    client.force_login(bob)

    page = client.get(reverse("mailbox_edit")).content.decode()
    response = client.post(reverse("mailbox_edit"), _form(password="", port="143", security="starttls"))

    assert 'value="imap.team.example"' in page and MAILBOX_PASSWORD not in page
    assert "Leave it empty to keep the saved password." in page
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert (mailbox.port, password_open(mailbox.password_sealed)) == (143, MAILBOX_PASSWORD)


def test_testing_while_editing_uses_the_saved_password_when_none_is_typed(client, bob, monkeypatch):
    MailboxFactory(owner=bob)
    tried = []
    monkeypatch.setattr(accounts, "connection_test", lambda s: tried.append(s) or ConnectionTest())
    client.force_login(bob)

    html = client.post(reverse("mailbox_edit"), _form(password="", test="1")).content.decode()

    assert tried[0].authenticator.password == MAILBOX_PASSWORD
    assert "Connected" in html and MAILBOX_PASSWORD not in html


def test_disconnecting_asks_first_and_says_the_contacts_stay(client, bob):
    MailboxFactory(owner=bob)
    client.force_login(bob)

    confirm = client.get(reverse("mailbox_disconnect")).content.decode()
    response = client.post(reverse("mailbox_disconnect"))

    assert "The contacts it logged stay" in confirm
    assert response.status_code == 302 and not Mailbox.objects.exists()
    assert "Connect your mailbox" in client.get(URL).content.decode()


def test_nobody_else_sees_or_changes_my_mailbox(client, alice, bob, dave):
    MailboxFactory(owner=bob, address="bob@team.example", host="imap.bob.example")
    for someone in (alice, dave):
        client.force_login(someone)

        assert "imap.bob.example" not in client.get(URL).content.decode()
        for name in ("mailbox_edit", "mailbox_disconnect"):
            assert client.get(reverse(name)).status_code == 404
        for name in ("mailbox_pause", "mailbox_resume", "mailbox_sync", "mailbox_disconnect", "mailbox_edit"):
            assert client.post(reverse(name), _form()).status_code == 404
    mailbox = Mailbox.objects.get()
    assert (mailbox.paused, mailbox.host) == (False, "imap.bob.example")


def test_a_shared_mailbox_i_own_is_not_my_mailbox_here(client, bob):
    MailboxFactory(owner=bob, shared=True, host="imap.press.example")
    client.force_login(bob)

    assert "Connect your mailbox" in client.get(URL).content.decode()
    assert client.post(reverse("mailbox_pause")).status_code == 404


def test_a_viewer_cannot_connect_a_mailbox(client, carol):
    client.force_login(carol)

    assert client.get(URL).status_code == 403
    assert client.post(URL, _form()).status_code == 403
    assert 'href="/settings/mailbox/"' not in client.get(reverse("my_settings")).content.decode()


def test_the_forms_need_the_csrf_token(bob):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)

    assert client.post(URL, _form()).status_code == 403
    assert not Mailbox.objects.exists()
