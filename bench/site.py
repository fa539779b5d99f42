"""A synthetic WordPress-style news site of N pages, written to disk and served fast on 127.0.0.1.

    python -m bench.site generate 2000 /tmp/site      # write it
    python -m bench.site serve /tmp/site              # serve it; prints "serving http://127.0.0.1:PORT/"

Why on disk and a hand-written asyncio server, not ``http.server``: the benchmark measures the
crawler, so the server must cost far less per page than the crawler does. Pages are made once
(deterministic from N and the seed; 60–100 KB each) and then only read from the page cache and
written to a keep-alive connection: about 0.1 ms of server CPU per page, which the benchmark
measures and prints on every run (``server CPU per page``).

The site: a home page, eight categories with paging (20 teasers a page), and articles at
``/YYYY/MM/DD/slug-ID/`` with navigation, inline CSS/JS and an SVG sprite (as themes ship them),
a byline, 8–14 paragraphs of German text, an "Ähnliche Themen" list (4 articles of the same
category), a "Weitere Nachrichten" sidebar, a comment thread and a footer. Every 50th article
is an exact copy of another one's text (a duplicate URL) and every 50th a near copy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path

__all__ = ["SiteLayout", "generate_site", "serve"]

CATEGORIES = ("politik", "wirtschaft", "welt", "technik", "kultur", "sport", "wissen", "panorama")
PER_PAGE = 20
SITE_NAME = "Nachrichten Benchmark"
GENERATOR_VERSION = "2"
_DEMO = Path(__file__).resolve().parents[1] / "newscrawler" / "demo"


def _vocabulary() -> list[str]:
    """German words of the bundled demo site: realistic word lengths, umlauts and ß."""
    words: set[str] = set()
    for file in sorted(_DEMO.rglob("*.html")):
        text = re.sub(r"<[^>]+>", " ", file.read_text(encoding="utf-8"))
        words.update(re.findall(r"[A-Za-zÄÖÜäöüß]{4,}", text))
    return sorted(words)


class SiteLayout:
    """Which page is where: article ``i`` (0 = newest) is in category ``i % 8``, listed on its paging page."""

    def __init__(self, pages: int) -> None:
        if pages < 1 + len(CATEGORIES) + 1:
            raise ValueError(f"a site needs at least {len(CATEGORIES) + 2} pages, got {pages}")
        articles = pages - 1 - len(CATEGORIES)
        while articles + 1 + self._listing_pages(articles) > pages:
            articles -= 1
        self.articles = articles
        self.pages = articles + 1 + self._listing_pages(articles)

    @staticmethod
    def _listing_pages(articles: int) -> int:
        return sum(
            max(1, -(-len(range(c, articles, len(CATEGORIES))) // PER_PAGE))
            for c in range(len(CATEGORIES))
        )

    def in_category(self, c: int) -> int:
        return len(range(c, self.articles, len(CATEGORIES)))

    def category_pages(self, c: int) -> int:
        return max(1, -(-self.in_category(c) // PER_PAGE))


class _Writer:
    """Builds the pages of one site; all randomness comes from ``random.Random(seed + page)``."""

    def __init__(self, layout: SiteLayout, seed: int) -> None:
        self.layout = layout
        self.seed = seed
        self.words = _vocabulary()
        head_rng = random.Random(seed)
        self.css = self._css(head_rng)
        self.js = self._js(head_rng)
        self.sprite = self._sprite(head_rng)
        self.titles = [self._title(random.Random(seed * 7919 + i)) for i in range(layout.articles)]

    # -- text --------------------------------------------------------------------------------

    def _sentence(self, rng: random.Random) -> str:
        words = rng.choices(self.words, k=rng.randint(8, 20))
        return " ".join(words).capitalize() + rng.choice((".", ".", ".", "?", "."))

    def _paragraph(self, rng: random.Random) -> str:
        return " ".join(self._sentence(rng) for _ in range(rng.randint(3, 6)))

    def _title(self, rng: random.Random) -> str:
        return " ".join(rng.choices(self.words, k=rng.randint(5, 9))).capitalize()

    def _slug(self, i: int) -> str:
        base = (
            self.titles[i]
            .lower()
            .translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
        )
        return "-".join(re.findall(r"[a-z]+", base)[:6]) + f"-{i}"

    def published(self, i: int) -> str:
        day = date(2024, 7, 8) - timedelta(days=i // 40)
        minutes = (1439 - (i % 40) * 30) % 1440
        return f"{day.isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}:00+02:00"

    def article_path(self, i: int) -> str:
        return f"/{self.published(i)[:10].replace('-', '/')}/{self._slug(i)}/"

    def category_path(self, c: int, page: int = 1) -> str:
        return f"/category/{CATEGORIES[c]}/" + (f"page/{page}/" if page > 1 else "")

    # -- theme parts (what makes real WordPress pages 60–100 KB) -----------------------------

    def _css(self, rng: random.Random) -> str:
        props = (
            "margin",
            "padding",
            "color",
            "font-size",
            "line-height",
            "border",
            "display",
            "gap",
        )
        rules = []
        for n in range(420):
            sel = (
                f".wp-block-{rng.choice(self.words).lower()}-{n} .{rng.choice(self.words).lower()}"
            )
            body = ";".join(
                f"{rng.choice(props)}:{rng.randint(0, 40)}px" for _ in range(rng.randint(2, 5))
            )
            rules.append(f"{sel}{{{body}}}")
        return "\n".join(rules)

    def _js(self, rng: random.Random) -> str:
        settings = {
            f"{rng.choice(self.words).lower()}_{n}": rng.choice(self.words) for n in range(260)
        }
        return "window._wpSettings = " + json.dumps(settings, ensure_ascii=False) + ";"

    def _sprite(self, rng: random.Random) -> str:
        symbols = []
        for name in (
            "facebook",
            "x",
            "whatsapp",
            "mail",
            "print",
            "search",
            "menu",
            "close",
            "rss",
            "comment",
        ):
            points = " ".join(
                f"{rng.randint(0, 24)}.{rng.randint(0, 99)},{rng.randint(0, 24)}" for _ in range(60)
            )
            symbols.append(
                f'<symbol id="icon-{name}" viewBox="0 0 24 24"><path d="M{points}Z"/></symbol>'
            )
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" style="display:none">'
            + "".join(symbols)
            + "</svg>"
        )

    def _head(self, title: str, path: str, extra: str = "") -> list[str]:
        return [
            '<!DOCTYPE html>\n<html lang="de-DE">\n<head>\n<meta charset="utf-8">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            f"<title>{title} – {SITE_NAME}</title>\n",
            f'<link rel="canonical" href="{path}">\n<meta name="generator" content="WordPress 6.5.5">\n',
            extra,
            f'<style id="global-styles-inline-css">\n{self.css}\n</style>\n',
            f'<script id="wp-settings-js">{self.js}</script>\n</head>\n',
        ]

    def _masthead(self, current: int | None) -> list[str]:
        items = "".join(
            f'<li class="menu-item{" current-menu-item" if c == current else ""}">'
            f'<a href="{self.category_path(c)}">{name.capitalize()}</a></li>\n'
            for c, name in enumerate(CATEGORIES)
        )
        return [
            '<body class="wp-theme">\n', self.sprite, '\n<div id="page" class="site">\n',
            '<a class="skip-link screen-reader-text" href="#content">Zum Inhalt springen</a>\n',
            '<header id="masthead" class="site-header"><div class="site-branding">',
            f'<p class="site-title"><a href="/" rel="home">{SITE_NAME}</a></p></div>\n',
            '<nav id="site-navigation" class="main-navigation" aria-label="Hauptmenü">\n<ul id="primary-menu" class="menu">\n',
            '<li class="menu-item"><a href="/">Startseite</a></li>\n', items, "</ul>\n</nav>\n</header>\n",
            '<div id="content" class="site-content">\n<main id="primary" class="site-main">\n',
        ]  # fmt: skip

    def _sidebar(self) -> str:
        latest = "".join(
            f'<li><a href="{self.article_path(i)}">{self.titles[i]}</a>'
            f'<span class="post-date">{self.published(i)[:10]}</span></li>\n'
            for i in range(min(5, self.layout.articles))
        )
        return (
            '<aside id="secondary" class="widget-area" aria-label="Seitenleiste">\n'
            '<section class="widget widget_recent_entries"><h2 class="widget-title">Weitere Nachrichten</h2>\n'
            f"<ul>\n{latest}</ul>\n</section>\n</aside>\n"
        )

    def _footer(self) -> str:
        return (
            '</main>\n</div>\n<footer id="colophon" class="site-footer"><div class="site-info">\n'
            f"<p>&copy; 2024 {SITE_NAME}. Alle Rechte vorbehalten.</p>\n</div></footer>\n</div>\n</body>\n</html>\n"
        )

    # -- pages -------------------------------------------------------------------------------

    def article(self, i: int) -> str:
        rng = random.Random(self.seed * 104729 + i)
        c = i % len(CATEGORIES)
        source = i
        if i % 50 == 7 and i >= 8:
            source = i - 8  # an exact copy of another article's text
        text_rng = random.Random(self.seed * 15485863 + source)
        paragraphs = [self._paragraph(text_rng) for _ in range(text_rng.randint(8, 14))]
        headings = [self._title(text_rng) for _ in range(4)]  # part of the text: copies share them
        if i % 50 == 31 and i >= 8:  # a near copy: another article with two paragraphs rewritten
            near_rng = random.Random(self.seed * 15485863 + i - 8)
            paragraphs = [self._paragraph(near_rng) for _ in range(near_rng.randint(8, 14))]
            paragraphs[0] = self._paragraph(rng)
            paragraphs[-1] = self._paragraph(rng)
        title = self.titles[i]
        path = self.article_path(i)
        published = self.published(i)
        authors = [" ".join(rng.sample(self.words, 2)).title() for _ in range(rng.randint(1, 2))]
        tags = rng.sample(self.words, 4)
        jsonld = {
            "@context": "https://schema.org",
            "@graph": [{
                "@type": "NewsArticle", "headline": title, "datePublished": published,
                "author": [{"@type": "Person", "name": a} for a in authors],
                "articleSection": CATEGORIES[c].capitalize(), "keywords": tags, "inLanguage": "de-DE",
            }],
        }  # fmt: skip
        meta = (
            '<meta property="og:type" content="article">\n'
            f'<meta property="og:title" content="{title}">\n'
            f'<meta property="article:published_time" content="{published}">\n'
            f'<meta property="article:section" content="{CATEGORIES[c].capitalize()}">\n'
            + "".join(f'<meta property="article:tag" content="{t}">\n' for t in tags)
            + f'<script type="application/ld+json">{json.dumps(jsonld, ensure_ascii=False)}</script>\n'
        )
        j = i // len(CATEGORIES)
        related = [
            k * len(CATEGORIES) + c
            for k in (j - 2, j - 1, j + 1, j + 2)
            if 0 <= k * len(CATEGORIES) + c < self.layout.articles
        ]
        body: list[str] = []
        for n, paragraph in enumerate(paragraphs):
            if n and n % 4 == 0:
                body.append(f"<h2>{headings[n // 4 - 1]}</h2>\n")
            body.append(f"<p>{paragraph}</p>\n")
            if n == 1:
                body.append(
                    f'<figure class="wp-block-image"><img src="/wp-content/uploads/{i}.jpg" alt="{self._title(rng)}" '
                    f'width="800" height="450" loading="lazy"><figcaption>{self._title(rng)}</figcaption></figure>\n'
                )
        byline = " und ".join(f'<a rel="author" class="author url fn n">{a}</a>' for a in authors)
        parts = [
            *self._head(title, path, meta),
            *self._masthead(c),
            f'<article id="post-{i}" class="post type-post status-publish hentry category-{CATEGORIES[c]}">\n',
            (
                f'<header class="entry-header"><div class="cat-links"><a href="{self.category_path(c)}" rel="category tag">'
                f"{CATEGORIES[c].capitalize()}</a></div>\n"
            ),
            (
                f'<h1 class="entry-title">{title}</h1>\n<div class="entry-meta"><span class="byline">Von {byline}</span> '
                f'<time class="entry-date published" datetime="{published}">{published[:10]}</time></div>\n</header>\n'
            ),
            '<div class="entry-content">\n', *body,
            '<h3>Ähnliche Themen:</h3>\n<ul class="related-posts">\n',
            *(f'<li><a href="{self.article_path(r)}">{self.titles[r]}</a></li>\n' for r in related),
            "</ul>\n</div>\n",
            (
                '<footer class="entry-footer"><div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Teilen:</h3>'
                '<span class="share-facebook">Facebook</span> <span class="share-x">X</span></div></footer>\n</article>\n'
            ),
            self._sidebar(),
        ]  # fmt: skip
        size = sum(len(p.encode()) for p in parts)
        target = rng.randint(60_000, 100_000) - 1_500
        comments = [
            '<div id="comments" class="comments-area">\n<h2 class="comments-title">Kommentare</h2>\n<ol class="comment-list">\n'
        ]
        n = 0
        while size < target:
            n += 1
            comment = (
                f'<li id="comment-{i}-{n}" class="comment"><article class="comment-body"><footer class="comment-meta">'
                f'<b class="fn">{rng.choice(self.words)}</b> <time datetime="{published}">{published[:10]}</time></footer>'
                f'<div class="comment-content"><p>{self._paragraph(rng)}</p></div>'
                f'<div class="reply"><a rel="nofollow" class="comment-reply-link" href="#respond">Antworten</a></div></article></li>\n'
            )
            comments.append(comment)
            size += len(comment.encode())
        comments.append(
            '</ol>\n<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>'
            '<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">'
            '<p class="comment-form-comment"><label for="comment">Kommentar *</label><textarea id="comment" name="comment"></textarea></p>'
            "</form></div>\n</div>\n"
        )
        return "".join(parts + comments) + self._footer()

    def _teaser(self, i: int) -> str:
        rng = random.Random(self.seed * 15485863 + i)
        return (
            f'<article class="post type-post"><h2 class="entry-title"><a href="{self.article_path(i)}">{self.titles[i]}</a></h2>'
            f'<div class="entry-summary"><p>{self._sentence(rng)}</p></div></article>\n'
        )

    def listing(self, c: int, page: int) -> str:
        count = self.layout.category_pages(c)
        ids = [k * len(CATEGORIES) + c for k in range((page - 1) * PER_PAGE, page * PER_PAGE)]
        ids = [i for i in ids if i < self.layout.articles]
        paging = sorted({1, max(1, page - 1), min(count, page + 1), count} - {page})
        name = CATEGORIES[c].capitalize()
        parts = [
            *self._head(f"{name} – Seite {page}", self.category_path(c, page), '<meta property="og:type" content="website">\n'),
            *self._masthead(c),
            f'<header class="page-header"><h1 class="page-title">Kategorie: {name}</h1></header>\n',
            *(self._teaser(i) for i in ids),
            '<nav class="navigation pagination"><div class="nav-links">',
            *(f'<a class="page-numbers" href="{self.category_path(c, p)}">{p}</a> ' for p in paging),
            "</div></nav>\n", self._sidebar(), self._footer(),
        ]  # fmt: skip
        return "".join(parts)

    def home(self) -> str:
        parts = [
            *self._head("Startseite", "/", '<meta property="og:type" content="website">\n'),
            *self._masthead(None),
            *(self._teaser(i) for i in range(min(30, self.layout.articles))),
            self._sidebar(), self._footer(),
        ]  # fmt: skip
        return "".join(parts)


def generate_site(pages: int, root: Path, *, seed: int = 1) -> SiteLayout:
    """Write the site of ``pages`` pages under ``root`` (skipped when a complete copy is there)."""
    layout = SiteLayout(pages)
    marker = root / ".complete"
    stamp = f"{GENERATOR_VERSION} {pages} {seed}"
    if marker.is_file() and marker.read_text() == stamp:
        return layout
    writer = _Writer(layout, seed)

    def write(path: str, html: str) -> None:
        target = root / path.lstrip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")

    write("/", writer.home())
    for c in range(len(CATEGORIES)):
        for page in range(1, layout.category_pages(c) + 1):
            write(writer.category_path(c, page), writer.listing(c, page))
    for i in range(layout.articles):
        write(writer.article_path(i), writer.article(i))
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /wp-admin/\n")
    marker.write_text(stamp)
    return layout


# -- the server --------------------------------------------------------------------------------


class _Http(asyncio.Protocol):
    """HTTP/1.1 GET with keep-alive: path -> ``ROOT/path/index.html`` (or the file), nothing else."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self._answer(head.split(b"\r\n", 1)[0].split(b" ")[1].decode("latin-1"))

    def _answer(self, target: str) -> None:
        path = target.split("?", 1)[0].split("#", 1)[0]
        if ".." in path:
            path = "/"
        file = self.root / path.lstrip("/")
        if path.endswith("/"):
            file = file / "index.html"
        try:
            body = file.read_bytes()
            status, kind = (
                b"200 OK",
                b"text/html; charset=utf-8" if file.suffix == ".html" else b"text/plain",
            )
        except OSError:
            body, status, kind = (
                b"<!doctype html><title>404</title>",
                b"404 Not Found",
                b"text/html; charset=utf-8",
            )
        assert self.transport is not None
        self.transport.write(
            b"HTTP/1.1 " + status + b"\r\nContent-Type: " + kind + b"\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body
        )  # fmt: skip


async def serve(root: Path, port: int = 0) -> None:
    """Serve ``root`` on 127.0.0.1 until killed; print the base URL first."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Http(root), "127.0.0.1", port, backlog=256)
    print(f"serving http://127.0.0.1:{server.sockets[0].getsockname()[1]}/", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.site", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write a site of N pages into DIR")
    gen.add_argument("pages", type=int)
    gen.add_argument("dir", type=Path)
    gen.add_argument("--seed", type=int, default=1)
    srv = sub.add_parser("serve", help="serve DIR on 127.0.0.1")
    srv.add_argument("dir", type=Path)
    srv.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "generate":
        layout = generate_site(args.pages, args.dir, seed=args.seed)
        print(f"{layout.pages} pages ({layout.articles} articles) in {args.dir}")
    else:
        try:
            asyncio.run(serve(args.dir.resolve(), args.port))
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
