"""Spread (decentralisation): people and relationships by region, tier, kind and topic, and how concentrated each is.

People are the directory (those with a relationship on the brand or campaign when one is chosen, the owner's when
an owner is); relationships are those open at some moment of the range. A person has several topics, so topic
groups overlap. Concentration is the share of the largest group.
"""

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Value, When
from django.utils.translation import gettext_lazy as _

from campaigns.models import Relationship
from crm.models import TIER_FLOORS, Influencer, Tier
from reports.filters import ReportFilters
from reports.selectors.base import ReportResult, Table, share
from reports.selectors.pipeline import relationships_in_range

PARIS_REGION = "Île-de-France"
SMALL_TIERS = {Tier.NANO, Tier.MICRO}


def tier_of(audience: str) -> Case:
    """Influencer.tier in SQL: the first floor (largest first) the audience reaches."""
    return Case(
        *[When(**{f"{audience}__gte": floor}, then=Value(str(tier))) for tier, floor in TIER_FLOORS],
        default=Value(str(Tier.NANO)),
        output_field=CharField(),
    )


def _dimensions():
    kinds, tiers = dict(Influencer.Kind.choices), dict(Tier.choices)
    return [
        (
            _("region"),
            lambda p: F(f"{p}region"),
            lambda key: key or _("(unknown)"),
            lambda key: (key or "").casefold() == PARIS_REGION.casefold(),
            _("Paris / Île-de-France"),
        ),
        (
            _("tier"),
            lambda p: tier_of(f"{p}audience"),
            lambda key: tiers.get(key, key),
            lambda key: key in SMALL_TIERS,
            _("nano and micro"),
        ),
        (
            _("kind"),
            lambda p: F(f"{p}kind"),
            lambda key: kinds.get(key, key),
            lambda key: key == Influencer.Kind.BLOGGER,
            _("bloggers"),
        ),
        (_("topic"), lambda p: F(f"{p}topics__name"), lambda key: key or _("(no topic)"), None, None),
    ]


def _groups(queryset, expression) -> dict:
    # No DISTINCT: a row meets each of its groups once (a person's topics are distinct topics, hence distinct names),
    # so a plain count is exact and PostgreSQL can hash the groups instead of sorting every row.
    return dict(
        queryset.order_by()
        .annotate(_group=expression)
        .values("_group")
        .annotate(n=Count("pk"))
        .values_list("_group", "n")
    )


def _groups_by_dimension(queryset, prefix: str) -> list[dict]:
    """Per dimension, {group: how many rows}: two queries whatever the number of dimensions.

    A person has one region, one tier and one kind, so one GROUP BY over the three gives every row once and each
    dimension's groups are sums over it (its totals too). Topics overlap (several per person): their own query.
    """
    dimensions = _dimensions()
    single = {f"_d{i}": expression(prefix) for i, (_, expression, *_rest) in enumerate(dimensions[:-1])}
    groups: list[dict] = [{} for _ in dimensions]
    for row in queryset.order_by().annotate(**single).values(*single).annotate(n=Count("pk")):
        for i, key in enumerate(single):
            groups[i][row[key]] = groups[i].get(row[key], 0) + row["n"]
    groups[-1] = _groups(queryset, dimensions[-1][1](prefix))
    return groups


def spread_report(filters: ReportFilters, *, limit: int | None = None) -> ReportResult:
    people = Influencer.objects.all()
    if filters.owner_id:
        people = people.filter(owner_id=filters.owner_id)
    if filters.scoped_to_campaigns:
        people = people.filter(Exists(Relationship.objects.filter(filters.campaign_q(), influencer_id=OuterRef("pk"))))
    relationships = relationships_in_range(filters)
    people_groups = _groups_by_dimension(people, "")
    relationships_groups = _groups_by_dimension(relationships, "influencer__")
    # Everyone is in exactly one region: its groups add up to the totals.
    people_total, relationships_total = sum(people_groups[0].values()), sum(relationships_groups[0].values())

    summary, detail, chart_labels, chart_people, chart_relationships = [], [], [], [], []
    figures = [(_("people"), people_total), (_("relationships"), relationships_total)]
    for (name, _expression, label, in_focus, focus_label), by_people, by_relationships in zip(
        _dimensions(), people_groups, relationships_groups, strict=True
    ):
        keys = sorted(set(by_people) | set(by_relationships), key=lambda k: (-by_people.get(k, 0), str(label(k))))
        for key in keys:
            detail.append(
                [
                    name,
                    label(key),
                    by_people.get(key, 0),
                    share(by_people.get(key, 0), people_total),
                    by_relationships.get(key, 0),
                    share(by_relationships.get(key, 0), relationships_total),
                ]
            )
        top_people = max(keys, key=lambda k: by_people.get(k, 0), default=None)
        top_relationships = max(keys, key=lambda k: by_relationships.get(k, 0), default=None)
        concentration = share(by_people.get(top_people, 0), people_total)
        focus_people = focus_relationships = None
        if in_focus:
            focus_people = share(sum(n for k, n in by_people.items() if in_focus(k)), people_total)
            focus_relationships = share(sum(n for k, n in by_relationships.items() if in_focus(k)), relationships_total)
            figures.append((_("%(group)s: share of people (%%)") % {"group": focus_label}, focus_people))
        figures.append((_("concentration by %(dimension)s (%%)") % {"dimension": name}, concentration))
        summary.append(
            [
                name,
                focus_label,
                focus_people,
                focus_relationships,
                label(top_people) if top_people is not None or keys else None,
                concentration,
                label(top_relationships) if keys else None,
                share(by_relationships.get(top_relationships, 0), relationships_total),
            ]
        )
        chart_labels.append(str(name))
        chart_people.append(concentration)
        chart_relationships.append(summary[-1][-1])
    return ReportResult(
        figures=figures,
        tables=[
            Table(
                _("Concentration"),
                [
                    _("dimension"),
                    _("focus group"),
                    _("people in it (%)"),
                    _("relationships in it (%)"),
                    _("largest group of people"),
                    _("its share of people (%)"),
                    _("largest group of relationships"),
                    _("its share of relationships (%)"),
                ],
                summary,
            ),
            Table(
                _("Groups"),
                [_("dimension"), _("group"), _("people"), _("people (%)"), _("relationships"), _("relationships (%)")],
                detail,
            ),
        ],
        chart={
            "type": "bar",
            "labels": chart_labels,
            "datasets": [
                {"label": str(_("largest group of people (%)")), "data": chart_people},
                {"label": str(_("largest group of relationships (%)")), "data": chart_relationships},
            ],
        },
    )
