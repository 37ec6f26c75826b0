"""Who needs news, the campaigns that fit a person (E2), and a campaign's board."""

import datetime

import pytest

from campaigns.models import Campaign, Stage
from campaigns.selectors import campaigns_that_fit, pipeline, relationships_needing_news, who_needs_news
from tests.factories import BrandFactory, CampaignFactory, InfluencerFactory, RelationshipFactory, paris

TODAY = datetime.date(2026, 3, 2)


def _due(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def relationships(db, bob, dave):
    lea = InfluencerFactory(name="Léa")
    tom = InfluencerFactory(name="Tom")
    return {
        "pitched, overdue": RelationshipFactory(
            influencer=lea, stage=Stage.PITCHED, owner=bob, next_contact_due=_due(-2)
        ),
        "active, today": RelationshipFactory(influencer=tom, stage=Stage.ACTIVE, owner=dave, next_contact_due=_due(0)),
        "delivered, in 7": RelationshipFactory(
            influencer=lea, stage=Stage.DELIVERED, owner=bob, next_contact_due=_due(7)
        ),
        "active, in 8": RelationshipFactory(influencer=tom, stage=Stage.ACTIVE, owner=bob, next_contact_due=_due(8)),
        "shortlisted": RelationshipFactory(influencer=tom, stage=Stage.SHORTLISTED, owner=bob),
        "closed": RelationshipFactory(influencer=lea, stage=Stage.CLOSED, owner=bob, next_contact_due=_due(-9)),
    }


def test_it_lists_open_relationships_due_soon_overdue_first(relationships):
    due = relationships_needing_news(today=TODAY)

    assert [(r.pk, r.is_overdue) for r in due] == [
        (relationships["pitched, overdue"].pk, True),
        (relationships["active, today"].pk, False),
        (relationships["delivered, in 7"].pk, False),
    ]


def test_it_lists_only_an_owners_relationships(relationships, bob):
    due = relationships_needing_news(owner=bob, today=TODAY, soon_days=8)

    assert set(due) == {relationships[k] for k in ("pitched, overdue", "delivered, in 7", "active, in 8")}


def test_who_needs_news_gives_relationships_and_people_between_campaigns(relationships, bob):
    ambassador = InfluencerFactory(name="Zoé", cadence_days=30, next_contact_due=_due(1), owner=bob)
    InfluencerFactory(name="Far off", cadence_days=30, next_contact_due=_due(20), owner=bob)

    news = who_needs_news(owner=bob, today=TODAY)

    assert set(news.relationships) == {relationships["pitched, overdue"], relationships["delivered, in 7"]}
    assert list(news.people) == [ambassador]


def test_who_needs_news_takes_two_queries_however_many_rows(django_assert_num_queries, bob, dave):
    for n in range(6):
        person = InfluencerFactory(cadence_days=30, next_contact_due=_due(n - 3), owner=bob if n % 2 else dave)
        RelationshipFactory(
            stage=Stage.ACTIVE, next_contact_due=_due(n - 3), owner=dave, campaign__brand=BrandFactory()
        )
        RelationshipFactory(influencer=person, stage=Stage.CLOSED)

    with django_assert_num_queries(2):
        news = who_needs_news(today=TODAY)
        shown = [(r.influencer.name, r.campaign.brand.name, r.owner.username, r.is_overdue) for r in news.relationships]
        shown += [(p.name, p.owner.username, p.is_overdue) for p in news.people]

    assert len(shown) == 12


def test_it_finds_the_open_campaigns_that_fit_a_person(time_machine, db):
    time_machine.move_to(paris(2026, 3, 2), tick=False)
    lea = InfluencerFactory(topics=["lifestyle", "food"])
    fits = CampaignFactory(name="Fits", topics=["food", "lifestyle"])
    draft_fits = CampaignFactory(name="Draft fits", topics=["food"], status=Campaign.Status.DRAFT, ends_on=None)
    CampaignFactory(name="Other topics", topics=["sport"])
    CampaignFactory(name="Finished", topics=["food"], status=Campaign.Status.FINISHED)
    CampaignFactory(name="Ended", topics=["food"], starts_on=datetime.date(2026, 1, 1), ends_on=_due(-1))
    already = CampaignFactory(name="Already on it", topics=["food"])
    RelationshipFactory(influencer=lea, campaign=already, stage=Stage.CLOSED)
    closing = CampaignFactory(name="Closing now", topics=["food"])

    assert set(campaigns_that_fit(influencer=lea, exclude=closing)) == {fits, draft_fits}
    assert set(campaigns_that_fit(influencer=lea, exclude=[closing.pk, fits])) == {draft_fits}
    assert list(campaigns_that_fit(influencer=lea).filter(pk=fits.pk)) == [fits]  # once, not once per topic


def test_only_running_campaigns_with_a_complete_brief_are_told_to_the_person(time_machine, db):
    time_machine.move_to(paris(2026, 3, 2), tick=False)
    lea = InfluencerFactory(topics=["food"])
    running = CampaignFactory(name="Running", topics=["food"])
    CampaignFactory(name="Draft", topics=["food"], status=Campaign.Status.DRAFT)
    CampaignFactory(name="No offer yet", topics=["food"], offer="  ")
    CampaignFactory(name="Sponsored, no disclosure", topics=["food"], sponsored=True, disclosure="")
    disclosed = CampaignFactory(name="Sponsored", topics=["food"], sponsored=True, disclosure="#ad")

    assert set(campaigns_that_fit(influencer=lea, outreach=True)) == {running, disclosed}
    assert all(c.brief_complete for c in campaigns_that_fit(influencer=lea, outreach=True))


def test_the_board_lists_every_stage_in_order_in_one_query(django_assert_num_queries, db):
    campaign = CampaignFactory()
    shortlisted = RelationshipFactory(campaign=campaign, influencer__name="Ana", stage=Stage.SHORTLISTED)
    active = [
        RelationshipFactory(campaign=campaign, influencer__name=name, stage=Stage.ACTIVE) for name in ("Zoé", "Bea")
    ]
    RelationshipFactory(stage=Stage.ACTIVE)  # another campaign

    with django_assert_num_queries(1):
        board = pipeline(campaign=campaign)
        names = {stage: [r.influencer.name for r in items] for stage, items in board.items()}

    assert list(board) == ["shortlisted", "pitched", "active", "delivered", "closed"]
    assert board[Stage.SHORTLISTED] == [shortlisted]
    assert board[Stage.ACTIVE] == [active[1], active[0]]
    assert names[Stage.ACTIVE] == ["Bea", "Zoé"]


def test_with_a_limit_who_needs_news_keeps_the_first_of_each_section_and_counts_all_in_two_queries(
    django_assert_num_queries, bob
):
    campaign = CampaignFactory()
    late = [
        RelationshipFactory(
            campaign=campaign, influencer__name=f"Late {n}", stage=Stage.ACTIVE, owner=bob, next_contact_due=_due(-n)
        )
        for n in range(1, 6)
    ]
    soon = [
        RelationshipFactory(
            campaign=campaign, influencer__name=f"Soon {n}", stage=Stage.ACTIVE, owner=bob, next_contact_due=_due(n)
        )
        for n in range(4)
    ]
    InfluencerFactory(name="Ambassador", cadence_days=30, next_contact_due=_due(-1), owner=bob)

    with django_assert_num_queries(2):
        news = who_needs_news(owner=bob, today=TODAY, limit=2)
        rows = [(r.pk, r.is_overdue, r.section_total) for r in news.relationships]
        people = [(p.name, p.is_overdue, p.section_total) for p in news.people]

    assert rows == [(late[4].pk, True, 5), (late[3].pk, True, 5), (soon[0].pk, False, 4), (soon[1].pk, False, 4)]
    assert people == [("Ambassador", True, 1)]


def test_with_a_cap_per_stage_the_board_keeps_the_first_cards_of_each_column_and_their_full_count(
    django_assert_num_queries, db
):
    campaign = CampaignFactory()
    pitched = [RelationshipFactory(campaign=campaign, influencer__name=name, stage=Stage.PITCHED) for name in "DCBA"]
    closed = RelationshipFactory(campaign=campaign, influencer__name="Zed", stage=Stage.CLOSED)

    with django_assert_num_queries(2):  # which cards (ranked on narrow rows), then those cards
        board = pipeline(campaign=campaign, per_stage=3)

    assert board[Stage.PITCHED] == [pitched[3], pitched[2], pitched[1]]
    assert [r.stage_total for r in board[Stage.PITCHED]] == [4, 4, 4]
    assert board[Stage.CLOSED] == [closed] and closed.pk == board[Stage.CLOSED][0].pk
    assert board[Stage.CLOSED][0].stage_total == 1
    assert board[Stage.ACTIVE] == []


def test_the_capped_board_reads_everything_its_cards_show_within_its_two_queries(
    django_assert_num_queries, bob, time_machine
):
    # The cards are read with the few columns they show (.only): one left out would cost a query per card.
    time_machine.move_to(paris(2026, 3, 2), tick=False)
    campaign = CampaignFactory()
    lea = InfluencerFactory(name="Léa", region="Bretagne", audience=25_000, consent="opted_out")
    zed = InfluencerFactory(name="Zed", region="", city="Lyon")
    RelationshipFactory(campaign=campaign, influencer=lea, stage=Stage.ACTIVE, owner=bob, next_contact_due=_due(-1))
    RelationshipFactory(
        campaign=campaign, influencer=zed, stage=Stage.CLOSED, thank_you="skipped", thank_you_skip_reason="No mail"
    )

    with django_assert_num_queries(2):
        board = pipeline(campaign=campaign, per_stage=25)
        cards = [
            (
                r.influencer.name,
                str(r.influencer.get_tier_display()),
                r.influencer.region or r.influencer.city,
                r.influencer.is_opted_out,
                r.owner.get_full_name() or r.owner.username if r.owner else "",
                str(r.get_outcome_display()),
                r.thank_you,
                r.thank_you_skip_reason,
                r.next_contact_due,
                r.is_overdue,
            )
            for cards in board.values()
            for r in cards
        ]

    assert cards == [
        ("Léa", "micro (10k–100k)", "Bretagne", True, "Bob", "", "", "", _due(-1), True),
        ("Zed", "nano (< 10k)", "Lyon", False, "", "completed", "skipped", "No mail", None, False),
    ]
