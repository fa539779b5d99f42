"""The crawled demo archive, opened with Datasette's own API: search, metadata, facets, views, canned queries."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from datasette.app import Datasette

from newscrawler.archive.migrations import migrations

from .datasette_helpers import (
    EMPTY_ON_DEMO,
    METADATA,
    NOT_YET_IN_SCHEMA,
    QUERIES,
    has_schema,
    seed,
)
from .demo_site import SEED_PATH


def get_json(archive: Path, path: str, status: int = 200) -> dict:
    async def fetch() -> dict:
        datasette = Datasette(
            [str(archive)], metadata=yaml.safe_load(METADATA.read_text(encoding="utf-8"))
        )
        response = await datasette.client.get(path)
        assert response.status_code == status, (path, response.text[:500])
        return response.json()

    return asyncio.run(fetch())


def test_search_box_finds_the_seed_article(demo_crawl):
    archive, _ = demo_crawl
    data = get_json(archive, "/news/articles.json?_search=Stoltenberg&_shape=objects")
    titles = [row["title"] for row in data["rows"]]
    assert any(title.startswith("Die NATO und Südkorea") for title in titles)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_canned_query_runs_on_the_demo_archive(demo_crawl, name):
    archive, _ = demo_crawl
    if name in NOT_YET_IN_SCHEMA and not has_schema(archive, *NOT_YET_IN_SCHEMA[name]):
        pytest.skip(
            f"{name}: {'.'.join(filter(None, NOT_YET_IN_SCHEMA[name]))} is not in the schema yet"
        )
    row = seed(archive)
    params = {"day": "2024-07-06", "q": "Südkorea", "id": str(row["id"]), "url": row["url"]}
    sql = QUERIES[name]["sql"]
    args = "&".join(f"{p}={v}" for p, v in params.items() if f":{p}" in sql)
    data = get_json(archive, f"/news/{name}.json?_shape=objects&{args}")
    if name not in EMPTY_ON_DEMO:
        assert data["rows"], f"canned query {name} returned no rows"


def test_ranked_search_puts_the_best_match_first_with_a_marked_snippet(demo_crawl):
    archive, _ = demo_crawl
    rows = get_json(archive, "/news/search_ranked.json?_shape=objects&q=Südkorea")["rows"]
    assert rows[0]["title"].startswith("Die NATO und Südkorea")  # the word is in its title
    assert "**Südkorea**" in rows[0]["snippet"]
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)


def test_articles_of_a_day_are_that_days_articles_in_time_order(demo_crawl):
    archive, _ = demo_crawl
    rows = get_json(archive, "/news/articles_of_day.json?_shape=objects&day=2024-07-06")["rows"]
    assert rows and all(r["published_at"].startswith("2024-07-06") for r in rows)
    assert any(r["url"].endswith(SEED_PATH) for r in rows)
    assert [r["published_utc"] for r in rows] == sorted(r["published_utc"] for r in rows)


def test_article_with_related_shows_both_directions(demo_crawl):
    archive, _ = demo_crawl
    rows = get_json(
        archive, f"/news/article_with_related.json?_shape=objects&id={seed(archive)['id']}"
    )["rows"]
    assert {r["direction"] for r in rows} == {"links to", "linked from"}


def test_dates_are_stored_in_utc_with_their_offset_day_and_source(demo_crawl):
    archive, _ = demo_crawl
    with sqlite3.connect(archive) as conn:
        rows = conn.execute(
            "select published_at, published_utc, published_offset, published_day, published_source from articles"
        ).fetchall()
    for published_at, utc, offset, day, source in rows:
        assert datetime.fromisoformat(utc) == datetime.fromisoformat(published_at)
        assert utc.endswith("+00:00") and offset == published_at[-6:] == "+02:00"
        # Every demo article states its date in JSON-LD, read first.
        assert day == published_at[:10] and source == "json-ld"


def test_facets_include_site_section_language_and_day(demo_crawl):
    archive, _ = demo_crawl
    facets = get_json(archive, "/news/articles.json")["facet_results"]
    assert {"site", "section", "language", "published_day"} <= set(facets)
    days = {item["value"]: item["count"] for item in facets["published_day"]["results"]}
    assert days["2024-07-06"] == 3


def test_views_hide_copies_and_give_one_row_per_story(demo_crawl, tmp_path):
    archive, _ = demo_crawl
    copy = tmp_path / "news.db"
    with sqlite3.connect(archive) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    first = seed(copy)
    with sqlite3.connect(copy) as conn:
        conn.execute(
            "insert into articles (url, site, title, body, duplicate_of, source_attribution) "
            "values ('https://other.example/nato-suedkorea', 'other.example', 'Kopie', 'Text', ?, 'UNIAN')",
            [first["id"]],
        )
        total = conn.execute("select count(*) from articles").fetchone()[0]
    unique = get_json(copy, "/news/articles_unique.json?_shape=objects&_size=max")["rows"]
    assert len(unique) == total - 1
    assert "other.example" not in {r["site"] for r in unique}
    stories = get_json(copy, "/news/stories.json?_shape=objects&_size=max")["rows"]
    assert len(stories) == total - 1
    (story,) = [s for s in stories if s["story_id"] == first["id"]]
    assert story["copies"] == 2
    assert set(yaml.safe_load(story["sites"])) == {first["site"], "other.example"}
    assert "UNIAN" in story["source_attributions"]


def test_near_duplicate_clusters_show_every_copy_with_its_attribution(demo_crawl, tmp_path):
    archive, _ = demo_crawl
    if not has_schema(archive, "articles", "similarity"):
        pytest.skip("articles.similarity is not in the schema yet")
    copy = tmp_path / "news.db"
    with sqlite3.connect(archive) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    first = seed(copy)
    with sqlite3.connect(copy) as conn:
        conn.execute(
            "insert into articles (url, site, title, body, duplicate_of, similarity, source_attribution) "
            "values ('https://other.example/nato-suedkorea', 'other.example', 'Kopie', 'Text', ?, 0.93, 'dpa')",
            [first["id"]],
        )
    rows = get_json(copy, "/news/near_duplicates.json?_shape=objects")["rows"]
    assert [(r["role"], r["site"], r["source_attribution"]) for r in rows] == [
        ("first copy", first["site"], first["source_attribution"]),
        ("copy", "other.example", "dpa"),
    ]
    assert {r["story_id"] for r in rows} == {first["id"]}


def test_crawl_health_has_a_row_per_site_and_run(demo_crawl):
    archive, _ = demo_crawl
    (row,) = get_json(archive, "/news/crawl_health.json?_shape=objects")["rows"]
    assert row["site"] == "demo" and row["finish_reason"] == "finished"
    assert row["pages"] > row["articles_new"] > 0
    assert row["http_errors"] == row["extract_errors"] == row["log_errors"] == 0


def test_metadata_describes_every_column_of_the_schema(tmp_path):
    from sqlite_utils import Database

    db = Database(tmp_path / "news.db")
    migrations.apply(db)
    tables = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["news"]["tables"]
    for table in ("articles", "related_links", "url_aliases", "crawls"):
        described = set(tables[table]["columns"])
        missing = {c.name for c in db[table].columns} - described - {"id"}
        assert not missing, f"{table}: columns without a description: {missing}"
    for table in db.table_names() + db.view_names():
        if not table.startswith(("_", "articles_fts")):
            assert tables.get(table, {}).get("description"), f"{table} has no description"


@pytest.mark.parametrize(
    "table", ["articles", "related_links", "crawls", "url_aliases", "articles_unique", "stories"]
)
def test_tables_are_browsable(demo_crawl, table):
    archive, _ = demo_crawl
    assert get_json(archive, f"/news/{table}.json")["rows"]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            {"published_at": "2024-07-06T00:30:00+02:00", "url": "https://x.example/2024/07/06/a/"},
            ("2024-07-05T22:30:00+00:00", "+02:00", "2024-07-06", "page"),
        ),
        (
            {"published_at": "2024-07-06T10:15:00+00:00", "published_source": "json-ld"},
            ("2024-07-06T10:15:00+00:00", "+00:00", "2024-07-06", "json-ld"),
        ),
        # A bare day or a time without offset is no instant: no UTC value is invented.
        ({"published_at": "2024-07-06"}, (None, None, "2024-07-06", "page")),
        ({"published_at": "2024-07-06T10:15:00"}, (None, None, "2024-07-06", "page")),
        # No date on the page: the URL's day, labelled as such.
        ({"url": "https://x.example/2024/7/6/a/"}, (None, None, "2024-07-06", "url")),
        ({"url": "https://x.example/a/"}, (None, None, None, None)),
    ],
)
def test_derived_date_columns(record, expected):
    from newscrawler.archive.derived import analyst_columns

    derived = analyst_columns(record)
    got = tuple(
        derived[c]
        for c in ("published_utc", "published_offset", "published_day", "published_source")
    )
    assert got == expected


def test_an_older_archive_gets_its_dates_derived_on_upgrade(tmp_path):
    from sqlite_utils import Database

    db = Database(tmp_path / "news.db")
    migrations.apply(db, stop_before="m004_analyst_columns")
    db["articles"].insert(
        {"url": "https://x.example/a/", "published_at": "2024-07-06T10:15:00+02:00"}
    )
    migrations.apply(db)
    row = next(db.query("select published_utc, published_day, published_source from articles"))
    assert row == {
        "published_utc": "2024-07-06T08:15:00+00:00",
        "published_day": "2024-07-06",
        "published_source": "page",
    }
