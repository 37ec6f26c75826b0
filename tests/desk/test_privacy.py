"""A person's privacy: what we hold on them (export) and erasing them for good (consent: test_consent.py).

Zéphyrine is a blogger bob has worked with for a while: history, a channel with figures, contacts, the ledger,
two campaigns, messages. She asks alice (a manager) what we hold on her, then to be erased.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import roles
from crm.addresses import email_key
from crm.models import AudienceSnapshot, BouncingAddress, Influencer, InfluencerAddress
from crm.services import (
    contact_log,
    influencer_create,
    influencer_merge,
    influencer_update,
)
from crm.services.consent import influencer_opt_in
from desk.privacy.erasure import influencer_erase
from messaging.models import Mailbox, Message, UnknownSender
from messaging.services import follow_up_schedule
from messaging.unsubscribe import make_token
from reports.cache import CACHE, refresh_default_range
from tests.desk.privacy_people import (
    BLOG,
    EMAIL,
    HANDLE,
    MAIL_ID,
    NAME,
    OTHER_EMAIL,
    frozen_now,
    kept_reports,
    tables_holding,
    zephyrine_with_her_history,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    return frozen_now(time_machine)


@pytest.fixture
def zephyrine(now, alice, bob):
    return zephyrine_with_her_history(now, alice, bob)


# --- Erasure ---------------------------------------------------------------------------------------------------


def test_after_erasure_no_table_holds_her_name_email_or_handle(zephyrine, alice):
    refresh_default_range([settings.TIME_ZONE])  # the reports beat keeps: the ledger and the audience name her
    before = tables_holding(NAME)
    # The search sees her where she is: if it found nothing here, its "nothing" afterwards would prove nothing.
    assert before == {
        "crm_influencer",
        "crm_historicalinfluencer",
        "crm_contact",
        "crm_feed",
        "crm_post",
        "campaigns_relationship",
        "campaigns_historicalrelationship",
        "campaigns_guardrailevent",
        "messaging_message",
        "messaging_unknownsender",
        "django_admin_log",
        "reports_cache (decoded)",
    }
    assert tables_holding(OTHER_EMAIL) == {"crm_influenceraddress", "crm_bouncingaddress", "messaging_unknownsender"}
    assert tables_holding(MAIL_ID) == {"crm_contact"}
    assert {"crm_channel", "crm_exchange", "crm_contact", "crm_feed", "crm_post", "reports_cache (decoded)"} <= (
        tables_holding(HANDLE)
    )
    assert {"crm_influencer", "crm_historicalinfluencer", "messaging_message", "campaigns_stagechange"} <= (
        tables_holding(EMAIL)
    )

    influencer_erase(influencer=zephyrine, by=alice)

    assert tables_holding(NAME) == set()
    assert tables_holding(EMAIL) == set()
    assert tables_holding(HANDLE) == set()
    assert tables_holding(OTHER_EMAIL) == set(), "nor her other address, its bounce, her mail in the shared box"
    assert tables_holding(MAIL_ID) == set()
    assert tables_holding("Zephyrine") == set(), "nor her first name, which the e-mails to her and her Message-IDs used"
    assert tables_holding("Quimper") == set() and tables_holding("Brest") == set(), "nor her cities, past or present"


def test_erasure_drops_a_report_kept_meanwhile_once_it_commits(zephyrine, alice, django_capture_on_commit_callbacks):
    kept = caches[CACHE]
    with django_capture_on_commit_callbacks(execute=True):
        influencer_erase(influencer=zephyrine, by=alice)
        # A refresh running beside the erasure read her figures before it committed, and stores them now.
        kept.set("report:reciprocity:en:Europe/Paris:100:", f"Kept meanwhile: {NAME}")

    assert kept_reports() == []


def test_erasure_keeps_the_figures_the_reports_count(zephyrine, alice):
    influencer_erase(influencer=zephyrine, by=alice)

    z = Influencer.objects.get(pk=zephyrine.pk)
    assert z.name == f"Erased person #{z.pk}"
    assert (z.email, z.city, z.notes, z.region, z.audience) == ("", "", "", "Bretagne", 42_000)
    assert z.contacts.count() == 3  # the call, the pitch and her out-of-office
    assert [(e.direction, e.kind, e.value, e.url, e.note) for e in z.exchanges.all()] == [
        ("get", "post", Decimal("150.00"), "", "")
    ]
    channel = z.channels.get(platform="instagram")
    assert (channel.platform, channel.handle, channel.url, channel.followers) == (
        "instagram",
        f"erased-{channel.pk}",
        "",
        42_000,
    )
    assert sorted(AudienceSnapshot.objects.filter(channel=channel).values_list("followers", flat=True)) == [
        40_000,
        42_000,
    ]
    assert sorted(z.relationships.values_list("campaign__name", "stage", "outcome")) == [
        ("Autumn walks", "closed", "completed"),
        ("Winter soups", "closed", "dropped"),
    ]


def test_erasure_removes_what_the_mailbox_keeps_of_her(zephyrine, alice):
    erasure = influencer_erase(influencer=zephyrine, by=alice)

    assert (erasure.addresses, erasure.bouncing, erasure.unknown_sender_mail) == (1, 1, 1)
    assert not InfluencerAddress.objects.exists()
    assert not BouncingAddress.objects.exists()
    assert not UnknownSender.objects.exists()
    assert Mailbox.objects.get().name == "Team log", "the team's mailbox stays"
    # Her out-of-office stays in the figures, as a mail, without its words or its Message-ID.
    mail = zephyrine.contacts.get(kind="email", direction="inbound")
    assert (mail.summary, mail.automatic) == ("(erased)", True)
    assert mail.message_id.startswith("erased:") and MAIL_ID not in mail.message_id


def test_erasure_removes_the_bounces_of_her_past_address_but_not_of_one_someone_else_has_now(db, alice, bob, now):
    lea = influencer_create(by=bob, name="Léa Martin", email="lea@old-studio.example")
    influencer_update(influencer=lea, by=bob, email="lea@new-studio.example")
    tom = influencer_create(by=bob, name="Tom Durand", email="tom@example.org")
    influencer_update(influencer=tom, by=bob, email="tom@new-mail.example")
    influencer_update(influencer=lea, by=bob, email="lea@newest-studio.example")
    InfluencerAddress.objects.create(influencer=tom, email="lea@new-studio.example")  # Lea gave it to Tom
    for address in ("LEA@old-studio.example", "lea@new-studio.example", "tom@example.org"):
        BouncingAddress.objects.create(email=address, status="5.1.1", since=now)

    erasure = influencer_erase(influencer=lea, by=alice)

    assert erasure.bouncing == 1
    assert sorted(BouncingAddress.objects.values_list("email", "email_key")) == [
        ("lea@new-studio.example", email_key("lea@new-studio.example")),
        ("tom@example.org", "tom@example.org"),
    ]
    assert list(tom.addresses.values_list("email", flat=True)) == ["lea@new-studio.example"], "nor rewritten"


def test_after_erasure_she_can_never_be_contacted_again(zephyrine, alice, bob, now):
    erasure = influencer_erase(influencer=zephyrine, by=alice)

    z = Influencer.objects.get(pk=zephyrine.pk)
    assert (z.consent, z.consent_at, z.erased_at) == ("opted_out", now, now)
    # The thank-you still waiting, the follow-up to her and the reminder to bob about her.
    assert erasure.messages_cancelled == 3
    assert erasure.relationships_closed == [str(z.relationships.get(outcome="dropped").campaign)]
    assert sorted(
        Message.objects.filter(influencer=z).values_list("kind", "status", "recipient", "subject", "body")
    ) == [
        ("follow_up", "cancelled", "", "(erased)", ""),
        ("follow_up", "sent", "", "(erased)", ""),
        ("reminder", "cancelled", bob.email, "(erased)", ""),
        ("thank_you", "cancelled", "", "(erased)", ""),
    ]
    with pytest.raises(ValidationError, match="erased"):
        influencer_opt_in(influencer=z, source="she wrote back")
    with pytest.raises(ValidationError, match="opted out"):
        follow_up_schedule(influencer=z, by=bob, subject="Hi", body="Hi", send_at=now + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="erased"):
        influencer_update(influencer=z, by=bob, email=EMAIL)
    with pytest.raises(ValidationError, match="already erased"):
        influencer_erase(influencer=z, by=alice)


# --- The admin: export and erase, managers only -------------------------------------------------------------


def test_the_json_export_holds_everything_we_have_on_her(zephyrine, client, alice, now):
    client.force_login(alice)

    response = client.get(reverse("admin:crm_influencer_privacy_json", args=[zephyrine.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="person-{zephyrine.pk}-personal-data.json"'
    data = json.loads(response.content)
    autumn_campaign = str(zephyrine.relationships.get(campaign__name="Autumn walks").campaign)
    assert list(data) == [
        "exported_at", "exported_by", "person", "consent", "other_addresses", "bouncing_addresses", "topics",
        "channels", "contacts", "exchanges", "relationships", "messages", "unknown_sender_mail", "history",
    ]  # fmt: skip
    assert (data["person"]["name"], data["person"]["email"], data["person"]["city"]) == (NAME, EMAIL, "Brest")
    assert data["consent"] == {"status": "unknown", "label": "unknown", "at": None, "source": ""}
    assert [(c["handle"], [s["followers"] for s in c["audience_snapshots"]]) for c in data["channels"]] == [
        (f"{HANDLE}-blog", []),
        (HANDLE, [40_000, 42_000]),
    ]
    blog, instagram = data["channels"]
    assert (blog["feed"]["url"], blog["feed"]["title"]) == (f"{BLOG}feed/", f"Le carnet de {NAME}")
    assert instagram["feed"] is None
    assert [(p["url"], p["title"], p["excerpt"]) for p in blog["posts"]] == [
        (f"{BLOG}2026/03/balade/", f"{NAME} en balade", f"Par {NAME} (@{HANDLE}) : la côte sauvage.")
    ]
    assert instagram["posts"] == []
    assert [(c["kind"], c["direction"], c["summary"].splitlines()[0]) for c in data["contacts"]] == [
        ("e-mail", "inbound", "Absente jusqu'au 10 mars. Out of office until 10 March."),
        ("call", "inbound", f"{NAME} called back about the spring range."),
        ("e-mail", "outbound", autumn_campaign),  # the pitch, carrying the brief
    ]
    assert [(c["message_id"], c["automatic"]) for c in data["contacts"]] == [(MAIL_ID, True), ("", False), ("", False)]
    assert data["other_addresses"] == [{"email": OTHER_EMAIL, "added_at": "2026-03-04T10:00:00Z"}]
    assert data["bouncing_addresses"] == [
        {
            "email": OTHER_EMAIL,
            "status": "5.1.1",
            "diagnostic": f"550 5.1.1 <{OTHER_EMAIL}>: Recipient address rejected: User unknown",
            "since": "2026-03-03T10:00:00Z",
        }
    ]
    assert [(u["mailbox"], u["from"], u["name"], u["subject"]) for u in data["unknown_sender_mail"]] == [
        ("Team log", OTHER_EMAIL.upper(), NAME, "Studio visit?")
    ]
    assert [(e["value"], e["note"]) for e in data["exchanges"]] == [("150.00", f"A post by @{HANDLE}, much liked.")]
    autumn = data["relationships"][0]
    assert (autumn["campaign"], autumn["outcome"]["value"]) == (autumn_campaign, "completed")
    assert [(s["from"], s["to"]) for s in autumn["stage_changes"]] == [
        ("", "shortlisted"),
        ("shortlisted", "pitched"),
        ("pitched", "active"),
        ("active", "closed"),
        ("active", "active"),
    ]
    assert [(g["result"], g["detail"]) for g in autumn["guardrail_events"]] == [
        ("overridden with a reason", f"{NAME} hikes every weekend.")
    ]
    winter = data["relationships"][1]
    assert [(m["post"], m["matched"], m["disclosure"]) for m in winter["posts_matched"]] == [
        (f"{BLOG}2026/03/balade/", "Winter soups", "missing")
    ]
    assert [(g["rule"], g["detail"]) for g in winter["guardrail_events"]] == [
        ("sponsored post without its disclosure", f"{BLOG}2026/03/balade/")
    ]
    assert sorted((m["kind"], m["to"], m["status"]) for m in data["messages"]) == [
        ("follow-up", EMAIL, "scheduled"),
        ("follow-up", EMAIL, "sent"),
        ("reminder", "", "scheduled"),
        ("thank-you", EMAIL, "scheduled"),
    ]
    assert [(h["type"], sorted(h["changed"])) for h in data["history"]][1:] == [("Changed", ["city"])]


def test_the_readable_page_shows_her_data_and_links_the_download(zephyrine, client, alice):
    client.force_login(alice)

    page = client.get(reverse("admin:crm_influencer_privacy", args=[zephyrine.pk])).content.decode()

    for seen in (
        *(NAME, EMAIL, HANDLE, "Brest", "42,000", f"{NAME} hikes every weekend.", "Dear Zephyrine Marmottan,"),
        *(OTHER_EMAIL, "Recipient address rejected", MAIL_ID, "Studio visit?"),
    ):
        assert seen in page
    assert reverse("admin:crm_influencer_privacy_json", args=[zephyrine.pk]) in page


def test_the_export_costs_the_same_queries_with_3_or_20_contacts(zephyrine, client, alice, bob, now):
    client.force_login(alice)
    url = reverse("admin:crm_influencer_privacy_json", args=[zephyrine.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(17):
        contact_log(influencer=zephyrine, by=bob, kind="dm", direction="outbound", summary=f"DM {n}", occurred_at=now)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(json.loads(response.content)["contacts"]) == 20
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_persons_admin_page_links_to_personal_data_consent_and_erasure_for_managers(zephyrine, client, alice):
    client.force_login(alice)

    page = client.get(reverse("admin:crm_influencer_change", args=[zephyrine.pk])).content.decode()

    for name in ("privacy", "consent", "erase"):
        assert reverse(f"admin:crm_influencer_{name}", args=[zephyrine.pk]) in page


@pytest.fixture
def staff_marketer(db, django_user_model):
    """A marketer who was made staff by mistake: the privacy pages still refuse her."""
    user = django_user_model.objects.create_user(username="erin", password="pw-erin", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.MARKETER))
    return user


@pytest.mark.parametrize("name", ["privacy", "privacy_json", "consent", "erase"])
def test_only_managers_reach_the_privacy_pages(zephyrine, client, bob, carol, staff_marketer, name):
    url = reverse(f"admin:crm_influencer_{name}", args=[zephyrine.pk])
    for user in (bob, carol):
        client.force_login(user)
        assert client.get(url).status_code == 302, "not staff: the admin sends them to its login"
        assert client.post(url, {"confirm_name": NAME}).status_code == 302
    client.force_login(staff_marketer)
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm_name": NAME, "consent": "opted_in", "source": "x"}).status_code == 403
    assert Influencer.objects.get(pk=zephyrine.pk).name == NAME


def test_a_person_who_does_not_exist_is_a_404_on_every_privacy_page(client, alice):
    client.force_login(alice)
    for name in ("privacy", "privacy_json", "consent", "erase"):
        assert client.get(reverse(f"admin:crm_influencer_{name}", args=[999_999])).status_code == 404


def test_erasing_from_the_admin_asks_for_her_name_then_says_what_was_done(zephyrine, client, alice):
    client.force_login(alice)
    url = reverse("admin:crm_influencer_erase", args=[zephyrine.pk])

    assert "Type the person&#x27;s name to confirm" in client.get(url).content.decode()
    wrong = client.post(url, {"confirm_name": "Zephyrine"})
    assert "nothing was erased" in wrong.content.decode()
    assert Influencer.objects.get(pk=zephyrine.pk).erased_at is None

    done = client.post(url, {"confirm_name": f"  {NAME.upper()} "})

    z = Influencer.objects.get(pk=zephyrine.pk)
    assert done.status_code == 200 and z.erased_at is not None
    result = done.content.decode()
    assert f"The record stays as <strong>Erased person #{z.pk}</strong>" in result
    rows = [
        ("Channels anonymised (handles and links; the audience figures stay)", "2"),
        ("Contact summaries erased", "3"),
        ("Exchange notes and links erased (the values stay)", "1"),
        ("Messages whose subject, text and address were erased", "4"),
        ("Messages still to go, cancelled", "3"),
        ("Campaigns closed as dropped, without a thank-you", str(z.relationships.get(outcome="dropped").campaign)),
        ("Other e-mail addresses removed", "1"),
        ("Bounces on their addresses removed", "1"),
        ("Mail from them kept as from an unknown sender, removed", "1"),
        ("Posts read from their channels' feeds, removed with the feeds", "1"),
        ("Mentions rewritten in contact · summary", "1"),  # Yann's log, which mentioned her
        ("Mentions rewritten in log entry · change message", "1"),
        ("Mentions rewritten in guardrail event · detail", "2"),  # the override reason, the post's address
    ]
    for said in (f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows):
        assert said in result
    assert NAME not in result and EMAIL not in result
    assert LogEntry.objects.filter(object_id=str(z.pk), change_message="Erased the person's data.").count() == 1
    again = client.post(url, {"confirm_name": z.name})
    assert "already erased" in again.content.decode()
    # The record stays, read-only: nobody types a name back into it.
    assert client.get(reverse("admin:crm_influencer_change", args=[z.pk])).context["has_change_permission"] is False


def test_an_erased_person_cannot_be_merged(zephyrine, alice, bob):
    lea = influencer_create(by=bob, name="Léa Martin", email="lea@example.org")
    influencer_erase(influencer=zephyrine, by=alice)

    with pytest.raises(ValidationError, match="An erased person cannot be merged."):
        influencer_merge(survivor=lea, duplicate=Influencer.objects.get(pk=zephyrine.pk), by=alice)


def test_the_pages_that_show_people_still_render_an_erased_person(zephyrine, client, alice):
    token = make_token(zephyrine)
    influencer_erase(influencer=zephyrine, by=alice)
    client.force_login(alice)

    for url in (
        reverse("crm:influencer_detail", args=[zephyrine.pk]),
        reverse("crm:influencer_list"),
        reverse("admin:crm_influencer_changelist"),
        reverse("admin:crm_influencer_change", args=[zephyrine.pk]),
        reverse("admin:crm_influencer_privacy", args=[zephyrine.pk]),
        reverse("admin:crm_contact_changelist"),
        reverse("admin:messaging_message_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert NAME not in response.content.decode(), url
    client.logout()
    assert client.post(reverse("unsubscribe", args=[token])).status_code == 400, "her old link names nobody now"


def test_erasure_reaches_the_duplicates_that_were_merged_into_her(zephyrine, alice, bob):
    twin = influencer_create(by=bob, name="Z. Marmottan", email="zm@old-mail.example", city="Morlaix")
    influencer_merge(survivor=zephyrine, duplicate=twin, by=alice)
    assert "crm_historicalinfluencer" in tables_holding("zm@old-mail.example")

    influencer_erase(influencer=Influencer.objects.get(pk=zephyrine.pk), by=alice)

    for needle in ("zm@old-mail.example", "Z. Marmottan", "Morlaix", NAME, EMAIL):
        assert tables_holding(needle) == set(), needle
