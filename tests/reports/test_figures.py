"""Each report's figures on the hand-built community (tests/reports/conftest.py), worked out by hand."""

import datetime
from decimal import Decimal

import pytest

from campaigns.models import ContentMatch, GuardrailEvent
from crm.models import Post
from reports.filters import ReportFilters
from reports.selectors.audience import audience_report
from reports.selectors.endings import endings_report
from reports.selectors.followups import followups_report
from reports.selectors.guardrails import guardrails_report
from reports.selectors.pipeline import pipeline_report
from reports.selectors.reciprocity import reciprocity_report
from reports.selectors.responsiveness import responsiveness_report
from reports.selectors.spread import spread_report
from tests.factories import ChannelFactory
from tests.reports.conftest import RANGE

pytestmark = pytest.mark.django_db


def figures(result) -> dict:
    return {str(label): value for label, value in result.figures}


def test_pipeline_counts_stages_outcomes_conversion_and_median_days(community):
    result = pipeline_report(RANGE)

    # R7 closed in Dec 2024, before the range: left out. 8 relationships: Spring 4, Sport 3 (R5, R6, R8), Autumn 1.
    # Columns: total, shortlisted, pitched, active, delivered, closed, completed, declined, no reply, dropped,
    # ever pitched, accepted, conversion.
    assert result.tables[0].rows == [
        ["Acme · Autumn", 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0.0],  # R9 pitched, dropped: 0 / 1
        ["Acme · Spring", 4, 1, 0, 1, 0, 2, 1, 1, 0, 0, 3, 2, 66.7],  # R1, R2 accepted of R1, R2, R3: 2 / 3
        ["Zeta · Sport", 3, 0, 1, 0, 1, 1, 0, 0, 1, 0, 3, 1, 33.3],  # R6 accepted of R5, R6, R8: 1 / 3
    ]
    # Finished stays only (a stay ends with the next StageChange):
    # shortlisted: R1 2, R2 4, R3 1, R5 2, R6 1, R8 2, R9 1 → 1 1 1 [2] 2 2 4 → 2.0
    # pitched: R1 3, R2 6, R3 18, R5 29, R6 4, R9 29 → 3 4 [6 18] 29 29 → (6 + 18) / 2 = 12.0
    # active: R1 10 (15 → 25 Jan), R6 5 (10 → 15 Mar) → (10 + 5) / 2 = 7.5; delivered: R1 7 (25 Jan → 1 Feb)
    assert result.tables[1].rows == [["shortlisted", 2.0], ["pitched", 12.0], ["active", 7.5], ["delivered", 7.0]]
    assert figures(result)["relationships"] == 8
    assert figures(result)["pitched → active (%)"] == 42.9  # 3 accepted / 7 pitched = 42.857…


def test_pipeline_follows_the_brand_filter(community):
    result = pipeline_report(
        ReportFilters(RANGE.date_from, RANGE.date_to, brand_id=community.campaigns["sport"].brand_id)
    )

    assert [row[0] for row in result.tables[0].rows] == ["Zeta · Sport"]
    # shortlisted: R5 2, R6 1, R8 2 → 2.0; pitched: R5 29, R6 4 → 16.5; active: R6 5
    assert result.tables[1].rows == [["shortlisted", 2.0], ["pitched", 16.5], ["active", 5.0], ["delivered", None]]


def test_followups_count_the_overdue_the_silences_and_the_cadence_kept(community):
    result = followups_report(RANGE)

    # Clocks read on 30 June. Overdue relationships: R2 (due 24 June, bob), R8 (due 8 June, dave); R6 is due
    # 9 July. Overdue people between campaigns: Léa (due 1 June, bob; her relationships are closed).
    # Days since the last contact (the pitch when none): R2 10 → 30 June = 20, R6 25 → 30 June = 5,
    # R8 pitched 1 June, never contacted since = 29. bob: (20 + 5) / 2 = 12.5, dave: 29, all: 5 [20] 29 → 20.
    # Active (stage active) contacted within the cadence: R2 only, 20 > 14 days → 0 / 1 = 0.0 %; dave has none.
    assert result.tables[0].rows == [["Bob", 1, 1, 2, 12.5, 0.0], ["Dave", 1, 0, 1, 29.0, None]]
    assert figures(result) == {
        "overdue relationships": 2,
        "overdue people": 1,
        "median days since last contact": 20.0,
        "active relationships contacted within their cadence (%)": 0.0,
    }
    assert result.tables[1].rows == [
        ["Omar", "Zeta · Sport", "Dave", "pitched", None, 29.0],
        ["Marc", "Acme · Spring", "Bob", "active", datetime.date(2025, 6, 10), 20.0],
        ["Marc", "Zeta · Sport", "Bob", "delivered", datetime.date(2025, 6, 25), 5.0],
    ]


def test_responsiveness_counts_answers_within_a_week_and_the_median_reply_time(community):
    result = responsiveness_report(RANGE)

    # Outbound in the range: C1 Léa 1 Mar (bob), C3 Marc 10 Jun (bob), C5 Nina 2 Feb (dave), C6 Omar 1 Jun (dave),
    # C7 Marc 25 Jun (bob); C0 (Dec 2024) is out. Replies: C1 ← 3 Mar (48 h, within 7 days),
    # C3 ← 20 Jun (240 h, too late); C7 came after Marc's reply: none.
    # bob: 1 / 3 = 33.3 %, median of 48 and 240 = 144 h; dave: 0 / 2.
    assert result.tables[0].rows == [["Bob", 3, 1, 33.3, 144.0], ["Dave", 2, 0, 0.0, None]]
    assert result.tables[1].rows == [
        ["blogger", 1, 1, 100.0, 48.0],
        ["brand ambassador", 2, 0, 0.0, 240.0],
        ["journalist", 1, 0, 0.0, None],
        ["podcaster", 1, 0, 0.0, None],
    ]
    assert figures(result) == {  # 1 / 5 = 20 %
        "outbound contacts": 5,
        "answered within 7 days (%)": 20.0,
        "median hours to the first reply": 144.0,
    }


def test_endings_sort_thank_yous_sent_skipped_and_missing(community):
    result = endings_report(RANGE)

    # Closed in the range: R1 (sent), R3 (declined, sent: thanked anyway), R5 (skipped), R9 (its thank-you failed:
    # missing). R7 closed in 2024. Columns: closed, sent, pending, skipped, missing, declined/no reply thanked.
    assert result.tables[0].rows == [
        ["Acme · Autumn", 1, 0, 0, 0, 1, 0],
        ["Acme · Spring", 2, 2, 0, 0, 0, 1],
        ["Zeta · Sport", 1, 0, 0, 1, 0, 0],
    ]
    assert result.tables[1].rows == [
        ["Léa", "Zeta · Sport", "no reply", datetime.date(2025, 4, 1), '=HYPERLINK("http://evil.example")']
    ]
    # Failed in the range: R9's thank-you (1 May, 13:00 Paris) and R8's follow-up (2 June); Nina's is from 2024.
    assert result.tables[2].rows == [
        ["thank-you", "marc@example.org", datetime.datetime(2025, 5, 1, 13, 0), 8, "-550 mailbox unavailable"],
        ["follow-up", "omar@example.org", datetime.datetime(2025, 6, 2, 12, 0), 0, "timeout"],
    ]
    assert figures(result) == {
        "closed relationships": 4,
        "thank-you sent (%)": 50.0,  # 2 / 4
        "thank-you skipped": 1,
        "thank-you missing": 1,
        "failed messages": 2,
        "declined or no reply, and still thanked": 1,
    }


def test_guardrails_count_each_rule_and_list_the_override_reasons(community):
    result = guardrails_report(RANGE)

    # G0 (Dec 2024) is out. Columns: blocked, overridden, acknowledged, flagged.
    assert result.tables[0].rows == [
        ["incomplete brief", 2, 0, 0, 0],  # G6, G7
        ["off-topic pitch", 1, 2, 0, 0],  # G2; G1, G3
        ["opted-out person", 0, 0, 0, 0],
        ["unrelated topics in a short window", 0, 0, 1, 0],  # G5
        ["pitched too often", 0, 0, 1, 0],  # G4
        ["sponsored post without its disclosure", 0, 0, 0, 0],
    ]
    assert result.tables[1].rows == [
        [datetime.date(2025, 3, 3), "Léa", "Zeta · Sport", "", "+33 launch fits her audience"],
        [datetime.date(2025, 6, 1), "Omar", "Zeta · Sport", "", "Sport podcast special"],
    ]
    assert figures(result) == {
        "off-topic pitches overridden": 2,
        "consistency flags": 1,
        "frequency flags": 1,
        "sponsored posts found without their disclosure": 0,
        "pitches blocked by an incomplete brief": 2,
        "relationships held back by an incomplete brief": 1,  # both on R4
    }


def test_guardrails_count_the_posts_found_without_disclosure_and_list_those_still_without(community):
    r1, r5 = community.relationships["r1"], community.relationships["r5"]
    channel = ChannelFactory(influencer=r1.influencer, platform="blog", handle="lea-blog")
    at = datetime.datetime(2025, 4, 1, 10, tzinfo=datetime.UTC)
    for key, relationship, status, disclosure, found in [
        ("missing", r1, "recorded", "missing", at),  # listed, and counted below by its event
        ("dismissed", r5, "dismissed", "missing", at),  # no longer counts against anyone
        ("added", r1, "recorded", "present", at),  # the disclosure came later
        ("before", r5, "proposed", "missing", datetime.datetime(2024, 12, 1, tzinfo=datetime.UTC)),
    ]:
        post = Post.objects.create(channel=channel, key=key, url=f"https://lea.example/{key}", title=key)
        match = ContentMatch.objects.create(
            relationship=relationship, post=post, matched="Acme", status=status, disclosure=disclosure
        )
        ContentMatch.objects.filter(pk=match.pk).update(found_at=found)
    for when in (at, at):
        GuardrailEvent.objects.create(relationship=r1, rule="disclosure", result="flagged", occurred_at=when)

    result = guardrails_report(RANGE)

    assert result.tables[0].rows[-1] == ["sponsored post without its disclosure", 0, 0, 0, 2]
    assert figures(result)["sponsored posts found without their disclosure"] == 2
    assert result.tables[2].rows == [[datetime.date(2025, 4, 1), "Léa", "Acme · Spring", "https://lea.example/missing"]]


def test_spread_shows_paris_big_accounts_bloggers_and_topics_with_their_concentration(community):
    result = spread_report(RANGE)

    # 4 people; 8 relationships in the range: Léa 2 (R1, R5), Marc 3 (R2, R6, R9), Nina 1 (R3), Omar 2 (R4, R8).
    # Region: Île-de-France = Léa + Nina: 2 / 4 = 50 %, relationships 2 + 1 = 3 / 8 = 37.5 %.
    # Tier: Léa nano, Marc micro, Nina mid, Omar mega: 2 / 4 = 50 %; relationships 2 + 3 = 5 / 8 = 62.5 %.
    # Kind: one blogger (Léa): 1 / 4 = 25 %, 2 / 8 = 25 %. Topics: lifestyle Léa + Marc, sport Marc + Nina.
    assert result.tables[0].rows == [
        ["region", "Paris / Île-de-France", 50.0, 37.5, "Île-de-France", 50.0, "Île-de-France", 37.5],
        ["tier", "nano and micro", 50.0, 62.5, "mega (≥ 1M)", 25.0, "micro (10k–100k)", 37.5],
        ["kind", "bloggers", 25.0, 25.0, "blogger", 25.0, "brand ambassador", 37.5],
        ["topic", None, None, None, "lifestyle", 50.0, "lifestyle", 62.5],  # lifestyle: 2 + 3 = 5 / 8
    ]
    assert result.tables[1].rows == [
        ["region", "Île-de-France", 2, 50.0, 3, 37.5],
        ["region", "Auvergne-Rhône-Alpes", 1, 25.0, 3, 37.5],
        ["region", "Pays de la Loire", 1, 25.0, 2, 25.0],
        ["tier", "mega (≥ 1M)", 1, 25.0, 2, 25.0],
        ["tier", "micro (10k–100k)", 1, 25.0, 3, 37.5],
        ["tier", "mid (100k–500k)", 1, 25.0, 1, 12.5],
        ["tier", "nano (< 10k)", 1, 25.0, 2, 25.0],
        ["kind", "blogger", 1, 25.0, 2, 25.0],
        ["kind", "brand ambassador", 1, 25.0, 3, 37.5],
        ["kind", "journalist", 1, 25.0, 1, 12.5],
        ["kind", "podcaster", 1, 25.0, 2, 25.0],
        ["topic", "lifestyle", 2, 50.0, 5, 62.5],
        ["topic", "sport", 2, 50.0, 4, 50.0],  # Marc 3 + Nina 1
        ["topic", "(no topic)", 1, 25.0, 2, 25.0],
    ]


def test_reciprocity_sets_what_was_given_against_what_was_got(community):
    result = reciprocity_report(RANGE)

    # E9 (Dec 2024) is out; E8 is "other", not content. Columns: given, value given, content got, reach.
    assert result.tables[0].rows == [
        ["Léa", 1, Decimal("120.00"), 2, 11000],  # E1; E2 post 8000 + E3 story 3000
        ["Marc", 2, Decimal("500.00"), 2, 21500],  # E4 fee 500 + E5 invitation; E6 video 20000 + E7 mention 1500
        ["Nina", 0, Decimal("0.00"), 0, 0],  # E8 only
    ]
    assert result.tables[1].rows == [
        ["Acme · Spring", 3, Decimal("620.00"), 2, 11000],  # E1, E4, E5; E2, E3
        ["Zeta · Sport", 0, Decimal("0.00"), 1, 20000],  # E6
        ["(no campaign)", 0, Decimal("0.00"), 1, 1500],  # E7
    ]
    assert figures(result) == {"given": 3, "value given (€)": Decimal("620.00"), "content got": 4, "reach": 32500}


def test_audience_grows_from_the_first_to_the_last_snapshot_in_the_range(community):
    result = audience_report(RANGE)

    rows = [row[:1] + row[3:] for row in result.tables[0].rows]  # handles are generated
    assert rows == [
        # 45 000 (1 Feb; the Dec 2024 figure is out) → 50 000: +5 000 = 11.1 %
        ["Marc", datetime.date(2025, 2, 1), 45000, datetime.date(2025, 6, 15), 50000, 5000, 11.1],
        ["Léa", datetime.date(2025, 1, 5), 4000, datetime.date(2025, 6, 1), 5000, 1000, 25.0],  # +1 000 / 4 000
        ["Nina", datetime.date(2025, 6, 1), 200000, datetime.date(2025, 6, 1), 200000, 0, 0.0],  # one snapshot
    ]  # Omar's only snapshot is from 2024: not measured.
    assert figures(result) == {  # 249 000 → 255 000: +6 000 / 249 000 = 2.41 %
        "channels measured": 3,
        "followers at the start": 249000,
        "followers at the end": 255000,
        "growth": 6000,
        "growth (%)": 2.4,
    }


def test_endings_tell_pending_from_sent_and_skipped_when_a_relationship_has_several_thank_yous(community):
    from campaigns.models import ThankYou
    from messaging.models import Message
    from tests.reports.conftest import at, thank_you

    r1, r3, r5, r9 = (community.relationships[k] for k in ("r1", "r3", "r5", "r9"))
    thank_you(r1, Message.Status.SCHEDULED, at(2025, 2, 2))  # sent already: stays sent
    thank_you(r5, Message.Status.SCHEDULED, at(2025, 4, 2))  # skipped at closing: stays skipped
    thank_you(r9, Message.Status.SENDING, at(2025, 5, 2))  # its first one failed, a second is on its way: pending
    r3.thank_you, r3.thank_you_skip_reason = ThankYou.SKIPPED, "Declined"  # skipped, then sent anyway: sent
    r3.save(update_fields=["thank_you", "thank_you_skip_reason"])

    result = endings_report(RANGE)

    assert result.tables[0].rows == [
        ["Acme · Autumn", 1, 0, 1, 0, 0, 0],
        ["Acme · Spring", 2, 2, 0, 0, 0, 1],
        ["Zeta · Sport", 1, 0, 0, 1, 0, 0],
    ]
