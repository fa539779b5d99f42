"""Recorded (hand-written) pages: every expected field, plus text that must / must not be in the body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newscrawler.extract import extract_article

PAGES_DIR = Path(__file__).resolve().parent / "pages"
PAGES = sorted(PAGES_DIR.glob("*/*.html"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_recorded_page(page: Path) -> None:
    expected = json.loads(page.with_suffix(".json").read_text("utf-8"))
    # Fetched with a tracking query: the canonical URL must win over the fetched one.
    article = extract_article(page.read_text("utf-8"), expected["url"] + "?utm_source=feed")
    assert article is not None
    assert article["url"] == expected["url"]
    assert article["title"] == expected["title"]
    assert article["authors"] == expected["authors"]
    assert article["published_at"] == expected["published_at"]
    assert [r["url"] for r in article["related"]] == expected["related"]
    assert all(r["title"] for r in article["related"])
    body = article["body"]
    for text in expected["with"]:
        assert text in body, f"missing from body: {text!r}"
    for text in expected["without"]:
        assert text not in body, f"boilerplate in body: {text!r}"
    assert "\n\n\n" not in body and body == body.strip()


def test_corpus_is_present() -> None:
    assert len(PAGES) >= 4, "the recorded test pages are missing"


def test_result_has_exactly_the_contract_keys() -> None:
    article = extract_article(PAGES[0].read_text("utf-8"), "https://example.org/")
    assert article is not None
    assert set(article) == {
        "url", "title", "subtitle", "authors", "published_at", "published_source", "modified_at",
        "language", "section", "tags", "image", "body", "related",
    }  # fmt: skip
