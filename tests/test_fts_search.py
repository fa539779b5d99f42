"""Search at scale: the ranked canned query, the full-text triggers, facet indexes, their migration."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlite_utils import Database

from newscrawler.archive import Archive
from newscrawler.archive.migrations import FTS_RANK, migrations

METADATA = Path(__file__).resolve().parents[1] / "newscrawler" / "archive" / "metadata.yml"
SEARCH_SQL = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["news"]["queries"][
    "search_ranked"
]["sql"]
# The plain ranking the canned query must agree with whenever it ranks every match.
EXACT_SQL = """select articles.id from articles_fts join articles on articles.rowid = articles_fts.rowid
where articles_fts match :q and articles.duplicate_of is null
order by bm25(articles_fts, 10.0, 3.0, 1.0), articles.id desc limit 50"""
RANKED = 10_000  # most recently archived matches the canned query ranks
ARTICLES = RANKED + 200


def search(db: sqlite3.Connection, q: str) -> list[sqlite3.Row]:
    return db.execute(SEARCH_SQL, {"q": q}).fetchall()


def fts_segments(db: Database) -> int:
    return db.execute("select count(*) from articles_fts_data").fetchone()[0]


def integrity_check(db: Database) -> None:
    """Raises if the full-text index disagrees with the articles it indexes."""
    db.execute("insert into articles_fts (articles_fts) values ('integrity-check')")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """An archive of 10,200 short articles: "Alltag" in all, "Wahlkreis" in every 30th."""
    path = tmp_path_factory.mktemp("fts") / "news.db"
    Archive.open(path).close()
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row

    def row(n: int) -> tuple[str, str, str, str]:
        body = f"Bericht {n} über den Alltag in der Stadt" + " und mehr" * (n % 7)
        if n % 30 == 0:
            body += " im Wahlkreis"
        return (f"https://x.example/{n}", "x.example", f"Meldung {n}", body)

    with conn:
        conn.executemany(
            "insert into articles (url, site, title, body) values (?, ?, ?, ?)",
            map(row, range(ARTICLES)),
        )
        # The article archived first, and one archived last, carry the common word in the title.
        conn.execute("update articles set title = 'Alltag Alltag' where id in (1, ?)", [ARTICLES])
    yield conn
    conn.close()


def test_ranked_search_agrees_with_plain_bm25_when_it_ranks_every_match(big):
    ids = [r["id"] for r in search(big, "Wahlkreis")]
    assert len(ids) == 50
    assert ids == [r[0] for r in big.execute(EXACT_SQL, {"q": "Wahlkreis"})]


def test_a_title_hit_outranks_text_hits_and_the_snippet_marks_it(big):
    big.execute("update articles set title = 'Neuer Wahlkreis' where id = 5")
    try:
        best = search(big, "Wahlkreis")[0]
    finally:
        big.execute("update articles set title = 'Meldung 4' where id = 5")
        big.commit()
    assert best["id"] == 5 and "**Wahlkreis**" in best["snippet"]


def test_copies_are_hidden_without_costing_a_place(big):
    best = search(big, "Wahlkreis")[0]["id"]
    big.execute("update articles set duplicate_of = 2 where id = ?", [best])
    try:
        rows = search(big, "Wahlkreis")
    finally:
        big.execute("update articles set duplicate_of = null where id = ?", [best])
        big.commit()
    assert best not in {r["id"] for r in rows} and len(rows) == 50


def test_phrases_and_boolean_queries_work(big):
    rows = search(big, '"im Wahlkreis" AND Bericht NOT Meldung')
    assert [r["id"] for r in rows] == [1]  # the one title in the Wahlkreis without "Meldung"
    rows = search(big, '"im Wahlkreis" AND Bericht')
    assert len(rows) == 50 and all("**im Wahlkreis**" in r["snippet"] for r in rows)
    assert search(big, '"Wahlkreis im"') == []


def test_a_word_in_every_article_ranks_the_ten_thousand_archived_last(big):
    rows = search(big, "Alltag")
    assert len(rows) == 50 and rows[0]["id"] == ARTICLES  # the newer title hit
    assert min(r["id"] for r in rows) > ARTICLES - RANKED  # the older one is not ranked
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)


def test_order_by_rank_is_the_canned_querys_ranking(big):
    assert "bm25(articles_fts, 10.0, 3.0, 1.0)" in SEARCH_SQL and FTS_RANK == "bm25(10.0, 3.0, 1.0)"
    by_rank = big.execute(
        "select rowid from articles_fts where articles_fts match 'Wahlkreis' order by rank, rowid desc limit 50"
    ).fetchall()
    assert [r[0] for r in by_rank] == [r["id"] for r in search(big, "Wahlkreis")]


def test_seeing_an_article_again_leaves_the_text_index_alone(tmp_path):
    archive = Archive.open(tmp_path / "news.db", batch_size=1)
    archive.start_crawl("news")
    archive.add_article(
        {"url": "https://x.example/a", "title": "Gipfel", "body": "Ein Text über den Gipfel."}
    )
    segments = fts_segments(archive.db)
    assert archive.touch("https://x.example/a")
    archive.add_article(
        {"url": "https://x.example/a", "title": "Gipfel", "body": "Ein Text über den Gipfel."}
    )
    assert fts_segments(archive.db) == segments  # neither re-crawl wrote to the index
    integrity_check(archive.db)
    archive.close()


def test_a_changed_text_is_reindexed(tmp_path):
    archive = Archive.open(tmp_path / "news.db", batch_size=1)
    archive.start_crawl("news")
    archive.add_article(
        {"url": "https://x.example/a", "title": "Gipfel", "body": "Alt.", "content_hash": "1"}
    )
    archive.add_article(
        {"url": "https://x.example/a", "title": "Treffen", "body": "Neu.", "content_hash": "2"}
    )

    def hits(q: str) -> list[tuple[int]]:
        return archive.db.execute(
            "select rowid from articles_fts where articles_fts match ?", [q]
        ).fetchall()

    assert hits("Gipfel") == [] and len(hits("Treffen")) == 1
    integrity_check(archive.db)
    archive.close()


def test_an_older_archive_is_upgraded_and_stays_searchable(tmp_path):
    db = Database(tmp_path / "news.db")
    migrations.apply(db, stop_before="m006_search_at_scale")
    db["articles"].insert({"url": "https://x.example/a", "title": "Gipfel", "body": "Text"})
    Archive.open(tmp_path / "news.db").close()  # what a crawl does first: migrate
    db = Database(tmp_path / "news.db")
    trigger = db.execute("select sql from sqlite_master where name = 'articles_au'").fetchone()[0]
    assert 'UPDATE OF "title", "subtitle", "body"' in trigger
    assert (
        db.execute("select v from articles_fts_config where k = 'rank'").fetchone()[0] == FTS_RANK
    )
    db.execute("update articles set title = 'Treffen', last_seen_at = 'now'")
    assert db.execute(
        "select rowid from articles_fts where articles_fts match 'Treffen'"
    ).fetchall() == [(1,)]
    integrity_check(db)


@pytest.mark.parametrize("column", ["site", "section", "language", "published_day"])
def test_default_facets_are_counted_from_an_index(tmp_path, column):
    Archive.open(tmp_path / "news.db").close()
    facets = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["news"]["tables"][
        "articles"
    ]["facets"]
    assert column in facets
    # The query Datasette runs for a facet of the table page.
    sql = f"select {column} as value, count(*) as count from (select * from articles) where {column} is not null group by {column}"
    plan = " ".join(
        row[3] for row in sqlite3.connect(tmp_path / "news.db").execute("explain query plan " + sql)
    )
    assert "COVERING INDEX" in plan, plan
