"""Connecting a mailbox from its page, against a real Dovecot (tests/imap_server.py): the test button logs in."""

import pytest

from messaging.models import Mailbox

pytestmark = pytest.mark.integration

URL = "/settings/mailbox/"


def _form(server, user, **fields) -> dict:
    # Plain IMAP is allowed to this computer only: the test server listens on loopback.
    data = {
        "address": f"{user.name}@team.example",
        "host": server.host,
        "port": str(server.port),
        "security": "none",
        "username": user.name,
        "password": user.password,
    }
    return data | fields


def test_testing_the_connection_logs_in_to_the_real_server(client, bob, imap_server, imap_user):
    client.force_login(bob)

    html = client.post(URL, _form(imap_server, imap_user, test="1")).content.decode()

    assert "Connected: the inbox and “Sent” (the sent mail) were found." in html
    assert imap_user.password not in html
    assert not Mailbox.objects.exists()


def test_a_wrong_password_is_said_in_plain_words(client, bob, imap_server, imap_user):
    client.force_login(bob)

    html = client.post(URL, _form(imap_server, imap_user, password="wrong", test="1")).content.decode()

    assert "The server refused the user name or password." in html


def test_a_self_signed_certificate_is_refused_in_plain_words(client, bob, imap_server, imap_user):
    client.force_login(bob)

    html = client.post(
        URL, _form(imap_server, imap_user, security="tls", port=str(imap_server.tls_port), test="1")
    ).content.decode()

    assert "certificate is not trusted" in html


def test_connecting_then_testing_again_with_the_saved_password(client, bob, imap_server, imap_user):
    client.force_login(bob)

    client.post(URL, _form(imap_server, imap_user))
    html = client.post("/settings/mailbox/edit/", _form(imap_server, imap_user, password="", test="1")).content.decode()

    assert Mailbox.objects.get(owner=bob).username == imap_user.name
    assert "Connected: the inbox and “Sent” (the sent mail) were found." in html
