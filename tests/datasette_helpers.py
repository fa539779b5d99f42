"""The archive's Datasette metadata and canned queries, for the Datasette and browser tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import yaml

from .demo_site import SEED_PATH
from .helpers import ROOT

METADATA = ROOT / "newscrawler" / "archive" / "metadata.yml"
QUERIES = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["news"]["queries"]

# Canned queries over parts of the schema that the lead engineer is building in parallel
# (issue 6: versions of a URL, near-duplicate clusters). Each is skipped only while its table
# or column is absent from a freshly crawled archive; once it lands the test is strict.
NOT_YET_IN_SCHEMA: dict[str, tuple[str, str | None]] = {
    "article_versions": ("article_versions", None),  # table article_versions
    "near_duplicates": ("articles", "similarity"),  # column articles.similarity
}
# The demo is one site whose republished copy is stored as an alias, so it has no cluster;
# test_near_duplicate_clusters_show_every_copy_with_its_attribution gives it one.
EMPTY_ON_DEMO = {"near_duplicates"}


def seed(archive: Path) -> sqlite3.Row:
    """The seed article's row."""
    with sqlite3.connect(archive) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(
            "select * from articles where url like ?", (f"%{SEED_PATH}",)
        ).fetchone()


def has_schema(archive: Path, table: str, column: str | None) -> bool:
    """Whether the archive has ``table`` (and its ``column``)."""
    with sqlite3.connect(archive) as conn:
        columns = {row[1] for row in conn.execute(f"pragma table_info({table})")}
    return bool(columns) and (column is None or column in columns)
