"""Unit tests of the extraction stages: JSON-LD, dates, authors, related labels, overrides."""

from __future__ import annotations

import json

import pytest

from newscrawler.extract import DEFAULT_RELATED_LABELS, extract_article
from newscrawler.extract.authors import clean_author_names
from newscrawler.extract.dates import normalize_date
from newscrawler.extract.related import label_matches

URL = "https://news.example.de/2024/07/06/slug/"


def page(head: str = "", body: str = "") -> str:
    paragraphs = "".join(
        f"<p>Absatz {i}: Dieser Satz ist lang genug, um als Fließtext des Artikels zu zählen.</p>"
        for i in range(4)
    )
    return (
        f"<html lang='de'><head>{head}</head><body><article><h1>Sichtbare Überschrift</h1>"
        f"{body}<div class='entry-content'>{paragraphs}</div></article></body></html>"
    )


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_jsonld_graph_resolves_author_reference() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": URL, "name": "Seite"},
            {
                "@type": "NewsArticle",
                "headline": "Sichtbare Überschrift",
                "author": {"@id": "#p1"},
                "datePublished": "2024-07-06T10:15:00+02:00",
            },
            {"@type": "Person", "@id": "#p1", "name": "Anna Beispiel"},
        ],
    }
    article = extract_article(page(ld(graph)), URL)
    assert article is not None
    assert article["authors"] == ["Anna Beispiel"]
    assert article["published_at"] == "2024-07-06T10:15:00+02:00"


def test_jsonld_array_picks_the_article_not_the_breadcrumbs() -> None:
    data = [
        {"@type": "BreadcrumbList", "itemListElement": []},
        {
            "@type": ["NewsArticle", "ReportageNewsArticle"],
            "author": [
                {"@type": "Person", "name": "A. Eins"},
                {"@type": "Person", "name": "B. Zwei"},
            ],
            "datePublished": "2024-07-05T22:30:00Z",
            "keywords": "Politik, Europa",
        },
    ]
    article = extract_article(page(ld(data)), URL)
    assert article is not None
    assert article["authors"] == ["A. Eins", "B. Zwei"]
    assert article["published_at"] == "2024-07-05T22:30:00+00:00"
    assert article["tags"] == ["Politik", "Europa"]


def test_broken_jsonld_falls_back_to_meta() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", </script>'
    head += '<meta property="article:published_time" content="2024-07-06T10:15:00+0200">'
    article = extract_article(page(head), URL)
    assert article is not None
    assert article["published_at"] == "2024-07-06T10:15:00+02:00"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-07-06T10:15:00+02:00", "2024-07-06T10:15:00+02:00"),
        ("2024-07-06T10:15:00.123+0200", "2024-07-06T10:15:00+02:00"),
        ("2024-07-05T23:30:00-05:00", "2024-07-05T23:30:00-05:00"),
        ("2024-07-06T08:15:00Z", "2024-07-06T08:15:00+00:00"),
        ("2024-07-06 10:15", "2024-07-06T10:15:00"),
        ("2024-07-06", "2024-07-06"),
        ("06.07.2024, 10:15 Uhr", "2024-07-06T10:15:00"),
        ("Stand: 6.7.2024", "2024-07-06"),
        ("gestern", None),
        ("2024-13-45", None),
    ],
)
def test_normalize_date_keeps_the_offset(raw: str, expected: str | None) -> None:
    assert normalize_date(raw) == expected


def test_offset_is_not_converted_to_utc() -> None:
    head = ld({"@type": "NewsArticle", "datePublished": "2024-07-06T00:30:00+02:00"})
    article = extract_article(page(head), URL)
    assert article is not None
    assert article["published_at"] == "2024-07-06T00:30:00+02:00"  # UTC would be the 5th


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Von Max Muster und Erika Beispiel, dpa", ["Max Muster", "Erika Beispiel"]),
        ("von Max Muster | 06.07.2024, 10:15 Uhr", ["Max Muster"]),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Ein Kommentar von Erika Beispiel", ["Erika Beispiel"]),
        ("Autorin: Anna Beispiel; Bernd Test", ["Anna Beispiel", "Bernd Test"]),
        ("dpa", ["dpa"]),
        ("Max Muster, Max Muster", ["Max Muster"]),
    ],
)
def test_clean_author_names(raw: str, expected: list[str]) -> None:
    assert clean_author_names(raw) == expected


def test_byline_is_used_when_no_structured_author() -> None:
    body = '<div class="byline">Von Max Muster und Erika Beispiel, dpa</div>'
    article = extract_article(page(body=body), URL)
    assert article is not None
    assert article["authors"] == ["Max Muster", "Erika Beispiel"]


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("Ähnliche Themen:", True),
        ("  ähnliche themen  ", True),
        ("ÄHNLICHE BEITRÄGE", True),
        ("Lesen Sie auch:", True),
        ("Related posts", True),
        ("Das könnte Sie auch interessieren", True),
        ("Ähnliche Themen in der Region Nord", False),
        ("Weitere Nachrichten", False),
        ("", False),
    ],
)
def test_related_label_matching(text: str, matches: bool) -> None:
    assert label_matches(text, DEFAULT_RELATED_LABELS) is matches


def test_related_labels_override_the_defaults() -> None:
    body = (
        "<div class='entry-content'><p>Ein erster Absatz mit genug Text, um Fließtext zu sein.</p>"
        "<h3>Siehe auch</h3><ul><li><a href='/2024/07/01/a/'>Artikel A</a></li>"
        "<li><a href='javascript:void(0)'>kaputt</a></li></ul></div>"
    )
    html = page(body=body)
    assert extract_article(html, URL)["related"] == []  # type: ignore[index]
    related = extract_article(html, URL, related_labels=["Siehe auch"])["related"]  # type: ignore[index]
    assert related == [{"url": "https://news.example.de/2024/07/01/a/", "title": "Artikel A"}]


def test_selector_overrides_replace_generic_fields() -> None:
    body = "<p class='kopf'>Profil-Titel</p><span class='wer'>Von Paula Profil</span>"
    selectors = {"title": "p.kopf", "authors": ".wer", "body": "div.entry-content p"}
    article = extract_article(page(body=body), URL, selectors=selectors)
    assert article is not None
    assert article["title"] == "Profil-Titel"
    assert article["authors"] == ["Paula Profil"]
    assert article["body"].count("\n\n") == 3
    unmatched = extract_article(page(body=body), URL, selectors={"title": "h6.none"})
    assert unmatched is not None and unmatched["title"] == "Sichtbare Überschrift"


@pytest.mark.parametrize("raw", ["", "   \n", "\x00\x01\x02binary\x00", "just some plain words"])
def test_non_html_input_gives_none(raw: str) -> None:
    assert extract_article(raw, URL) is None


def test_kicker_is_not_part_of_the_title() -> None:
    html = page().replace(
        "<h1>Sichtbare Überschrift</h1>",
        "<h1><span class='dachzeile'>Schlachtbetriebe</span> <span>Das harte Geschäft</span></h1>",
    )
    assert extract_article(html, URL)["title"] == "Das harte Geschäft"  # type: ignore[index]


@pytest.mark.parametrize(
    ("head", "body", "source"),
    [
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-07-06T10:15:00+02:00"}</script>',
            "",
            "json-ld",
        ),
        (
            '<meta property="article:published_time" content="2024-07-06T10:15:00+02:00">',
            "",
            "meta",
        ),
        ("", '<time datetime="2024-07-06T10:15:00+02:00">6. Juli</time>', "time"),
    ],
)
def test_the_date_says_where_it_came_from(head: str, body: str, source: str) -> None:
    html = f"<html><head>{head}</head><body><article><h1>Titel</h1>{body}<p>{'Text ' * 40}</p></article></body></html>"
    article = extract_article(html, "https://example.org/a")
    assert article is not None
    assert (article["published_at"], article["published_source"]) == (
        "2024-07-06T10:15:00+02:00",
        source,
    )
