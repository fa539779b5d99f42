"""Content hashes: the exact-copy hash of an article's text, on a normalised form of it."""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["content_hash", "hash_normalized", "normalize_for_hash"]

_TOKEN = re.compile(r"\w+")


def normalize_for_hash(text: str) -> str:
    """Text reduced to what makes two copies the same article: NFC, case-folded word tokens.

    Punctuation, whitespace, quotes and invisible characters do not count, so a copy whose
    template swaps „“ for "" or adds a soft hyphen still hashes the same.
    """
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "").casefold()
    return " ".join(_TOKEN.findall(text))


def content_hash(text: str) -> str:
    """SHA-256 (hex) of :func:`normalize_for_hash` of ``text``: exact-duplicate detection."""
    return hash_normalized(normalize_for_hash(text))


def hash_normalized(normalized: str) -> str:
    """SHA-256 (hex) of text already passed through :func:`normalize_for_hash`."""
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()
