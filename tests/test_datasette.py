"""The crawled demo archive, opened with Datasette's own API: search, metadata, canned queries."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from datasette.app import Datasette

from newscrawler.archive.migrations import migrations

METADATA = Path(__file__).resolve().parents[1] / "newscrawler" / "archive" / "metadata.yml"


def get_json(archive: Path, path: str) -> dict:
    async def fetch() -> dict:
        datasette = Datasette([str(archive)], metadata=yaml.safe_load(METADATA.read_text(encoding="utf-8")))
        response = await datasette.client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        return response.json()

    return asyncio.run(fetch())


def test_search_box_finds_the_seed_article(demo_crawl):
    archive, _ = demo_crawl
    data = get_json(archive, "/news/articles.json?_search=Stoltenberg&_shape=objects")
    titles = [row["title"] for row in data["rows"]]
    assert any(title.startswith("Die NATO und Südkorea") for title in titles)


def test_every_canned_query_runs_on_the_demo_archive(demo_crawl):
    archive, _ = demo_crawl
    queries = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["news"]["queries"]
    params = {"day": "2024-07-06", "q": "Südkorea", "id": "1"}
    for name, query in queries.items():
        needed = [p for p in params if f":{p}" in query["sql"]]
        args = "&".join(f"{p}={params[p]}" for p in needed)
        data = get_json(archive, f"/news/{name}.json?_shape=objects&{args}")
        assert data["rows"], f"canned query {name} returned no rows"


def test_ranked_search_puts_the_best_match_first_with_a_snippet(demo_crawl):
    archive, _ = demo_crawl
    rows = get_json(archive, "/news/search_ranked.json?_shape=objects&q=Stoltenberg")["rows"]
    assert "<b>Stoltenberg</b>" in rows[0]["snippet"]


def test_metadata_describes_every_column_of_the_schema(tmp_path):
    from sqlite_utils import Database

    db = Database(tmp_path / "news.db")
    migrations.apply(db)
    tables = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["news"]["tables"]
    for table in ("articles", "related_links", "url_aliases", "crawls"):
        described = set(tables[table]["columns"])
        missing = {c.name for c in db[table].columns} - described - {"id"}
        assert not missing, f"{table}: columns without a description: {missing}"


@pytest.mark.parametrize("table", ["articles", "related_links", "crawls", "url_aliases"])
def test_tables_are_browsable(demo_crawl, table):
    archive, _ = demo_crawl
    assert get_json(archive, f"/news/{table}.json")["rows"]
