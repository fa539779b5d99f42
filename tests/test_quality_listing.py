"""Real headlines pass; archive, tag and date pages are dropped; a stray NUL loses no article."""

from __future__ import annotations

import pytest

from newscrawler.extract import extract_article
from newscrawler.extract.quality import page_problem

PROSE = "\n\n".join(
    [
        "Der Haushaltsausschuss hat am späten Abend mit knapper Mehrheit den Etat für das kommende "
        "Jahr beschlossen, nachdem die Koalition sich in letzter Minute auf Kürzungen geeinigt hatte."
    ]
    * 5
)
TEASERS = "\n\n".join(f"Meldung {i}: Kurzer Anriss eines Artikels … weiterlesen" for i in range(6))

REAL_HEADLINES = (
    "Month-end budget vote passes narrowly",
    "Year-end review: the stories that shaped 2024",
    "Day-care centres short of staff across the state",
    "Tag-und-Nacht-Gleiche: Was am 22. September passiert",
    "Jahr-2000-Problem: Wie die Welt den Millennium-Bug überstand",
    "Archiv: Wie die Stasi ihre Akten vernichtete",  # a listing word, but a full article under it
)
LISTING_PAGES = (
    ("Monat: Juli 2024", "https://x.de/2024/07/"),
    ("Archiv – Juli 2024", "https://x.de/archiv/2024-07/"),
    ("Tag: Politik", "https://x.de/thema/politik/"),
    ("Kategorie: Wirtschaft", "https://x.de/wirtschaft/"),
    ("Beiträge von Katrin Wolff", "https://x.de/team/wolff/"),
    ("Schlagwort - Ukraine", "https://x.de/ukraine/"),
    ("Ukraine", "https://x.de/tag/ukraine/"),
    ("Politik", "https://x.de/politik/page/2/"),
)


@pytest.mark.parametrize("title", REAL_HEADLINES)
def test_real_headlines_are_not_taken_for_listings(title):
    assert page_problem(url="https://x.de/2024/07/06/a/", title=title, body=PROSE) is None


@pytest.mark.parametrize(("title", "url"), LISTING_PAGES)
def test_archive_tag_and_date_pages_are_dropped_as_listings(title, url):
    assert page_problem(url=url, title=title, body=TEASERS) == "listing"


def test_a_nul_byte_in_the_head_loses_no_article():
    body = " ".join(["Ein Satz über die Lage in der Stadt, der lang genug ist."] * 10)
    html = (
        "<html><head><title>Titel\x00</title></head><body><article><h1>Rat\x00 beschließt Etat</h1>"
        f"<p>{body}\x00</p><p>{body}</p></article></body></html>"
    )
    fields = extract_article(html, "https://x.de/2024/07/06/etat/")
    assert fields is not None
    assert fields["title"] == "Rat beschließt Etat"
    assert "\x00" not in fields["body"] and len(fields["body"]) > 500


def test_a_binary_file_is_still_not_html():
    assert extract_article("\x89PNG\r\n\x1a\n" + "\x00" * 64 + "<>", "https://x.de/a.png") is None


@pytest.mark.parametrize("title", REAL_HEADLINES[:5])
def test_a_hyphenated_headline_word_is_no_listing_even_under_a_short_text(title):
    # Two paragraphs: too little prose to outweigh a listing headline, so the headline pattern
    # alone must tell "Month-end budget vote" from "Monat: Juli 2024".
    short = "\n\n".join(PROSE.split("\n\n")[:2])
    assert page_problem(url="https://x.de/2024/07/06/a/", title=title, body=short) is None
