"""Paths and helpers shared by the tests: the checkout, the seed article, real ``scrapy crawl`` runs.

Test modules import from here (and from the other helper modules), never from each other or
from ``conftest``; ``tests/test_test_imports.py`` pins that.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

#: The checkout.
ROOT = Path(__file__).resolve().parents[1]
#: The shared folder beside the checkout (development pages); tests that need it skip without it.
SHARED = ROOT.parent / "shared"
#: Small data files of the tests.
DATA = Path(__file__).resolve().parent / "data"
#: The project's seed article (title, blank line, body), with its artifacts; a copy of
#: ``shared/seed/seed-article.txt`` so a fresh clone runs the seed tests.
SEED_ARTICLE = DATA / "seed-article.txt"


def run_crawl(archive: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl news ARGS`` in a subprocess from the project root, into ``archive``."""
    command = [
        sys.executable, "-m", "scrapy", "crawl", "news",
        "-s", f"ARCHIVE_PATH={archive}",
        "-s", "AUTOTHROTTLE_ENABLED=0",
        "-s", "DOWNLOAD_DELAY=0",
        "-s", "LOG_LEVEL=INFO",
        *args,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def revisit_args(start_url: str) -> tuple[str, ...]:
    """Crawl arguments for the demo profile at ``start_url`` with every archived page due for a
    re-check at once (the runs of a revisit test follow each other within seconds)."""
    return ("-a", "site=demo", "-a", f"start_urls={start_url}", "-s", "RECRAWL_INTERVAL_HOURS=0")


def rows(archive: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    """The rows of a query on a SQLite file, as ``sqlite3.Row``."""
    with sqlite3.connect(archive) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def crawl_stats(archive: Path) -> list[dict]:
    """The Scrapy stats of every run in the archive's ``crawls`` table, oldest first."""
    with sqlite3.connect(archive) as conn:
        return [json.loads(row[0]) for row in conn.execute("select stats from crawls order by id")]
