"""Near-duplicate fingerprints: MinHash signatures of word shingles, and LSH buckets to find them.

Why MinHash/LSH (datasketch) and not SimHash: a MinHash signature estimates the Jaccard
similarity of two texts directly, and its LSH buckets are plain ``(band, bucket)`` integers
that an indexed SQLite table looks up at a fixed cost per article, however large the archive
grows. SimHash needs a Hamming-distance search, which SQLite cannot index without permuted
copies of every fingerprint.

Why the decision uses the *overlap* (the share of the shorter text found in the longer one)
rather than the Jaccard similarity itself: a shortened or extended republication shares most
of the shorter text but little of the union, so its Jaccard is low (0.46 on our labelled set)
while its overlap stays high (0.79 and up); two different stories that share a boilerplate
tail reach at most 0.55. The overlap is computed from the Jaccard estimate and the two
shingle counts: ``|A ∩ B| = J (|A| + |B|) / (1 + J)``.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from newscrawler.extract.fingerprint import normalize_for_hash

__all__ = ["BANDS", "NUM_PERM", "ROWS", "SCHEME", "SHINGLE_SIZE", "Fingerprint", "fingerprint_of"]

#: Permutations per signature: 128 gives a standard error of about 0.04 on the Jaccard estimate.
NUM_PERM = 128
#: 42 bands of 3 rows (126 of the 128 values): a pair with Jaccard 0.45 shares a bucket with
#: probability 0.98, one with 0.1 with 0.04, one with 0.02 with 0.0003 (``1 - (1 - J^3)^42``):
#: copies are found, and unrelated stories rarely even become candidates.
BANDS = 42
ROWS = 3
#: Word 3-grams: long enough that two stories on one topic share few, short enough that an
#: edited sentence only touches the shingles around the edit.
SHINGLE_SIZE = 3
_SEED = 1
# Shingles are hashed with CRC-32 (C, a third faster than datasketch's SHA-1 default); the
# signature's permutations spread it, and bench/dedup_eval.py measures the result.
#: datasketch's permutation scheme, named explicitly: signatures are stored in archives and are
#: only comparable when made the same way (datasketch 2.0 changed its default from "legacy").
SCHEME = "affine32"


def _shingles(text: str, size: int = SHINGLE_SIZE) -> set[bytes]:
    tokens = normalize_for_hash(text).split()
    if len(tokens) <= size:
        return {" ".join(tokens).encode("utf-8")} if tokens else set()
    return {" ".join(tokens[i : i + size]).encode("utf-8") for i in range(len(tokens) - size + 1)}


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """A text's MinHash signature and the number of distinct shingles it was made from."""

    signature: np.ndarray
    shingles: int

    def jaccard(self, other: Fingerprint) -> float:
        """Estimated Jaccard similarity of the two shingle sets (share of equal positions)."""
        if self.signature.shape != other.signature.shape:
            raise ValueError("fingerprints of different sizes")
        return float(np.count_nonzero(self.signature == other.signature)) / len(self.signature)

    def overlap(self, other: Fingerprint) -> float:
        """Estimated share of the shorter text's shingles that the other text also has."""
        jaccard = self.jaccard(other)
        common = jaccard * (self.shingles + other.shingles) / (1 + jaccard)
        return min(1.0, common / max(1, min(self.shingles, other.shingles)))

    def buckets(self) -> list[int]:
        """One bucket id per LSH band: a signed 64-bit hash of the band's rows (an SQLite INTEGER)."""
        return [
            int.from_bytes(
                hashlib.blake2b(self.signature[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8).digest(),
                "little",
                signed=True,
            )
            for b in range(BANDS)
        ]

    def signature_bytes(self) -> bytes:
        """Storage form of the signature (little-endian uint64s)."""
        return self.signature.astype("<u8").tobytes()

    @classmethod
    def from_stored(cls, data: bytes, shingles: int) -> Fingerprint:
        """Inverse of :meth:`signature_bytes`, with the stored shingle count."""
        return cls(np.frombuffer(bytes(data), dtype="<u8").astype(np.uint64), int(shingles))


def fingerprint_of(text: str) -> Fingerprint | None:
    """The fingerprint of ``text``; ``None`` when it has no words."""
    shingles = _shingles(text)
    if not shingles:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=zlib.crc32, scheme=SCHEME)
    minhash.update_batch(list(shingles))
    return Fingerprint(minhash.hashvalues.astype(np.uint64), len(shingles))
