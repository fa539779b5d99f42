"""Unit tests of the body cleanup, the person-name test and the organisation-author fallback."""

from __future__ import annotations

import json

import pytest

from newscrawler.extract import extract_article
from newscrawler.extract.authors import looks_like_person
from newscrawler.extract.body import Block
from newscrawler.extract.furniture import clean_blocks, is_byline, is_dateline, is_meta_line

URL = "https://news.example.de/2024/07/06/slug/"
PROSE = "Dieser Satz ist lang genug, um als Fließtext des Artikels zu zählen, und er endet hier."


def page(head: str = "", body: str = "", title: str = "Sichtbare Überschrift") -> str:
    paragraphs = "".join(f"<p>Absatz {i}: {PROSE}</p>" for i in range(4))
    return (
        f"<html lang='de'><head>{head}</head><body><article><h1>{title}</h1>"
        f"<div class='entry-content'>{body}{paragraphs}</div></article></body></html>"
    )


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jemima Kelly", True),
        ("Anna-Lena von der Heide", True),
        ("Bill MCCARTHY", True),
        ("J. R. Tolkien", True),
        ("Frankfurt", False),
        ("ku Frankfurt", False),
        ("mdr.de", False),
        ("MDR THÜRINGEN", False),
        ("Redaktion Wirtschaft", False),
        ("dpa", False),
        ("Team 42", False),
    ],
)
def test_looks_like_person(name: str, expected: bool) -> None:
    assert looks_like_person(name) is expected


def test_organisation_author_yields_to_byline_person() -> None:
    head = ld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": "STERN.de"}})
    body = (
        "<div class='authors'><span class='brand'>capital</span>"
        "<span class='author'>von Jemima Kelly</span></div>"
    )
    article = extract_article(page(head, body), URL)
    assert article is not None and article["authors"] == ["Jemima Kelly"]


def test_publisher_named_as_person_yields_to_meta_author() -> None:
    data = {
        "@type": "NewsArticle",
        "author": {"@type": "Person", "name": "Krautreporter"},
        "publisher": {"@type": "Organization", "name": "Krautreporter"},
    }
    head = ld(data) + "<meta name='author' content='Shany Littman'>"
    article = extract_article(page(head), URL)
    assert article is not None and article["authors"] == ["Shany Littman"]


def test_written_by_meta_and_city_in_byline() -> None:
    head = (
        "<meta name='author' content='d.muster@example.de'>"
        "<meta name='twitter:label1' content='Written by'>"
        "<meta name='twitter:data1' content='Dieter Muster'>"
    )
    assert extract_article(page(head), URL)["authors"] == ["Dieter Muster"]  # type: ignore[index]
    body = "<h5 class='authorline'>Von Anna Beispiel, Frankfurt</h5>"
    article = extract_article(page(body=body), URL)
    assert article is not None and article["authors"] == ["Anna Beispiel"]


def test_author_nodes_of_teasers_and_quotes_are_ignored() -> None:
    body = (
        "<div class='teaser'><span class='author'>von Paul Anders</span></div>"
        "<p class='byline'>Von Max Muster</p>"
    )
    assert extract_article(page(body=body), URL)["authors"] == ["Max Muster"]  # type: ignore[index]


@pytest.mark.parametrize(
    "text",
    [
        "Stand: 22.04.2024, 06:00 Uhr",
        "Aktualisiert am 3. Mai 2024",
        "3 Min Lesezeit",
        "Lesedauer: 2 Min.",
        "02:57 Min.. Verfügbar bis 06.05.2024.",
        "AUDIO: Seltenes Ereignis (1 Min)",
        "© dpa-infocom, dpa:230428-99-483045/5",
        "23. April 2024",
        "Frankfurt, 23. Oktober 2024, 15:48 Uhr",
        "Externen Inhalt anzeigen",
    ],
)
def test_meta_lines(text: str) -> None:
    assert is_meta_line(text)


@pytest.mark.parametrize(
    "text",
    [
        "Am 23. April 2024 stimmte der Landtag über das Gesetz ab, das ab Mai gilt.",
        "Die Regierung will das Gesetz ändern.",
        "Stand der Dinge ist unklar.",
    ],
)
def test_prose_is_not_a_meta_line(text: str) -> None:
    assert not is_meta_line(text)


def test_datelines_and_bylines() -> None:
    assert is_dateline("09.09.2025, 14:55 Uhr")
    assert not is_dateline("Die 49 Euro sind zu viel")
    assert is_byline("von David Straub, MDR THÜRINGEN")
    assert not is_byline("Von Berlin aus fährt der Zug jeden Morgen um sechs Uhr nach Hamburg.")


def test_clean_blocks_drops_furniture_and_trailing_lists() -> None:
    blocks = [
        Block("div", "Politik: Sichtbare Überschrift"),
        Block("p", "Von Nina Muster"),
        Block("p", PROSE),
        Block("p", "Ein Foto vom Ort des Geschehens. Bildrechte: Sender/Max Muster"),
        Block("p", PROSE.replace("Dieser", "Jener")),
        Block("h3", "Mehr zum Thema"),
        Block("p", "Weitere Artikel aus der Region"),
    ]
    kept = clean_blocks(blocks, ["Politik: Sichtbare Überschrift", "Sichtbare Überschrift"])
    assert [b.text for b in kept] == [PROSE, PROSE.replace("Dieser", "Jener")]


def test_link_dense_blocks_and_repeats_are_dropped() -> None:
    teaser = "<p><a href='/x'>Ein anderer Artikel mit einer langen Überschrift zum Klicken</a></p>"
    card = (
        "<a href='/y'><div><div>Teaser-Karte mit einer langen Überschrift als ganzer Link"
        "</div></div></a>"
    )
    article = extract_article(page(body=teaser + card + teaser), URL)
    assert article is not None
    assert "anderer Artikel" not in article["body"] and "Teaser-Karte" not in article["body"]


def test_hidden_class_is_pruned_unless_shown_responsively() -> None:
    body = "<h2 class='hidden'>Hauptinhalt</h2><h2 class='hidden md:block'>Zwischentitel</h2>"
    article = extract_article(page(body=body), URL)
    assert article is not None
    assert "Hauptinhalt" not in article["body"] and "Zwischentitel" in article["body"]


def test_inline_text_keeps_document_order() -> None:
    body = (
        "<p>Das Spiel zwischen <span><a href='/t/real'>Real Madrid</a></span> und Partizan "
        "Belgrad endete mit einer Schlägerei und mehreren Sperren für die Beteiligten.</p>"
    )
    article = extract_article(page(body=body), URL)
    assert article is not None and "zwischen Real Madrid und Partizan" in article["body"]


def test_pull_quote_in_figure_is_body_text() -> None:
    body = (
        "<figure><blockquote><p>Ein Zitat, das nur hier steht und lang genug für einen Absatz"
        " ist.</p></blockquote><figcaption>Anna Beispiel, Expertin</figcaption></figure>"
    )
    article = extract_article(page(body=body), URL)
    assert article is not None
    assert "Ein Zitat" in article["body"] and "Expertin" not in article["body"]
