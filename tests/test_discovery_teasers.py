"""Reading a listing's links as an editor does: teaser blocks, headlines, navigation, paywall marks."""

from __future__ import annotations

from scrapy.http import HtmlResponse

from newscrawler.spiders.links import classify_link
from newscrawler.spiders.teasers import paywall_marked, read_links

BASE = "https://www.zeitung.example/"
A_FREE = "/politik/gipfel-endet-ohne-einigung-94104443.html"
A_PLUS = "/wirtschaft/sparen-mit-etf-so-geht-es-94104444.html"
A_ICON = "/kultur/die-oper-spielt-wieder-im-sommer-94104445.html"
A_SHORT = "/s/haushalt"

HOME = f"""<!doctype html><html><head><title>Zeitung</title></head><body>
<a class="skip" href="#inhalt">Zum Inhalt springen</a>
<header><a href="/">Zeitung</a><nav><ul>
  <li><a href="/politik/">Politik</a></li><li><a href="/wirtschaft/">Wirtschaft</a></li>
  <li><a href="https://sport.zeitung.example/">Sport</a></li>
</ul></nav></header>
<main id="inhalt">
  <article class="card">
    <a href="{A_FREE}"><img src="/bild.jpg" alt=""></a>
    <h2><a href="{A_FREE}">Gipfel endet ohne Einigung über das Klima</a></h2>
    <p>Die Staaten konnten sich nicht einigen. <a href="/thema/klima/">Klima</a></p>
  </article>
  <article class="card">
    <span class="badge is-premium"></span>
    <h2><a href="{A_PLUS}" title="Sparen mit ETF: so geht es ohne viel Aufwand">Sparen mit ETF, so geht es</a></h2>
  </article>
  <div class="teaser">
    <a href="{A_ICON}"><svg><title>Zeitung Plus</title></svg>
    <h3>Die Oper spielt wieder im Sommer</h3></a>
  </div>
  <div class="teaser"><h3><a href="{A_SHORT}">Der Stadtrat beschließt den Haushalt für 2025</a></h3></div>
</main>
<footer><a href="/impressum.html">Impressum</a> <a href="/newsletter">Newsletter</a></footer>
</body></html>"""


def links() -> dict[str, object]:
    response = HtmlResponse(BASE, body=HOME.encode(), encoding="utf-8")
    return {link.url.removeprefix(BASE.rstrip("/")): link for link in read_links(response.selector.root, BASE)}  # fmt: skip


def test_one_evidence_per_target_with_the_best_of_its_occurrences():
    found = links()
    free = found[A_FREE]
    assert free.text == "Gipfel endet ohne Einigung über das Klima"  # not the empty image link
    assert free.headline and free.teaser and not free.boilerplate and not free.paywalled
    assert list(found).index(A_FREE) < list(found).index(A_PLUS)  # page order


def test_navigation_and_footer_links_are_boilerplate():
    found = links()
    assert found["/politik/"].boilerplate and not found["/politik/"].headline
    assert found["/impressum.html"].boilerplate
    assert not found[A_SHORT].boilerplate


def test_a_link_wrapping_its_heading_is_a_headline():
    assert links()[A_ICON].headline


def test_paywall_marks_belong_to_their_own_teaser_only():
    found = links()
    assert found[A_PLUS].paywalled  # a badge class in the card
    assert found[A_ICON].paywalled  # an icon titled "... Plus" inside the link
    assert not found[A_FREE].paywalled
    assert not found[A_SHORT].paywalled
    assert not found["/thema/klima/"].paywalled


def test_a_long_title_that_says_plus_is_a_headline_not_a_flag():
    response = HtmlResponse(
        BASE,
        body=b'<div><a href="/a" title="Mehr Geld plus Zinsen: was Sparer jetzt wissen sollten">x</a></div>',
        encoding="utf-8",
    )
    assert not paywall_marked(response.selector.root)


def test_the_verdicts_on_a_home_page():
    verdicts = {url: classify_link(link, BASE) for url, link in links().items()}
    assert verdicts[A_FREE] == "article"
    assert verdicts[A_SHORT] == "article"  # a teaser headline, though the URL says nothing
    assert verdicts[A_PLUS] == verdicts[A_ICON] == "paywalled"
    assert verdicts["/politik/"] == verdicts["/thema/klima/"] == "section"
    assert verdicts["/impressum.html"] == "junk:legal"
    assert verdicts["/newsletter"] == "junk:newsletter"
    assert verdicts["/"] == "junk:anchor"  # the home page's own logo link
    assert "#inhalt" not in "".join(verdicts)  # the skip link is the page itself


def test_links_that_are_not_to_follow_are_left_out():
    body = (
        b'<a href="mailto:x@zeitung.example">Mail</a><a href="javascript:print()">Drucken</a>'
        b'<a href="/bild.jpg">Bild</a><a href="/bericht.pdf">PDF</a><a href="ftp://zeitung.example/pub/">FTP</a>'
    )
    response = HtmlResponse(BASE, body=body, encoding="utf-8")
    # ftp:// passes, as with Scrapy's link extractor: the safety middleware refuses and counts it
    assert [link.url for link in read_links(response.selector.root, BASE)] == [
        "ftp://zeitung.example/pub/"
    ]
