"""Duplicate lookups of the archive: exact text hashes and near-duplicate signatures (MinHash/LSH).

The LSH buckets of every stored signature are rows of ``article_lsh``, appended in article
order. They are looked up in memory (:class:`BucketIndex`), not through a (band, bucket) index
of the table: an index keyed on random hashes takes a random leaf page per new row, so a batch
of 50 articles (2,100 bucket rows) dirtied some 2,000 pages of it at 100,000 articles (ten
times what it dirties at 1,000), and the WAL checkpoints copied them all back. The table is
read once, at the first look-up; this connection's own writes join the index as they are
made, and another connection's commits (``PRAGMA data_version``) make it read the table again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlite_utils import Database

from newscrawler.dedup.minhash import BANDS, ROWS, Signature

__all__ = ["BucketIndex", "DuplicateLookups", "NearMatch"]

#: Mixes the band into a bucket id, so one sorted array holds every band's buckets. Two
#: (band, bucket) pairs that mix to one key only make an extra candidate, which is scored.
_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)


def bucket_keys(buckets: Iterable[int]) -> np.ndarray:
    """The index keys (int64) of a signature's buckets, band by band."""
    values = np.fromiter(buckets, dtype=np.int64).view(np.uint64)
    bands = np.arange(len(values), dtype=np.uint64)
    return (values ^ (bands * _BAND_MIX)).view(np.int64)


class BucketIndex:
    """LSH bucket key -> article ids: a sorted array, and a small unsorted tail merged into it.

    A look-up reads a directory cell (the sorted keys under the key's top bits, about four
    keys a cell) and compares the few keys there, all 42 bands at once: two cache misses a
    band, where a binary search over 4 million keys takes some twenty. About 16 bytes per
    bucket row (42 per article), so 67 MB at 100,000 articles, and a directory a quarter of
    the keys' count.
    """

    #: Tail rows that make a merge (an ``np.insert`` into the sorted arrays and a new directory).
    MERGE_AT = 50_000
    #: Widest directory cell compared at once; a wider one (many copies in one bucket) is
    #: searched key by key.
    WINDOW = 64

    def __init__(self, rows: np.ndarray) -> None:
        """``rows``: an (n, 3) int64 array of ``band, bucket, article_id``."""
        keys = self._keys(rows)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.ids = rows[:, 2][order].copy()
        self._tail: dict[int, list[int]] = {}
        self._tail_rows = 0
        self._index()

    @staticmethod
    def _keys(rows: np.ndarray) -> np.ndarray:
        values = rows[:, 1].view(np.uint64)
        return (values ^ (rows[:, 0].view(np.uint64) * _BAND_MIX)).view(np.int64)

    def _index(self) -> None:
        """The directory: where each cell of keys (by their top bits) starts in the array."""
        bits = int(min(24, max(8, np.ceil(np.log2(max(len(self.keys), 1) / 4)))))
        self._shift = 64 - bits
        self._half = 1 << (bits - 1)
        counts = np.bincount(self._cells(self.keys), minlength=1 << bits)
        self._starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self._widest = int(counts.max()) if len(counts) else 0

    def _cells(self, keys: np.ndarray) -> np.ndarray:
        # An arithmetic shift keeps the signed order the keys are sorted in.
        return (keys >> self._shift) + self._half

    def __len__(self) -> int:
        return len(self.keys) + self._tail_rows

    def add(self, article_id: int, keys: np.ndarray) -> None:
        for key in keys.tolist():
            self._tail.setdefault(key, []).append(article_id)
        self._tail_rows += len(keys)
        if self._tail_rows >= self.MERGE_AT:
            self._merge()

    def _merge(self) -> None:
        pairs = sorted((key, aid) for key, ids in self._tail.items() for aid in ids)
        new_keys = np.array([key for key, _ in pairs], dtype=np.int64)
        new_ids = np.array([aid for _, aid in pairs], dtype=np.int64)
        at = np.searchsorted(self.keys, new_keys)
        self.keys = np.insert(self.keys, at, new_keys)
        self.ids = np.insert(self.ids, at, new_ids)
        self._tail.clear()
        self._tail_rows = 0
        self._index()

    def candidates(self, keys: np.ndarray) -> set[int]:
        """Ids of the articles that share at least one of ``keys``."""
        found: set[int] = set()
        if len(self.keys):
            cells = self._cells(keys)
            lo, hi = self._starts[cells], self._starts[cells + 1]
            if self._widest <= self.WINDOW:
                at = lo[:, np.newaxis] + np.arange(max(1, self._widest))
                inside = at < hi[:, np.newaxis]
                at = np.minimum(at, len(self.keys) - 1)
                hits = inside & (self.keys[at] == keys[:, np.newaxis])
                found.update(self.ids[at[hits]].tolist())
            else:
                start = np.searchsorted(self.keys, keys, side="left")
                end = np.searchsorted(self.keys, keys, side="right")
                for first, last in zip(start.tolist(), end.tolist(), strict=True):
                    found.update(self.ids[first:last].tolist())
        if self._tail:
            for key in keys.tolist():
                found.update(self._tail.get(key, ()))
        return found


def share_a_band(one: Signature, other: Signature) -> bool:
    """Whether the two signatures fall into one LSH bucket in some band (equal rows there)."""
    width = BANDS * ROWS
    if len(one.minhashes) < width or len(other.minhashes) < width:
        return False
    equal = one.minhashes[:width].reshape(BANDS, ROWS) == other.minhashes[:width].reshape(
        BANDS, ROWS
    )
    return bool(equal.all(axis=1).any())


def overlaps(signature: Signature, others: list[Signature]) -> list[float]:
    """:meth:`Signature.overlap` with each of ``others``, in one numpy pass (a queued batch holds
    dozens of signatures, and every new article is scored against all of them)."""
    if not others or any(o.minhashes.shape != signature.minhashes.shape for o in others):
        return [signature.overlap(other) for other in others]  # raises on a size mismatch
    equal = np.count_nonzero(np.stack([o.minhashes for o in others]) == signature.minhashes, axis=1)
    jaccard = equal / len(signature.minhashes)
    counts = np.array([o.shingles for o in others], dtype=np.float64)
    common = jaccard * (signature.shingles + counts) / (1 + jaccard)
    shorter = np.maximum(1, np.minimum(signature.shingles, counts))
    return np.minimum(1.0, common / shorter).tolist()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class NearMatch:
    """The first copy of a story that a new text nearly duplicates."""

    url: str
    similarity: float


class DuplicateLookups:
    """The :class:`~newscrawler.archive.Archive` methods that find earlier copies of a text."""

    db: Database
    _articles: list[dict[str, Any]]
    _signatures: dict[str, Signature]
    _buckets: BucketIndex | None = None
    _buckets_version: int | None = None

    def _bucket_index(self) -> BucketIndex:
        """The in-memory bucket index, read from ``article_lsh`` now if another connection has
        committed since (or it was never read)."""
        version = int(self.db.execute("pragma data_version").fetchone()[0])
        if self._buckets is None or version != self._buckets_version:
            cursor = self.db.execute("select band, bucket, article_id from article_lsh")
            rows = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 3)
            self._buckets = BucketIndex(rows)
            self._buckets_version = version
        return self._buckets

    def article_for_hash(self, content_hash: str) -> tuple[str, str] | None:
        """``(url, site)`` of the first copy stored with this body hash, else ``None``."""
        row = self.db.execute(
            "select url, site from articles where content_hash = ? order by id limit 1",
            [content_hash],
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def find_near_duplicate(
        self, signature: Signature, *, url: str, threshold: float
    ) -> NearMatch | None:
        """The first copy of the most similar stored or queued text, if its overlap reaches ``threshold``.

        Candidates come from the LSH buckets (an indexed lookup, whatever the archive's size)
        and from the queued batch; each is scored on its stored signature. A text is never its
        own duplicate, and a match that is itself a copy leads to the copy's first copy.
        """
        ids = self._bucket_index().candidates(bucket_keys(signature.buckets()))
        rows: list[Any] = []
        if ids:
            placeholders = ",".join("?" for _ in ids)
            rows = self.db.execute(
                "select a.url, s.signature, s.shingles, coalesce(root.url, a.url) "
                "from articles a join article_signatures s on s.article_id = a.id "
                f"left join articles root on root.id = a.duplicate_of where a.id in ({placeholders})",
                sorted(ids),
            ).fetchall()
        candidates = [(str(r[0]), Signature.from_stored(r[1], r[2]), str(r[3])) for r in rows]
        # An article stored again since the index read its buckets keeps its old keys there:
        # it stays a candidate only if its stored signature still shares a band.
        candidates = [c for c in candidates if share_a_band(signature, c[1])]
        for record in self._articles:
            queued = record.get("_signature")
            if queued is not None:
                candidates.append(
                    (record["url"], queued, record.get("duplicate_of_url") or record["url"])
                )
        best: tuple[float, str] | None = None
        scores = overlaps(signature, [candidate for _, candidate, _ in candidates])
        for (candidate_url, _, root), score in zip(candidates, scores, strict=True):
            if url in (candidate_url, root):
                continue
            if score >= threshold and (best is None or score > best[0]):
                best = (score, root)
        return None if best is None else NearMatch(url=best[1], similarity=best[0])

    def add_signature(self, url: str, signature: Signature) -> None:
        """Attach a near-duplicate signature to the article that will be queued under ``url``."""
        self._signatures[url] = signature

    def _write_signature(self, article_id: int, record: Mapping[str, Any]) -> None:
        signature: Signature | None = record.get("_signature")
        if signature is None:
            return
        conn = self.db.conn
        conn.execute("delete from article_lsh where article_id = ?", [article_id])
        conn.execute(
            "insert or replace into article_signatures (article_id, signature, shingles) values (?, ?, ?)",
            [article_id, signature.to_bytes(), signature.shingles],
        )
        buckets = signature.buckets()
        conn.executemany(
            "insert into article_lsh (band, bucket, article_id) values (?, ?, ?)",
            [(band, bucket, article_id) for band, bucket in enumerate(buckets)],
        )
        if self._buckets is not None:  # else the first look-up reads these rows from the table
            self._buckets.add(article_id, bucket_keys(buckets))
