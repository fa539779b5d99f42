"""Each pipeline alone, built the way Scrapy builds it (from_crawler with real settings)."""

import json
import re

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlite_utils import Database

from newscrawler.items import ArticleItem
from newscrawler.pipelines import (
    ArchivePipeline,
    CleanPipeline,
    DedupPipeline,
    DuplicateContent,
    DuplicateUrl,
    EmptyBody,
    MissingTitle,
    TooShort,
    ValidatePipeline,
)
from newscrawler.spiders.news import NewsSpider

BODY = " ".join(["Die NATO und Südkorea beraten über die Ukraine."] * 6)


def make_crawler(tmp_path, **settings):
    crawler = get_crawler(
        NewsSpider,
        {
            "ARCHIVE_PATH": str(tmp_path / "news.db"),
            "EXTENSIONS": {"newscrawler.extensions.ArchiveExtension": 0},
            **settings,
        },
    )
    crawler.spider = crawler._create_spider(start_urls="https://example.org/")
    return crawler


def item(url="https://example.org/2024/07/06/a/", body=BODY, title="Titel", **extra):
    return ArticleItem(url=url, title=title, body=body, fetched_url=url, **extra)


def test_clean_removes_every_seed_artifact_and_counts_the_rules(tmp_path, seed_article):
    crawler = make_crawler(tmp_path)
    pipeline = CleanPipeline.from_crawler(crawler)
    title, _, body = seed_article.partition("\n\n")
    cleaned = pipeline.process_item(item(title=title + " ", body=body, authors=["Von X", "Von X"]))
    for artifact in (
        "< strong>",
        "„NATO\n",
        "Südkorea .",
        "Ähnliche Themen",
        "Weitere Nachrichten",
        "Leave a Reply",
    ):
        assert artifact not in cleaned.body
    assert cleaned.title == title
    assert cleaned.authors == ["Von X"]
    assert cleaned.source_attribution == "UNIAN"
    assert cleaned.word_count == len(cleaned.body.split())
    stats = crawler.stats.get_stats()
    assert stats["newscrawler/clean/strip_tag_remnants"] == 1
    assert stats["newscrawler/clean/drop_lone_fragments"] == 1
    assert stats["newscrawler/clean/strip_boilerplate"] == 1


def test_clean_takes_phrase_lists_from_settings(tmp_path):
    crawler = make_crawler(tmp_path, CLEAN_TAIL_MARKERS={"de": ["Mehr vom Autor"]})
    cleaned = CleanPipeline.from_crawler(crawler).process_item(
        item(body="Text.\n\nMehr vom Autor\n\nX")
    )
    assert cleaned.body == "Text."


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"title": ""}, MissingTitle),
        ({"title": None}, MissingTitle),
        ({"body": "   "}, EmptyBody),
        ({"body": "Zu kurz."}, TooShort),
    ],
)
def test_validate_drops_with_a_reason(tmp_path, fields, reason):
    pipeline = ValidatePipeline.from_crawler(make_crawler(tmp_path))
    with pytest.raises(reason) as raised:
        pipeline.process_item(item(**fields))
    assert isinstance(raised.value, DropItem)


def test_validate_keeps_an_article(tmp_path):
    pipeline = ValidatePipeline.from_crawler(make_crawler(tmp_path))
    article = item()
    assert pipeline.process_item(article) is article


def test_dedup_canonicalises_and_drops_repeats_and_copies(tmp_path):
    crawler = make_crawler(tmp_path)
    dedup = DedupPipeline.from_crawler(crawler)
    dedup.open_spider()
    first = dedup.process_item(item("https://Example.org/2024/07/06/a/?utm_source=x#top"))
    assert first.url == "https://example.org/2024/07/06/a/"
    assert first.site == "example.org"
    assert len(first.content_hash) == 64
    with pytest.raises(DuplicateUrl):
        dedup.process_item(item("https://example.org/2024/07/06/a/?fbclid=1"))
    with pytest.raises(
        DuplicateContent, match=re.escape("same text as https://example.org/2024/07/06/a/")
    ):
        dedup.process_item(
            item("https://example.org/2024/07/08/kopie/", title="Andere Überschrift")
        )
    assert crawler.stats.get_value("newscrawler/dedup/duplicate_content") == 1


def test_archive_pipeline_writes_articles_and_the_crawl_row(tmp_path):
    crawler = make_crawler(tmp_path)
    pipelines = [
        cls.from_crawler(crawler)
        for cls in (CleanPipeline, ValidatePipeline, DedupPipeline, ArchivePipeline)
    ]
    for pipeline in pipelines:
        getattr(pipeline, "open_spider", lambda: None)()
    for url, body in [
        ("https://example.org/2024/07/06/a/", BODY),
        ("https://example.org/2024/07/06/a/?utm_medium=email", BODY),
        ("https://example.org/2024/07/08/copy/", BODY),
        ("https://example.org/2024/07/07/b/", BODY.replace("Ukraine", "Ostsee")),
    ]:
        article = item(
            url, body=body, related=[{"url": "https://example.org/2024/07/07/b/", "title": "B"}]
        )
        try:
            for pipeline in pipelines:
                article = pipeline.process_item(article)
        except DropItem:
            crawler.stats.inc_value("item_dropped_count")
    pipelines[-1].close_spider()
    pipelines[-1].spider_closed(crawler.spider, "finished")
    db = Database(tmp_path / "news.db")
    assert [r["url"] for r in db["articles"].rows] == [
        "https://example.org/2024/07/06/a/",
        "https://example.org/2024/07/07/b/",
    ]
    assert db["related_links"].get(1)["target_article_id"] == 2
    assert db["url_aliases"].get("https://example.org/2024/07/08/copy/")["article_id"] == 1
    crawl = db["crawls"].get(1)
    assert crawl["finish_reason"] == "finished"
    assert crawl["articles_new"] == 2
    assert crawl["duplicates"] == 2
    assert json.loads(crawl["stats"])["newscrawler/archive/articles_new"] == 2


def test_archive_pipeline_refuses_an_empty_path(tmp_path):
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured, match="ARCHIVE_PATH"):
        ArchivePipeline.from_crawler(make_crawler(tmp_path, ARCHIVE_PATH=""))


def test_clean_takes_a_workers_cleaning_of_this_very_body_and_nothing_else(tmp_path):
    from newscrawler.extract.clean import CleanedBody, clean_body
    from newscrawler.items import WorkerOutput

    crawler = make_crawler(tmp_path)
    pipeline = CleanPipeline.from_crawler(crawler)
    raw = BODY + "\n\nÄhnliche Themen:\n\nLeave a Reply"
    # What a worker reports for this body is taken as it is (here recognisably so).
    from_worker = CleanedBody(source=raw, body="Vom Worker bereinigt.", source_attribution="dpa",
                              word_count=3, fired=("strip_boilerplate",))  # fmt: skip
    marked = item(body=raw)
    marked.worker = WorkerOutput(cleaned=from_worker)
    cleaned = pipeline.process_item(marked)
    assert (cleaned.body, cleaned.source_attribution, cleaned.word_count) == (
        "Vom Worker bereinigt.",
        "dpa",
        3,
    )
    # A worker result for another text is not: the body changed since the worker saw it.
    stale = item(body=raw)
    stale.worker = WorkerOutput(cleaned=clean_body("Ein ganz anderer Text."))
    assert pipeline.process_item(stale).body == clean_body(raw).body == BODY
    assert marked.worker.cleaned is None and stale.worker.cleaned is None  # taken off the item
    assert crawler.stats.get_value("newscrawler/clean/strip_boilerplate") == 2


def test_dedup_takes_a_workers_digest_of_this_very_body_and_nothing_else(tmp_path):
    from newscrawler.dedup.hashing import content_hash
    from newscrawler.dedup.minhash import BodyDigest, digest_of
    from newscrawler.items import WorkerOutput

    pipeline = DedupPipeline.from_crawler(make_crawler(tmp_path))
    # What a worker reports for this body is taken as it is (here recognisably so).
    marked = item(url="https://example.org/2024/07/06/a/")
    marked.worker = WorkerOutput(digest=BodyDigest(BODY, "f" * 64, digest_of(BODY).signature))
    assert pipeline.process_item(marked).content_hash == "f" * 64
    # A digest of another text is not: the body changed since the worker saw it.
    stale = item(url="https://example.org/2024/07/06/b/", body=BODY + " Nachtrag.")
    stale.worker = WorkerOutput(digest=digest_of(BODY))
    assert pipeline.process_item(stale).content_hash == content_hash(BODY + " Nachtrag.")
    assert marked.worker.digest is None and stale.worker.digest is None  # taken off the item


def test_a_digest_is_the_content_hash_and_the_signature_of_the_body():
    from newscrawler.dedup.hashing import content_hash
    from newscrawler.dedup.minhash import digest_of, signature_of

    digest = digest_of(BODY)
    assert digest.content_hash == content_hash(BODY)
    assert digest.signature.minhashes.tolist() == signature_of(BODY).minhashes.tolist()
    assert digest.signature.shingles == signature_of(BODY).shingles
