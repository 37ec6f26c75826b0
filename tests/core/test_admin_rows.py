"""The admins' changelist rows: the selection checkbox is Django's HTML without a template render per row."""

import pytest
from django.contrib import admin

from core.admin.rows import ChangelistRowsMixin
from crm.models import Influencer
from tests.factories import InfluencerFactory

pytestmark = pytest.mark.django_db


def test_the_row_checkbox_is_the_html_djangos_widget_renders_with_the_name_escaped_once():
    person = InfluencerFactory(name='Léa <b>"&"</b>')
    django_admin = admin.ModelAdmin(Influencer, admin.site)

    ours = ChangelistRowsMixin().action_checkbox(person)

    assert ours == django_admin.action_checkbox(person)
    assert "&lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;" in ours


@pytest.mark.parametrize("label", [label for label in admin.site._registry if label.__module__.split(".")[0] in
                                   ("crm", "campaigns", "messaging", "health")])  # fmt: skip
def test_every_admin_of_the_project_renders_its_rows_checkbox_without_a_widget(label):
    assert isinstance(admin.site._registry[label], ChangelistRowsMixin)
