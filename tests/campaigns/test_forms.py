"""The campaigns forms on their own: what each asks for, and when."""

import datetime

import pytest

from campaigns.forms import CampaignForm, CloseForm, PitchForm
from campaigns.services import PitchChecks
from tests.factories import BrandFactory, CampaignFactory


def _campaign_data(**overrides) -> dict:
    data = {"brand": BrandFactory(name="Maison Verte").pk, "name": "Spring", "status": "draft"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_campaign_may_start_and_end_the_same_day_but_not_end_before_it_starts():
    same_day = CampaignForm(_campaign_data(starts_on="2026-03-10", ends_on="2026-03-10"))
    reversed_ = CampaignForm(_campaign_data(starts_on="2026-03-10", ends_on="2026-03-09"))

    assert same_day.is_valid(), same_day.errors
    assert reversed_.errors == {"ends_on": ["The campaign cannot end before it starts."]}


@pytest.mark.django_db
def test_a_campaign_name_is_unique_per_brand_whatever_the_case():
    brand = BrandFactory(name="Maison Verte")
    CampaignFactory(brand=brand, name="Spring")

    same_brand = CampaignForm(_campaign_data(brand=brand.pk, name="SPRING "))
    other_brand = CampaignForm(_campaign_data(brand=BrandFactory(name="Rythme").pk, name="Spring"))

    assert same_brand.errors == {"name": ["Maison Verte already has a campaign with this name."]}
    assert other_brand.is_valid(), other_brand.errors


@pytest.mark.django_db
def test_a_campaign_form_needs_only_a_brand_a_name_and_a_status():
    form = CampaignForm(_campaign_data())

    assert form.is_valid(), form.errors
    assert form.save().brief_missing()  # saved, with its brief still to fill in


def test_the_pitch_form_asks_for_a_reason_only_off_topic_and_an_acknowledgement_only_when_flagged():
    clear = PitchForm({"contact_kind": "email"}, checks=PitchChecks())
    off_topic = PitchForm({"contact_kind": "email", "override_reason": "  "}, checks=PitchChecks(off_topic=True))
    flagged = PitchForm({"contact_kind": "email"}, checks=PitchChecks(flags=["Pitched a lot"]))

    assert clear.is_valid() and set(clear.fields) == {"contact_kind"}
    assert off_topic.errors == {"override_reason": ["Give the reason for this off-topic pitch."]}
    assert flagged.errors == {"acknowledge_flags": ["Acknowledge the warnings to pitch anyway."]}


def test_the_pitch_form_refuses_a_kind_of_contact_that_does_not_exist():
    form = PitchForm({"contact_kind": "pigeon"}, checks=PitchChecks())

    assert list(form.errors) == ["contact_kind"]


def test_the_close_form_needs_an_outcome_and_a_reason_to_skip_the_thank_you():
    sent = CloseForm({"outcome": "completed", "thank_you": "send", "skip_reason": "ignored"})
    skipped = CloseForm({"outcome": "declined", "thank_you": "skip", "skip_reason": " Met in person "})
    no_reason = CloseForm({"outcome": "declined", "thank_you": "skip"})
    no_outcome = CloseForm({"thank_you": "send"})

    assert sent.is_valid() and sent.chosen_skip_reason() == ""
    assert skipped.is_valid() and skipped.chosen_skip_reason() == "Met in person"
    assert no_reason.errors == {"skip_reason": ["Say why no thank-you goes out."]}
    assert list(no_outcome.errors) == ["outcome"]


def test_the_close_form_has_no_thank_you_choice_when_the_service_skips_it_anyway():
    form = CloseForm({"outcome": "no_reply"}, automatic_skip="Léa has no e-mail address.")

    assert form.is_valid()
    assert set(form.fields) == {"outcome"}
    assert form.chosen_skip_reason() == ""


def test_the_campaign_form_dates_are_html_date_inputs():
    form = CampaignForm(instance=None, initial={"starts_on": datetime.date(2026, 3, 10)})

    assert 'type="date"' in str(form["starts_on"]) and 'value="2026-03-10"' in str(form["starts_on"])


@pytest.mark.django_db
def test_a_campaign_s_content_links_are_links_or_domains_one_per_line():
    good = CampaignForm(
        _campaign_data(
            content_terms="#MaisonVerte\nGraine de lin",
            content_links="https://maisonverte.example/printemps?ref=blog\n\nwww.maisonverte.example/\nshop.example",
            promo_code="LEA10",
        )
    )
    script = CampaignForm(_campaign_data(name="Été", content_links="javascript://alert(1)"))
    words = CampaignForm(_campaign_data(name="Hiver", content_links="maison verte"))

    assert good.is_valid(), good.errors
    assert good.save().promo_code == "LEA10"
    assert script.errors == {"content_links": ["“javascript://alert(1)” is not a web link (https://…)."]}
    assert words.errors == {
        "content_links": ["“maison verte” is neither a link (https://…) nor a domain (brand.example)."]
    }
