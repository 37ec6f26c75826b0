"""campaigns.matching: what makes a post about a campaign, and what says it is paid for."""

from hypothesis import given
from hypothesis import strategies as st

from campaigns.matching import Match, disclosed, fold, identifiers, match, post_text

SAVON = identifiers(
    brand="Savonnerie Lu",
    terms="#LuBio\nsavon du lundi\n",
    links="https://www.savonnerie-lu.example/printemps/\nlu-shop.example",
    promo_code="CAMILLE10",
)


def post(text: str = "", *, title: str = "Un billet", links=(), url: str = "https://blog.example/billet"):
    return post_text(title=title, text=text, links=list(links), url=url)


def test_an_exact_link_is_recorded_whatever_its_scheme_www_or_trailing_slash_and_a_query_it_adds():
    found = match(post(links=["http://savonnerie-lu.example/printemps?utm_source=blog"]), SAVON)

    assert found == Match(matched="savonnerie-lu.example/printemps", exact=True)


def test_a_link_given_with_its_query_needs_that_query():
    tracked = identifiers(brand="B", terms="", links="https://b.example/p?ref=camille", promo_code="")

    assert match(post(links=["https://b.example/p?ref=camille"]), tracked).exact
    assert match(post(links=["https://b.example/p?ref=other"]), tracked) is None


def test_the_promo_code_is_recorded_in_any_case_but_not_inside_another_word():
    assert match(post("Avec le code camille10 : -10 %"), SAVON) == Match(matched="CAMILLE10", exact=True)
    assert match(post("Code XCAMILLE10Y"), SAVON) is None


def test_a_domain_or_one_of_its_subdomains_is_proposed():
    found = match(post(links=["https://cdn.lu-shop.example/img.jpg"]), SAVON)

    assert found == Match(matched="lu-shop.example", exact=False)


def test_the_brand_name_and_hashtags_are_proposed_without_case_or_accents_as_whole_words():
    assert match(post("J'adore la SAVONNERIE LU !"), SAVON) == Match(matched="Savonnerie Lu", exact=False)
    assert match(post("Mon rituel #lubio du matin"), SAVON) == Match(matched="#LuBio", exact=False)
    assert match(post("Le savon du lundi"), SAVON) == Match(matched="savon du lundi", exact=False)
    assert match(post("Savonnerie Lumière, rien à voir"), SAVON) is None
    assert match(post("#LuBiologique"), SAVON) is None


def test_the_post_s_own_address_is_not_one_of_its_links():
    on_the_brand_site = identifiers(brand="Zz", terms="", links="blog.example", promo_code="")

    assert match(post(links=["https://blog.example/billet"]), on_the_brand_site) is None
    assert match(post(links=["https://blog.example/autre"]), on_the_brand_site) is not None


def test_a_post_that_mentions_nothing_of_the_campaign_does_not_match():
    assert match(post("Une balade à Annecy", links=["https://annecy.example/"]), SAVON) is None


def test_the_disclosure_is_found_in_french_and_english_without_case_or_accents():
    markers = ["Publicité", "Collaboration commerciale", "#ad", "Paid partnership"]

    assert disclosed(post("PUBLICITE — mon avis"), markers)
    assert disclosed(post("en collaboration commerciale avec Lu"), markers)
    assert disclosed(post("Love it #ad"), markers)
    assert disclosed(post("", title="Paid partnership with Lu"), markers)
    assert not disclosed(post("Je vous présente mon adorable savon #adorable"), markers)
    assert not disclosed(post("Rien de dit."), markers)
    assert not disclosed(post("Publicité"), ["", "  "])


def test_fold_removes_case_accents_and_compatibility_forms():
    assert fold("ＣＡＭＩＬＬＥ Été ß") == "camille ete ss"


@given(st.text(max_size=300), st.lists(st.text(max_size=80), max_size=5))
def test_any_post_is_compared_without_error(text, links):
    found = match(post(text, links=links), SAVON)

    assert found is None or isinstance(found, Match)
    assert disclosed(post(text), ["Publicité", "#ad"]) in (True, False)


@given(st.text(max_size=100), st.text(max_size=100), st.text(max_size=40))
def test_any_campaign_identifiers_are_read_without_error(terms, links, code):
    campaign = identifiers(brand="Bb", terms=terms, links=links, promo_code=code)

    assert match(post("bb"), campaign) is not None  # the brand's name is always looked for
