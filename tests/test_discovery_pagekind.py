"""Page kinds from evidence: home pages that declare themselves articles are listings; articles need agreeing signals."""

from __future__ import annotations

import json

import pytest
from scrapy.http import HtmlResponse

from newscrawler.spiders.pagetypes import (
    MANY_TEASERS,
    PageEvidence,
    decide_kind,
    looks_like_article,
    page_evidence,
    page_kind,
)

from .helpers import SHARED

OG_ARTICLE = '<meta property="og:type" content="article">'
OG_WEBSITE = '<meta property="og:type" content="website">'


def page(url: str, head: str = "", body: str = "<p>Text</p>") -> HtmlResponse:
    html = f"<!doctype html><html><head><title>T</title>{head}</head><body>{body}</body></html>"
    return HtmlResponse(url, body=html.encode(), encoding="utf-8")


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def teasers(n: int, prefix: str = "/politik/meldung-") -> str:
    return "".join(
        f'<article><h2><a href="{prefix}{i}-12345{i}.html">Meldung Nummer {i} des Tages</a></h2></article>'
        for i in range(n)
    )


ARTICLE_BODY = (
    "<h1>Gipfel endet ohne Einigung</h1>" + "<p>" + "Ein Satz über den Gipfel. " * 40 + "</p>"
)


def test_a_site_root_is_a_listing_whatever_its_meta_tags_say():
    # faz.net and sueddeutsche.de declare og:type=article on their home pages
    home = page("https://www.zeitung.example/", OG_ARTICLE, ARTICLE_BODY)
    assert looks_like_article(home)  # what the page declares ...
    assert page_kind(home)[0] == "listing"  # ... is not the verdict
    assert page_kind(page("https://www.zeitung.example/index.html", OG_ARTICLE))[0] == "listing"


def test_json_ld_teasers_typed_article_make_a_listing():
    # heise.de: og:type=website, and JSON-LD listing 147 teasers typed Article
    items = [
        {"@type": "Article", "url": f"https://www.zeitung.example/news/m-{i}.html"}
        for i in range(5)
    ]
    head = ld({"@context": "https://schema.org", "@type": "WebPage", "hasPart": items})
    section = page("https://www.zeitung.example/news/", head)
    assert looks_like_article(section)
    assert page_kind(section) == ("listing", "structured data lists 5 articles")
    item_list = ld({"@type": "ItemList", "itemListElement": []})
    assert page_kind(page("https://www.zeitung.example/news/", item_list))[0] == "listing"


def test_dozens_of_teasers_make_a_listing_unless_the_page_is_an_article_about_itself():
    section = page(
        "https://www.zeitung.example/politik/",
        OG_ARTICLE + "<h1>Politik</h1>",
        teasers(MANY_TEASERS),
    )
    assert page_kind(section)[0] == "listing"
    own = ld(
        {"@type": "NewsArticle", "url": "https://www.zeitung.example/politik/gipfel-12345.html"}
    )
    article = page(
        "https://www.zeitung.example/politik/gipfel-12345.html", own, ARTICLE_BODY + teasers(40)
    )
    assert page_kind(article) == ("article", "its own article structured data")


def test_og_type_article_needs_an_agreeing_signal():
    assert page_kind(page("https://www.zeitung.example/politik/", OG_ARTICLE))[0] == "listing"
    with_headline = page("https://www.zeitung.example/politik/", OG_ARTICLE, ARTICLE_BODY)
    assert page_kind(with_headline) == ("article", "og:type=article and a headline")
    with_shape = page("https://www.zeitung.example/2024/07/06/gipfel-in-rom/", OG_ARTICLE)
    assert page_kind(with_shape) == ("article", "og:type=article and an article URL")


def test_json_ld_of_the_page_itself_or_naming_no_other_page_is_an_article():
    url = "https://www.zeitung.example/politik/gipfel/"
    by_id = ld({"@type": "NewsArticle", "mainEntityOfPage": {"@id": url}})
    assert page_kind(page(url, by_id))[0] == "article"
    graph = ld(
        {"@graph": [{"@type": "WebPage"}, {"@type": "ReportageNewsArticle", "headline": "x"}]}
    )
    assert page_kind(page(url, graph))[0] == "article"


def test_an_article_url_with_nothing_against_it_stays_an_article():
    dated = "https://www.zeitung.example/2024/07/06/gipfel-in-rom/"
    assert page_kind(page(dated))[0] == "article"
    assert page_kind(page(dated, OG_WEBSITE))[0] == "listing"
    assert page_kind(page(dated, body=teasers(MANY_TEASERS)))[0] == "listing"
    assert page_kind(page("https://www.zeitung.example/politik/"))[0] == "listing"


def test_evidence_is_read_from_the_page_text():
    html = (
        f'<html><head><link rel="canonical" href="/politik/gipfel/">{OG_ARTICLE}'
        f"{ld({'@type': 'NewsArticle', 'url': '/politik/gipfel/'})}</head>"
        f"<body><h1>Gipfel</h1>{teasers(3)}<h3><a href='/x/'>Mehr</a></h3></body></html>"
    )
    evidence = page_evidence(html, "https://www.zeitung.example/politik/gipfel/?utm_source=x")
    assert evidence == PageEvidence(
        og_type="article", own_article_data=True, headlines=1, teasers=3 + 4, url_shape=False
    )
    assert decide_kind(PageEvidence(site_root=True, own_article_data=True))[0] == "listing"


def test_a_profiles_article_pattern_still_decides_alone():
    from newscrawler.sites import load_profiles

    demo = load_profiles()["demo"]
    assert page_kind(page("http://127.0.0.1/2024/07/06/gipfel/"), demo)[0] == "article"
    assert page_kind(page("http://127.0.0.1/kategorie/politik/", OG_ARTICLE, ARTICLE_BODY), demo)[0] == "listing"  # fmt: skip


# -- real pages, read at run time from ../shared (never copied into the repository) -------------


def _shared_pages(kind: str) -> list[tuple[str, bytes]]:
    pages = []
    if kind == "home":
        for folder in sorted((SHARED / "discovery" / "pages").glob("*/")):
            if (folder / "meta.json").is_file():
                url = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["url"]
                pages.append((url, (folder / "page.html").read_bytes()))
        return pages
    for root in (
        SHARED / "pages",
        SHARED / "pages-world" / "fundus_other",
        SHARED / "pages-world" / "scrapinghub",
    ):
        for folder in sorted(root.glob("*/")):
            if (folder / "truth.json").is_file():
                truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
                pages.append(
                    (
                        truth.get("url") or "https://unknown.example/a",
                        (folder / "page.html").read_bytes(),
                    )
                )
    return pages  # fmt: skip


def test_every_recorded_home_page_is_a_listing():
    pages = _shared_pages("home")
    if not pages:
        pytest.skip("../shared/discovery/pages is not here")
    for url, body in pages:
        assert page_kind(HtmlResponse(url, body=body, encoding="utf-8"))[0] == "listing", url


def test_real_article_pages_stay_articles():
    pages = _shared_pages("article")
    if not pages:
        pytest.skip("../shared/pages is not here")
    old = new = lost = 0
    for url, body in pages:
        response = HtmlResponse(url, body=body, encoding="utf-8")
        was, now = looks_like_article(response), page_kind(response)[0] == "article"
        old, new, lost = old + was, new + now, lost + (was and not now)
    assert new >= old  # the evidence finds at least the articles the declarations did
    assert lost <= 0.02 * old, f"{lost} of {old} articles now taken for listings"
