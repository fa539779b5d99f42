"""Which links of a listing to follow: the junk table, article URL shapes and the link verdict (pure)."""

from __future__ import annotations

import pytest

from newscrawler.spiders.links import (
    JUNK_TABLE,
    LinkEvidence,
    article_url_shape,
    classify_link,
    headline_length,
    junk_reason,
    registrable_hosts,
)

PAGE = "https://www.zeitung.example/"

#: Real-world shapes of links no news crawl wants, one or more per category of the table.
JUNK = [
    ("https://www.zeitung.example/impressum", "legal"),
    ("https://www.zeitung.example/impressum.html", "legal"),
    ("https://www.zeitung.example/impressum-195", "legal"),
    ("https://www.zeitung.example/datenschutz-zeitung", "legal"),
    ("https://www.zeitung.example/nutzungsbedingungen", "legal"),
    ("https://www.zeitung.example/barrierefreiheit/", "legal"),
    ("https://www.zeitung.example/consent-resurface/", "legal"),
    ("https://www.zeitung.example/kontakt?channel=Quiz&id=060d7485", "contact"),
    ("https://www.zeitung.example/ueber-uns/netiquette/", "contact"),
    ("https://www.zeitung.example/magazin/in-eigener-sache/jugendschutz/", "contact"),
    ("https://www.zeitung.example/redaktion/", "contact"),
    ("https://account.zeitung.example/#kundencenter", "account"),
    ("https://www.zeitung.example/registrierung/", "account"),
    ("https://www.zeitung.example/meine/merkliste", "account"),
    ("https://www.zeitung.example/newsletter", "newsletter"),
    ("https://www.zeitung.example/ueber-uns/newsletter-anmeldung/", "contact"),
    (
        "https://www.zeitung.example/newsletter/article241105337/Der-Immobilien-Newsletter-fuer-alle.html",
        "newsletter",
    ),
    ("https://abo.zeitung.example/angebote", "subscription"),
    ("https://www.zeitung.example/plus/abo/jahresabo?affiliateId=30174", "subscription"),
    ("https://www.zeitung.example/epaper/", "subscription"),
    ("https://www.zeitung.example/zeitung-services/leserbrief/", "service"),
    ("https://www.zeitung.example/digital-abo", "subscription"),
    ("https://www.zeitung.example/games/", "games"),
    (
        "https://www.zeitung.example/games/wordle-auf-deutsch-kostenlos-online-spielen-a-cbfa309d-a8ad-4d7d-9234-28b09b945834",
        "games",
    ),
    ("https://www.zeitung.example/spiele/online-spiele/article1336655/Sudoku.html", "games"),
    ("https://games.zeitung.example/casino-spiele/wer-wird-millionaer?mc=01551356", "games"),
    ("https://gutscheine.zeitung.example/", "commerce"),
    ("https://lotto.zeitung.example/eurojackpot?partnerId=1", "commerce"),
    ("https://www.zeitung.example/vergleichswelt/finanzen/kredite-und-finanzierung/", "commerce"),
    ("https://www.zeitung.example/magazine/services/partnersuche/", "service"),
    ("https://www.zeitung.example/shop/", "commerce"),
    (
        "https://www.zeitung.example/sponsored/sap-summit/article6900c6/anzeige-dr-x.html",
        "commerce",
    ),
    ("https://www.zeitung.example/services/article103357979/Kontakt.html", "service"),
    ("https://hilfe.zeitung.example/account/index.html", "service"),
    ("https://www.zeitung.example/sitemap/", "service"),
    ("https://www.zeitung.example/tv-programm-live-stream/", "service"),
    ("https://www.zeitung.example/out?url=https%3A%2F%2Fshop.example%2F", "tracking"),
    ("https://www.zeitung.example/r/?target=https://ad.example/x", "tracking"),
    ("https://ad3.adfarm1.zeitung.example/redi?sid=4117394", "tracking"),
    ("https://www.zeitung.example/#Inhalt", "anchor"),
    ("https://www.zeitung.example/wp-admin/", "trap"),
    ("https://www.zeitung.example/suche?q=x", "trap"),
    ("https://www.zeitung.example/2024/07/06/gipfel/?replytocom=12", "trap"),
]

#: Links that must never be taken for junk: news about the same words, sections, articles.
NOT_JUNK = [
    "https://www.zeitung.example/politik/",
    "https://www.zeitung.example/sport/olympische-spiele/",
    "https://www.zeitung.example/panorama/lotto/jackpot-geknackt-glueckspilze-gesucht-40826110",
    "https://www.zeitung.example/ratgeber/job-gehalt/arbeitsmails-handy-checken-erlaubt-40629882",
    "https://www.zeitung.example/wirtschaft/kredit-fuer-die-ukraine-verlaengert-a-1234567.html",
    "https://www.zeitung.example/netzwelt/datenschutz-debatte-im-bundestag-geht-weiter-94104443.html",
    "https://sport.zeitung.example/fussball/bundesliga-spieltag-ergebnisse-und-tabelle-12345678",
    "https://www.zeitung.example/2024/07/06/newsletter-an-alle-leser-und-leserinnen/",
    "https://www.zeitung.example/?p=4923",
    "https://www.zeitung.example/go/1/",
]


@pytest.mark.parametrize(("url", "category"), JUNK)
def test_the_junk_table_refuses_real_world_patterns(url: str, category: str) -> None:
    assert junk_reason(url, PAGE) == category


@pytest.mark.parametrize("url", NOT_JUNK)
def test_news_and_sections_are_not_junk(url: str) -> None:
    assert junk_reason(url, PAGE) is None


def test_every_category_of_the_table_is_tested() -> None:
    assert set(JUNK_TABLE) <= {category for _, category in JUNK}


def test_a_link_back_to_the_page_is_an_anchor_and_to_another_page_is_not() -> None:
    assert (
        junk_reason(
            "https://www.zeitung.example/politik/#top", "https://www.zeitung.example/politik"
        )
        == "anchor"
    )
    assert junk_reason("https://www.zeitung.example/", "https://www.zeitung.example/politik/") is None  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "https://www.zeitung.example/2024/07/06/gipfel-in-rom/",
        "https://www.zeitung.example/politik/china-schiesst-raketen-vor-taiwan-ab-zr-94104443.html",
        "https://www.zeitung.example/politik/ausland/article6955c543f6fc544dba9b8da8/bulgarien-fuehrt-den-euro-ein.html",
        "https://www.zeitung.example/panorama/zugunglueck-bei-rosenheim-a-422b05e3-fbe5-4932-8b6f-0e8e4c2b3c1d",
        "https://www.zeitung.example/magazine/panorama/wetter/turbulenter-jahresstart-41736566",
        "https://www.zeitung.example/materialien/artikel/fuer-finfluencer-fehlen-klare-regeln/",
        "https://www.zeitung.example/?p=4923",
        "https://www.zeitung.example/politik/deutschland/2025-01/koalition-verhandelt-weiter",
        "https://www.zeitung.example/nachrichten/inland/id_100123456/koalition-verhandelt.html",
    ],
)
def test_article_url_shapes(url: str) -> None:
    assert article_url_shape(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.zeitung.example/",
        "https://www.zeitung.example/politik/",
        "https://www.zeitung.example/sport/fussball/bundesliga/",
        "https://www.zeitung.example/thema/krieg-in-der-russland-und-der-ukraine/",
        "https://www.zeitung.example/thema/raumfahrt-sti365118/",
        "https://www.zeitung.example/magazine/autor/marie-muster-35429268",
        "https://www.zeitung.example/page/2/",
        "https://www.zeitung.example/materialien/schule-und-was-dann/",
    ],
)
def test_section_topic_author_and_paging_urls_are_not_article_shaped(url: str) -> None:
    assert not article_url_shape(url)


def test_headline_length_is_four_words() -> None:
    assert headline_length("Stadtrat beschließt den Haushalt")
    assert not headline_length("Politik")
    assert not headline_length("Mehr aus Sport")


@pytest.mark.parametrize(
    ("link", "verdict"),
    [
        # an article URL in a teaser, or in a list without markup
        (LinkEvidence("https://www.zeitung.example/politik/gipfel-endet-ohne-einigung-94104443.html", "Gipfel endet", True, True, False), "article"),
        (LinkEvidence("https://www.zeitung.example/politik/gipfel-endet-ohne-einigung-94104443.html", "Gipfel", boilerplate=False), "article"),
        # a short URL under a headline-length teaser headline
        (LinkEvidence("https://www.zeitung.example/s/kurz", "Der Stadtrat beschließt den Haushalt", True, True, False), "article"),
        # the same anchor text in a plain list is not enough
        (LinkEvidence("https://www.zeitung.example/s/kurz", "Der Stadtrat beschließt den Haushalt", boilerplate=False), "section"),
        # article-shaped, but only in a footer: a service page at best
        (LinkEvidence("https://www.zeitung.example/magazine/wie-wir-arbeiten-mit-kuenstlicher-intelligenz-38389056", "KI", boilerplate=True), "section"),
        (LinkEvidence("https://www.zeitung.example/politik/", "Politik", boilerplate=True), "section"),
        (LinkEvidence("https://www.zeitung.example/wirtschaft/plus694a/sparen-mit-etf-und-aktien-geht-so-94104443.html", "Sparen", True, True, False, paywalled=True), "paywalled"),
        (LinkEvidence("https://www.zeitung.example/impressum.html", "Impressum mit allen Angaben zum Verlag", True, True, False), "junk:legal"),
        (LinkEvidence("https://www.zeitung.example/#Inhalt", "Zum Inhalt", fragment_only=True), "junk:anchor"),
    ],
)  # fmt: skip
def test_classify_link(link: LinkEvidence, verdict: str) -> None:
    assert classify_link(link, PAGE) == verdict


def test_a_www_host_stands_for_its_domain_and_other_hosts_for_themselves() -> None:
    assert registrable_hosts(["www.zeitung.example"]) == ["www.zeitung.example", "zeitung.example"]
    assert registrable_hosts(["zeitung.example"]) == ["zeitung.example"]
    assert registrable_hosts(["sport.zeitung.example", "127.0.0.1"]) == ["sport.zeitung.example", "127.0.0.1"]  # fmt: skip
