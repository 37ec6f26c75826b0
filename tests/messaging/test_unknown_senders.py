"""Mail from unknown senders in shared mailboxes: its owner (or a manager) adds the sender and the mail is logged."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Stage
from crm.models import Contact, Influencer, InfluencerAddress
from messaging.mailbox.unknown import unknown_sender_add_to, unknown_senders_log
from messaging.models import UnknownSender
from tests.factories import CampaignFactory, InfluencerFactory, RelationshipFactory
from tests.messaging.factories import MessageFactory
from tests.messaging.unknown_factories import SharedMailboxFactory, UnknownSenderFactory

pytestmark = pytest.mark.django_db

WHEN = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 30))


@pytest.fixture
def shared(bob):
    """bob owns the team's shared mailbox."""
    return SharedMailboxFactory(owner=bob, name="Team")


@pytest.fixture
def mail(shared):
    return UnknownSenderFactory(
        mailbox=shared, email="Nina@Blog.example", name="Nina B.", subject="Collab?", received_at=WHEN
    )


@pytest.fixture
def lea(bob):
    return InfluencerFactory(name="Léa Martin", email="lea@blog.example", owner=bob)


def test_logging_makes_each_mail_an_inbound_email_contact_and_forgets_the_rows(mail, shared, lea, bob):
    second = UnknownSenderFactory(mailbox=shared, email="nina@blog.example", received_at=WHEN, summary="Again")

    assert unknown_senders_log(rows=[mail, second], influencer=lea, by=bob) == 2

    contacts = Contact.objects.filter(influencer=lea).order_by("summary")
    assert [(c.kind, c.direction, c.summary, c.occurred_at, c.message_id) for c in contacts] == [
        ("email", "inbound", "Again", WHEN, second.message_id),
        ("email", "inbound", mail.summary, WHEN, mail.message_id),
    ]
    assert not UnknownSender.objects.exists()


def test_a_mail_already_logged_with_them_is_not_logged_twice(mail, lea, bob):
    Contact.objects.create(
        influencer=lea, kind="email", direction="inbound", occurred_at=WHEN, summary="x", message_id=mail.message_id
    )

    assert unknown_senders_log(rows=[mail], influencer=lea, by=bob) == 0
    assert Contact.objects.filter(influencer=lea).count() == 1
    assert not UnknownSender.objects.exists()


def test_a_reply_in_a_thread_is_logged_on_the_thread_s_relationship(shared, lea, bob):
    pitched = RelationshipFactory(influencer=lea, campaign=CampaignFactory(), owner=bob, stage=Stage.ACTIVE)
    RelationshipFactory(influencer=lea, campaign=CampaignFactory(), owner=bob, stage=Stage.ACTIVE)
    sent = MessageFactory(influencer=lea, relationship=pitched, status="sent")
    reply = UnknownSenderFactory(mailbox=shared, email="lea@old.example", thread_ids=f"{sent.message_id} <x@y>")

    unknown_senders_log(rows=[reply], influencer=lea, by=bob)

    assert Contact.objects.get(influencer=lea).relationship == pitched


def test_adding_the_address_to_someone_logs_every_mail_from_it(mail, shared, lea, bob):
    UnknownSenderFactory(mailbox=shared, email="NINA@blog.example")
    UnknownSenderFactory(mailbox=shared, email="someone@else.example")

    assert unknown_sender_add_to(row=mail, influencer=lea, by=bob) == 2

    assert list(lea.addresses.values_list("email", flat=True)) == ["Nina@Blog.example"]
    assert list(UnknownSender.objects.values_list("email", flat=True)) == ["someone@else.example"]


# --- The pages ----------------------------------------------------------------------------------------------------


def test_the_owner_sees_the_mail_newest_first(client, bob, mail, shared):
    newer = UnknownSenderFactory(mailbox=shared, subject="Newer", received_at=WHEN + datetime.timedelta(hours=1))
    client.force_login(bob)

    response = client.get(reverse("unknown_senders"))

    assert [row.pk for row in response.context["page"]] == [newer.pk, mail.pk]
    assert "Nina@Blog.example" in response.content.decode()


def test_another_marketer_sees_none_of_it_and_gets_404_on_each_mail(client, dave, mail):
    client.force_login(dave)

    assert list(client.get(reverse("unknown_senders")).context["page"]) == []
    for name in ("unknown_sender_person", "unknown_sender_add_to"):
        assert client.get(reverse(name, args=[mail.pk])).status_code == 404
    assert client.post(reverse("unknown_sender_dismiss", args=[mail.pk])).status_code == 404
    assert UnknownSender.objects.exists()


def test_a_manager_sees_every_shared_mailbox_s_mail(client, alice, mail):
    client.force_login(alice)

    assert [row.pk for row in client.get(reverse("unknown_senders")).context["page"]] == [mail.pk]


def test_a_personal_mailbox_s_rows_are_not_listed(client, bob, mail):
    UnknownSenderFactory(mailbox=SharedMailboxFactory(owner=bob, shared=False))
    client.force_login(bob)

    assert [row.pk for row in client.get(reverse("unknown_senders")).context["page"]] == [mail.pk]


def test_a_bad_page_number_gives_a_page_not_an_error(client, bob, mail):
    client.force_login(bob)

    assert client.get(reverse("unknown_senders"), {"page": "x'"}).status_code == 200


def test_add_as_a_person_fills_the_form_and_saving_logs_their_mail(client, bob, mail):
    client.force_login(bob)
    form = client.get(reverse("unknown_sender_person", args=[mail.pk])).context["form"]
    assert (form.initial["name"], form.initial["email"]) == ("Nina B.", "Nina@Blog.example")

    response = client.post(
        reverse("unknown_sender_person", args=[mail.pk]),
        {"name": "Nina Bernard", "email": "nina@blog.example", "kind": "blogger", "language": "fr",
         "timezone": "Europe/Paris", "consent": "unknown", "owner": bob.pk},
    )  # fmt: skip

    nina = Influencer.objects.get(name="Nina Bernard")
    assert response.status_code == 302
    assert list(nina.contacts.values_list("message_id", flat=True)) == [mail.message_id]
    assert not UnknownSender.objects.exists()


def test_add_as_a_person_refuses_to_drop_the_sender_s_address(client, bob, mail):
    client.force_login(bob)

    response = client.post(
        reverse("unknown_sender_person", args=[mail.pk]),
        {"name": "Nina", "email": "other@blog.example", "kind": "blogger", "language": "fr",
         "timezone": "Europe/Paris", "consent": "unknown"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Keep the sender" in response.context["form"].errors["email"][0]
    assert not Influencer.objects.exists()
    assert UnknownSender.objects.exists()


def test_add_this_address_to_offers_my_people_and_finds_others(client, bob, mail, lea):
    tom = InfluencerFactory(name="Tom Durand", email="tom@blog.example")
    client.force_login(bob)
    url = reverse("unknown_sender_add_to", args=[mail.pk])

    mine = client.get(url).context["form"].fields["influencer"].choices
    found = client.get(url, {"q": "durand"}).context["form"].fields["influencer"].choices

    assert [pk for pk, _label in mine] == [lea.pk]
    assert [pk for pk, _label in found] == [tom.pk]


def test_add_this_address_to_someone_logs_their_mail(client, bob, mail, lea):
    client.force_login(bob)

    response = client.post(reverse("unknown_sender_add_to", args=[mail.pk]), {"influencer": lea.pk})

    assert response.status_code == 302
    assert InfluencerAddress.objects.get().influencer == lea
    assert lea.contacts.count() == 1


def test_add_this_address_to_refuses_it_when_it_is_someone_s_already(client, bob, mail, lea):
    taken = InfluencerFactory(name="Nina", email="nina@blog.example")
    client.force_login(bob)

    response = client.post(reverse("unknown_sender_add_to", args=[mail.pk]), {"influencer": lea.pk})

    assert response.status_code == 200
    assert "already has the e-mail" in response.context["form"].errors["influencer"][0]
    assert not taken.contacts.exists() and not lea.contacts.exists()


def test_picking_nobody_is_a_form_error(client, bob, mail):
    client.force_login(bob)

    response = client.post(reverse("unknown_sender_add_to", args=[mail.pk]), {"influencer": "nope"})

    assert response.status_code == 200
    assert UnknownSender.objects.exists()


def test_dismissing_forgets_the_mail_without_logging_it(client, bob, mail):
    client.force_login(bob)

    assert client.post(reverse("unknown_sender_dismiss", args=[mail.pk])).status_code == 302
    assert not UnknownSender.objects.exists()
    assert not Contact.objects.exists()


def test_today_links_to_the_mail_for_its_owner_only(client, bob, dave, mail):
    client.force_login(bob)
    assert reverse("unknown_senders") in client.get(reverse("home")).content.decode()

    client.force_login(dave)
    assert reverse("unknown_senders") not in client.get(reverse("home")).content.decode()


def test_the_admin_shows_the_mail_read_only(admin_client, mail):
    assert admin_client.get(reverse("admin:messaging_unknownsender_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:messaging_unknownsender_add")).status_code == 403
    page = admin_client.get(reverse("admin:messaging_unknownsender_change", args=[mail.pk]))
    assert page.status_code == 200
    assert 'name="email"' not in page.content.decode()
