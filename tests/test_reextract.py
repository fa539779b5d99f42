"""``scrapy reextract``: today's extraction over stored raw pages, offline, updating the archive in place."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawler import __version__
from newscrawler.archive.rawpages import raw_path_for
from newscrawler.demo.server import DEMO_SITE, DemoServer

from .helpers import ROOT, run_crawl

SEED_PATH = "/2024/07/06/die-nato-und-suedkorea-bereiten-ein-gemeinsames-projekt-zur-unterstuetzung-der-ukraine-vor-stoltenberg/"


@pytest.fixture(scope="module")
def offline_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo crawl whose site is gone afterwards: anything that needs the network would fail."""
    archive = tmp_path_factory.mktemp("reextract") / "news.db"
    with DemoServer(DEMO_SITE) as server:
        result = run_crawl(archive, "-a", "site=demo", "-a", f"start_urls={server.url}")
    assert result.returncode == 0, result.stderr[-3000:]
    return archive


@pytest.fixture
def archive(offline_archive: Path, tmp_path: Path) -> Iterator[Path]:
    """A fresh copy of the archive and its raw pages for each test."""
    copy = tmp_path / "news.db"
    for source, target in (
        (offline_archive, copy),
        (raw_path_for(offline_archive), raw_path_for(copy)),
    ):
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
    return copy


def reextract(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "reextract", "-s", f"ARCHIVE_PATH={archive}", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def count(output: str, label: str) -> int:
    (line,) = [line for line in output.splitlines() if line.strip().startswith(f"{label}:")]
    return int(line.split(":")[1])


def one(archive: Path, sql: str, params: tuple = ()) -> tuple:
    with sqlite3.connect(archive) as conn:
        return conn.execute(sql, params).fetchone()


def test_a_fresh_archive_reextracts_unchanged(archive):
    result = reextract(archive)
    assert result.returncode == 0, result.stderr[-3000:]
    total = one(archive, "select count(*) from articles")[0]
    assert count(result.stdout, "unchanged") == total > 20
    assert count(result.stdout, "changed") == count(result.stdout, "failed") == 0


def test_stale_rows_are_repaired_in_place_and_counted(archive):
    seed_id, title, body = one(
        archive, "select id, title, body from articles where url like ?", (f"%{SEED_PATH}",)
    )
    with sqlite3.connect(archive) as conn:
        # What an older, worse extractor might have stored.
        conn.execute(
            "update articles set title = 'Nachrichten Ostwest', body = ?, extractor_version = '0.0.1' where id = ?",
            [body + "\n\nÄhnliche Themen:", seed_id],
        )
        conn.execute("update articles set extractor_version = '0.0.1'")
        conn.execute("delete from related_links where article_id = ?", [seed_id])
    result = reextract(archive)
    assert result.returncode == 0, result.stderr[-3000:]
    assert count(result.stdout, "changed") == 1
    assert "columns changed: body 1, related_links 1, title 1" in result.stdout
    assert one(archive, "select title, body from articles where id = ?", (seed_id,)) == (
        title,
        body,
    )
    assert (
        one(archive, "select count(*) from related_links where article_id = ?", (seed_id,))[0] > 0
    )
    # Every row now says which extractor produced it; full-text search follows the update.
    assert one(
        archive, "select count(*) from articles where extractor_version != ?", (__version__,)
    ) == (0,)
    assert one(
        archive,
        "select count(*) from articles_fts where articles_fts match 'Themen' and rowid = ?",
        (seed_id,),
    ) == (0,)
    assert count(reextract(archive).stdout, "changed") == 0


def test_a_dry_run_reports_without_writing(archive):
    with sqlite3.connect(archive) as conn:
        conn.execute("update articles set title = 'alt' where url like ?", [f"%{SEED_PATH}"])
    result = reextract(archive, "--dry-run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "dry run" in result.stdout and count(result.stdout, "changed") == 1
    assert one(archive, "select title from articles where url like ?", (f"%{SEED_PATH}",)) == (
        "alt",
    )


def test_missing_raw_pages_are_reported_as_failures(archive):
    first, second = list(
        sqlite3.connect(archive).execute("select id, raw_page_id from articles limit 2")
    )
    with sqlite3.connect(raw_path_for(archive)) as raw:
        raw.execute("delete from pages where id = ?", [first[1]])
    with sqlite3.connect(archive) as conn:
        conn.execute("update articles set raw_page_id = null where id = ?", [second[0]])
    result = reextract(archive, "--id", str(first[0]), "--id", str(second[0]))
    assert result.returncode == 0, result.stderr[-3000:]
    assert count(result.stdout, "failed") == 2
    assert "raw page missing from the raw-pages file: 1" in result.stdout
    assert "no raw page recorded: 1" in result.stdout


def test_without_raw_pages_it_says_where_it_looked(archive):
    raw_path_for(archive).unlink()
    result = reextract(archive)
    assert result.returncode != 0
    assert f"no raw pages at {raw_path_for(archive)}" in result.stderr
