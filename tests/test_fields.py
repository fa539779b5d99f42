"""The field vocabulary (newscrawler/fields.py) holds the extractor, the item and the archive together."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from newscrawler.archive import ARTICLE_FIELDS, Archive
from newscrawler.extract import extract_article
from newscrawler.fields import (
    COLUMN_FIELDS,
    EXTRACTED_FIELDS,
    FIELDS,
    ITEM_FIELDS,
    apply_fallbacks,
)
from newscrawler.items import WORKER_FIELD, ArticleItem

PAGE = """<html lang="de"><head><title>Titel</title>
<meta property="og:type" content="article"></head><body><article><h1>Titel</h1>
<p>Ein erster Absatz mit genug Worten, damit er als Text des Artikels gilt und bleibt.</p>
<p>Ein zweiter Absatz mit weiteren Worten, damit der Artikel nicht zu kurz ausfällt.</p>
</article></body></html>"""
DOCS = Path(__file__).resolve().parents[1] / "docs" / "fields.md"


def test_every_field_is_named_once():
    names = [f.name for f in FIELDS]
    assert len(names) == len(set(names))


def test_extract_article_returns_exactly_the_extracted_fields():
    fields = extract_article(PAGE, "https://example.org/2024/07/06/a/")
    assert fields is not None
    assert set(fields) == set(EXTRACTED_FIELDS)


def test_the_item_has_exactly_the_item_fields_with_their_missing_values():
    item_fields = {f.name: f for f in dataclasses.fields(ArticleItem) if f.name != WORKER_FIELD}
    assert list(item_fields) == list(ITEM_FIELDS)
    blank = ArticleItem(url="https://example.org/")
    for field in FIELDS:
        if field.item and field.name != "url":
            assert getattr(blank, field.name) == field.missing, field.name
            assert item_fields[field.name].type.startswith(field.type), field.name


def test_the_archive_stores_exactly_the_column_fields(tmp_path):
    assert set(ARTICLE_FIELDS) == set(COLUMN_FIELDS)
    Archive.open(tmp_path / "news.db").close()
    with sqlite3.connect(tmp_path / "news.db") as db:
        columns = {row[1] for row in db.execute("pragma table_info(articles)")}
    assert set(COLUMN_FIELDS) <= columns


def test_every_field_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    for field in FIELDS:
        assert f"`{field.name}`" in text, f"{field.name} is not in docs/fields.md"


def test_the_page_wins_over_what_the_crawl_knew_beside_it():
    page = {"published_at": "2024-07-06T10:00:00+02:00", "published_source": "json-ld",
            "title": "Vom Artikel", "language": "en", "tags": ["a"], "authors": ["X"]}  # fmt: skip
    feed = {"published": "2024-07-05", "title": "Aus dem Feed", "keywords": ["b"]}
    result = apply_fallbacks(page, discovery=feed, profile_language="de")
    assert (result["published_at"], result["published_source"]) == (page["published_at"], "json-ld")
    assert (result["title"], result["language"], result["tags"]) == ("Vom Artikel", "en", ["a"])


def test_what_the_page_left_out_comes_from_the_feed_and_the_profile():
    result = apply_fallbacks(
        {
            "published_at": None,
            "published_source": None,
            "title": None,
            "tags": [],
            "authors": None,
        },
        discovery={"published": "2024-07-05", "title": "Aus dem Feed", "keywords": ["b"]},
        profile_language="de",
    )
    assert (result["published_at"], result["published_source"]) == ("2024-07-05", "feed")
    assert (result["title"], result["language"], result["tags"]) == ("Aus dem Feed", "de", ["b"])
    assert result["authors"] == []


def test_no_date_anywhere_stays_missing():
    result = apply_fallbacks({"published_source": "htmldate"})
    assert (result["published_at"], result["published_source"]) == (None, None)
