"""``scrapy export``: articles as JSON Lines or CSV, filtered by site, days and full-text query."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from .helpers import ROOT

SEED_PATH = "/2024/07/06/die-nato-und-suedkorea-bereiten-ein-gemeinsames-projekt-zur-unterstuetzung-der-ukraine-vor-stoltenberg/"


def export(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "export", "-s", f"ARCHIVE_PATH={archive}", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def jsonl(result: subprocess.CompletedProcess[str]) -> list[dict]:
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


def with_a_copy_on_another_site(archive: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "news.db"
    with sqlite3.connect(archive) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        target.execute(
            "insert into articles (url, site, title, body, published_at, published_day, duplicate_of) "
            "select 'https://other.example/kopie', 'other.example', title, body, published_at, published_day, id "
            "from articles where url like ?",
            [f"%{SEED_PATH}"],
        )
    return copy


def test_jsonl_has_every_article_once_with_lists_decoded(demo_crawl):
    archive, _ = demo_crawl
    rows = jsonl(export(archive))
    with sqlite3.connect(archive) as conn:
        assert len(rows) == conn.execute("select count(*) from articles").fetchone()[0]
    assert all(isinstance(r["authors"], list) and isinstance(r["tags"], list) for r in rows)
    assert [r["published_day"] for r in rows] == sorted(r["published_day"] for r in rows)
    assert {"url", "title", "body", "published_utc", "raw_page_id", "extractor_version"} <= set(
        rows[0]
    )


def test_days_and_site_filter(demo_crawl):
    archive, _ = demo_crawl
    rows = jsonl(
        export(archive, "--since", "2024-07-05", "--until", "2024-07-06", "--site", "127.0.0.1")
    )
    assert rows and {r["published_day"] for r in rows} == {"2024-07-05", "2024-07-06"}
    assert jsonl(export(archive, "--site", "no-such-site.example")) == []


def test_query_orders_by_relevance(demo_crawl):
    archive, _ = demo_crawl
    rows = jsonl(export(archive, "--query", "Südkorea"))
    assert rows[0]["url"].endswith(SEED_PATH)
    assert all("südkorea" in (r["title"] + r["body"]).lower() for r in rows)


def test_copies_are_left_out_unless_asked_for(demo_crawl, tmp_path):
    archive, _ = demo_crawl
    copy = with_a_copy_on_another_site(archive, tmp_path)
    assert "other.example" not in {r["site"] for r in jsonl(export(copy))}
    rows = jsonl(export(copy, "--include-duplicates", "--query", "Südkorea"))
    assert "other.example" in {r["site"] for r in rows}


def test_csv_to_a_file(demo_crawl, tmp_path):
    archive, _ = demo_crawl
    out = tmp_path / "articles.csv"
    result = export(
        archive, "--format", "csv", "--since", "2024-07-06", "--until", "2024-07-06", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "exported 3 articles" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 3 and any(r["url"].endswith(SEED_PATH) for r in rows)
    assert json.loads(rows[0]["tags"])  # JSON columns stay JSON text in CSV


def test_bad_options_fail_with_a_message(demo_crawl, tmp_path):
    archive, _ = demo_crawl
    result = export(archive, "--since", "06.07.2024")
    assert result.returncode != 0 and "--since must be a day as YYYY-MM-DD" in result.stderr
    result = export(tmp_path / "missing.db")
    assert result.returncode != 0 and "no archive at ARCHIVE_PATH" in result.stderr
