"""The team's own rules, edited by a manager in the admin with their history; the environment gives the defaults."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from core.models import TeamRules
from core.rules import team_rules
from messaging.timezones import next_sending_time

pytestmark = pytest.mark.django_db

PAGE = reverse("admin:core_teamrules_change", args=[1])
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def form(**changes) -> dict:
    data = {
        "guardrail_window_days": "30",
        "guardrail_max_pitches": "3",
        "pitch_follow_up_days": "7",
        "default_cadence_days": "14",
        "ambassador_cadence_days": "30",
        "thank_you_delay_minutes": "60",
        "sending_hour_start": "9",
        "sending_hour_end": "19",
        "sending_weekdays": ["0", "1", "2", "3", "4"],
    }
    return data | changes


def test_until_saved_the_rules_are_the_environments(settings):
    settings.GUARDRAIL_WINDOW_DAYS, settings.SENDING_HOURS, settings.SENDING_WEEKDAYS = 12, (8, 18), (0, 2, 4)

    rules = team_rules()

    assert (rules.guardrail_window_days, rules.sending_hours, rules.sending_weekdays) == (12, (8, 18), [0, 2, 4])
    assert not TeamRules.objects.exists()


def test_the_list_opens_the_one_page_which_shows_the_defaults(admin_client, settings):
    settings.PITCH_FOLLOW_UP_DAYS = 9

    assert admin_client.get(reverse("admin:core_teamrules_changelist")).url == PAGE
    page = admin_client.get(PAGE)

    assert page.status_code == 200
    assert page.context["adminform"].form.initial["pitch_follow_up_days"] == 9
    assert "A change applies within 30 seconds everywhere." in page.content.decode()


def test_the_page_costs_the_same_few_queries_before_and_after_the_rules_are_saved(
    client, alice, django_assert_max_num_queries
):
    client.force_login(alice)
    client.get(PAGE)  # the session and the user, as on every admin page, and SQLite's first JSON probe
    with django_assert_max_num_queries(8):
        assert client.get(PAGE).status_code == 200
    client.post(PAGE, form())
    with django_assert_max_num_queries(8):
        assert client.get(PAGE).status_code == 200


def test_a_manager_saves_the_rules_and_their_history_says_who(client, alice):
    client.force_login(alice)

    response = client.post(PAGE, form(guardrail_max_pitches="2", sending_weekdays=["0", "2", "5"]))

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    saved = TeamRules.objects.get()
    assert (saved.pk, saved.guardrail_max_pitches, saved.sending_weekdays) == (1, 2, [0, 2, 5])
    assert team_rules().guardrail_max_pitches == 2  # at once in this process
    assert saved.history.get().history_user == alice

    client.post(PAGE, form(guardrail_max_pitches="4"))

    assert [h.guardrail_max_pitches for h in saved.history.order_by("history_date")] == [2, 4]
    history = client.get(reverse("admin:core_teamrules_history", args=[1]))
    assert history.status_code == 200 and alice.username in history.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"sending_hour_start": "19", "sending_hour_end": "9"}, "sending_hour_end", "must end after they start"),
        ({"sending_weekdays": []}, "sending_weekdays", "This field is required."),
        ({"sending_weekdays": ["7"]}, "sending_weekdays", "Select a valid choice."),
        ({"guardrail_window_days": "0"}, "guardrail_window_days", "greater than or equal to 1"),
        ({"default_cadence_days": "1000"}, "default_cadence_days", "less than or equal to 365"),
        ({"sending_hour_end": "25"}, "sending_hour_end", "less than or equal to 24"),
        ({"thank_you_delay_minutes": "-5"}, "thank_you_delay_minutes", "greater than or equal to 0"),
        ({"guardrail_max_pitches": "abc"}, "guardrail_max_pitches", "Enter a whole number."),
    ],
)
def test_values_that_make_no_sense_are_refused_with_a_reason_and_nothing_is_saved(
    admin_client, changes, field, message
):
    response = admin_client.post(PAGE, form(**changes))

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not TeamRules.objects.exists()


def test_a_refused_form_leaves_the_rules_in_force_as_they_were(admin_client):
    TeamRules.defaults().save()

    admin_client.post(PAGE, form(guardrail_max_pitches="1", sending_hour_end="25"))

    assert team_rules().guardrail_max_pitches == 3
    assert TeamRules.objects.get().guardrail_max_pitches == 3


def test_only_managers_reach_the_rules(client, bob, carol, alice):
    for member, status in ((bob, 302), (carol, 302)):  # not staff: the admin sends them to its login
        client.force_login(member)
        assert client.get(PAGE).status_code == status
    client.force_login(alice)
    assert client.get(PAGE).status_code == 200
    assert client.post(reverse("admin:core_teamrules_delete", args=[1])).status_code == 403


def test_saved_sending_hours_move_a_message_s_departure():
    saturday_8am = datetime.datetime(2027, 3, 6, 8, 0, tzinfo=PARIS)
    assert next_sending_time(saturday_8am, "Europe/Paris") == datetime.datetime(2027, 3, 8, 9, 0, tzinfo=PARIS)

    rules = TeamRules.defaults()
    rules.sending_hour_start, rules.sending_weekdays = 10, [5]
    rules.save()

    assert next_sending_time(saturday_8am, "Europe/Paris") == datetime.datetime(2027, 3, 6, 10, 0, tzinfo=PARIS)


def test_other_processes_read_a_change_within_the_half_minute(django_assert_num_queries, time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 1, 10, 0, tzinfo=PARIS), tick=False)
    TeamRules.defaults().save()
    with django_assert_num_queries(0):
        team_rules()
    TeamRules.objects.filter(pk=1).update(guardrail_max_pitches=9)  # as another process would, without the signal
    time_machine.shift(datetime.timedelta(seconds=29))
    assert team_rules().guardrail_max_pitches == 3

    time_machine.shift(datetime.timedelta(seconds=2))
    with django_assert_num_queries(1):
        assert team_rules().guardrail_max_pitches == 9
