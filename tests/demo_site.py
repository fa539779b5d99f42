"""Facts of the bundled demo site (newscrawler/demo/SITE.md) that several tests check an archive against."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from newscrawler.demo.server import DEMO_SITE

#: The URL shape of a demo article.
ARTICLE_PATH = re.compile(r"^/\d{4}/\d{2}/\d{2}/[^/]+/$")
#: Articles of the demo site, each archived once.
GENUINE_ARTICLES = 26
#: The path of the seed article on the demo site.
SEED_PATH = "/2024/07/06/die-nato-und-suedkorea-bereiten-ein-gemeinsames-projekt-zur-unterstuetzung-der-ukraine-vor-stoltenberg/"


def demo_pages() -> dict[str, lxml_html.HtmlElement]:
    """Every demo page that is an article by URL shape (the AMP copy is not), keyed by its path."""
    pages = {}
    for file in DEMO_SITE.glob("*/*/*/*/index.html"):
        path = "/" + file.parent.relative_to(DEMO_SITE).as_posix() + "/"
        if ARTICLE_PATH.match(path):
            pages[path] = lxml_html.fromstring(file.read_bytes())
    return pages
