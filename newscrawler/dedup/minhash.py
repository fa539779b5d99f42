"""Near-duplicate signatures: MinHash signatures of word shingles, and LSH buckets to find them.

Why MinHash/LSH and not SimHash: a MinHash signature estimates the Jaccard
similarity of two texts directly, and its LSH buckets are plain ``(band, bucket)`` integers
that an indexed SQLite table looks up at a fixed cost per article, however large the archive
grows. SimHash needs a Hamming-distance search, which SQLite cannot index without permuted
copies of every signature.

Why the decision uses the *overlap* (the share of the shorter text found in the longer one)
rather than the Jaccard similarity itself: a shortened or extended republication shares most
of the shorter text but little of the union, so its Jaccard is low (0.46 on our labelled set)
while its overlap stays high (0.79 and up); two different stories that share a boilerplate
tail reach at most 0.55. The overlap is computed from the Jaccard estimate and the two
shingle counts: ``|A ∩ B| = J (|A| + |B|) / (1 + J)``.

Why our own 20 lines of numpy and not datasketch's ``MinHash`` (whose ``affine32`` scheme they
reproduce bit for bit; a test holds them to it): importing datasketch imports scipy, about 60 MB
of resident memory in the crawl's process and again in every extraction worker, and its
``MinHash`` draws its 128 permutations anew for every text (a third of the time per article).
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from newscrawler.dedup.hashing import hash_normalized, normalize_for_hash

__all__ = [
    "BANDS",
    "NUM_PERM",
    "ROWS",
    "SCHEME",
    "SHINGLE_SIZE",
    "BodyDigest",
    "Signature",
    "digest_of",
    "minhash_signature",
    "signature_of",
]

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
# Shingles are hashed with CRC-32 (C, a third faster than SHA-1); the signature's permutations
# spread it, and bench/dedup_eval.py measures the result.
#: The permutation scheme, by datasketch's name for it: signatures are stored in archives and are
#: only comparable when made the same way (datasketch 2.0 changed its default from "legacy").
#: CRC-32 of a shingle, pre-mixed with the MurmurHash3 32-bit finalizer, then ``a * h + b`` mod
#: 2^32 with odd ``a``: a bijection per permutation.
SCHEME = "affine32"


def _permutations(seed: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` of each permutation, drawn as datasketch draws them for ``seed``."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, count, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, count, dtype=np.uint32)
    return a, b


_A, _B = _permutations(_SEED, NUM_PERM)
# As columns: permuting a row of shingle hashes per permutation and taking each row's minimum is
# several times faster in numpy than the (shingles × permutations) layout.
_A_COLUMN, _B_COLUMN = _A[:, np.newaxis], _B[:, np.newaxis]


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (multiplication wraps: that is the intended mod 2^32)."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = values ^ (values >> np.uint32(16))
    return mixed


def minhash_signature(shingles: set[bytes]) -> np.ndarray:
    """The 128 minimum permuted hash values of the shingles (uint64, as stored)."""
    hashed = _fmix32(np.fromiter(map(zlib.crc32, shingles), dtype=np.uint32, count=len(shingles)))
    permuted = _A_COLUMN * hashed
    permuted += _B_COLUMN
    minima: np.ndarray = permuted.min(axis=1).astype(np.uint64)
    return minima


def _shingles_of_normalized(normalized: str, size: int = SHINGLE_SIZE) -> set[bytes]:
    tokens = [token.encode("utf-8") for token in normalized.split()]
    if len(tokens) <= size:
        return {b" ".join(tokens)} if tokens else set()
    return {b" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


@dataclass(frozen=True, eq=False)
class Signature:
    """A text's MinHash signature and the number of distinct shingles it was made from."""

    minhashes: np.ndarray
    shingles: int

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets (share of equal positions)."""
        if self.minhashes.shape != other.minhashes.shape:
            raise ValueError("signatures of different sizes")
        return float(np.count_nonzero(self.minhashes == other.minhashes)) / len(self.minhashes)

    def overlap(self, other: Signature) -> float:
        """Estimated share of the shorter text's shingles that the other text also has."""
        jaccard = self.jaccard(other)
        common = jaccard * (self.shingles + other.shingles) / (1 + jaccard)
        return min(1.0, common / max(1, min(self.shingles, other.shingles)))

    @cached_property
    def _buckets(self) -> list[int]:
        return [
            int.from_bytes(
                hashlib.blake2b(
                    self.minhashes[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8
                ).digest(),
                "little",
                signed=True,
            )
            for b in range(BANDS)
        ]

    def buckets(self) -> list[int]:
        """One bucket id per LSH band: a signed 64-bit hash of the band's rows (an SQLite INTEGER).

        Computed once per signature: the archive looks them up, then stores them.
        """
        return list(self._buckets)

    def to_bytes(self) -> bytes:
        """Storage form of the signature (little-endian uint64s)."""
        return self.minhashes.astype("<u8").tobytes()

    @classmethod
    def from_stored(cls, data: bytes, shingles: int) -> Signature:
        """Inverse of :meth:`to_bytes`, with the stored shingle count."""
        return cls(np.frombuffer(bytes(data), dtype="<u8").astype(np.uint64), int(shingles))


def signature_of(text: str) -> Signature | None:
    """The signature of ``text``; ``None`` when it has no words."""
    return _signature_of_normalized(normalize_for_hash(text))


def _signature_of_normalized(normalized: str) -> Signature | None:
    shingles = _shingles_of_normalized(normalized)
    if not shingles:
        return None
    return Signature(minhash_signature(shingles), len(shingles))


@dataclass(frozen=True, eq=False)
class BodyDigest:
    """What deduplication needs of a body: its exact-copy hash and its near-duplicate signature.

    An extraction worker computes it beside the cleaning, so the reactor thread does not
    (DedupPipeline takes it when the item still has this very body).
    """

    body: str
    content_hash: str
    signature: Signature | None


def digest_of(body: str) -> BodyDigest:
    """:func:`~newscrawler.dedup.hashing.content_hash` and :func:`signature_of`, normalizing once."""
    normalized = normalize_for_hash(body)
    return BodyDigest(body, hash_normalized(normalized), _signature_of_normalized(normalized))
