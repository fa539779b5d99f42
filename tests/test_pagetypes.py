"""Which pages are articles: the spider's question for every page, answered without a DOM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from newscrawler.demo.server import DEMO_SITE
from newscrawler.sites import load_profiles
from newscrawler.spiders.pagetypes import ARTICLE_TYPES, GENERIC_ARTICLE_URL, looks_like_article

from .helpers import SHARED

LISTING_URL = "https://news.example/politik/"
DATED_URL = "https://news.example/2024/07/06/gipfel-in-rom/"


def page(head: str, url: str = LISTING_URL, body: str = "<p>Text</p>") -> HtmlResponse:
    html = f"<!doctype html><html><head><title>T</title>{head}</head><body>{body}</body></html>"
    return HtmlResponse(url, body=html.encode(), encoding="utf-8")


@pytest.mark.parametrize(
    "head",
    [
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x"}</script>',
        '<script type=\'application/ld+json\'>{"@type":["Thing","ReportageNewsArticle"]}</script>',
        '<SCRIPT TYPE="application/ld+json" id="ld">{"@graph": [{"@type": "WebPage"}, {"@type": "Article"}]}</SCRIPT>',
        '<script data-x="1" type=application/ld+json>{"@type": "BlogPosting"}</script>',
        '<meta property="og:type" content="article">',
        "<meta content='article' property='og:type' />",
        '<meta name="og:type" content=article>',
    ],
)
def test_structured_data_or_og_type_make_an_article(head: str) -> None:
    assert looks_like_article(page(head))


@pytest.mark.parametrize(
    ("head", "body"),
    [
        ('<meta property="og:type" content="website">', ""),
        ('<script type="application/ld+json">{"@type": "WebPage"}</script>', ""),
        ('<script type="text/plain">{"@type": "NewsArticle"}</script>', ""),
        # the words alone, outside a script of that type, are not structured data
        ("", '<p>We use application/ld+json: {"@type": "NewsArticle"} and og:type article.</p>'),
        ('<meta property="og:title" content="article">', ""),
    ],
)
def test_listing_pages_without_those_signals_are_not_articles(head: str, body: str) -> None:
    assert not looks_like_article(page(head, body=body))


def test_the_url_shape_decides_when_the_page_says_nothing_and_og_type_website_overrides_it() -> (
    None
):
    assert looks_like_article(page("", url=DATED_URL))
    assert not looks_like_article(
        page('<meta property="og:type" content="website">', url=DATED_URL)
    )
    assert looks_like_article(page('<meta property="og:type" content="website">'
                                   '<script type="application/ld+json">{"@type": "NewsArticle"}</script>', url=DATED_URL))  # fmt: skip


def test_a_profiles_article_pattern_decides_alone() -> None:
    demo = load_profiles()["demo"]
    article = '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    assert not looks_like_article(
        page(article, url="https://news.example/kategorie/politik/"), demo
    )
    assert looks_like_article(page("", url="http://127.0.0.1/2024/07/06/gipfel/"), demo)


def _dom_reading(response: HtmlResponse) -> bool:
    """The same rules read from a parsed DOM (how the spider asked before): the reference."""
    types: set[str] = set()
    for script in response.xpath('//script[@type="application/ld+json"]/text()').getall():
        try:
            data = json.loads(script)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                kind = node.get("@type")
                types.update(kind if isinstance(kind, list) else [kind])
                stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
    if types & ARTICLE_TYPES:
        return True
    og_type = (response.xpath('//meta[@property="og:type"]/@content').get() or "").strip().lower()
    if og_type == "article":
        return True
    if og_type in {"website", "profile", "video.other", "product"}:
        return False
    return bool(GENERIC_ARTICLE_URL.search(response.url))


def _real_pages() -> list[tuple[str, Path]]:
    pages = [("https://demo.example/" + f.parent.relative_to(DEMO_SITE).as_posix() + "/", f)
             for f in sorted(DEMO_SITE.rglob("index.html"))]  # fmt: skip
    shared = SHARED / "pages"
    if shared.is_dir():
        for folder in sorted(p for p in shared.iterdir() if (p / "truth.json").is_file()):
            url = json.loads((folder / "truth.json").read_text(encoding="utf-8"))["url"]
            pages.append((url, folder / "page.html"))
    return pages


def test_it_agrees_with_a_dom_reading_on_every_real_page_we_have() -> None:
    pages = _real_pages()
    assert len(pages) > 30
    for url, file in pages:
        response = HtmlResponse(url, body=file.read_bytes(), encoding="utf-8")
        assert looks_like_article(response) == _dom_reading(response), url
