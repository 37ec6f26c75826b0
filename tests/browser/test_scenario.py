"""A marketer's day in a real browser: begin well, maintain, end well — in English, then in French.

bob finds Karim in the directory and logs a call, which moves Karim's due date. He writes a campaign whose
brief is incomplete and is stopped from pitching; he completes it, pitches Karim although he is off-topic
(the reason is asked, then accepted), hears yes, records Karim's post, marks it delivered and closes with
a thank-you he reads first.
"""

import datetime
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from campaigns.models import Campaign, Relationship, Stage
from crm.models import Contact, Exchange
from messaging.models import Message
from tests.browser.steps import card, column, day, follow, log_in, open_move
from tests.factories import BrandFactory, CampaignFactory, InfluencerFactory, TopicFactory, paris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Tuesday morning in Paris. Time keeps running from there (the browser and the server need it to).
NOW = paris(2030, 3, 12, 10, 0)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def tuesday(time_machine):
    time_machine.move_to(NOW, tick=True)


@pytest.fixture
def karim(bob):
    """A sport blogger bob should have called five days ago (stay in touch every 30 days)."""
    InfluencerFactory(name="Léa Martin", topics=["food"], owner=bob)
    InfluencerFactory(name="Paul Durand", topics=["food"], owner=bob)
    return InfluencerFactory(
        name="Karim Haddad",
        email="karim@example.org",
        language="en",
        topics=["sport"],
        owner=bob,
        cadence_days=30,
        next_contact_due=TODAY - datetime.timedelta(days=5),
    )


def test_a_marketer_begins_maintains_and_ends_a_relationship_in_english(page_in, bob, karim):
    BrandFactory(name="Maison Rivière")
    food = TopicFactory(name="food")
    page = page_in("en-GB")

    # Begin the day.
    log_in(page, "bob", "pw-bob")
    expect(page.locator("h1")).to_have_text("Hello Bob")

    # Find Karim: the directory narrows as the name is typed.
    follow(page.get_by_role("link", name="Influencers"))
    expect(page.locator("h1")).to_have_text("Influencers")
    results = page.locator("#influencer-results")
    expect(results.get_by_role("status")).to_have_text("3 people")
    page.get_by_label("Search", exact=True).press_sequentially("karim")
    expect(results.get_by_role("status")).to_have_text("1 person")
    follow(results.get_by_role("link", name="Karim Haddad"))
    expect(page.locator("h1")).to_have_text("Karim Haddad")
    due = page.locator("#person-next-due")
    expect(due).to_have_text(f"{day(TODAY - datetime.timedelta(days=5), 'en')} overdue")

    # Log a call in the modal: Karim's own clock starts again from today.
    page.get_by_role("link", name="Log a contact with Karim Haddad").first.click()
    contact_modal = page.locator("#contact-modal")
    contact_modal.get_by_label("Summary").fill("Called about the spring range; he asked for the dates.")
    contact_modal.get_by_label("Kind").select_option("call")
    contact_modal.get_by_role("button", name="Log a contact").click()
    next_due = day(TODAY + datetime.timedelta(days=30), "en")
    expect(contact_modal.locator("#contact-logged")).to_have_text(
        f"Contact with Karim Haddad logged. Next contact due on {next_due}."
    )
    expect(due).to_have_text(next_due)  # the page behind the modal moved too, without a reload
    contact_modal.get_by_role("button", name="Close", exact=True).last.click()
    expect(contact_modal).to_be_hidden()

    # A new campaign whose brief has an objective only: it saves, but nobody can be pitched.
    follow(page.get_by_role("link", name="Campaigns"))
    follow(page.get_by_role("link", name="New campaign"))
    checklist = page.locator("#brief-checklist [role=status]")
    expect(checklist).to_have_text("6 items missing before anyone can be pitched.")
    page.get_by_role("combobox", name="Brand").select_option(label="Maison Rivière")
    page.get_by_role("textbox", name="Name*", exact=True).fill("Spring range")
    page.get_by_label("Status").select_option("running")
    page.locator(f"input[name=topics][value='{food.pk}']").check()
    page.get_by_label("Objective").fill("Make the spring range known outside Paris")
    expect(checklist).to_have_text("5 items missing before anyone can be pitched.")
    follow(page.get_by_role("button", name="Save"))
    expect(page.locator("h1")).to_contain_text("Spring range")
    expect(page.get_by_role("alert").filter(has_text="The brief is incomplete")).to_have_text(
        "The brief is incomplete: nobody can be pitched yet. "
        "Missing: what is asked, deliverables, what is offered, starts on, ends on. Complete the brief"
    )
    campaign = Campaign.objects.get(name="Spring range")

    # Shortlist Karim by typing his name.
    page.get_by_label("Shortlist someone").press_sequentially("karim")
    page.get_by_role("button", name="Shortlist Karim Haddad").click()
    expect(column(page, "shortlisted").get_by_role("link", name="Karim Haddad", exact=True)).to_be_visible()
    relationship = Relationship.objects.get(campaign=campaign, influencer=karim)
    expect(card(page, relationship).get_by_text("brief incomplete", exact=True)).to_be_visible()

    # No "Pitch…" that would be refused: the card leads to the brief instead.
    pitch = card(page, relationship).locator(f"a[href='/campaigns/relationships/{relationship.pk}/pitch/']")
    expect(pitch).to_have_count(0)
    follow(card(page, relationship).get_by_role("link", name="Complete the brief… to pitch Karim Haddad"))

    # Complete the brief: the checklist says yes as it is typed.
    expect(page.locator("h1")).to_have_text("The brief of Spring range")
    page.get_by_label("What is asked").fill("One post and two stories about the range")
    page.get_by_label("Deliverables").fill("1 Instagram post, 2 stories, before the end date")
    page.get_by_label("What is offered").fill("The full range, sent to your home")
    page.get_by_label("Starts on").fill(TODAY.isoformat())
    page.get_by_label("Ends on").fill((TODAY + datetime.timedelta(days=60)).isoformat())
    expect(checklist).to_have_text("Yes: people can be pitched.")
    follow(page.get_by_role("button", name="Save"))
    expect(page.get_by_role("alert")).to_have_text("The brief of Maison Rivière · Spring range is saved.")
    assert Relationship.objects.get(pk=relationship.pk).stage == Stage.SHORTLISTED

    # Pitch Karim although sport is not food: the reason is asked, then accepted.
    dialog = open_move(page, relationship, "pitch")
    expect(dialog.locator(".alert-warning")).to_have_text(
        "This campaign has no topic in common with Karim Haddad. Pitch them only for a good reason, and say "
        "which below."
    )
    dialog.get_by_role("button", name="Pitch", exact=True).click()
    expect(dialog.locator(".invalid-feedback")).to_have_text("Give the reason for this off-topic pitch.")
    dialog.get_by_label("Why pitch them on a campaign off their topics?").fill("Runners cook too: his readers ask")
    dialog.get_by_role("button", name="Pitch", exact=True).click()
    expect(dialog).to_be_hidden()
    follow_up = TODAY + datetime.timedelta(days=settings.PITCH_FOLLOW_UP_DAYS)
    expect(page.locator(".board-messages [role=alert]")).to_have_text(
        f"Karim Haddad is pitched on Maison Rivière · Spring range; a follow-up is due on {day(follow_up, 'en')}."
    )
    expect(column(page, "pitched").locator(f"#card-{relationship.pk}")).to_be_visible()
    expect(column(page, "shortlisted").locator("li.card")).to_have_count(0)
    expect(card(page, relationship).locator("dd").nth(1)).to_have_text(day(follow_up, "en", "SHORT_DATE_FORMAT"))

    # Karim says yes: active, in touch every 30 days (his own cadence, offered by default).
    dialog = open_move(page, relationship, "accept")
    expect(dialog.get_by_label("Stay in touch every (days)")).to_have_value("30")
    dialog.get_by_role("button", name="Make active").click()
    expect(column(page, "active").locator(f"#card-{relationship.pk}")).to_be_visible()
    expect(page.locator(".board-messages [role=alert]")).to_have_text(
        f"Karim Haddad said yes: the next contact is due on {next_due}."
    )

    # Nothing received yet: the delivery dialog sends bob to record the content first.
    dialog = open_move(page, relationship, "deliver")
    expect(dialog.get_by_role("status")).to_contain_text("Nothing received from Karim Haddad is recorded")
    expect(dialog.get_by_role("button", name="Mark delivered")).to_have_count(0)
    follow(dialog.get_by_role("link", name="Record the content"))
    expect(page.locator("h1")).to_have_text("What was given to or got from Karim Haddad")
    # Coming from the dialog, the form is already about what was got on this campaign.
    expect(page.locator("input[name=direction][value=get]")).to_be_checked()
    expect(page.get_by_label("Campaign", exact=True)).to_have_value(str(relationship.pk))
    page.get_by_label("Kind").select_option("post")
    page.get_by_label("Reach").fill("4200")
    page.get_by_label("URL").fill("https://karim.example.org/spring")
    follow(page.get_by_role("button", name="Record"))
    expect(page).to_have_url(re.compile(rf"/campaigns/{relationship.campaign_id}/$"))  # back on the board
    expect(page.get_by_text("Recorded: post, received.")).to_be_visible()

    dialog = open_move(page, relationship, "deliver")
    expect(dialog.locator("ul li")).to_have_text([f"Post · {day(TODAY, 'en')} · 4,200 reached · link"])
    dialog.get_by_role("button", name="Mark delivered").click()
    expect(column(page, "delivered").locator(f"#card-{relationship.pk}")).to_be_visible()

    # End well: the thank-you is read before it goes.
    dialog = open_move(page, relationship, "close")
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Close Karim Haddad on Spring range")
    preview = dialog.locator("#thank-you-preview")
    expect(preview.get_by_role("heading")).to_have_text("The thank-you, as they will read it (English)")
    expect(preview.locator(".card-body p").first).to_have_text("Thank you for Spring range!")
    expect(preview.locator(".card-body p").last).to_contain_text("Hello Karim Haddad,")
    dialog.get_by_label("Completed").check()
    dialog.get_by_role("button", name="Close the relationship").click()
    closed = column(page, "closed").locator(f"#card-{relationship.pk}")
    expect(closed).to_be_visible()
    expect(closed.locator("dd").nth(1)).to_have_text("completed · thank-you queued")
    expect(page.locator(".board-messages [role=alert]")).to_contain_text(
        "Karim Haddad × Maison Rivière · Spring range is closed; the thank-you is queued."
    )

    relationship.refresh_from_db()
    assert (relationship.stage, relationship.outcome, relationship.thank_you) == (Stage.CLOSED, "completed", "queued")
    assert relationship.off_topic_reason == "Runners cook too: his readers ask"
    assert relationship.cadence_days == 30
    thank_you = Message.objects.get(relationship=relationship)
    assert (thank_you.kind, thank_you.status, thank_you.recipient) == ("thank_you", "scheduled", "karim@example.org")
    assert thank_you.send_at > NOW
    assert thank_you.subject == "Thank you for Spring range!"  # what the preview showed is what goes
    assert Exchange.objects.get(relationship=relationship).direction == Exchange.Direction.GET
    assert Contact.objects.filter(influencer=karim, kind=Contact.Kind.CALL).count() == 1
    karim.refresh_from_db()
    assert karim.next_contact_due == TODAY + datetime.timedelta(days=30)


# The French catalogue is being filled in while this is written. The French this test relies on is short:
# "Bonjour %(name)s", "Campagnes", "Français", "Merci pour %(campaign)s !" (the thank-you's subject), and what
# Django translates itself: dates and "Ce champ est obligatoire.". The steps find their way by URL and id.
REQUIRED = "Ce champ est obligatoire."


def test_the_same_day_in_french_speaks_french_on_every_page(page_in, bob):
    lea = InfluencerFactory(
        name="Léa Martin",
        email="lea@example.org",
        language="fr",
        topics=["sport"],
        owner=bob,
        cadence_days=21,
        next_contact_due=TODAY - datetime.timedelta(days=2),
    )
    InfluencerFactory(name="Paul Durand", topics=["food"])
    spring = CampaignFactory(
        name="Printemps", brand=BrandFactory(name="Maison Rivière"), topics=["food"], starts_on=TODAY, ask=""
    )
    page = page_in("fr-FR")

    log_in(page, "bob", "pw-bob")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Bonjour Bob")

    # The directory, searched; Léa's page, with her due date written the French way.
    follow(page.locator("nav a[href='/influencers/']"))
    page.locator("#id_q").press_sequentially("léa")
    results = page.locator("#influencer-results")
    expect(results.locator("tbody tr")).to_have_count(1)
    follow(results.locator(f"a[href='/influencers/{lea.pk}/']"))
    expect(page.locator("h1")).to_have_text("Léa Martin")
    due = page.locator("#person-next-due time")
    expect(due).to_have_text(day(TODAY - datetime.timedelta(days=2), "fr"))  # "10 mars 2030"

    # Log a contact in the modal: the due date moves, in French.
    page.locator(f"a[hx-get='/contacts/log/?influencer={lea.pk}']").click()
    modal = page.locator("#contact-modal")
    modal.locator("textarea[name=summary]").fill("Appel : elle veut les dates du printemps.")
    modal.locator("button[type=submit]").click()
    next_due = day(TODAY + datetime.timedelta(days=21), "fr")
    expect(modal.locator("#contact-logged")).to_contain_text(next_due)
    expect(due).to_have_text(next_due)
    modal.locator(".modal-footer button[data-bs-dismiss=modal]").click()
    expect(modal).to_be_hidden()

    # The campaign's brief has no "ask": Léa is shortlisted but cannot be pitched.
    follow(page.locator("nav a[href='/campaigns/']"))
    expect(page.locator("h1")).to_have_text("Campagnes")
    follow(page.locator(f"a[href='/campaigns/{spring.pk}/']").first)
    page.locator("#id_q").press_sequentially("léa")
    page.locator(f"#search-results button[value='{lea.pk}']").click()
    relationship_card = column(page, "shortlisted").locator("li.card")
    expect(relationship_card).to_have_count(1)
    relationship = Relationship.objects.get(campaign=spring, influencer=lea)
    # Her card offers no pitch, which would be refused, but the way to the brief, in French.
    expect(relationship_card.locator(f"a[href='/campaigns/relationships/{relationship.pk}/pitch/']")).to_have_count(0)
    to_brief = relationship_card.locator(f"a[href='/campaigns/{spring.pk}/edit/']")
    expect(to_brief).to_contain_text("Compléter le brief…")
    follow(to_brief)

    # The brief form answers in French: a name is required, says Django.
    page.locator("#id_name").fill("")
    page.locator("#id_ask").fill("Un post et deux stories")
    follow(page.locator("#campaign-form button[type=submit]"))
    expect(page.locator("#id_name ~ .invalid-feedback, #div_id_name .invalid-feedback")).to_have_text(REQUIRED)
    page.locator("#id_name").fill("Printemps")
    follow(page.locator("#campaign-form button[type=submit]"))
    expect(page).to_have_url(re.compile(rf"/campaigns/{spring.pk}/$"))

    # Pitch, off-topic: the reason is asked for on its field, then the card moves with a French date.
    dialog = open_move(page, relationship, "pitch")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator("textarea[name=override_reason].is-invalid")).to_be_visible()
    dialog.locator("textarea[name=override_reason]").fill("Ses lectrices cuisinent après le sport")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    follow_up = TODAY + datetime.timedelta(days=settings.PITCH_FOLLOW_UP_DAYS)
    pitched = column(page, "pitched").locator(f"#card-{relationship.pk}")
    expect(pitched.locator("dd").nth(1)).to_have_text(day(follow_up, "fr", "SHORT_DATE_FORMAT"))  # 19/03/2030
    expect(page.locator(".board-messages [role=alert]")).to_contain_text(day(follow_up, "fr"))

    # They said yes: without a cadence Django says the field is required, in French.
    dialog = open_move(page, relationship, "accept")
    dialog.locator("input[name=cadence_days]").fill("")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator(".invalid-feedback")).to_have_text(REQUIRED)
    dialog.locator("input[name=cadence_days]").fill("10")
    dialog.locator("button[type=submit]").click()
    active = column(page, "active").locator(f"#card-{relationship.pk}")
    expect(active.locator("dd").nth(1)).to_have_text(
        day(TODAY + datetime.timedelta(days=10), "fr", "SHORT_DATE_FORMAT")
    )

    # Her post, recorded on the campaign, then delivered.
    page.goto(f"/influencers/{lea.pk}/exchanges/new/")
    page.locator("input[name=direction][value=get]").check()
    page.locator("select[name=kind]").select_option("post")
    page.locator("select[name=relationship]").select_option(str(relationship.pk))
    follow(page.locator("button[name=save]"))
    expect(page.locator("h1")).to_have_text("Léa Martin")
    page.goto(f"/campaigns/{spring.pk}/")
    dialog = open_move(page, relationship, "deliver")
    expect(dialog.locator(".modal-body ul li")).to_contain_text([day(TODAY, "fr")])
    dialog.locator("button[type=submit]").click()
    expect(column(page, "delivered").locator(f"#card-{relationship.pk}")).to_be_visible()

    # Close: an outcome is required (Django's French), and the thank-you is previewed in Léa's language.
    dialog = open_move(page, relationship, "close")
    preview = dialog.locator("#thank-you-preview")
    expect(preview.locator("h3")).to_contain_text("(Français)")
    expect(preview.locator(".card-body p").first).to_have_text("Merci pour Printemps !")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator(".invalid-feedback")).to_have_text(REQUIRED)
    dialog.locator("input[name=outcome][value=completed]").check()
    dialog.locator("button[type=submit]").click()
    expect(column(page, "closed").locator(f"#card-{relationship.pk}")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    relationship.refresh_from_db()
    assert (relationship.stage, relationship.outcome, relationship.cadence_days) == (Stage.CLOSED, "completed", 10)
    assert relationship.off_topic_reason == "Ses lectrices cuisinent après le sport"
    thank_you = Message.objects.get(relationship=relationship, kind=Message.Kind.THANK_YOU)
    assert (thank_you.status, thank_you.subject, thank_you.language) == ("scheduled", "Merci pour Printemps !", "fr")
    assert Campaign.objects.get(pk=spring.pk).brief_complete
