"""Body and headline rules of issue #3, each on a small page written for the phenomenon."""

from __future__ import annotations

import pytest

from newscrawler.extract import extract_article
from newscrawler.extract.body import Block
from newscrawler.extract.furniture import clean_blocks, is_meta_line

URL = "https://news.example.de/2024/07/06/slug/"
PROSE = (
    "Der Stadtrat hat am Dienstagabend nach langer Debatte beschlossen, die Brücke über den Fluss "
    "bis zum Herbst zu sanieren, und die Kosten dafür auf zwei Jahre zu verteilen."
)


def page(
    header: str = "", body: str = "", head: str = "", title: str = "Die Brücke wird saniert"
) -> str:
    paragraphs = "".join(f"<p>Absatz {i}. {PROSE}</p>" for i in range(5))
    return (
        f"<html lang='de'><head>{head}</head><body><article>{header}<h1>{title}</h1>"
        f"<div class='article-body'>{body}{paragraphs}</div></article></body></html>"
    )


def body_of(html: str) -> list[str]:
    article = extract_article(html, URL)
    assert article is not None and article["body"]
    return article["body"].split("\n\n")


@pytest.mark.parametrize(
    "line",
    [
        "17.04.2024, 12:24Lesezeit: 5 Min.",  # spans glue the reading time to the date
        "-Aktualisiert am 28.04.2023-19:20",  # a decorative dash before the label
        "Do 25.04.24 | 14:07 Uhr | Von Anna Beispiel",  # date | time | byline header
    ],
)
def test_header_lines_are_meta(line: str) -> None:
    assert is_meta_line(line)


@pytest.mark.parametrize(
    "line",
    ["Berlin | Die Stadt wächst und wächst", "Lesen Sie dazu den Kommentar von Anna Beispiel"],
)
def test_sentences_with_separators_are_not_meta(line: str) -> None:
    assert not is_meta_line(line)


def test_byline_glued_to_a_paragraph_is_cut_off() -> None:
    other = "Er sprach von Anfang an davon, dass die Sanierung länger dauern könnte als geplant."
    blocks = [Block("p", f"{PROSE} Von Anna Beispiel"), Block("p", other)]
    assert [b.text for b in clean_blocks(blocks, [])] == [PROSE, other]  # "von Anfang" stays


def test_headline_repeated_without_its_colon_is_dropped() -> None:
    blocks = [Block("div", "Brückenbau Die Brücke wird saniert"), Block("p", PROSE)]
    assert [b.text for b in clean_blocks(blocks, ["Brückenbau: Die Brücke wird saniert"])] == [
        PROSE
    ]


def test_shortened_pull_quote_and_its_speaker_are_dropped() -> None:
    quoted = (
        "<p>„Wir wissen aber, dass die Brücke seit Jahren marode ist und dringend saniert werden muss“, "
        f"sagte die Baudezernentin am Dienstag. {PROSE}</p>"
    )
    pull = (
        "<div class='quote-box'><blockquote>Wir wissen, dass die Brücke seit Jahren marode ist.</blockquote>"
        "<p><strong>Anna Beispiel</strong>, Baudezernentin der Stadt</p></div>"
    )
    body = body_of(page(body=quoted + pull))
    assert not any(p.startswith("Wir wissen, dass") for p in body)
    assert "Anna Beispiel, Baudezernentin der Stadt" not in body
    assert body[0].startswith("„Wir wissen aber")


def test_blockquote_that_repeats_nothing_stays() -> None:
    quote = "<blockquote><p>Niemand hat die Absicht, eine Brücke abzureißen, die noch trägt.</p></blockquote>"
    assert "Niemand hat die Absicht, eine Brücke abzureißen, die noch trägt." in body_of(
        page(body=quote)
    )


def test_photo_caption_between_headline_and_lead_is_not_the_lead() -> None:
    header = ""
    lead = "Die Stadt saniert die marode Brücke über den Fluss – und verteilt die Kosten auf zwei Jahre."
    html = (
        "<html><body><article><h1>Die Brücke wird saniert</h1>"
        "<p class='img-text'>Baustelle an der alten Brücke: Hier beginnen die Arbeiten im Herbst. "
        "Bild: Anna Beispiel</p>"
        f"<p class='intro'>{lead}</p>{header}"
        + "".join(f"<p>{PROSE}</p>" for _ in range(4))
        + "</article></body></html>"
    )
    article = extract_article(html, URL)
    assert article is not None and article["subtitle"] == lead
    assert "Bild: Anna Beispiel" not in article["body"]


def test_nested_article_card_in_the_body_is_dropped() -> None:
    card = (
        "<p>Mehr zur Verkehrslage lesen Sie in unserem Liveblog:</p>"
        "<article class='card'><a href='/liveblog/'><h3>Verkehr in der Stadt</h3></a>"
        "<p>Staus, Sperrungen und Baustellen: alle aktuellen Entwicklungen im Liveblog.</p></article>"
    )
    html = page().replace("</div></article>", f"{card}</div></article>")
    body = body_of(html)
    assert not any("Liveblog" in p for p in body)
    assert body[-1].endswith(PROSE)


def test_video_teaser_with_running_time_is_dropped() -> None:
    teaser = "<div><span>Wie marode sind Deutschlands Brücken? Ein Überblick. </span><span>21.04.2024 | 3:18 min</span></div>"
    assert not any("3:18 min" in p for p in body_of(page(body=teaser)))


def test_note_about_the_author_after_the_article_is_dropped() -> None:
    head = '<meta name="author" content="Anna Beispiel">'
    bio = "<p><em>Anna Beispiel ist Reporterin für Stadtentwicklung und Verkehr.</em></p>"
    html = page(head=head).replace("</div></article>", f"{bio}</div></article>")
    assert not any(p.startswith("Anna Beispiel ist") for p in body_of(html))


def test_leading_kicker_goes_but_a_leading_subheading_stays() -> None:
    body = body_of(page(body="<div class='x'>Stadtentwicklung</div><h2>Was sich ändert</h2>"))
    assert body[0] == "Was sich ändert"


def test_title_of_a_consent_placeholder_goes_with_it() -> None:
    embed = (
        "<p>Empfohlener redaktioneller Inhalt</p>"
        "<p>An dieser Stelle finden Sie einen externen Inhalt, der den Artikel ergänzt.</p>"
    )
    html = page().replace(
        "</div></article>", f"{embed}<p>{PROSE} Sie endet hier.</p></div></article>"
    )
    body = body_of(html)
    assert "Empfohlener redaktioneller Inhalt" not in body
    assert not any("externen Inhalt" in p for p in body)


def test_h1_deep_inside_a_breadcrumb_bar_is_not_the_headline() -> None:
    head = '<meta property="og:title" content="Brückenbau: Die Brücke wird endlich saniert">'
    html = (
        f"<html><head>{head}</head><body><div data-testid='BreadcrumbArea'><div class='scroll'>"
        "<a href='/'>Home</a><a href='/lokales/'>Lokales</a><h1>Brücke saniert</h1></div></div>"
        "<article><h2><span>Brückenbau</span><div>Die Brücke wird endlich saniert</div></h2>"
        + "".join(f"<p>{PROSE}</p>" for _ in range(4))
        + "</article></body></html>"
    )
    article = extract_article(html, URL)
    assert article is not None and article["title"] == "Brückenbau: Die Brücke wird endlich saniert"


def test_list_of_teaser_links_goes_with_its_label() -> None:
    links = (
        "<p>Auf dieser Seite:</p><ul>"
        "<li><strong>Verkehr:</strong> <a href='/a/'>Wo es morgen in der Stadt eng wird</a></li>"
        "<li><strong>Bauen:</strong> <a href='/b/'>Warum Brücken heute so teuer sind</a></li></ul>"
    )
    body = body_of(page(body=links))
    assert not any("Auf dieser Seite" in p or "Brücken heute" in p for p in body)


def test_list_of_sentences_with_a_link_stays() -> None:
    items = (
        "<ul><li>Die Sanierung beginnt im September und dauert voraussichtlich zwei Jahre.</li>"
        "<li>Die Kosten teilen sich <a href='/land/'>Land</a> und Stadt zu gleichen Teilen.</li></ul>"
    )
    body = body_of(page(body=items))
    assert "Die Kosten teilen sich Land und Stadt zu gleichen Teilen." in body


def test_two_line_breaks_start_a_new_paragraph() -> None:
    head = '<meta name="author" content="Anna Beispiel">'
    closing = "Ob die Brücke im Herbst 2026 wieder für Lastwagen freigegeben wird, ist noch offen."
    last = f"<p>{closing}<br><br><em>Die Stadtplanerin Anna Beispiel ist Gastautorin dieser Zeitung.</em></p>"
    html = page(head=head).replace("</div></article>", f"{last}</div></article>")
    assert body_of(html)[-1] == closing  # the note about the author, split off, goes


def test_image_with_a_short_text_is_a_figure() -> None:
    figure = (
        "<div class='media'><div><picture><img src='/b.jpg' alt=''></picture></div>"
        "<div>Die alte Brücke im Abendlicht.</div><div>Quelle: Agentur</div></div>"
    )
    body = body_of(page(body=figure))
    assert not any("Abendlicht" in p for p in body)


def test_image_inside_a_paragraph_keeps_the_paragraph() -> None:
    inline = f"<p><img src='/icon.png' alt=''>{PROSE} Mehr dazu im Rathaus.</p>"
    assert f"{PROSE} Mehr dazu im Rathaus." in body_of(page(body=inline))


def test_player_placeholders_are_not_text() -> None:
    player = (
        "<div class='sticky-player'><h3>#4 Die Brücke und wir: ein Podcast über Stadtplanung</h3></div>"
        "<div><span>Video | Die Brücke von oben</span></div><div><span>Player wird geladen</span></div>"
    )
    body = body_of(page(body=player))
    assert not any("Podcast" in p or "Video |" in p or "geladen" in p for p in body)
