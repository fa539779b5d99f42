"""Property-based and fuzz tests: extraction never raises; cleaning and URL canonicalisation
are idempotent. Bounded in time: hypothesis with fixed example counts and no deadline per
example, the mutation fuzz with a wall-clock budget.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawler.demo.server import DEMO_SITE
from newscrawler.extract import extract_article
from newscrawler.extract.boilerplate import strip_boilerplate
from newscrawler.extract.quality import page_problem
from newscrawler.extract.text import repair_line, repair_text
from newscrawler.urls import canonicalize_url

# derandomize: the same examples on every run, so CI is not flaky (drop it locally to explore).
SLOW_OK = settings(
    deadline=None, max_examples=150, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
#: Seconds of the mutation fuzz over real pages (FUZZ_SECONDS raises it for a longer local run).
FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "8"))
FIELDS = {"url", "title", "subtitle", "authors", "published_at", "modified_at", "language", "section",
          "tags", "image", "body", "related"}  # fmt: skip

_TAGS = ["html", "head", "body", "title", "h1", "h2", "h3", "p", "div", "article", "main", "li", "ul", "a",
         "script", "style", "meta", "link", "time", "span", "strong", "br", "figure", "figcaption", "noscript",
         "iframe", "svg", "template", "table", "td"]  # fmt: skip
_ATTRS = ['class="entry-content"', 'property="og:type" content="article"', 'href="/2024/07/06/x/"',
          'rel="canonical" href="javascript:alert(1)"', 'type="application/ld+json"', 'datetime="2024-13-45"',
          'charset="utf-16"', 'lang="de-DE"', 'content="0;url=file:///etc/passwd"', 'onclick="x()"']  # fmt: skip
_TEXTS = ["Ähnliche Themen:", "Lesen Sie auch:", "{\"@type\": \"NewsArticle\", \"headline\": ", "< strong>",
          "Stoltenberg", "\u00ad", "\u200b", "&amp;", "&#x0;", "&lt;script&gt;", "]]>", "<!--", "-->", "\x00",
          "Seite nicht gefunden", "„NATO", "\ufffd", "20. Juli 2024", "Von Lea Hoffmann"]  # fmt: skip


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    """Tag soup: real tag names and attributes, unbalanced, with tricky text in between."""
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            parts.append(f"<{draw(st.sampled_from(_TAGS))} {draw(st.sampled_from([*_ATTRS, '']))}>")
        elif kind == 1:
            parts.append(f"</{draw(st.sampled_from(_TAGS))}>")
        elif kind == 2:
            parts.append(draw(st.sampled_from(_TEXTS)))
        else:  # any text, control characters included (they once broke pruning)
            parts.append(draw(st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)))
    return "".join(parts)


def test_extract_article_survives_control_characters_next_to_pruned_elements():
    check_extraction(
        'Ähnliche Themen:<html class="entry-content"><script class="entry-content"></script>Ähnliche Themen:\x1f'
    )


def check_extraction(html: str, url: str = "https://example.de/2024/07/06/artikel/") -> None:
    article = extract_article(html, url)
    if article is None:
        return
    assert set(article) >= FIELDS
    assert article["body"] is None or isinstance(article["body"], str)
    page_problem(url=article["url"], title=article["title"], body=article["body"], http_status=200)


@SLOW_OK
@given(st.text())
def test_extract_article_never_raises_on_any_text(text):
    check_extraction(text)


@SLOW_OK
@given(
    html_soup(),
    st.sampled_from(
        ["https://example.de/", "http://127.0.0.1:8000/2024/07/06/x/", "https://ex.de/a?b=1#c"]
    ),
)
def test_extract_article_never_raises_on_tag_soup(html, url):
    check_extraction(html, url)


@SLOW_OK
@given(st.binary(max_size=2000))
def test_extract_article_never_raises_on_bytes_decoded_any_way(data):
    for encoding in ("latin-1", "utf-8"):
        check_extraction(data.decode(encoding, errors="replace"))


def clean(text: str) -> str:
    """What CleanPipeline does to a body: the text rules, then boilerplate."""
    return strip_boilerplate(repair_text(text))


_PARAGRAPH = st.lists(
    st.one_of(st.sampled_from([*_TEXTS, "Südkorea .", "Verteidi- gung", "Ein- und Ausfuhr", "Teilen:", "  ", "\n\n"]),
              st.text(alphabet=st.characters(codec="utf-8"), max_size=40)),
    max_size=20,
).map("".join)  # fmt: skip


@settings(deadline=None, max_examples=150, derandomize=True)
@given(_PARAGRAPH)
def test_cleaning_is_idempotent(text):
    once = clean(text)
    assert clean(once) == once


def test_cleaning_is_idempotent_after_whitespace_collapse():
    once = clean("Â\r0")
    assert clean(once) == once


@SLOW_OK
@given(_PARAGRAPH)
def test_line_repair_is_idempotent(text):
    once = repair_line(text)
    assert repair_line(once) == once


_URLS = st.builds(
    lambda scheme, host, port, path, query, fragment: f"{scheme}://{host}{port}{path}{query}{fragment}",
    st.sampled_from(["http", "https", "HTTP", "HTTPS"]),
    st.sampled_from(["example.de", "WWW.Example.DE", "127.0.0.1", "xn--mnchen-3ya.de", "münchen.de"]),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.lists(st.text(alphabet="abcÄ%20-_./~:@!$&'()*+,;=", max_size=8), max_size=4).map(lambda p: "/" + "/".join(p)),
    st.lists(st.tuples(st.sampled_from(["utm_source", "b", "a", "fbclid", "replytocom", "q", "A"]),
                       st.text(alphabet="xyz é&=+%", max_size=5)), max_size=4)
      .map(lambda kv: ("?" + "&".join(f"{k}={v}" for k, v in kv)) if kv else ""),
    st.sampled_from(["", "#comments", "#", "#a?b"]),
)  # fmt: skip


@settings(deadline=None, max_examples=300)
@given(_URLS)
def test_url_canonicalisation_is_idempotent(url):
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once
    assert "#" not in once and "utm_" not in once


def test_url_canonicalisation_keeps_ipv6_hosts():
    assert canonicalize_url("http://[::1]:8080/a/") == "http://[::1]:8080/a/"


def _mutate(rng: random.Random, page: str) -> str:
    """One random damage of the kind real pages show: cut, deletion, duplication, junk, swapped bytes."""
    n = len(page)
    a, b = sorted(rng.randrange(n + 1) for _ in range(2))
    kind = rng.randrange(6)
    if kind == 0:
        return page[:a]  # truncated download
    if kind == 1:
        return page[:a] + page[b:]  # a hole
    if kind == 2:
        return page[:b] + page[a:b] * rng.randint(2, 20) + page[b:]  # repeated block
    if kind == 3:
        junk = rng.choice(_TEXTS + [f"<{t}>" for t in _TAGS] + [f"</{t}>" for t in _TAGS])
        return page[:a] + junk * rng.randint(1, 50) + page[a:]
    if kind == 4:
        return page.encode("utf-8")[:a].decode("latin-1") + page[a:]  # mojibake from here on
    chars = list(page)
    for _ in range(rng.randint(1, 50)):
        i = rng.randrange(n)
        chars[i] = chr(
            rng.choice(
                [
                    0,
                    0xFFFD,
                    0x202E,
                    ord("<"),
                    ord(">"),
                    ord('"'),
                    ord("&"),
                    rng.randrange(0x20, 0x3000),
                ]
            )
        )
    return "".join(chars)


def test_fuzz_mutated_real_pages_within_a_time_budget():
    pages = sorted(DEMO_SITE.glob("2024/*/*/*/index.html"))
    shared = Path(__file__).resolve().parents[2] / "shared" / "pages"
    pages += sorted(shared.rglob("*.html"))[:20] if shared.is_dir() else []
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in pages]
    rng = random.Random(int(os.environ.get("FUZZ_SEED", "20240706")))
    deadline = time.monotonic() + FUZZ_SECONDS
    runs = 0
    while time.monotonic() < deadline:
        page = rng.choice(texts)
        for _ in range(rng.randint(1, 4)):
            page = _mutate(rng, page) or page
        check_extraction(page)
        runs += 1
    print(f"fuzz: {runs} mutated pages extracted without an exception")
    assert runs > 50
