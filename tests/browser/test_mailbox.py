"""The mailbox in a real browser against a real Dovecot (bench/imap_server.py), end to end.

bob connects his own mailbox (a wrong password first), a reply from Léa is read and logged on her page, he
pauses, resumes and disconnects it. alice, a manager, sets up a shared BCC mailbox for bob in the admin: mail from
strangers waits on bob's list until he says whose address it is or adds the sender as a person. A 5.1.1 bounce of
a follow-up marks the address bouncing until bob says it works again.

The sync runs in the test process (`mailbox_sync`), as a worker would: the live server reads the same database.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from crm.models import BouncingAddress, Contact, Influencer
from messaging.mailbox.accounts import mailbox_connect
from messaging.mailbox.sync import mailbox_sync
from messaging.models import Mailbox, Message, UnknownSender
from tests.browser.steps import follow, log_in
from tests.browser.test_csp import admin_log_in
from tests.factories import InfluencerFactory, paris
from tests.messaging.factories import MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAILS = Path(__file__).parents[1] / "messaging" / "mailbox" / "mails"
# A Tuesday morning in Paris; time keeps running from there (the browser, the server and Dovecot need it to).
NOW = paris(2030, 3, 12, 10, 0)


@pytest.fixture(autouse=True)
def tuesday(time_machine):
    time_machine.move_to(NOW, tick=True)


def a_mail(*, sender: str, to: str, subject: str, n: int, body: str = "Avec plaisir, envoyez-moi les dates.") -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <mail.{n}@blog.example>\r\n"
        "Date: Tue, 12 Mar 2030 09:30:00 +0100\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
        f"\r\n{body}\r\n"
    ).encode()


def synced(mailbox: Mailbox) -> None:
    """What beat's next pass would do: read the mailbox now."""
    assert mailbox_sync(mailbox_id=mailbox.pk) is not None


def test_a_marketer_connects_her_mailbox_and_a_reply_is_logged(page_in, bob, imap_server, imap_user):
    lea = InfluencerFactory(name="Léa Martin", email="lea@blog.example", owner=bob)
    page = page_in("en-GB")
    log_in(page, "bob", "pw-bob")
    page.goto("/settings/mailbox/")
    expect(page.locator("h1")).to_have_text("Connect your mailbox")
    expect(page.get_by_label("E-mail address")).to_have_value("bob@team.example")

    # The test server listens on this computer: a connection without encryption is allowed to it.
    page.get_by_label("IMAP server").fill(imap_server.host)
    page.get_by_label("Port").fill(str(imap_server.port))
    page.get_by_label("Security").select_option("none")
    page.get_by_label("User name").fill(imap_user.name)
    password = page.get_by_label("Password or app password")
    password.fill("not-the-password")
    follow(page.get_by_role("button", name="Test the connection"))
    expect(page.locator("#connection-test")).to_have_text("The server refused the user name or password.")
    expect(password).to_have_value("")  # never sent back, not even the wrong one
    expect(page.get_by_label("IMAP server")).to_have_value(imap_server.host)
    assert "not-the-password" not in page.content()
    assert not Mailbox.objects.exists()

    password.fill(imap_user.password)
    follow(page.get_by_role("button", name="Test the connection"))
    expect(page.locator("#connection-test")).to_have_text("Connected: the inbox and “Sent” (the sent mail) were found.")
    expect(password).to_have_value("")
    assert imap_user.password not in page.content()

    password.fill(imap_user.password)
    follow(page.get_by_role("button", name="Connect", exact=True))
    expect(page.locator("h1")).to_have_text("Your mailbox")
    expect(page.get_by_role("alert")).to_contain_text("Your mailbox is connected")
    state = page.locator("#mailbox-state")
    expect(state).to_contain_text("bob@team.example")
    expect(state).to_contain_text("read every minute")
    expect(state).to_contain_text("not yet")
    mailbox = Mailbox.objects.get(owner=bob, shared=False)
    assert imap_user.password not in mailbox.password_sealed

    # Léa answers; the sync reads it.
    imap_server.append(
        imap_user, "INBOX", a_mail(sender="Léa Martin <lea@blog.example>", to="bob@team.example",
                                   subject="Re: Spring range in Lyon", n=1),
    )  # fmt: skip
    synced(mailbox)
    page.reload()
    expect(state.locator("dt:text-is('Contacts logged') + dd")).to_have_text("1")
    expect(state).not_to_contain_text("not yet")

    follow(page.get_by_role("link", name="Today"))
    recent = page.locator("li.list-group-item").filter(has_text="Léa Martin")
    expect(recent).to_contain_text("Re: Spring range in Lyon")
    expect(recent).to_contain_text("E-mail · inbound")
    follow(recent.get_by_role("link", name="Léa Martin"))
    timeline = page.locator("#timeline")
    expect(timeline.locator(".timeline-contact")).to_have_count(1)
    expect(timeline.locator(".timeline-contact")).to_contain_text(
        "Re: Spring range in Lyon — Avec plaisir, envoyez-moi les dates."
    )

    # Pause, resume, then disconnect: what was logged stays Léa's.
    page.goto("/settings/mailbox/")
    follow(page.get_by_role("button", name="Pause"))
    expect(page.get_by_role("alert")).to_contain_text("Your mailbox is paused")
    expect(state).to_contain_text("paused")
    expect(page.get_by_role("button", name="Sync now")).to_have_count(0)
    follow(page.get_by_role("button", name="Resume"))
    expect(page.get_by_role("alert")).to_contain_text("Your mailbox is read again")
    expect(state).to_contain_text("read every minute")
    follow(page.get_by_role("link", name="Disconnect"))
    expect(page.locator("h1")).to_have_text("Disconnect your mailbox")
    follow(page.get_by_role("button", name="Disconnect"))
    expect(page.get_by_role("alert")).to_contain_text("Your mailbox is disconnected")
    expect(page.locator("h1")).to_have_text("Connect your mailbox")
    expect(page.get_by_role("button", name="Connect", exact=True)).to_be_visible()
    assert not Mailbox.objects.exists()

    page.goto(f"/influencers/{lea.pk}/")
    expect(page.locator("#timeline .timeline-contact")).to_contain_text("Re: Spring range in Lyon")


def test_mail_from_strangers_in_a_shared_mailbox_is_added_to_people(page_in, alice, bob, imap_server, imap_user):
    noe = InfluencerFactory(name="Noé Petit", email="noe@blog.example", owner=bob)

    # alice, a manager, sets up the team's BCC mailbox in the admin and gives it to bob.
    admin = page_in("en-GB")
    admin_log_in(admin, "alice", "pw-alice")
    admin.goto("/admin/messaging/mailbox/add/")
    admin.locator(".field-owner .select2-selection").click()
    admin.locator(".select2-search__field").fill("bob")
    admin.locator(".select2-results__option", has_text="bob").click()
    admin.locator("#id_name").fill("Press BCC")
    admin.locator("#id_address").fill("press@team.example")
    admin.locator("#id_host").fill(imap_server.host)
    admin.locator("#id_port").fill(str(imap_server.port))
    admin.locator("#id_security").select_option("none")
    admin.locator("#id_username").fill(imap_user.name)
    admin.locator("#id_password").fill(imap_user.password)
    follow(admin.locator("input[name=_save]"))
    expect(admin.locator(".messagelist")).to_contain_text("was added successfully")
    shared = Mailbox.objects.get(shared=True)
    assert (shared.owner, shared.name, shared.security) == (bob, "Press BCC", "none")
    admin.goto(f"/admin/messaging/mailbox/{shared.pk}/change/")
    expect(admin.locator("#id_password")).to_have_value("")  # write-only
    assert imap_user.password not in admin.content()

    # Two strangers write to the BCC address; one of them is Noé from another address.
    imap_server.append(
        imap_user, "INBOX", a_mail(sender="Noé Petit <noe.petit@mail.example>", to="press@team.example",
                                   subject="Mon nouvel article", n=2),
    )  # fmt: skip
    imap_server.append(
        imap_user, "INBOX", a_mail(sender="Inès Robert <ines@podcast.example>", to="press@team.example",
                                   subject="Invitation au podcast", n=3),
    )  # fmt: skip
    synced(shared)
    assert UnknownSender.objects.count() == 2

    page = page_in("en-GB")
    log_in(page, "bob", "pw-bob")
    attention = page.locator("section[aria-labelledby=unknown-title]")
    expect(attention.get_by_role("link")).to_have_text(
        "2 mails in your shared mailboxes are from people not in the directory."
    )
    follow(attention.get_by_role("link"))
    expect(page.locator("h1")).to_contain_text("Mail from unknown senders")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)

    # Noé's other address: "Add this address to…" him.
    follow(rows.filter(has_text="noe.petit@mail.example").get_by_role("link", name="Add this address to…"))
    expect(page.locator("h1")).to_have_text("Whose address is noe.petit@mail.example?")
    page.get_by_label("Person", exact=True).select_option(label="Noé Petit (noe@blog.example)")
    follow(page.get_by_role("button", name="Add the address"))
    expect(page.get_by_role("alert")).to_contain_text("1 mail logged with Noé Petit.")
    expect(rows).to_have_count(1)
    expect(rows).not_to_contain_text("noe.petit@mail.example")
    assert Contact.objects.get(influencer=noe).summary.startswith("Mon nouvel article")

    # Inès is nobody yet: "Add as a person", the form already knows her name and address.
    follow(rows.filter(has_text="ines@podcast.example").get_by_role("link", name="Add as a person"))
    expect(page.get_by_label("Name")).to_have_value("Inès Robert")
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("ines@podcast.example")
    follow(page.get_by_role("button", name="Save"))
    expect(page.locator("h1")).to_have_text("Inès Robert")
    expect(page.get_by_role("alert")).to_contain_text("1 mail logged with Inès Robert.")
    expect(page.locator("#timeline .timeline-contact")).to_contain_text("Invitation au podcast")
    assert not UnknownSender.objects.exists()

    page.goto(f"/influencers/{noe.pk}/")
    expect(page.locator("#timeline .timeline-contact")).to_contain_text("Mon nouvel article")
    expect(page.locator("dd").filter(has_text="noe.petit@mail.example")).to_be_visible()  # other e-mails
    page.goto("/mail/unknown/")
    expect(page.get_by_text("No mail from unknown senders.")).to_be_visible()
    follow(page.get_by_role("link", name="Today"))
    expect(page.locator("section[aria-labelledby=unknown-title]")).to_have_count(0)


def test_a_bounce_marks_the_address_until_it_works_again(page_in, bob, imap_server, imap_user):
    nina = InfluencerFactory(name="Nina Roux", email="nobody@example.fr", owner=bob)
    follow_up = MessageFactory(influencer=nina, status=Message.Status.SENT, send_at=NOW)
    mailbox = mailbox_connect(
        owner=bob, by=bob, address="bob@team.example", host=imap_server.host, port=imap_server.port,
        security="none", username=imap_user.name, password=imap_user.password,
    )  # fmt: skip
    # Postfix's report of a 5.1.1 "user unknown", about bob's follow-up to Nina.
    report = (MAILS / "postfix_bounce.eml").read_bytes()
    original = b"<177244560012.4412.1111111111111111111@example.com>"
    assert original in report
    imap_server.append(imap_user, "INBOX", report.replace(original, follow_up.message_id.encode()))
    synced(mailbox)
    follow_up.refresh_from_db()
    assert follow_up.status == Message.Status.FAILED

    page = page_in("en-GB")
    log_in(page, "bob", "pw-bob")
    bouncing = page.locator("section[aria-labelledby=bouncing-title]")
    expect(bouncing).to_contain_text("Nina Roux")
    follow(bouncing.get_by_role("link", name="Nina Roux"))
    expect(page.locator("h1")).to_have_text("Nina Roux")
    warning = page.get_by_role("alert").filter(has_text="bounces since")
    expect(warning).to_contain_text(re.compile(r"Mail to nobody@example\.fr bounces since .*: 5\.1\.1"))
    expect(warning).to_contain_text("User unknown")
    follow(warning.get_by_role("button", name="It works again"))
    expect(page.get_by_role("alert").filter(has_text="bounces since")).to_have_count(0)
    assert not BouncingAddress.objects.exists()
    assert Influencer.objects.get(pk=nina.pk).email == "nobody@example.fr"
