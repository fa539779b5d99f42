"""Near-duplicate detection: signatures, LSH lookups in the archive, and the dedup pipeline's decisions."""

from __future__ import annotations

import random
import zlib

import pytest
from scrapy.utils.test import get_crawler

from newscrawler.archive import Archive
from newscrawler.dedup.hashing import normalize_for_hash
from newscrawler.dedup.minhash import BANDS, NUM_PERM, Signature, signature_of
from newscrawler.items import ArticleItem
from newscrawler.pipelines import ArchivePipeline, DedupPipeline, DuplicateContent
from newscrawler.spiders.news import NewsSpider

STORY = (
    "Die Bundesnetzagentur hat am Dienstag neue Zahlen zu den Gasspeichern vorgelegt. Demnach sind die "
    "deutschen Speicher zu mehr als 80 Prozent gefüllt, deutlich früher als im vergangenen Jahr.\n\n"
    "Behördenchef Klaus Müller sprach von einer entspannten Lage, warnte aber vor Sorglosigkeit. Ein kalter "
    "Winter könne die Vorräte schnell aufbrauchen, sagte er in Bonn.\n\n"
    "Die Großhandelspreise für Gas sind in den vergangenen Wochen leicht gestiegen. Händler verweisen auf "
    "Wartungsarbeiten an norwegischen Anlagen und eine höhere Nachfrage aus Asien.\n\n"
    "Verbraucherschützer raten Haushalten, ihre Verträge zu prüfen. Viele Versorger hätten ihre Tarife "
    "gesenkt, die Ersparnis komme aber nicht bei allen Kunden automatisch an."
)
EDITED = (
    STORY.replace("am Dienstag", "am Dienstagvormittag").replace(
        "sagte er in Bonn.", "sagte er am Rande einer Pressekonferenz in Bonn."
    )
    + "\n\nDie nächste Füllstandsmeldung wird für Ende Juli erwartet."
)
SAME_TOPIC = (
    "Die Gasspeicher in Deutschland füllen sich schneller als erwartet. Wie aus Daten des Branchenverbands "
    "hervorgeht, lag der Füllstand am Montag bei knapp 79 Prozent.\n\n"
    "Energieökonomen führen das auf milde Temperaturen und hohe Importe von Flüssiggas zurück. Die "
    "Terminals an der Nordsee seien gut ausgelastet.\n\n"
    "Für die Verbraucher bedeutet das zunächst keine Entwarnung bei den Preisen. Die Netzentgelte steigen "
    "zum Jahreswechsel, und die Gasspeicherumlage bleibt bestehen, teilte das Ministerium mit."
)


def test_fingerprint_round_trips_and_scores_identical_text_as_one():
    signature = signature_of(STORY)
    assert signature is not None and len(signature.minhashes) == NUM_PERM
    stored = Signature.from_stored(signature.to_bytes(), signature.shingles)
    assert signature.jaccard(stored) == signature.overlap(stored) == 1.0
    assert len(signature.buckets()) == BANDS
    assert signature_of("") is None


def test_edited_copy_is_similar_and_same_topic_story_is_not():
    story, edited, other = (signature_of(t) for t in (STORY, EDITED, SAME_TOPIC))
    assert story.overlap(edited) > 0.7
    assert story.overlap(other) < 0.1
    assert set(story.buckets()) & set(edited.buckets())


def test_a_shortened_copy_overlaps_although_its_jaccard_is_low():
    paragraphs = STORY.split("\n\n")
    short = signature_of("\n\n".join(paragraphs[:2]))
    full = signature_of(STORY)
    assert full.jaccard(short) < 0.6
    assert full.overlap(short) > 0.9


def record(url, body, site="a.example"):
    return {"url": url, "site": site, "title": "T", "body": body, "content_hash": url}


def test_archive_finds_a_near_duplicate_across_runs(tmp_path):
    path = tmp_path / "news.db"
    first = Archive.open(path)
    first.start_crawl("news")
    story = signature_of(STORY)
    first.add_signature("https://a.example/1", story)
    first.add_article(record("https://a.example/1", STORY))
    first.close()

    later = Archive.open(path)  # a new run: nothing in memory
    match = later.find_near_duplicate(
        signature_of(EDITED), url="https://b.example/9", threshold=0.7
    )
    assert match is not None and match.url == "https://a.example/1" and match.similarity > 0.7
    assert (
        later.find_near_duplicate(
            signature_of(SAME_TOPIC), url="https://b.example/8", threshold=0.7
        )
        is None
    )
    # An article is never its own duplicate.
    assert later.find_near_duplicate(story, url="https://a.example/1", threshold=0.7) is None
    later.close()


@pytest.fixture
def pipelines(tmp_path):
    crawler = get_crawler(
        NewsSpider,
        {
            "ARCHIVE_PATH": str(tmp_path / "news.db"),
            "ARCHIVE_BATCH_SIZE": 100,
            "EXTENSIONS": {"newscrawler.extensions.ArchiveExtension": 0},
        },
    )
    crawler.spider = crawler._create_spider(start_urls="https://a.example/")
    dedup, archive = DedupPipeline.from_crawler(crawler), ArchivePipeline.from_crawler(crawler)
    dedup.open_spider()
    archive.open_spider()

    def run(url, body):
        item = archive.process_item(dedup.process_item(ArticleItem(url=url, title="T", body=body)))
        return item

    yield run, archive, crawler
    archive.spider_closed(crawler.spider, "finished")


def test_copies_are_linked_to_the_first_copy_even_within_one_batch(pipelines, tmp_path):
    run, archive, crawler = pipelines
    run("https://a.example/gas", STORY)
    copy = run("https://b.example/gas-kopie", EDITED)  # another site, same batch (not yet written)
    assert copy.duplicate_of_url == "https://a.example/gas"
    assert 0.7 < copy.similarity < 1.0
    agency = run("https://c.example/agentur", STORY)  # exact text on a third site: a republication
    assert (agency.duplicate_of_url, agency.similarity) == ("https://a.example/gas", 1.0)
    other = run("https://b.example/speicher", SAME_TOPIC)
    assert other.duplicate_of_url is None
    with pytest.raises(DuplicateContent):
        run("https://a.example/gas-2", STORY)  # same site, same text: the same article
    archive.close_spider()
    rows = {r["url"]: r for r in archive.archive.db["articles"].rows}
    first_id = rows["https://a.example/gas"]["id"]
    assert rows["https://b.example/gas-kopie"]["duplicate_of"] == first_id
    assert rows["https://c.example/agentur"]["duplicate_of"] == first_id
    assert rows["https://b.example/speicher"]["duplicate_of"] is None
    assert rows["https://a.example/gas"]["duplicate_of"] is None
    stats = crawler.stats.get_stats()
    assert stats["newscrawler/dedup/near_duplicate"] == 1
    assert stats["newscrawler/dedup/republished_copy"] == 1


def test_a_copy_of_a_copy_points_at_the_first_copy(pipelines):
    run, archive, _ = pipelines
    run("https://a.example/gas", STORY)
    run("https://b.example/gas", EDITED)
    archive.close_spider()
    third = run("https://c.example/gas", EDITED + "\n\nEin weiterer Satz zum Schluss.")
    assert third.duplicate_of_url == "https://a.example/gas"


def test_labelled_pairs_precision_and_recall_at_the_default_threshold():
    """The labelled set of tests/dedup_pairs (README there): same stories found, different ones kept apart."""
    import sys
    from pathlib import Path

    from newscrawler import settings

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        import dedup_eval
    finally:
        sys.path.pop(0)
    pairs = dedup_eval.load_pairs(dedup_eval.DEFAULT_PAIRS)
    assert len(pairs) >= 50
    kinds = {pair["kind"] for pair in pairs}
    assert {
        "agency_copy",
        "translated_republished",
        "updated_version",
        "same_topic",
        "shared_boilerplate",
    } <= kinds
    result = dedup_eval.confusion(dedup_eval.score_pairs(pairs), settings.DEDUP_NEAR_THRESHOLD)
    assert result["precision"] >= 0.95, result
    assert result["recall"] >= 0.95, result


def test_fingerprints_are_stable_across_library_versions():
    """Signatures stored by earlier runs must match new ones: pin the algorithm's output.

    If this fails after an upgrade (datasketch changed its default scheme in 2.0), archives
    written before would no longer find their copies: keep the old parameters or migrate.
    """
    signature = signature_of(
        "Die NATO und Südkorea bereiten ein gemeinsames Projekt zur Unterstützung der Ukraine vor"
    )
    assert signature.shingles == 11
    assert [int(v) for v in signature.minhashes[:4]] == [293231035, 153207374, 340705023, 272467708]


def test_signatures_are_datasketchs_affine32_minhash_bit_for_bit():
    """Our numpy MinHash is datasketch's MinHash(seed=1, crc32, affine32): archives stay comparable."""
    datasketch = pytest.importorskip("datasketch")
    rng = random.Random(7)
    words = [
        "Gipfel",
        "Rom",
        "NATO",
        "Südkorea",
        "Ukraine",
        "Straße",
        "über",
        "Ölpreis",
        "die",
        "und",
        "ein",
    ]
    texts = ["eins", "eins zwei", "eins zwei drei", "ß ü ä ö"] + [
        " ".join(rng.choices(words, k=rng.randint(4, 400))) for _ in range(30)
    ]
    for text in texts:
        ours = signature_of(text)
        reference = datasketch.MinHash(
            num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32, scheme="affine32"
        )
        tokens = normalize_for_hash(text).split()
        reference.update_batch(
            [" ".join(tokens[i : i + 3]).encode() for i in range(max(1, len(tokens) - 2))]
        )
        assert (
            ours is not None
            and ours.minhashes.tolist() == reference.hashvalues.astype("uint64").tolist()
        ), text
