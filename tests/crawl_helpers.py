"""Crawls run as separate processes that a test can interrupt, and checks of what they leave behind.

Used by the crash tests (tests/test_crash.py) and the readers-while-writing test
(tests/test_readers.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .demo_site import GENUINE_ARTICLES, demo_pages
from .helpers import ROOT, rows
from .hostile.server import HostileServer


def crawl_command(server: HostileServer, archive: Path, *extra: str) -> list[str]:
    """``scrapy crawl news`` of the demo profile served by ``server``, into ``archive``."""
    return [
        sys.executable, "-m", "scrapy", "crawl", "news", "-a", "site=demo", "-a", f"start_urls={server.url}",
        "-s", f"ARCHIVE_PATH={archive}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        "-s", "LOG_LEVEL=INFO", *extra,
    ]  # fmt: skip


def start(command: list[str], log: Path) -> subprocess.Popen[str]:
    """Start ``command`` from the checkout, its stderr into ``log``."""
    with log.open("w") as err:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)


def archived_paths(archive: Path) -> list[str]:
    """The URL paths of the archived articles."""
    return [urlsplit(r["url"]).path for r in rows(archive, "select url from articles")]


def assert_consistent(archive: Path) -> None:
    """Integrity check passes and no article is half-written (row, text, FTS and links together)."""
    assert rows(archive, "pragma integrity_check")[0][0] == "ok"
    raw = archive.with_name(archive.stem + "-raw.db")
    if raw.exists():
        assert rows(raw, "pragma integrity_check")[0][0] == "ok"
    for row in rows(
        archive,
        "select a.*, (select count(*) from related_links r where r.article_id = a.id) as links from articles a",
    ):
        assert row["title"] and row["body"] and row["content_hash"], row["url"]
        assert row["word_count"] == len(row["body"].split()), row["url"]
        assert row["links"] > 0, row["url"]  # every demo article has its related block
    assert (
        rows(archive, "select count(*) from articles_fts")[0][0]
        == rows(archive, "select count(*) from articles")[0][0]
    )


def assert_complete(archive: Path) -> None:
    """The archive holds the demo site exactly as an uninterrupted crawl does (tests/test_crawl.py)."""
    archived = archived_paths(archive)
    missing = sorted(set(demo_pages()) - set(archived))
    assert len(archived) == len(set(archived)) == GENUINE_ARTICLES, (len(archived), missing)
    aliases = {
        urlsplit(r["url"]).path
        for r in rows(archive, "select url from url_aliases where reason = 'duplicate_content'")
    }
    assert set(demo_pages()) == set(archived) | aliases
