"""The overview and every report render on the demo community (about 15 s: one test)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from campaigns.models import StageChange
from campaigns.services import stage_stays_refresh
from crm.models import Contact
from crm.services import contact_replies_refresh
from reports.registry import REPORTS

pytestmark = pytest.mark.django_db


def test_the_overview_and_every_report_render_on_the_demo_data(manager):
    call_command("seed_demo", force=True, verbosity=0)

    response = manager.get(reverse("admin:reports_report_changelist"))

    assert response.status_code == 200
    overview = {
        slug: {
            str(k): v for k, v in manager.get(reverse("admin:reports_report_figures", args=[slug])).context["figures"]
        }
        for slug in REPORTS
    }
    assert overview["spread"]["people"] == 300
    assert overview["pipeline"]["relationships"] > 0
    for slug in REPORTS:
        page = manager.get(reverse("admin:reports_report_detail", args=[slug]))
        assert page.status_code == 200, slug
        assert page.context["result"].tables[0].rows, slug

    # The story dates contacts and moves back after logging them: what the services keep is right all the same.
    seeded = (
        dict(Contact.objects.values_list("pk", "replied_at")),
        dict(StageChange.objects.values_list("pk", "left_at")),
    )
    assert any(seeded[0].values()) and any(seeded[1].values())
    contact_replies_refresh()
    stage_stays_refresh()
    assert seeded == (
        dict(Contact.objects.values_list("pk", "replied_at")),
        dict(StageChange.objects.values_list("pk", "left_at")),
    )
