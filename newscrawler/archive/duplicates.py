"""Duplicate lookups of the archive: exact text hashes and near-duplicate signatures (MinHash/LSH)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from newscrawler.dedup.minhash import Signature

__all__ = ["DuplicateLookups", "NearMatch"]


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
        buckets = signature.buckets()
        placeholders = ",".join("(?,?)" for _ in buckets)
        params: list[Any] = [v for pair in enumerate(buckets) for v in pair]
        rows = self.db.execute(
            "select a.url, s.signature, s.shingles, coalesce(root.url, a.url) "
            # A join on VALUES, not "(band, bucket) in (...)": only the join uses the index.
            f"from (select distinct l.article_id from (values {placeholders}) v "
            "      join article_lsh l on l.band = v.column1 and l.bucket = v.column2) c "
            "join articles a on a.id = c.article_id "
            "join article_signatures s on s.article_id = a.id "
            "left join articles root on root.id = a.duplicate_of",
            params,
        ).fetchall()
        candidates = [(str(r[0]), Signature.from_stored(r[1], r[2]), str(r[3])) for r in rows]
        for record in self._articles:
            queued = record.get("_signature")
            if queued is not None:
                candidates.append(
                    (record["url"], queued, record.get("duplicate_of_url") or record["url"])
                )
        best: tuple[float, str] | None = None
        for candidate_url, candidate, root in candidates:
            if url in (candidate_url, root):
                continue
            score = signature.overlap(candidate)
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
        conn.executemany(
            "insert into article_lsh (band, bucket, article_id) values (?, ?, ?)",
            [(band, bucket, article_id) for band, bucket in enumerate(signature.buckets())],
        )
