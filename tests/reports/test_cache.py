"""Reports are kept once computed (reports.cache): pages read them, beat computes the default range again, and a
manager can recompute at once. The community is in conftest; time stands at Monday 30 June 2025, 10:00 UTC."""

import datetime

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.urls import reverse

from campaigns.models import Stage
from messaging.models import Profile
from reports.tasks import purge_expired_reports, refresh_reports
from tests.reports.conftest import QUERY, at, relationship

pytestmark = pytest.mark.django_db

PIPELINE = reverse("admin:reports_report_detail", args=["pipeline"])


def omar_shortlisted_on_autumn(community, bob) -> None:
    """A ninth relationship open in the range, made after a report was kept."""
    relationship(
        community.people["omar"], community.campaigns["autumn"], bob, moves=[(Stage.SHORTLISTED, at(2025, 6, 2))]
    )


def figure(response, label: str):
    return {str(name): value for name, value in response.context["result"].figures}[label]


def test_a_report_page_shows_the_kept_figures_and_when_they_were_computed(manager, community, bob, time_machine):
    first = manager.get(PIPELINE, QUERY)
    omar_shortlisted_on_autumn(community, bob)
    time_machine.move_to(datetime.datetime(2025, 6, 30, 10, 4, tzinfo=datetime.UTC), tick=False)

    again = manager.get(PIPELINE, QUERY)

    assert figure(first, "relationships") == figure(again, "relationships") == 8
    assert again.context["computed_at"] == datetime.datetime(2025, 6, 30, 10, 0, tzinfo=datetime.UTC)
    html = again.content.decode()
    # Shown in the team's zone, Paris (UTC+2 in June).
    assert "Figures computed June 30, 2025, noon; they are computed again every 10 minutes." in html
    assert '<a href="?date_from=2025-01-01&amp;date_to=2025-06-30&amp;refresh=1">Recompute now</a>' in html


def test_recompute_now_computes_the_report_again_and_comes_back_to_the_page(manager, community, bob, time_machine):
    manager.get(PIPELINE, QUERY)
    omar_shortlisted_on_autumn(community, bob)
    time_machine.move_to(datetime.datetime(2025, 6, 30, 10, 4, tzinfo=datetime.UTC), tick=False)

    response = manager.get(PIPELINE, {**QUERY, "refresh": "1"})

    # Back to the page without "refresh": reloading it does not compute the report once more.
    assert response.status_code == 302
    assert response["Location"] == f"{PIPELINE}?date_from=2025-01-01&date_to=2025-06-30"
    page = manager.get(response["Location"])
    assert figure(page, "relationships") == 9
    assert page.context["computed_at"] == datetime.datetime(2025, 6, 30, 10, 4, tzinfo=datetime.UTC)


def test_the_overview_cards_read_the_same_kept_figures_and_say_when(manager, community, bob):
    manager.get(PIPELINE, QUERY)
    omar_shortlisted_on_autumn(community, bob)

    card = manager.get(reverse("admin:reports_report_figures", args=["pipeline"]), QUERY)

    assert {str(name): value for name, value in card.context["figures"]}["relationships"] == 8
    assert '<p class="help">As of noon</p>' in card.content.decode()


def test_another_range_is_computed_on_its_own(manager, community):
    manager.get(PIPELINE, QUERY)

    spring_only = manager.get(PIPELINE, {**QUERY, "campaign": community.campaigns["spring"].pk})

    assert figure(spring_only, "relationships") == 4


def test_a_download_is_computed_when_asked_not_kept(manager, community, bob):
    manager.get(PIPELINE, QUERY)
    omar_shortlisted_on_autumn(community, bob)

    csv = manager.get(reverse("admin:reports_report_csv", args=["pipeline"]), QUERY).content.decode()

    autumn = next(line for line in csv.splitlines() if line.startswith("Acme · Autumn,"))
    assert autumn.split(",")[1] == "2"


def test_each_language_gets_its_own_labels(manager, community):
    english = manager.get(PIPELINE, QUERY)
    french = manager.get(PIPELINE, QUERY, HTTP_ACCEPT_LANGUAGE="fr")

    assert '<th scope="row">Median days shortlisted</th>' in english.content.decode()
    assert '<th scope="row">Durée médiane « présélectionné » (jours)</th>' in french.content.decode()


def test_a_reader_in_another_time_zone_gets_the_range_cut_at_their_own_midnight(
    manager, community, bob, django_assert_num_queries
):
    # Shortlisted at 23:30 UTC on 30 June: 1 July in Paris (outside the range), still 30 June in New York.
    relationship(
        community.people["omar"],
        community.campaigns["autumn"],
        bob,
        moves=[(Stage.SHORTLISTED, datetime.datetime(2025, 6, 30, 23, 30, tzinfo=datetime.UTC))],
    )
    paris = manager.get(PIPELINE, QUERY)
    session = manager.session
    session["member_timezone"] = "America/New_York"
    session.save()

    new_york = manager.get(PIPELINE, QUERY)

    assert (figure(paris, "relationships"), figure(new_york, "relationships")) == (8, 9)


def test_beat_computes_the_default_range_for_every_language_and_every_staff_zone(
    manager, community, alice, bob, django_assert_num_queries
):
    Profile.objects.create(user=alice, timezone="America/New_York")
    Profile.objects.create(user=bob, timezone="Asia/Tokyo")  # not staff: never opens the reports

    # 8 reports × English and French × Paris (the team's) and New York (alice's).
    assert refresh_reports() == 32

    session = manager.session
    session["member_timezone"] = "America/New_York"
    session.save()
    # The default range, ready: session, user, permissions, the form's owners, and the kept report.
    for language in ("en", "fr"):
        with django_assert_num_queries(5):
            assert manager.get(PIPELINE, HTTP_ACCEPT_LANGUAGE=language).status_code == 200


def kept_keys() -> set[str]:
    """Every row of the cache's table, expired or not."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {connection.ops.quote_name(caches['reports']._table)}")
        return {key for (key,) in cursor.fetchall()}


def test_beat_deletes_the_kept_reports_past_their_time_and_only_those(time_machine):
    # The hourly purge is scheduled (CELERY_BEAT_SCHEDULE): a kept report names people, and Django's database cache
    # deletes expired rows only when the table is full.
    assert settings.CELERY_BEAT_SCHEDULE["reports-purge"]["task"] == "reports.tasks.purge_expired_reports"
    kept = caches["reports"]
    time_machine.move_to(datetime.datetime(2025, 6, 30, 10, 0, tzinfo=datetime.UTC), tick=False)
    kept.set("old", "Zephyrine's figures", timeout=1200)
    time_machine.move_to(datetime.datetime(2025, 6, 30, 10, 15, tzinfo=datetime.UTC), tick=False)
    kept.set("recent", "Yann's figures", timeout=1200)
    time_machine.move_to(datetime.datetime(2025, 6, 30, 10, 21, tzinfo=datetime.UTC), tick=False)
    # Expired; a get() of this very key would delete it, but nobody asks again for a range nobody reads.
    assert kept_keys() == {":1:old", ":1:recent"}

    assert purge_expired_reports() == 1

    assert kept_keys() == {":1:recent"}
    assert purge_expired_reports() == 0, "a second beat at the same moment finds nothing left to do"
    assert kept.get("recent") == "Yann's figures"
