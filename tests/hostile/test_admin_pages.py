"""Hostile input on the back office beyond its add and change forms: the actions that open an intermediate form
(pitch, merge), the report filters and downloads, the login forms, and the lists' search and filters. No server
error ever, and nothing typed comes back as live markup."""

import pytest
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.factories import CampaignFactory, InfluencerFactory, RelationshipFactory
from tests.hostile.strategies import (
    EXAMPLES,
    HOSTILE,
    HUGE,
    LONG,
    NUL,
    SCRIPT,
    YEAR_9999,
    YEAR_ONE,
    assert_harmless,
    assert_no_live_markup,
    bad_date,
    bad_id,
    expected_status,
    hostile_text,
    rolled_back,
)

pytestmark = pytest.mark.django_db

ADMIN = settings(HOSTILE, max_examples=max(5, EXAMPLES // 2))


# --- Actions with an intermediate form ---------------------------------------------------------------------------


@ADMIN
@example(reason=NUL, acknowledge="on")
@example(reason=LONG, acknowledge="on")
@example(reason=SCRIPT, acknowledge="")
@given(reason=hostile_text(300), acknowledge=hostile_text(5))
def test_the_pitch_action_never_fails_on_any_reason(as_alice, reason, acknowledge):
    with rolled_back():
        relationship = RelationshipFactory(
            influencer=InfluencerFactory(name=SCRIPT, topics=["cuisine"]), campaign=CampaignFactory(topics=["sport"])
        )
        url = reverse("admin:campaigns_relationship_changelist")
        posted = {"action": "pitch", "_selected_action": [str(relationship.pk)]}

        dialog = as_alice.post(url, posted)
        applied = as_alice.post(
            url, {**posted, "apply": "1", "override_reason": reason, "acknowledge_flags": acknowledge}, follow=True
        )

        for response in (dialog, applied):
            assert_harmless(response)
            assert_no_live_markup(response.content)


@ADMIN
@example(survivor=HUGE, selected=[HUGE])
@example(survivor=NUL, selected=[NUL])
@given(survivor=bad_id(), selected=st.lists(bad_id(), max_size=3))
def test_the_merge_action_never_fails_on_tampered_ids(as_alice, survivor, selected):
    with rolled_back():
        first = InfluencerFactory(name=SCRIPT, email="ana@example.org")
        second = InfluencerFactory(name="Ana M.", email="")
        url = reverse("admin:crm_influencer_changelist")
        posted = {
            "action": "merge_people",
            "_selected_action": [str(first.pk), str(second.pk), *selected],
            "apply": "1",
            "survivor": survivor,
        }

        response = as_alice.post(url, posted, follow=True)

        assert_harmless(response)
        assert_no_live_markup(response.content)


# --- Reports: the filter form and the downloads ------------------------------------------------------------------


@ADMIN
@example(query={"date_from": YEAR_ONE, "date_to": YEAR_9999}, report="followups")
@example(query={"date_from": "1000-01-01", "date_to": "1000-01-02"}, report="followups")
@example(query={"date_from": YEAR_9999, "date_to": YEAR_9999}, report="followups")
@example(query={"brand": HUGE, "campaign": HUGE, "owner": HUGE}, report="followups")
@given(
    query=st.fixed_dictionaries(
        {}, optional={"date_from": bad_date(), "date_to": bad_date(), "brand": bad_id(), "campaign": bad_id()}
    ),
    report=st.sampled_from(["pipeline", "followups", "guardrails", "spread", "reciprocity", "audience"]),
)
def test_the_report_filters_never_fail_on_any_input(as_alice, query, report):
    with rolled_back():
        for url in (
            reverse("admin:reports_report_changelist"),
            reverse("admin:reports_report_detail", args=[report]),
            reverse("admin:reports_report_csv", args=[report]),
        ):
            response = as_alice.get(url, query)
            assert response.status_code == expected_status(query), url
            assert_no_live_markup(response.content)


# --- Login --------------------------------------------------------------------------------------------------------


@ADMIN
@example(username=NUL, password=NUL)
@example(username=LONG, password=LONG)
@example(username=SCRIPT, password=SCRIPT)
@given(username=hostile_text(), password=hostile_text())
def test_the_login_forms_never_fail_on_any_input(client, db, username, password):
    with rolled_back():
        for url in (reverse("login"), reverse("admin:login")):
            response = client.post(url, {"username": username, "password": password}, REMOTE_ADDR="203.0.113.9")
            assert response.status_code in {200, 302, 403, 429}, (url, response.status_code)
            assert_no_live_markup(response.content)


@ADMIN
@example(params={"region": NUL, "q": NUL}, changelist="crm_influencer")
@example(params={"region__exact": NUL, "o": NUL}, changelist="crm_influencer")
@example(params={"kind__exact": LONG, "p": HUGE, "o": HUGE}, changelist="crm_contact")
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "region", "region__exact", "kind__exact", "topics__id__exact", "owner__id__exact", "o"]),
        st.one_of(hostile_text(40), bad_id()),
        max_size=3,
    ),
    changelist=st.sampled_from(["crm_influencer", "crm_contact", "campaigns_campaign", "campaigns_relationship"]),
)
def test_the_admin_lists_never_fail_on_any_search_or_filter(as_alice, params, changelist):
    with rolled_back():
        InfluencerFactory(name="Ana", region="Bretagne")

        response = as_alice.get(reverse(f"admin:{changelist}_changelist"), params)

        assert response.status_code in {200, 302, 400}, response.status_code
        if any("\x00" in f"{key}{value}" for key, value in params.items()):
            assert response.status_code == 400
        assert_no_live_markup(response.content)
