"""A person's privacy: what we hold on them (export) and erasing them for good (consent: test_consent.py).

Zéphyrine is a blogger bob has worked with for a while: history, a channel with figures, contacts, the ledger,
two campaigns, messages. She asks alice (a manager) what we hold on her, then to be erased.
"""

import base64
import datetime as dt
import json
import pickle
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import StageChange
from campaigns.services import relationship_accept, relationship_close, relationship_pitch, relationship_shortlist
from crm import roles
from crm.models import AudienceSnapshot, Channel, Influencer
from crm.services import (
    audience_snapshot_record,
    contact_log,
    exchange_record,
    influencer_create,
    influencer_merge,
    influencer_update,
)
from crm.services.consent import influencer_opt_in
from crm.services.privacy import influencer_erase
from messaging.models import Message
from messaging.services import follow_up_schedule
from messaging.unsubscribe import make_token
from reports.cache import CACHE, refresh_default_range
from tests.factories import CampaignFactory, paris
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db

NAME = "Zephyrine Marmottan"
EMAIL = "zephyrine.marmottan@example.org"
HANDLE = "zephy_marmo"
NOW = paris(2026, 3, 4, 11, 0)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def zephyrine(now, alice, bob):
    """Zéphyrine, with something in every table that can hold a word about her."""
    z = influencer_create(
        by=bob, name=NAME, email=EMAIL, city="Quimper", region="Bretagne", notes=f"{NAME} met us at the salon."
    )
    z = influencer_update(influencer=z, by=bob, city="Brest")  # a second version in the history
    channel = Channel.objects.create(
        influencer=z, platform="instagram", handle=HANDLE, url=f"https://instagram.com/{HANDLE}"
    )
    audience_snapshot_record(channel=channel, taken_on=now.date() - dt.timedelta(days=30), followers=40_000)
    audience_snapshot_record(channel=channel, taken_on=now.date(), followers=42_000)
    contact_log(
        influencer=z,
        by=bob,
        kind="call",
        direction="inbound",
        summary=f"{NAME} called back about the spring range.",
        occurred_at=now - dt.timedelta(days=2),
    )
    exchange_record(
        influencer=z,
        by=bob,
        direction="get",
        kind="post",
        occurred_on=now.date() - dt.timedelta(days=1),
        value=Decimal("150.00"),
        url=f"https://instagram.com/{HANDLE}/p/1",
        note=f"A post by @{HANDLE}, much liked.",
    )
    # A finished campaign, pitched off-topic with a reason naming her, closed with a thank-you to her address.
    autumn = CampaignFactory(name="Autumn walks", topics=["hiking"])
    done = relationship_shortlist(influencer=z, campaign=autumn, by=bob)
    relationship_pitch(relationship=done, by=bob, override_reason=f"{NAME} hikes every weekend.")
    relationship_accept(relationship=done, by=bob)
    relationship_close(relationship=done, by=bob, outcome="completed")
    StageChange.objects.create(
        relationship=done, from_stage="active", to_stage="active", changed_at=now, note=f"Asked {EMAIL} for dates."
    )
    # An open one, and messages of every kind: one sent, one to go, a reminder and a digest to bob naming her.
    relationship_shortlist(influencer=z, campaign=CampaignFactory(name="Winter soups", topics=["food"]), by=bob)
    follow_up_schedule(
        influencer=z, by=bob, subject=f"News for {NAME}", body="Any plans?", send_at=now + dt.timedelta(days=3)
    )
    MessageFactory(influencer=z, status=Message.Status.SENT, body=f"Dear {NAME},", send_at=now - dt.timedelta(days=9))
    MessageFactory(kind=Message.Kind.REMINDER, influencer=z, to_user=bob, recipient=bob.email, subject=f"Call {NAME}")
    MessageFactory(
        kind=Message.Kind.DIGEST, influencer=None, to_user=bob, recipient=bob.email, body=f"Due today: {NAME}"
    )
    # Someone else's log mentions her, and the admin's log names her and her contact.
    other = influencer_create(by=bob, name="Yann Le Goff", email="yann@example.org")
    contact_log(
        influencer=other,
        by=bob,
        kind="meeting",
        direction="outbound",
        summary=f"Yann introduced us to {NAME} ({EMAIL}), @{HANDLE} on Instagram.",
        occurred_at=now - dt.timedelta(days=5),
    )
    contact = z.contacts.get(kind="call")
    LogEntry.objects.log_actions(
        user_id=alice.pk,
        queryset=[z],
        action_flag=CHANGE,
        change_message=[{"changed": {"name": "contact", "object": str(contact), "fields": ["summary"]}}],
    )
    z.refresh_from_db()
    return z


def tables_holding(needle: str) -> set[str]:
    """Every table with a column whose text holds `needle`, whatever the case: raw SQL over every column."""
    found = set()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE LOWER(CAST({quote(column.name)} AS TEXT)) LIKE %s",
                    [f"%{needle.lower()}%"],
                )
                if cursor.fetchone()[0]:
                    found.add(table)
    if any(needle.lower() in text.lower() for text in kept_reports()):
        found.add("reports_cache (decoded)")
    return found


def kept_reports() -> list[str]:
    """The kept reports' values as text: the cache table holds base64 pickles, which a search of the columns misses.

    Every row, expired or not (an expired row is still in the table until it is purged).
    """
    table = connection.ops.quote_name(caches[CACHE]._table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {table}")
        return [repr(pickle.loads(base64.b64decode(value))) for (value,) in cursor.fetchall()]


# --- Erasure ---------------------------------------------------------------------------------------------------


def test_after_erasure_no_table_holds_her_name_email_or_handle(zephyrine, alice):
    refresh_default_range([settings.TIME_ZONE])  # the reports beat keeps: the ledger and the audience name her
    before = tables_holding(NAME)
    # The search sees her where she is: if it found nothing here, its "nothing" afterwards would prove nothing.
    assert before == {
        "crm_influencer",
        "crm_historicalinfluencer",
        "crm_contact",
        "campaigns_relationship",
        "campaigns_historicalrelationship",
        "campaigns_guardrailevent",
        "messaging_message",
        "django_admin_log",
        "reports_cache (decoded)",
    }
    assert {"crm_channel", "crm_exchange", "crm_contact", "reports_cache (decoded)"} <= tables_holding(HANDLE)
    assert {"crm_influencer", "crm_historicalinfluencer", "messaging_message", "campaigns_stagechange"} <= (
        tables_holding(EMAIL)
    )

    influencer_erase(influencer=zephyrine, by=alice)

    assert tables_holding(NAME) == set()
    assert tables_holding(EMAIL) == set()
    assert tables_holding(HANDLE) == set()
    assert tables_holding("Zephyrine") == set(), "nor her first name, which the e-mails to her used"
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
    assert z.contacts.count() == 2  # the call and the pitch
    assert [(e.direction, e.kind, e.value, e.url, e.note) for e in z.exchanges.all()] == [
        ("get", "post", Decimal("150.00"), "", "")
    ]
    channel = z.channels.get()
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
        "exported_at", "exported_by", "person", "consent", "topics", "channels", "contacts", "exchanges",
        "relationships", "messages", "history",
    ]  # fmt: skip
    assert (data["person"]["name"], data["person"]["email"], data["person"]["city"]) == (NAME, EMAIL, "Brest")
    assert data["consent"] == {"status": "unknown", "label": "unknown", "at": None, "source": ""}
    assert [(c["handle"], [s["followers"] for s in c["audience_snapshots"]]) for c in data["channels"]] == [
        (HANDLE, [40_000, 42_000])
    ]
    assert [(c["kind"], c["direction"], c["summary"].splitlines()[0]) for c in data["contacts"]] == [
        ("call", "inbound", f"{NAME} called back about the spring range."),
        ("e-mail", "outbound", autumn_campaign),  # the pitch, carrying the brief
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

    for seen in (NAME, EMAIL, HANDLE, "Brest", "42000", f"{NAME} hikes every weekend.", "Dear Zephyrine Marmottan,"):
        assert seen in page
    assert reverse("admin:crm_influencer_privacy_json", args=[zephyrine.pk]) in page


def test_the_export_costs_the_same_queries_with_2_or_20_contacts(zephyrine, client, alice, bob, now):
    client.force_login(alice)
    url = reverse("admin:crm_influencer_privacy_json", args=[zephyrine.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(18):
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
        ("Channels anonymised (handles and links; the audience figures stay)", "1"),
        ("Contact summaries erased", "2"),
        ("Exchange notes and links erased (the values stay)", "1"),
        ("Messages whose subject, text and address were erased", "4"),
        ("Messages still to go, cancelled", "3"),
        ("Campaigns closed as dropped, without a thank-you", str(z.relationships.get(outcome="dropped").campaign)),
        ("Mentions rewritten in contact · summary", "1"),  # Yann's log, which mentioned her
        ("Mentions rewritten in log entry · change message", "1"),
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


# --- Deleting a person from the admin erases them first ---------------------------------------------------------


def delete_in_the_admin(client, how: str, people: list[Influencer]):
    if how == "delete page":
        (person,) = people
        return client.post(reverse("admin:crm_influencer_delete", args=[person.pk]), {"post": "yes"})
    return client.post(
        reverse("admin:crm_influencer_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in people], "post": "yes"},
    )


@pytest.mark.parametrize("how", ["delete page", "delete action"])
def test_deleting_her_in_the_admin_leaves_nothing_of_her_in_any_table_history_included(zephyrine, client, alice, how):
    refresh_default_range([settings.TIME_ZONE])
    twin = influencer_create(by=alice, name="Z. Marmottan", email="zm@old-mail.example", city="Morlaix")
    influencer_merge(survivor=zephyrine, duplicate=twin, by=alice)
    yann = Influencer.objects.get(name="Yann Le Goff")
    assert "crm_historicalinfluencer" in tables_holding(NAME)
    client.force_login(alice)

    response = delete_in_the_admin(client, how, [Influencer.objects.get(pk=zephyrine.pk)])

    assert response.status_code == 302
    assert not Influencer.objects.filter(pk=zephyrine.pk).exists()
    for needle in (NAME, EMAIL, HANDLE, "Zephyrine", "zm@old-mail.example", "Z. Marmottan", "Morlaix", "Brest"):
        assert tables_holding(needle) == set(), needle
    # Her history is still there, anonymised, down to the row that records the deletion.
    assert list(Influencer.history.filter(id=zephyrine.pk).values_list("history_type", "name"))[0] == (
        "-",
        f"Erased person #{zephyrine.pk}",
    )
    assert LogEntry.objects.filter(object_id=str(zephyrine.pk), object_repr=f"Erased person #{zephyrine.pk}").exists()
    assert Influencer.objects.get(pk=yann.pk).name == "Yann Le Goff", "nobody else was touched"


def test_the_delete_action_erases_each_selected_person_and_an_erased_one_is_simply_deleted(zephyrine, client, alice):
    lea = influencer_create(by=alice, name="Léa Martin", email="lea.martin@example.org")
    influencer_erase(influencer=zephyrine, by=alice)
    client.force_login(alice)

    response = delete_in_the_admin(client, "delete action", [Influencer.objects.get(pk=zephyrine.pk), lea])

    assert response.status_code == 302
    assert not Influencer.objects.filter(pk__in=[zephyrine.pk, lea.pk]).exists()
    assert tables_holding("Léa Martin") == set() and tables_holding("lea.martin@example.org") == set()
    assert tables_holding(NAME) == set()


def test_both_delete_confirmations_say_the_person_is_erased_first(zephyrine, client, alice):
    client.force_login(alice)

    page = client.get(reverse("admin:crm_influencer_delete", args=[zephyrine.pk])).content.decode()
    selected = client.post(
        reverse("admin:crm_influencer_changelist"), {"action": "delete_selected", "_selected_action": [zephyrine.pk]}
    ).content.decode()

    for confirmation in (page, selected):
        assert "Their personal data is erased first, history included" in confirmation
        assert 'value="yes"' in confirmation, "still a confirmation"
    assert Influencer.objects.get(pk=zephyrine.pk).erased_at is None, "asking is not deleting"


def test_the_delete_action_rewrites_each_persons_mentions_as_their_own_label(db, client, alice, bob, now):
    lea = influencer_create(by=bob, name="Léa Martin", email="lea.martin@example.org")
    tom = influencer_create(by=bob, name="Tom Durand", email="tom.durand@example.org")
    yann = influencer_create(by=bob, name="Yann Le Goff", email="yann@example.org")
    contact = contact_log(
        influencer=yann,
        by=bob,
        kind="meeting",
        direction="outbound",
        summary="Yann came with Léa Martin and TOM DURAND (tom.durand@example.org).",
        occurred_at=now,
    )
    client.force_login(alice)

    delete_in_the_admin(client, "delete action", [lea, tom])

    contact.refresh_from_db()
    assert contact.summary == (
        f"Yann came with Erased person #{lea.pk} and Erased person #{tom.pk} (Erased person #{tom.pk})."
    )
