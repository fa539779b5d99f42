"""The SQLite archive: schema, batched writes, updates, related-link resolution, bad files."""

import json
import sqlite3

import pytest
from sqlite_utils import Database

from newscrawler.archive import Archive, ArchiveError
from newscrawler.archive.migrations import migrations


def article(url, body="Ein Text über den NATO-Gipfel in Washington.", **extra):
    record = {
        "url": url,
        "site": "example.org",
        "title": "Titel " + url[-3:],
        "authors": ["Erika Beispiel"],
        "tags": ["NATO"],
        "body": body,
        "content_hash": str(hash(body)),
        "word_count": len(body.split()),
        "related": [],
    }
    record.update(extra)
    return record


@pytest.fixture
def archive(tmp_path):
    archive = Archive.open(tmp_path / "sub" / "news.db", batch_size=2)
    archive.start_crawl("news", start_urls=["https://example.org/"], args={"site": "demo"})
    yield archive
    archive.close()


def test_open_creates_folder_schema_wal_and_fts(tmp_path):
    Archive.open(tmp_path / "a" / "b" / "news.db").close()
    db = Database(tmp_path / "a" / "b" / "news.db")
    assert {"articles", "related_links", "crawls", "url_aliases", "articles_fts"} <= set(
        db.table_names()
    )
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db["articles"].detect_fts() == "articles_fts"


def test_reopening_applies_no_migration_twice(tmp_path):
    Archive.open(tmp_path / "news.db").close()
    Archive.open(tmp_path / "news.db").close()
    db = Database(tmp_path / "news.db")
    names = [row["name"] for row in db["_sqlite_migrations"].rows]
    assert len(names) == len(set(names)) == len(migrations._migrations)


def test_batch_is_written_when_full_and_on_close(tmp_path):
    path = tmp_path / "news.db"
    archive = Archive.open(path, batch_size=2)
    archive.start_crawl("news")
    assert archive.add_article(article("https://example.org/1")) is None
    assert Database(path)["articles"].count == 0  # queued, not written
    counts = archive.add_article(article("https://example.org/2", body="Anderer Text."))
    assert counts is not None and counts.new == 2
    archive.add_article(article("https://example.org/3", body="Dritter Text."))
    archive.close()
    assert Database(path)["articles"].count == 3


def test_same_url_again_is_unchanged_or_updated_never_a_second_row(archive):
    archive.add_article(article("https://example.org/1"))
    archive.flush()
    first = archive.db["articles"].get(1)
    counts = archive.add_article(article("https://example.org/1"))
    counts = archive.flush()
    assert (counts.new, counts.unchanged) == (0, 1)
    changed = article("https://example.org/1", body="Neue Fassung des Textes.", content_hash="h2")
    archive.add_article(changed)
    assert archive.flush().updated == 1
    assert archive.db["articles"].count == 1
    row = archive.db["articles"].get(1)
    assert row["body"] == "Neue Fassung des Textes."
    assert row["first_seen_at"] == first["first_seen_at"]
    assert json.loads(row["authors"]) == ["Erika Beispiel"]


def test_related_links_resolve_in_either_order(archive):
    a = article(
        "https://example.org/a",
        related=[
            {"url": "https://example.org/b", "title": "B"},
            {"url": "https://example.org/elsewhere", "title": "X"},
        ],
    )
    archive.add_article(a)
    archive.flush()  # b not archived yet
    archive.add_article(
        article(
            "https://example.org/b",
            body="B-Text",
            related=[{"url": "https://example.org/a", "title": "A"}],
        )
    )
    archive.flush()
    rows = {(r["article_id"], r["position"]): r for r in archive.db["related_links"].rows}
    assert rows[(1, 1)]["target_article_id"] == 2  # resolved once b arrived
    assert rows[(1, 2)]["target_article_id"] is None
    assert rows[(2, 1)]["target_article_id"] == 1  # resolved at once
    assert rows[(1, 1)]["anchor_text"] == "B"


def test_alias_resolves_to_the_article_and_its_links(archive):
    archive.add_article(
        article(
            "https://example.org/a", related=[{"url": "https://example.org/copy", "title": "C"}]
        )
    )
    archive.add_article(article("https://example.org/b", body="B-Text"))
    archive.flush()
    archive.add_alias("https://example.org/copy", "https://example.org/b", "duplicate_content")
    assert archive.flush().aliases == 1
    assert archive.article_id_for_url("https://example.org/copy") == 2
    assert archive.db["related_links"].get(1)["target_article_id"] == 2


def test_full_text_search_stays_in_sync_on_update(archive):
    archive.add_article(article("https://example.org/1", body="Stoltenberg sprach in Washington."))
    archive.flush()
    assert [r["url"] for r in archive.db["articles"].search("Stoltenberg")] == [
        "https://example.org/1"
    ]
    archive.add_article(
        article("https://example.org/1", body="Rutte sprach in Brüssel.", content_hash="h2")
    )
    archive.flush()
    assert list(archive.db["articles"].search("Stoltenberg")) == []
    assert len(list(archive.db["articles"].search("Rutte"))) == 1


def test_crawl_row_records_reason_counts_and_stats(archive):
    archive.finish_crawl("finished", {"item_scraped_count": 3}, {"articles_new": 3})
    row = archive.db["crawls"].get(archive.crawl_id)
    assert row["finish_reason"] == "finished"
    assert row["articles_new"] == 3
    assert json.loads(row["stats"]) == {"item_scraped_count": 3}
    assert json.loads(row["args"]) == {"site": "demo"}


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "news.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ArchiveError, match="not a usable SQLite archive"):
        Archive.open(path)
    assert path.read_bytes() == b"this is not a database" * 100


def test_a_locked_new_archive_fails_with_a_clear_message(tmp_path):
    path = tmp_path / "news.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("begin exclusive")
    try:
        with pytest.raises(ArchiveError, match="locked"):
            Archive.open(path, timeout=0.2)
    finally:
        holder.execute("rollback")
        holder.close()


def test_a_write_lock_held_elsewhere_keeps_the_batch_queued(tmp_path):
    path = tmp_path / "news.db"
    archive = Archive.open(path, timeout=0.2)
    archive.start_crawl("news")
    archive.add_article(article("https://example.org/1"))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("begin immediate")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            archive.flush()
        assert archive.pending == 1
    finally:
        holder.execute("rollback")
        holder.close()
    assert archive.flush().new == 1
    archive.close()


def test_unwritable_queue_can_be_dumped_without_loss(tmp_path, archive):
    archive.add_article(article("https://example.org/1"))
    archive.add_alias("https://example.org/x", "https://example.org/1", "fetched_as")
    dump = tmp_path / "unsaved.jsonl"
    assert archive.dump_pending(dump) == 2
    lines = [json.loads(line) for line in dump.read_text().splitlines()]
    assert lines[0]["article"]["url"] == "https://example.org/1"
    assert archive.pending == 0


def test_batch_size_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="batch_size"):
        Archive.open(tmp_path / "news.db", batch_size=0)


def test_a_changed_article_keeps_its_earlier_versions(archive):
    archive.add_article(article("https://example.org/1", body="Erste Fassung.", content_hash="h1"))
    archive.flush()
    archive.add_article(article("https://example.org/1", body="Zweite Fassung.", content_hash="h2"))
    archive.flush()
    archive.add_article(
        article("https://example.org/1", body="Dritte Fassung.", content_hash="h3", title="Neu")
    )
    archive.flush()
    row = archive.db["articles"].get(1)
    assert (row["body"], row["versions"]) == ("Dritte Fassung.", 3)
    versions = list(archive.db["article_versions"].rows_where(order_by="version"))
    assert [(v["version"], v["body"]) for v in versions] == [
        (1, "Erste Fassung."),
        (2, "Zweite Fassung."),
    ]
    assert json.loads(versions[0]["changed_fields"]) == ["body"]
    assert json.loads(versions[1]["changed_fields"]) == ["title", "body"]
    assert versions[0]["first_seen_at"] == row["first_seen_at"]
    assert versions[1]["first_seen_at"] == versions[0]["replaced_at"]
    # Seeing the newest text again adds no version.
    archive.add_article(
        article("https://example.org/1", body="Dritte Fassung.", content_hash="h3", title="Neu")
    )
    assert archive.flush().unchanged == 1
    assert archive.db["article_versions"].count == 2


def test_a_second_writer_is_refused_until_the_first_is_done(tmp_path):
    from newscrawler.archive import ArchiveBusy

    first = Archive.open(tmp_path / "news.db", writer_lock=True)
    with pytest.raises(ArchiveBusy, match=r"another crawl is writing .*pid \d+"):
        Archive.open(tmp_path / "news.db", writer_lock=True)
    Archive.open(tmp_path / "news.db").close()  # readers and tools without the lock still open it
    first.close()
    Archive.open(tmp_path / "news.db", writer_lock=True).close()


def test_an_alias_waits_for_its_article_when_a_batch_is_written_before_it(tmp_path):
    """Items interleave between pipelines: an alias can be queued a batch before its article."""
    path = tmp_path / "news.db"
    archive = Archive.open(path, batch_size=1)
    archive.start_crawl("news")
    archive.add_alias("https://example.org/?p=1", "https://example.org/x", "redirect")
    archive.add_article(article("https://example.org/y", body="Anderes."))  # a batch without /x
    archive.add_article(article("https://example.org/x"))
    archive.flush()
    db = Database(path)
    assert [(r["url"], r["reason"]) for r in db["url_aliases"].rows] == [
        ("https://example.org/?p=1", "redirect")
    ]
    archive.close()
