"""The fault-injection site: a WordPress-style German news site where chosen URLs misbehave.

:func:`build_routes` returns the routes for :class:`tests.hostile.server.HostileServer`;
:data:`VALID` says which articles must end up in the archive (path -> title and paragraphs),
:data:`BAD` lists the paths that must not, with the failure each one injects.
"""

from __future__ import annotations

import html
import random
import time
import zlib
from dataclasses import dataclass, field
from functools import cache

from .server import Handler, Route

__all__ = [
    "BAD",
    "DISALLOWED",
    "PRIVATE_LINKS",
    "VALID",
    "Article",
    "article_html",
    "build_routes",
    "paragraphs_for",
]

_SUBJECTS = ["Der Stadtrat", "Die Landesregierung", "Ein Sprecher des Ministeriums", "Die Bürgerinitiative",
             "Der Verkehrsverbund", "Die Handwerkskammer", "Eine Sprecherin der Polizei", "Der Kreistag",
             "Die Gewerkschaft", "Das Umweltamt", "Die Feuerwehr", "Der Bürgermeister", "Die Klinikleitung",
             "Der Sportverein", "Die Hochschule", "Das Landgericht"]  # fmt: skip
_VERBS = ["kündigte am Montag an", "teilte am Dienstag mit", "erklärte nach der Sitzung",
          "betonte vor Journalisten", "bestätigte am Abend", "räumte am Mittwoch ein",
          "forderte in einer Stellungnahme", "berichtete im Ausschuss"]  # fmt: skip
_OBJECTS = ["dass die Sanierung der Brücke bis zum Herbst dauern wird", "dass mehr Geld für Schulen bereitsteht",
            "dass die Buslinien im Sommer häufiger fahren sollen", "dass der Neubau im Zeitplan liegt",
            "dass die Zahl der Einsätze deutlich gestiegen ist", "dass ein neues Gutachten erstellt wird",
            "dass die Gebühren im kommenden Jahr stabil bleiben", "dass weitere Gespräche geplant sind",
            "dass die Anwohner früher beteiligt werden sollen", "dass das Projekt mehr kostet als geplant",
            "dass zusätzliche Stellen ausgeschrieben werden", "dass die Ergebnisse im Internet veröffentlicht werden"]  # fmt: skip
_TAILS = ["Kritiker sehen darin ein wichtiges Signal für die Region.",
          "Die Opposition will das Thema in der nächsten Sitzung erneut aufgreifen.",
          "Eine endgültige Entscheidung soll noch vor dem Jahresende fallen.",
          "Viele Betroffene hatten seit Monaten auf eine Antwort gewartet.",
          "Nach Angaben der Verwaltung sind die Mittel bereits eingeplant.",
          "Fachleute rechnen mit spürbaren Folgen für den Alltag vieler Familien."]  # fmt: skip


def paragraphs_for(slug: str, count: int = 4) -> list[str]:
    """Distinct, plain German paragraphs for an article (deterministic per slug)."""
    rng = random.Random(slug)
    paragraphs = []
    for _ in range(count):
        sentences = [
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)}, {rng.choice(_OBJECTS)}."
            for _ in range(3)
        ]
        sentences.append(rng.choice(_TAILS))
        paragraphs.append(" ".join(sentences))
    paragraphs[0] += f" Das Stichwort lautet {slug.replace('-', ' ').title().replace(' ', '')}."
    return paragraphs


@dataclass
class Article:
    """A valid article of the site: what the archive must hold for it."""

    path: str
    title: str
    paragraphs: list[str]
    related: list[tuple[str, str]] = field(default_factory=list)


def article_html(
    title: str,
    paragraphs: list[str],
    *,
    path: str,
    related: list[tuple[str, str]] = (),  # type: ignore[assignment]
    head: str = "",
    before_body: str = "",
    inside_body: str = "",
    after_article: str = "",
    charset: str | None = "utf-8",
    jsonld_extra: str = "",
) -> str:
    """A WordPress-style article page (the demo site's template) with optional injected parts."""
    esc = html.escape
    items = "\n".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>' for href, text in related)
    related_block = (
        f'<h3>Ähnliche Themen:</h3>\n<ul class="related-posts">\n{items}\n</ul>' if related else ""
    )
    body = "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    jsonld = (
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": '
        + _json(title)
        + ", "
        '"datePublished": "2024-07-10T09:30:00+02:00", "author": {"@type": "Person", "name": "Jana Berger"}'
        + jsonld_extra
        + "}"
    )
    return f"""<!DOCTYPE html>
<html lang="de-DE">
<head>
{meta_charset}
<title>{esc(title)} – Lokalblatt</title>
<link rel="canonical" href="{esc(path)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(title)}">
<meta property="article:published_time" content="2024-07-10T09:30:00+02:00">
<script type="application/ld+json">{jsonld}</script>
{head}
</head>
<body class="single single-post">
<div id="page" class="site">
<header id="masthead" class="site-header"><p class="site-title"><a href="/">Lokalblatt</a></p>
<nav class="main-navigation"><ul><li><a href="/">Startseite</a></li><li><a href="/impressum/">Impressum</a></li></ul></nav>
</header>
{before_body}
<main id="primary" class="site-main">
<article class="post type-post">
<header class="entry-header">
<h1 class="entry-title">{esc(title)}</h1>
<div class="entry-meta"><span class="byline">Von <a rel="author" class="author">Jana Berger</a></span>
<time class="entry-date published" datetime="2024-07-10T09:30:00+02:00">10. Juli 2024</time></div>
</header>
<div class="entry-content">
{body}
{inside_body}
{related_block}
</div>
</article>
{after_article}
</main>
<footer class="site-footer"><p>&copy; 2024 Lokalblatt</p><p><a href="/impressum/">Impressum</a></p></footer>
</div>
</body>
</html>
"""


def _json(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _page(
    status: int, text: str, content_type: str = "text/html; charset=utf-8", **headers: str
) -> Route:
    data = text.encode("utf-8")
    return lambda h: h.answer(status, data, content_type, headers or None)


def _bytes(status: int, data: bytes, content_type: str | None, **headers: str) -> Route:
    return lambda h: h.answer(status, data, content_type, headers or None)


def _redirect(target: str, status: int = 301) -> Route:
    return lambda h: h.answer(status, b"", None, {"Location": target})


# -- the valid articles ---------------------------------------------------------------------------

D = "/2024/07/10/"


def _art(slug: str, title: str, related: list[tuple[str, str]] = (), count: int = 4) -> Article:  # type: ignore[assignment]
    return Article(D + slug + "/", title, paragraphs_for(slug, count), list(related))


A_NORMAL = _art("stadtrat-beschliesst-haushalt", "Stadtrat beschließt den Haushalt für 2025")
A_CYCLE = _art("bruecke-wird-saniert", "Die alte Brücke wird bis zum Herbst saniert")
A_NORMAL.related = [(A_CYCLE.path, A_CYCLE.title)]
A_RETRY = _art("buslinien-fahren-haeufiger", "Buslinien fahren im Sommer häufiger")
A_SLOW = _art("neues-gutachten-zum-klinikum", "Neues Gutachten zum Klinikum vorgestellt")
A_LATIN1 = _art("buerger-in-koeln-waehlen", "Bürger in Köln wählen – Straßenbahn fährt öfter")
A_CP1252 = _art(
    "gebuehren-bleiben-stabil", "„Gebühren bleiben stabil“ – Kämmerer rechnet mit 5 € weniger"
)
A_MALFORMED = _art("feuerwehr-zieht-bilanz", "Feuerwehr zieht Bilanz nach dem Unwetter")
A_HUGE = _art("hochschule-baut-neues-labor", "Hochschule baut ein neues Labor")
A_XSS = _art(
    "kommentar-zur-datenbank",
    "Kommentar: \"Robert'); DROP TABLE articles;--\" und <script>alert('x')</script> im Titel",
)
A_SHORTLINK = _art(
    "sportverein-feiert-jubilaeum", "Sportverein feiert sein hundertjähriges Jubiläum"
)
A_CHAIN = _art("landgericht-verhandelt-erneut", "Landgericht verhandelt den Fall erneut")
A_BANNER = _art(
    "gewerkschaft-fordert-mehr-personal", "Gewerkschaft fordert mehr Personal in Kliniken", count=5
)

VALID: dict[str, Article] = {
    a.path: a
    for a in (
        A_NORMAL,
        A_CYCLE,
        A_RETRY,
        A_SLOW,
        A_LATIN1,
        A_CP1252,
        A_MALFORMED,
        A_HUGE,
        A_XSS,
        A_SHORTLINK,
        A_CHAIN,
        A_BANNER,
    )
}

#: Paths that must never be archived, with the failure each one injects.
BAD: dict[str, str] = {
    D + "dauerfehler/": "permanent 500 with an article-looking error page",
    D + "geloescht/": "404",
    D + "soft-404/": "soft 404 (200 'Seite nicht gefunden')",
    D + "fehlerseite/": "error page served with 200",
    D + "zu-viele-anfragen/": "permanent 429",
    D + "bericht-pdf/": "a PDF",
    D + "leer/": "an empty 200",
    D + "tarpit/": "slow-drip body",
    D + "abgeschnitten/": "body cut short of its Content-Length",
    D + "gzip-bombe/": "gzip bomb",
    D + "plus-artikel/": "paywall teaser",
    D + "zustimmung/": "cookie-consent interstitial",
    D + "page/2/": "date-archive listing at an article-shaped URL",
    "/impressum/": "imprint with an article template",
    "/loop/a/": "redirect loop",
    "/hop/1/": "a new redirect URL on every hop",
}
#: A listing whose every link points at a private address or a non-HTTP scheme.
PRIVATE_LINKS = "/links/"
#: robots.txt disallows this prefix; nothing under it may be requested.
DISALLOWED = "/intern/"

#: Bytes unpacked by the gzip bomb.
BOMB_SIZE = 512 * 1024 * 1024


@cache
def gzip_bomb() -> bytes:
    """About half a megabyte of gzip that unpacks to :data:`BOMB_SIZE` zero bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(BOMB_SIZE // len(chunk))]
    parts.append(compressor.flush())
    return b"".join(parts)


def _retry_then_ok(text: str) -> Route:
    def route(h: Handler) -> None:
        if h.hits() == 1:
            h.answer(503, b"<h1>Wartung</h1>", headers={"Retry-After": "1"})
        else:
            h.answer(200, text.encode("utf-8"))

    return route


def _slow(text: str, seconds: float) -> Route:
    def route(h: Handler) -> None:
        time.sleep(seconds)
        h.answer(200, text.encode("utf-8"))

    return route


def _tarpit(h: Handler) -> None:
    """Headers at once, then one byte every half second for a minute."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", "100000")
    h.end_headers()
    for _ in range(120):
        h.wfile.write(b" ")
        h.wfile.flush()
        time.sleep(0.5)


def _listing_html(
    links: list[tuple[str, str]], title: str = "Lokalblatt – Nachrichten aus der Region"
) -> str:
    teasers = "\n".join(
        f'<article class="post"><h2 class="entry-title"><a href="{html.escape(h)}">{html.escape(t)}</a></h2>'
        f'<p>{html.escape(t)} – mehr dazu im Artikel. <a href="{html.escape(h)}">Weiterlesen »</a></p></article>'
        for h, t in links
    )
    return f"""<!DOCTYPE html><html lang="de-DE"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta property="og:type" content="website"></head><body><div id="page"><header><p class="site-title">Lokalblatt</p></header>
<main>{teasers}</main><footer><a href="/impressum/">Impressum</a></footer></div></body></html>"""


def build_routes(other_site: str) -> dict[str, Route]:
    """Every route of the fault site; ``other_site`` is the base URL of another host on this machine."""
    other = other_site.rstrip("/")
    offsite_links = [
        (other + D + "fremder-artikel/", "Ein Artikel auf einer anderen Seite"),
        (
            "https://www.example.com/2024/07/10/oeffentlich-fremd/",
            "Ein Artikel im öffentlichen Netz",
        ),
        ("http://169.254.169.254/latest/meta-data/", "Metadaten"),
        ("http://10.0.0.7/2024/07/10/intranet/", "Intranet"),
    ]
    scheme_links = [
        ("mailto:redaktion@lokalblatt.example", "E-Mail an die Redaktion"),
        ("tel:+49301234567", "Anrufen"),
        ("javascript:alert(document.cookie)", "Drucken"),
        ("whatsapp://send?text=Hallo", "Per WhatsApp teilen"),
        ("file:///etc/passwd", "Datei"),
        ("ftp://127.0.0.1/pub/", "FTP"),
        ("data:text/html,<script>alert(1)</script>", "Daten"),
    ]
    variants = [
        (A_NORMAL.path + "?utm_source=newsletter&utm_medium=email", A_NORMAL.title),
        (A_NORMAL.path + "?replytocom=123#respond", A_NORMAL.title),
        (A_NORMAL.path + "#comments", A_NORMAL.title),
    ]
    # The related-link cycle: A_CYCLE points back at A_NORMAL and at pages that are not articles.
    A_CYCLE.related = [
        (A_NORMAL.path, A_NORMAL.title),
        ("/impressum/", "Impressum"),
        (D + "page/2/", "Alle Artikel vom 10. Juli"),
        *offsite_links,
        *scheme_links,
    ]

    routes: dict[str, Route] = {}

    def page(article: Article, **kwargs: object) -> str:
        return article_html(
            article.title, article.paragraphs, path=article.path, related=article.related, **kwargs
        )  # type: ignore[arg-type]

    routes[A_NORMAL.path] = _page(200, page(A_NORMAL))
    routes[A_CYCLE.path] = _page(200, page(A_CYCLE))
    routes[A_RETRY.path] = _retry_then_ok(page(A_RETRY))
    routes[A_SLOW.path] = _slow(page(A_SLOW), 2.0)
    routes[A_LATIN1.path] = _bytes(
        200, page(A_LATIN1, charset=None).encode("iso-8859-1", "xmlcharrefreplace"), "text/html"
    )
    routes[A_CP1252.path] = _bytes(
        200, page(A_CP1252, charset="windows-1252").encode("cp1252"), "text/html; charset=utf-8"
    )
    malformed = page(A_MALFORMED)
    malformed = (
        malformed.replace("</p>", "", 2)
        .replace("</div>", "", 2)
        .replace("</article>", "")
        .replace(
            "<p>" + html.escape(A_MALFORMED.paragraphs[1][:30]),
            "<p>< strong>" + html.escape(A_MALFORMED.paragraphs[1][:30]),
            1,
        )
        .replace('<ul class="related-posts">', '<ul class="related-posts"><li>')
    )
    routes[A_MALFORMED.path] = _page(200, malformed)
    script = (
        "<script>var tracking = {"
        + ",".join(f'"k{i}": "{i:08d}"' for i in range(80_000))
        + "};</script>\n"
    )
    comments = "<!-- " + ("Werbung Werbung Werbung " * 40_000) + " -->\n"
    routes[A_HUGE.path] = _page(
        200, page(A_HUGE, head=script + comments, after_article=comments + script)
    )
    evil = (
        '<script>document.write("<p>Eingeschleuster Text aus einem Skript</p>")</script>'
        '<p><img src="x.png" onerror="alert(\'onerror\')"> <a href="#" onclick="steal()">Bild</a></p>'
        "<iframe src=\"javascript:alert('iframe')\"></iframe><style>p { color: red }</style>"
        "<noscript><p>Bitte aktivieren Sie JavaScript in Ihrem Browser</p></noscript>"
    )
    routes[A_XSS.path] = _page(200, page(A_XSS, inside_body=evil))
    routes["/s/sport"] = _page(
        200,
        f'<html><head><meta http-equiv="refresh" content="0; url={A_SHORTLINK.path}"><title>Weiterleitung</title></head>'
        f'<body><a href="{A_SHORTLINK.path}">Weiter</a></body></html>',
    )
    routes[A_SHORTLINK.path] = _page(200, page(A_SHORTLINK))
    routes["/go/1/"] = _redirect("/go/2/")
    routes["/go/2/"] = _redirect("/go/3/", 302)
    routes["/go/3/"] = _redirect(A_CHAIN.path, 307)
    routes[A_CHAIN.path] = _page(200, page(A_CHAIN))
    banner = (
        '<div class="cookie-notice"><p>Wir verwenden Cookies und ähnliche Technologien. Mit einem Klick auf '
        "„Alle akzeptieren“ stimmen Sie der Verarbeitung zu. Ihre Einwilligung können Sie jederzeit in den "
        "Datenschutzeinstellungen widerrufen.</p><button>Alle akzeptieren</button></div>"
    )
    routes[A_BANNER.path] = _page(200, page(A_BANNER, before_body=banner))

    # -- bad pages ---------------------------------------------------------------------------
    error_article = article_html(
        "Ein Fehler ist aufgetreten",
        ["Leider ist bei der Verarbeitung Ihrer Anfrage ein interner Fehler aufgetreten. " * 4] * 2,
        path=D + "dauerfehler/",
    )
    routes[D + "dauerfehler/"] = _page(500, error_article)
    routes[D + "geloescht/"] = _page(
        404, article_html("Seite nicht gefunden", paragraphs_for("x404"), path=D + "geloescht/")
    )
    soft = article_html(
        "Seite nicht gefunden",
        ["Die von Ihnen aufgerufene Seite existiert nicht oder wurde verschoben. Vielleicht finden Sie, was "
         "Sie suchen, über unsere Suche oder in einem der folgenden Ressorts: Politik, Wirtschaft, Kultur, "
         "Sport, Region, Meinung, Wissen und Panorama. Zurück zur Startseite geht es über das Logo oben."] * 2,
        path=D + "soft-404/",
    )  # fmt: skip
    routes[D + "soft-404/"] = _page(200, soft)
    routes[D + "fehlerseite/"] = _page(
        200, error_article.replace(D + "dauerfehler/", D + "fehlerseite/")
    )
    routes[D + "zu-viele-anfragen/"] = _page(
        429, "<h1>Too Many Requests</h1>", **{"Retry-After": "3600"}
    )
    routes[D + "bericht-pdf/"] = _bytes(
        200,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        "application/pdf",
    )
    routes[D + "leer/"] = _bytes(200, b"", "text/html; charset=utf-8")
    routes[D + "tarpit/"] = _tarpit
    cut = page(_art("abgeschnitten", "Ein abgeschnittener Artikel")).encode("utf-8")
    routes[D + "abgeschnitten/"] = lambda h: h.answer(200, cut[: len(cut) // 2], length=len(cut))
    routes[D + "gzip-bombe/"] = lambda h: h.answer(
        200, gzip_bomb(), "text/html; charset=utf-8", {"Content-Encoding": "gzip"}
    )
    teaser = _art("plus-artikel", "Exklusiv: Was der Kämmerer wirklich plant", count=1)
    routes[D + "plus-artikel/"] = _page(
        200,
        page(
            teaser,
            inside_body='<div class="paywall"><p>Dieser Artikel ist exklusiv für Abonnenten. Jetzt weiterlesen mit Lokalblatt Plus.</p></div>',
            jsonld_extra=', "isAccessibleForFree": false',
        ),
    )
    consent = article_html(
        "Bevor Sie fortfahren",
        ["Wir und unsere Werbepartner verwenden Cookies und ähnliche Technologien, um Inhalte und Anzeigen "
         "zu personalisieren. Mit einem Klick auf „Alle akzeptieren“ geben Sie Ihre Einwilligung. In den "
         "Datenschutzeinstellungen können Sie Ihre Zustimmung jederzeit widerrufen oder das Angebot ohne "
         "Werbung im Abo nutzen."],
        path=D + "zustimmung/",
    )  # fmt: skip
    routes[D + "zustimmung/"] = _page(200, consent)
    day_links = [(a.path, a.title) for a in (A_NORMAL, A_CYCLE, A_RETRY, A_SLOW)]
    routes[D + "page/2/"] = _page(
        200,
        _listing_html(day_links, "Tag: 10. Juli 2024 – Lokalblatt").replace(
            '<meta property="og:type" content="website">', ""
        ),
    )
    imprint = article_html(
        "Impressum",
        ["Lokalblatt GmbH, Musterstraße 1, 12345 Musterstadt. Vertreten durch die Geschäftsführerin Erika "
         "Mustermann. Registergericht Amtsgericht Musterstadt, Handelsregisternummer HRB 12345. "
         "Verantwortlich für den Inhalt nach Paragraf 18 Medienstaatsvertrag ist die Chefredaktion. "
         "Umsatzsteuer-Identifikationsnummer DE123456789."] * 2,
        path="/impressum/",
    )  # fmt: skip
    routes["/impressum/"] = _page(200, imprint)
    routes["/loop/a/"] = _redirect("/loop/b/")
    routes["/loop/b/"] = _redirect("/loop/a/")
    for n in range(1, 200):
        routes[f"/hop/{n}/"] = _redirect(f"/hop/{n + 1}/", 302)
    routes[DISALLOWED + "2024/07/10/geheim/"] = _page(
        200, article_html("Geheim", paragraphs_for("geheim"), path="/intern/x/")
    )
    routes["/robots.txt"] = _page(200, f"User-agent: *\nDisallow: {DISALLOWED}\n", "text/plain")

    # -- the home page links to everything ----------------------------------------------------
    home_links = [
        (A_NORMAL.path, A_NORMAL.title), (A_RETRY.path, A_RETRY.title), (A_SLOW.path, A_SLOW.title),
        (A_LATIN1.path, A_LATIN1.title), (A_CP1252.path, A_CP1252.title), (A_MALFORMED.path, A_MALFORMED.title),
        (A_HUGE.path, A_HUGE.title), (A_XSS.path, "Kommentar"), ("/s/sport", "Kurzlink Sport"),
        ("/go/1/", "Landgericht"), (A_BANNER.path, A_BANNER.title),
        *[(path, path) for path in BAD if path != "/impressum/"],
        (DISALLOWED + "2024/07/10/geheim/", "Geheim"),
        *variants, *scheme_links, *offsite_links,
    ]  # fmt: skip
    routes["/"] = _page(200, _listing_html(home_links))
    # Not linked from anywhere: the start page of the follow_offsite test, every link a trap.
    routes[PRIVATE_LINKS] = _page(200, _listing_html([
        (other + D + "fremder-artikel/", "Andere Seite auf diesem Rechner"),
        ("http://169.254.169.254/latest/meta-data/", "Cloud-Metadaten"),
        ("http://10.0.0.7/2024/07/10/intranet/", "Intranet"),
        ("http://[::1]:9/2024/07/10/ipv6/", "IPv6-Loopback"),
        *scheme_links,
    ]))  # fmt: skip
    return routes


def other_site_routes() -> dict[str, Route]:
    """The other host on this machine: one article, which must never be requested."""
    path = D + "fremder-artikel/"
    return {path: _page(200, article_html("Fremder Artikel", paragraphs_for("fremd"), path=path))}


def gzip_size() -> int:
    return len(gzip_bomb())
