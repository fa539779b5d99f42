"""Fast paths give exactly what the plain forms they replace give.

Each speed-up of #16 (its cost, the crawl ratio) rests on an equivalence: the following axis
walked lazily is the XPath's; the queued batch scored in numpy is scored pair by pair; a row
inserted directly is the row sqlite-utils inserts; the stated article text picks the container
that counting every candidate's words picks; clean text needs no folding; nothing decided inside
a box already pruned matters. These tests hold each to its plain form.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections import Counter

import lxml.html
import numpy as np
import pytest
from lxml import etree
from sqlite_utils import Database

from newscrawler.archive import insert_row, insert_rows
from newscrawler.archive.duplicates import overlaps
from newscrawler.dedup.minhash import Signature, signature_of
from newscrawler.extract import html as html_stage
from newscrawler.extract.body import agreeing_container
from newscrawler.extract.density import find_prose_units, prose_by_element
from newscrawler.extract.headline import following_blocks
from newscrawler.extract.html import (
    prune_document,
)
from newscrawler.extract.metadata import normalize_space
from newscrawler.extract.related import has_class_token, label_candidates
from newscrawler.extract.selectors import (
    LEAD_CANDIDATE_TAGS,
    MAX_LEAD_CANDIDATES,
    META_LINE_RE,
    META_LINE_RES,
    RELATED_CONTAINER_CLASSES,
)
from newscrawler.extract.text import fold_spaces


def test_plugin_container_classes_are_whole_xml_tokens():
    def el(classes: str) -> lxml.html.HtmlElement:
        return lxml.html.fragment_fromstring(f'<div class="{classes}">x</div>')

    tokens = RELATED_CONTAINER_CLASSES
    assert has_class_token(el("box related-posts"), tokens)
    assert has_class_token(el("box\trelated-posts\n"), tokens)
    assert not has_class_token(el("my-related-posts-box"), tokens)
    # normalize-space() in the XPath this replaces splits on XML whitespace only, not NBSP
    assert not has_class_token(el("x\u00a0related-posts"), tokens)


def test_one_pass_label_candidates_are_the_xpath_union_in_page_order():
    html = (
        "<html><body><header><h2>Mehr zum Thema</h2></header><div><div>leer</div><p>a "
        "<strong>b</strong><span>c</span></p></div><figure><figcaption>f</figcaption></figure>"
        "<dl><dt>t</dt></dl><fieldset><legend>l</legend></fieldset><h6>h</h6><b>x</b></body></html>"
    )
    root = lxml.html.document_fromstring(html)
    union = etree.XPath(
        "//h2 | //h3 | //h4 | //h5 | //h6 | //p | //strong | //b | //span | //div[not(*)]"
        " | //header | //legend | //dt | //figcaption"
    )
    assert list(label_candidates(root)) == union(root)


def test_blocks_after_the_headline_are_the_xpath_following_axis():
    rng = random.Random(7)
    tags = ["div", "p", "span", "section", "h2", "strong", "em", "ul", "li"]

    def tree(depth: int) -> str:
        if depth == 0:
            return "text"
        children = "".join(
            f"<{t}>{tree(depth - 1)}</{t}>" for t in rng.choices(tags, k=rng.randint(1, 3))
        )
        return children

    html = f"<html><body><div>{tree(3)}<h1>Titel</h1>{tree(4)}</div>{tree(4)}</body></html>"
    root = lxml.html.document_fromstring(html)
    headline = root.find(".//h1")
    xpath = etree.XPath(
        "following::*["
        + " or ".join(f"self::{t}" for t in LEAD_CANDIDATE_TAGS)
        + f"][position() <= {MAX_LEAD_CANDIDATES}]"
    )
    assert list(following_blocks(headline)) == xpath(headline)


@pytest.mark.parametrize(
    "line",
    ["Stand: 22.04.2024, 06:00 Uhr", "3 Min Lesezeit", "21 mins ago11:48 Jon King", "AUDIO: x",
     "© dpa-infocom", "Ein ganz normaler Satz ohne Furniture."],
)  # fmt: skip
def test_the_furniture_alternation_matches_where_one_of_its_patterns_does(line):
    assert bool(META_LINE_RE.search(line)) is any(p.search(line) for p in META_LINE_RES)


def test_the_queued_batch_is_scored_as_each_pair_is():
    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**32, 128).astype(np.uint64)
    others = []
    for _ in range(60):
        minhashes = base.copy()
        changed = rng.choice(128, int(rng.integers(0, 128)), replace=False)
        minhashes[changed] = rng.integers(0, 2**32, len(changed)).astype(np.uint64)
        others.append(Signature(minhashes, int(rng.integers(1, 4000))))
    new = Signature(base, 777)
    assert overlaps(new, others) == [new.overlap(other) for other in others]
    assert overlaps(new, []) == []


def test_a_signature_of_another_size_is_refused_as_before():
    new = signature_of("eins zwei drei vier fünf sechs sieben")
    short = Signature(new.minhashes[:64], new.shingles)
    with pytest.raises(ValueError, match="different sizes"):
        overlaps(new, [short])


def test_band_hashes_are_computed_once_and_handed_out_as_copies():
    signature = signature_of("eins zwei drei vier fünf sechs sieben acht")
    first = signature.buckets()
    first.append(0)
    assert signature.buckets() == first[:-1]


def test_rows_inserted_directly_are_the_rows_sqlite_utils_inserts(tmp_path):
    rows = [
        {"id": None, "url": "https://a.example/1", "authors": ["Anna", "Ben"], "n": 3, "x": None},
        {"id": None, "url": "https://a.example/2", "authors": {"k": "ü"}, "n": 4.5, "x": b"\x00"},
    ]
    stored = {}
    for how in ("sqlite-utils", "direct"):
        conn = sqlite3.connect(tmp_path / f"{how}.db")
        conn.execute("create table t (id integer primary key, url text, authors text, n, x)")
        if how == "sqlite-utils":
            table = Database(conn).table("t")
            ids = [table.insert(rows[0]).last_pk]
            table.insert_all(rows[1:])
        else:
            ids = [insert_row(conn, "t", rows[0])]
            insert_rows(conn, "t", rows[1:])
        assert ids == [1]
        stored[how] = conn.execute("select * from t order by id").fetchall()
    assert stored["direct"] == stored["sqlite-utils"]


# ----------------------------------------------------------------- session 5
def _plain_agreeing(prose, top, reference):
    """agreeing_container before its shortcuts: every candidate's words counted."""
    word = re.compile(r"\w+")
    wanted = Counter(word.findall(reference.casefold()))
    size = sum(wanted.values())
    best, best_f1 = None, 0.5
    for el, chars in prose.items():
        if chars < 0.25 * top:
            continue
        got = Counter(word.findall(el.text_content().casefold()))
        common = sum((wanted & got).values())
        f1 = 2 * common / (size + sum(got.values())) if common else 0.0
        if f1 > best_f1:
            best, best_f1 = el, f1
    return best


@pytest.mark.parametrize("seed", range(12))
def test_the_stated_article_text_picks_the_container_the_plain_count_picks(seed):
    rng = random.Random(seed)
    words = [
        "bridge",
        "river",
        "council",
        "vote",
        "repair",
        "autumn",
        "cost",
        "years",
        "debate",
        "evening",
        "town",
    ]

    def paragraph() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(12, 40))) + "."

    story = [paragraph() for _ in range(rng.randint(3, 8))]
    other = [paragraph() for _ in range(rng.randint(1, 6))]
    wrap = "<div><div>{}</div></div>" if seed % 2 else "{}"
    html = (
        "<html><body><div class='page'>"
        + wrap.format("<div class='story'>" + "".join(f"<p>{p}</p>" for p in story) + "</div>")
        + "<div class='more'>"
        + "".join(f"<p>{p}</p>" for p in other)
        + "</div>"
        + "</div></body></html>"
    )
    root = lxml.html.fromstring(html)
    prose = prose_by_element(find_prose_units(root))
    top = max(prose.values())
    stated = " ".join(story if seed % 3 else story + other[:1])
    assert agreeing_container(prose, top, stated, {}) is _plain_agreeing(prose, top, stated)


def _plain_normalize_space(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").replace("\u200b", "").split())


def _plain_fold_spaces(chunk: str) -> str:
    return " ".join(chunk.split())


@pytest.mark.parametrize(
    ("fast", "plain"),
    [(normalize_space, _plain_normalize_space), (fold_spaces, _plain_fold_spaces)],
    ids=["normalize_space", "split_paragraphs"],
)
def test_clean_text_is_returned_as_the_full_normalisation_returns_it(fast, plain):
    # Every code point, alone and between words: the printable shortcut may only take texts
    # that split() (and, for normalize_space, the soft-hyphen rule) would leave as they are.
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        for text in (char, f"a{char}b", f" {char} ", f"x {char}{char} y"):
            assert fast(text) == plain(text), hex(code)
    rng = random.Random(7)
    alphabet = ["a", "ß", " ", "  ", "\n", "\t", "\u00a0", "\u00ad", "\u200b", "\u2009", "é", "-"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert fast(text) == plain(text), repr(text)


def test_pruning_inside_a_removed_box_changes_nothing(monkeypatch):
    # Candidates inside a box already removed are passed over; the tree left is the one that
    # judging each of them (as the plain loop did) leaves.
    rng = random.Random(3)
    names = ["nav", "share", "sidebar", "widget", "teaser", "content", "", "", ""]

    def box(depth: int) -> str:
        name = rng.choice(names)
        attrs = f" class='{name}'" if name else ""
        if rng.random() < 0.2:
            attrs += " hidden"
        if depth == 0 or rng.random() < 0.3:
            words = " ".join(rng.choice(["story", "text", "line", "more"]) for _ in range(12))
            link = "<a href='/x'>link</a> " if rng.random() < 0.5 else ""
            return f"<div{attrs}><p>{link}{words} and on.</p>tail</div>"
        return f"<div{attrs}>" + "".join(box(depth - 1) for _ in range(3)) + "</div>tail"

    for _ in range(40):
        html = f"<html><body><h1>Head</h1>{box(4)}<article><p>{'word ' * 60}</p></article></body></html>"
        fast, plain = lxml.html.fromstring(html), lxml.html.fromstring(html)
        prune_document(fast)
        with monkeypatch.context() as patch:
            patch.setattr(html_stage, "inside_removed", lambda el, removed: False)
            prune_document(plain)
        assert lxml.html.tostring(fast) == lxml.html.tostring(plain)
