"""URL canonicalisation and content hashing."""

import pytest

from newscrawler.dedup.hashing import content_hash
from newscrawler.urls import canonicalize_url, site_of


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Example.COM/a/", "https://example.com/a/"),
        ("https://example.com:443/a/", "https://example.com/a/"),
        ("http://example.com:8080/a/", "http://example.com:8080/a/"),
        ("https://example.com/a/#comments", "https://example.com/a/"),
        ("https://example.com/a/?utm_source=nl&utm_medium=email", "https://example.com/a/"),
        ("https://example.com/a/?fbclid=x&gclid=y&id=3", "https://example.com/a/?id=3"),
        ("https://example.com/a/?b=2&a=1", "https://example.com/a/?a=1&b=2"),
        ("https://example.com/a?replytocom=12#respond", "https://example.com/a"),
        ("https://example.com/M%c3%bcnchen", "https://example.com/M%C3%BCnchen"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_canonicalize_url(url, canonical):
    assert canonicalize_url(url) == canonical


def test_canonicalize_url_is_idempotent():
    url = canonicalize_url("HTTPS://WWW.Example.com/x/?utm_campaign=a&q=ü#top")
    assert canonicalize_url(url) == url


def test_trailing_slash_is_kept():
    assert canonicalize_url("https://example.com/a") != canonicalize_url("https://example.com/a/")


def test_site_of_drops_www():
    assert site_of("https://www.Tagesschau.de/inland/") == "tagesschau.de"
    assert site_of("http://127.0.0.1:8000/x/") == "127.0.0.1"


def test_content_hash_ignores_typography_but_not_words():
    a = content_hash("„Wir schaffen das“, sagte sie.\n\nEnde.")
    assert a == content_hash('"Wir  schaffen das", sagte sie. Ende')
    assert a == content_hash("„Wir schaf\u00adfen das“, SAGTE sie.\n\nEnde.")
    assert a != content_hash("„Wir schaffen das nicht“, sagte sie.\n\nEnde.")
