"""The writer's near-duplicate look-up at scale (issue 19): the in-memory bucket index.

:class:`~newscrawler.archive.duplicates.BucketIndex` must find exactly what a (band, bucket)
index of ``article_lsh`` found, whatever its directory, tail and merges do; and an archive
must see another connection's writes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newscrawler.archive import Archive
from newscrawler.archive.duplicates import BucketIndex, bucket_keys
from newscrawler.dedup.minhash import BANDS, NUM_PERM, Signature, signature_of


def brute_force(rows: np.ndarray, keys: np.ndarray) -> set[int]:
    """What a (band, bucket) index of the rows finds for ``keys``."""
    wanted = set(keys.tolist())
    return {aid for band, bucket, aid in rows.tolist() if bucket_keys_of(band, bucket) in wanted}


def bucket_keys_of(band: int, bucket: int) -> int:
    buckets = [0] * BANDS
    buckets[band] = bucket
    return int(bucket_keys(buckets)[band])


@pytest.mark.parametrize("articles", [3, 400, 3000])
def test_the_index_finds_what_the_table_holds(articles: int) -> None:
    rng = np.random.default_rng(articles)
    buckets = rng.integers(-(2**63), 2**63 - 1, (articles, BANDS), dtype=np.int64)
    buckets[articles // 2] = buckets[0]  # a copy: every bucket shared
    buckets[1:100, 5] = buckets[0, 5]  # many articles in one bucket: wider than WINDOW
    rows = np.array(
        [(band, buckets[a, band], a) for a in range(articles) for band in range(BANDS)],
        dtype=np.int64,
    )
    half = len(rows) // 2
    index = BucketIndex(rows[:half])
    index.MERGE_AT = 500  # merges happen while the rest is added
    for a in sorted({int(aid) for aid in rows[half:, 2]}):
        mine = rows[half:][rows[half:, 2] == a]
        index.add(a, _keys(mine))
    assert len(index) == len(rows)
    for probe in (0, articles // 2, articles - 1, 7 % articles):
        keys = bucket_keys(buckets[probe].tolist())
        assert index.candidates(keys) == brute_force(rows, keys)
    unknown = bucket_keys(rng.integers(-(2**63), 2**63 - 1, BANDS, dtype=np.int64).tolist())
    assert index.candidates(unknown) == set()


def _keys(rows: np.ndarray) -> np.ndarray:
    return np.array([bucket_keys_of(int(b), int(k)) for b, k, _ in rows.tolist()], dtype=np.int64)


def test_an_empty_index_finds_nothing() -> None:
    index = BucketIndex(np.empty((0, 3), dtype=np.int64))
    signature = Signature(np.arange(NUM_PERM, dtype=np.uint64), 100)
    assert index.candidates(bucket_keys(signature.buckets())) == set()


def _article(url: str, body: str) -> dict[str, object]:
    return {"url": url, "site": "example.org", "title": "t", "body": body, "content_hash": url}


def test_a_near_copy_is_found_across_connections_and_after_an_update(tmp_path: Path) -> None:
    text = " ".join(f"wort{n} satz{n % 7} teil{n % 13}" for n in range(300))
    copy = text.replace("wort5 ", "anders ")
    path = tmp_path / "news.db"
    first = Archive.open(path, batch_size=1)
    first.start_crawl("test")
    signature = signature_of(text)
    assert signature is not None
    first.add_signature("https://example.org/a/", signature)
    first.add_article(_article("https://example.org/a/", text))
    near = signature_of(copy)
    assert near is not None
    match = first.find_near_duplicate(near, url="https://example.org/b/", threshold=0.7)
    assert match is not None and match.url == "https://example.org/a/"

    # Another connection writes a second story; the first one's index learns of it.
    other_text = " ".join(f"ganz{n} neu{n % 5} text{n % 11}" for n in range(300))
    second = Archive.open(path, batch_size=1)
    second.start_crawl("test")
    other = signature_of(other_text)
    assert other is not None
    second.add_signature("https://example.org/c/", other)
    second.add_article(_article("https://example.org/c/", other_text))
    second.close()
    probe = signature_of(other_text.replace("ganz7 ", "x "))
    assert probe is not None
    match = first.find_near_duplicate(probe, url="https://example.org/d/", threshold=0.7)
    assert match is not None and match.url == "https://example.org/c/"

    # The first story is stored again with another text: its old buckets find it no more.
    first.add_signature("https://example.org/a/", other)
    first.add_article({**_article("https://example.org/a/", other_text), "content_hash": "new"})
    match = first.find_near_duplicate(near, url="https://example.org/b/", threshold=0.7)
    assert match is None
    first.close()
