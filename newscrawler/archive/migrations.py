"""The archive's schema, as an ordered sqlite-utils migration set.

Add a new migration function at the end to change the schema; never edit one that has
shipped, since existing archives have already applied it.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

__all__ = ["FTS_COLUMNS", "FTS_RANK", "migrations"]

migrations = Migrations("newscrawler")

#: Columns of ``articles`` indexed for full-text search (``articles_fts``).
FTS_COLUMNS = ("title", "subtitle", "body")
#: bm25 weights of the ``articles_fts`` columns (title, subtitle, body): a hit in the title
#: says more about what an article is about than one somewhere in its text.
FTS_RANK = "bm25(10.0, 3.0, 1.0)"


@migrations()
def m001_initial(db: Database) -> None:
    """Articles, their related links, URL aliases and crawl runs, with full-text search."""
    db.table("crawls").create(
        {
            "id": int,
            "spider": str,
            "site": str,
            "start_urls": str,  # JSON array
            "args": str,  # JSON object of the spider arguments
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "articles_new": int,
            "articles_updated": int,
            "articles_unchanged": int,
            "duplicates": int,
            "dropped": int,
            "stats": str,  # JSON of the Scrapy stats
        },
        pk="id",
    )
    db.table("articles").create(
        {
            "id": int,
            "url": str,
            "site": str,
            "title": str,
            "subtitle": str,
            "authors": str,  # JSON array
            "published_at": str,
            "modified_at": str,
            "language": str,
            "section": str,
            "tags": str,  # JSON array
            "body": str,
            "image": str,
            "word_count": int,
            "content_hash": str,
            "source_attribution": str,
            "duplicate_of": int,
            "fetched_url": str,
            "http_status": int,
            "first_seen_at": str,
            "last_seen_at": str,
            "crawl_id": int,
            "extractor_version": str,
            "raw_page_id": int,
        },
        pk="id",
        not_null={"url"},
        foreign_keys=[("duplicate_of", "articles", "id"), ("crawl_id", "crawls", "id")],
    )
    articles = db.table("articles")
    articles.create_index(["url"], unique=True)
    articles.create_index(["content_hash"])
    articles.create_index(["site", "published_at"])
    articles.create_index(["published_at"])
    articles.create_index(["duplicate_of"])
    articles.enable_fts(list(FTS_COLUMNS), create_triggers=True, tokenize="unicode61")

    db.table("related_links").create(
        {
            "id": int,
            "article_id": int,
            "position": int,
            "target_url": str,
            "anchor_text": str,
            "target_article_id": int,
        },
        pk="id",
        not_null={"article_id", "position", "target_url"},
        foreign_keys=[("article_id", "articles", "id"), ("target_article_id", "articles", "id")],
    )
    links = db.table("related_links")
    links.create_index(["article_id", "position"], unique=True)
    links.create_index(["target_url"])
    links.create_index(["target_article_id"])

    db.table("url_aliases").create(
        {"url": str, "article_id": int, "reason": str, "first_seen_at": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("url_aliases").create_index(["article_id"])


@migrations()
def m003_near_duplicates(db: Database) -> None:
    """MinHash fingerprints and their LSH buckets, so near-duplicate lookups stay indexed."""
    db.table("articles").add_column("similarity", float)
    db.table("article_signatures").create(
        {"article_id": int, "signature": bytes, "shingles": int},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_lsh").create(
        {"band": int, "bucket": int, "article_id": int},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_lsh").create_index(["band", "bucket"])
    db.table("article_lsh").create_index(["article_id"])


@migrations()
def m004_analyst_columns(db: Database) -> None:
    """Dates that sort and facet (UTC, offset, local day, source), and views for analysts.

    ``articles_unique`` hides copies; ``stories`` is one row per story: the first copy with
    the sites and source attributions of every copy of it.
    """
    from newscrawler.archive.derived import ANALYST_COLUMNS, analyst_columns

    articles = db.table("articles")
    for column in ANALYST_COLUMNS:
        articles.add_column(column, str)
    rows = db.execute(
        "select id, url, fetched_url, published_at, modified_at from articles"
    ).fetchall()
    for article_id, url, fetched_url, published_at, modified_at in rows:
        derived = analyst_columns(
            {
                "url": url,
                "fetched_url": fetched_url,
                "published_at": published_at,
                "modified_at": modified_at,
            }
        )
        articles.update(article_id, derived)
    articles.create_index(["published_utc"])
    articles.create_index(["published_day"])
    db.create_view(
        "articles_unique",
        "select * from articles where duplicate_of is null",
    )
    db.create_view(
        "stories",
        """select a.id as story_id, coalesce(a.published_utc, a.published_at) as published,
       a.published_day, a.title, a.site, a.section, a.language, a.url,
       1 + count(c.id) as copies,
       (select json_group_array(distinct s.site) from articles s
         where s.id = a.id or s.duplicate_of = a.id) as sites,
       (select json_group_array(distinct s.source_attribution) from articles s
         where (s.id = a.id or s.duplicate_of = a.id) and s.source_attribution is not null)
         as source_attributions
from articles a left join articles c on c.duplicate_of = a.id
where a.duplicate_of is null
group by a.id""",
    )


@migrations()
def m005_incremental(db: Database) -> None:
    """Article versions, HTTP validators for conditional requests, and feed/sitemap state."""
    db.table("article_versions").create(
        {
            "id": int,
            "article_id": int,
            "version": int,
            "title": str,
            "subtitle": str,
            "authors": str,
            "published_at": str,
            "modified_at": str,
            "body": str,
            "content_hash": str,
            "first_seen_at": str,
            "seen_at": str,
            "replaced_at": str,
            "crawl_id": int,
            "changed_fields": str,  # JSON array of the fields the next version changed
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("crawl_id", "crawls", "id")],
    )
    db.table("article_versions").create_index(["article_id", "version"], unique=True)
    db.table("articles").add_column("versions", int)
    db.table("articles").add_column("http_etag", str)
    db.table("articles").add_column("http_last_modified", str)
    db.table("feed_state").create(
        {
            "url": str,
            "kind": str,  # feed or sitemap
            "http_etag": str,
            "http_last_modified": str,
            "last_status": int,
            "last_fetched_at": str,
            "entries": int,
        },
        pk="url",
    )


@migrations()
def m006_search_at_scale(db: Database) -> None:
    """Re-index an article only when its text changes; weigh title hits in ``rank``; facet indexes.

    sqlite-utils' update trigger re-indexed the whole text on every update, so marking an
    article as seen again (``last_seen_at``) tokenised its body twice. The trigger keeps its
    name, so sqlite-utils' ``disable_fts``/``enable_fts(replace=True)`` still find it. The
    ``rank`` setting makes ``order by rank`` (ad-hoc queries, ``scrapy export --query``) rank
    as the canned search does. Datasette's default facets on section and language read every
    article row without an index (0.3 s per table page at 100,000 articles, 0.03 s with them).
    """
    columns = ", ".join(f'"{c}"' for c in FTS_COLUMNS)
    old = ", ".join(f'old."{c}"' for c in FTS_COLUMNS)
    new = ", ".join(f'new."{c}"' for c in FTS_COLUMNS)
    db.execute('DROP TRIGGER IF EXISTS "articles_au"')
    db.execute(
        f'CREATE TRIGGER "articles_au" AFTER UPDATE OF {columns} ON "articles" BEGIN\n'
        f'  INSERT INTO "articles_fts" ("articles_fts", rowid, {columns}) VALUES(\'delete\', old.rowid, {old});\n'
        f'  INSERT INTO "articles_fts" (rowid, {columns}) VALUES (new.rowid, {new});\n'
        "END"
    )
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', ?)", [FTS_RANK])
    db.table("articles").create_index(["section"], if_not_exists=True)
    db.table("articles").create_index(["language"], if_not_exists=True)


@migrations()
def m007_revisit_policy(db: Database) -> None:
    """Adaptive re-checks: how often an article was re-checked unchanged, and dropped pages.

    The recrawl policy waits longer before each re-check while an article stays the same
    (``unchanged_checks`` counts them; a change resets it). Pages dropped as too short or not
    an article are remembered with their validators, so they are re-checked on the same
    policy, conditionally, instead of downloaded whole on every run.
    """
    db.table("articles").add_column("unchanged_checks", int, not_null_default=0)
    db.table("dropped_pages").create(
        {
            "url": str,
            "site": str,
            "reason": str,  # the drop reason (TooShort, NotAnArticle, ...)
            "first_dropped_at": str,
            "last_checked_at": str,
            "unchanged_checks": int,
            "http_etag": str,
            "http_last_modified": str,
        },
        pk="url",
        not_null={"reason", "first_dropped_at", "last_checked_at"},
        defaults={"unchanged_checks": 0},
    )
    db.table("dropped_pages").create_index(["site"])


@migrations()
def m008_reader_front_end(db: Database) -> None:
    """An index the front end's index page reads: articles per day and site without the rows.

    The chart of the Datasette front end (``newscrawler/archive/frontend``) counts articles
    per ``published_day`` and ``site`` over the last 60 days; with this covering index it
    reads index entries only (33 ms -> 1 ms at 100,000 articles, ``python -m bench.frontend``).
    """
    db.table("articles").create_index(["published_day", "site"], if_not_exists=True)


@migrations()
def m009_stories_row_by_row(db: Database) -> None:
    """The ``stories`` view without GROUP BY, so a page of it reads only the rows it shows.

    The same columns and rows as m004's view (one row per first copy, its copies counted, the
    sites and source attributions of all of them), with the copies counted by a subquery per
    row instead of a grouped join. SQLite can then flatten the view into Datasette's query:
    ``order by story_id desc limit 51`` and ``count(*)`` read an index instead of grouping the
    whole archive first (2 s -> 2 ms at 100,000 articles, ``python -m bench.frontend``).
    """
    db.create_view(
        "stories",
        """select a.id as story_id, coalesce(a.published_utc, a.published_at) as published,
       a.published_day, a.title, a.site, a.section, a.language, a.url,
       1 + (select count(*) from articles c where c.duplicate_of = a.id) as copies,
       (select json_group_array(distinct s.site) from articles s
         where s.id = a.id or s.duplicate_of = a.id) as sites,
       (select json_group_array(distinct s.source_attribution) from articles s
         where (s.id = a.id or s.duplicate_of = a.id) and s.source_attribution is not null)
         as source_attributions
from articles a
where a.duplicate_of is null""",
        replace=True,
    )


@migrations()
def m010_writer_flat_at_scale(db: Database) -> None:
    """The archive writer's cost per article stays flat as the archive grows (issue 19).

    1. No (band, bucket) index on ``article_lsh``: the buckets are looked up in memory. The
       index is keyed on random hashes, so every new bucket row took a random leaf page of it:
       a batch of 50 articles dirtied ten times more pages at 100,000 articles than at 1,000,
       and the WAL checkpoints copied them all back. The table stays, appended in article
       order; :class:`newscrawler.archive.duplicates.BucketIndex` reads it once.
    2. A page cache of 16,000 pages (64 MB) for every connection, kept in the file's header
       (``default_cache_size``): the interior pages of the URL, hash and link indexes a batch
       walks stay in memory instead of being read again from the OS for every batch (SQLite's
       default is 2 MB). Figures: ``python -m bench.archive_scale``, docs/scaling.md.
    """
    db.execute("DROP INDEX IF EXISTS idx_article_lsh_band_bucket")
    db.execute("PRAGMA default_cache_size = 16000")
