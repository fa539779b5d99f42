"""Issue #16: extraction that follows how articles are built, not publishers' class names.

Each test is a small page written for one failure seen on the development sets (never a copy of
a publisher's page): a class name on a wrapper, a list or table article, teaser cards, a
consent dialog, the page's own statement of its article text.
"""

from __future__ import annotations

import json

import pytest

from newscrawler.extract import extract_article
from newscrawler.extract.density import find_prose_units
from newscrawler.extract.furniture import is_meta_line
from newscrawler.extract.html import parse_html, prune_document, reads_like_furniture

URL = "https://blog.example.org/2024/07/06/slug/"
SENTENCE = (
    "The council voted on Tuesday evening, after a long debate, to repair the old bridge over "
    "the river before the autumn and to spread the cost of the work over two years."
)


def paragraphs(n: int = 6, tag: str = "p") -> str:
    return "".join(f"<{tag}>Paragraph {i}. {SENTENCE}</{tag}>" for i in range(n))


def page(body: str, head: str = "", title: str = "The bridge will be repaired") -> str:
    return (
        f"<html lang='en'><head><title>{title}</title>{head}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<h1>{title}</h1>{body}"
        "<footer><p>© 2024 Example Media. All rights reserved. Terms of use apply here.</p></footer>"
        "</body></html>"
    )


def body_of(html: str) -> str:
    article = extract_article(html, URL)
    assert article is not None
    return article["body"] or ""


# ----------------------------------------------------------------- class names are weak signals
@pytest.mark.parametrize(
    "wrapper",
    [
        "<div class='article-text paywall-article'>{}</div>",  # a paywall wrapper around the story
        "<article class='post type-post tag-news tag-local'>{}</article>",  # WordPress tag-… classes
        "<div class='widget Blog' id='Blog1'>{}</div>",  # a Blogger widget holding the post
        "<div class='page-with-sidebar'><div class='toc-wrapper'>{}</div></div>",
        "<div class='comments-enabled'>{}</div>",  # a strong name on the article itself
    ],
)
def test_a_class_name_never_deletes_the_article(wrapper: str) -> None:
    body = body_of(page(wrapper.format(paragraphs())))
    assert all(f"Paragraph {i}." in body for i in range(6))


def test_split_cms_widgets_are_all_kept() -> None:
    """An Elementor-style page: every paragraph in its own widget, none holding a large share."""
    widgets = "".join(
        f"<div class='elementor-widget elementor-widget-text-editor'>"
        f"<div class='elementor-widget-container'><p>Paragraph {i}. {SENTENCE}</p></div></div>"
        for i in range(8)
    )
    heading = (
        "<div class='elementor-widget elementor-widget-heading'><h2>What happens next</h2></div>"
    )
    body = body_of(page(f"<div class='elementor-section'>{widgets[:400]}{heading}{widgets}</div>"))
    assert all(f"Paragraph {i}." in body for i in range(8))
    assert "What happens next" in body


def test_weak_name_removes_link_lists_and_teasers() -> None:
    sidebar = (
        "<div class='widget'><ul>"
        + "".join(
            f"<li><a href='/p{i}'>Another story number {i} to read</a></li>" for i in range(6)
        )
        + "</ul></div>"
        "<div class='sidebar-box'><h3><a href='/promo'>Our weekly offer</a></h3>"
        "<p>Save on everything this week only.</p></div>"
    )
    body = body_of(page(f"<div>{paragraphs()}</div>{sidebar}"))
    assert "Another story number" not in body
    assert "Save on everything" not in body


def test_reads_like_furniture_follows_links_not_names() -> None:
    root = parse_html(
        "<html><body><div class='widget' id='a'><p>Paragraph. "
        + SENTENCE
        + "</p></div><div class='widget' id='b'><a href='/x'>A linked teaser headline here</a>"
        "<p>A short summary of the story that is linked.</p></div></body></html>"
    )
    assert root is not None
    a, b = root.get_element_by_id("a"), root.get_element_by_id("b")
    assert not reads_like_furniture(a, len(SENTENCE))
    assert reads_like_furniture(b, 45)


def test_declared_dialog_goes_even_when_it_holds_much_prose() -> None:
    """role=dialog is the page's own statement; a consent text of much prose still goes."""
    consent = (
        "<div role='dialog' class='privacy-center'>"
        + "".join(
            f"<p>Cookie category {i}: these technologies help us measure visits and improve the "
            "service, and you may switch them off at any time in the settings below.</p>"
            for i in range(4)
        )
        + "</div>"
    )
    body = body_of(page(f"<div class='story'>{paragraphs(6)}</div>{consent}"))
    assert "Paragraph 5." in body and "Cookie category" not in body


# ----------------------------------------------------------------- lists and tables are article text
def test_list_article_keeps_its_items() -> None:
    items = "".join(
        f"<li>Step {i}: book the venue and confirm the date with the guests</li>" for i in range(12)
    )
    body = body_of(page(f"<div class='entry'><p>Intro. {SENTENCE}</p><ul>{items}</ul></div>"))
    assert all(f"Step {i}:" in body for i in range(12))


def test_table_article_keeps_its_rows() -> None:
    rows = "".join(
        f"<tr class='player-{i}'><td>{i}</td><td>Kim Driver-{i}</td><td>{5000 - i}</td>"
        f"<td>{i % 3}</td><td>{i % 5}</td></tr>"
        for i in range(1, 16)
    )
    table = (
        "<table><tr><th>Pos.</th><th>Driver</th><th>Points</th><th>Wins</th><th>Poles</th></tr>"
        f"{rows}</table>"
    )
    body = body_of(page(f"<div class='entry'><p>Short intro to the standings.</p>{table}</div>"))
    assert "1 Kim Driver-1 4999 1 1" in body and "15 Kim Driver-15 4985 0 0" in body


def test_table_rows_count_as_prose_units_once() -> None:
    root = parse_html(
        "<html><body><table>"
        "<tr><td>1</td><td>Kim Example-Driver</td><td>5040</td></tr>"
        "<tr><td>A cell that is long enough to be a unit on its own</td><td>x</td></tr>"
        "</table></body></html>"
    )
    assert root is not None
    units = find_prose_units(root)
    tags = sorted(el.tag for el in units)
    assert tags == ["td", "tr"]  # the second row counts through its long cell only


def test_listicle_entries_with_short_cards_are_not_teasers() -> None:
    """Entries of a listicle: a plain subheading and one paragraph each, no link: article."""
    entries = "".join(
        f"<section><h2>{i}. Visit the market</h2><p>Entry {i}. {SENTENCE}</p></section>"
        for i in range(8)
    )
    body = body_of(page(f"<div class='post'>{entries}</div>"))
    assert all(f"Entry {i}." in body for i in range(8))


# ----------------------------------------------------------------- teaser cards do not widen the body
def test_teaser_cards_after_the_article_stay_out() -> None:
    cards = "".join(
        f"<div class='card-{i}'><h3><a href='/story-{i}'>Headline of story {i}</a></h3>"
        f"<div><p>Summary {i}: a short line that tells the reader what the story is about.</p>"
        "</div></div>"
        for i in range(12)
    )
    body = body_of(page(f"<main><div class='story'>{paragraphs(4)}</div></main><div>{cards}</div>"))
    assert "Paragraph 3." in body and "Summary" not in body


def test_stated_article_body_chooses_the_container() -> None:
    """JSON-LD articleBody agrees with one candidate; another holding more prose loses."""
    story = "".join(f"<p>Story {i}. {SENTENCE}</p>" for i in range(4))
    other = "".join(
        f"<p>Other {i}. Readers wrote in about a different matter entirely, and we print their "
        "letters here in full because they asked us to do so last week.</p>"
        for i in range(6)
    )
    stated = " ".join(f"Story {i}. {SENTENCE}" for i in range(4))
    head = (
        "<script type='application/ld+json'>"
        + json.dumps({"@type": "NewsArticle", "headline": "x", "articleBody": stated})
        + "</script>"
    )
    body = body_of(
        page(f"<div><div class='a'>{story}</div><div class='b'>{other}</div></div>", head)
    )
    assert "Story 3." in body and "Other" not in body


def test_pruning_spares_the_article_inside_a_named_box() -> None:
    root = parse_html(page(f"<div class='paywall'>{paragraphs()}</div>"))
    assert root is not None
    prune_document(root)
    assert root.find(".//div[@class='paywall']") is not None


def test_consent_manager_box_goes_even_when_it_outweighs_the_article() -> None:
    """A consent manager's legal prose may outweigh a short article: its name decides here,
    unless the box holds the headline (then it is a page-wide wrapper)."""
    consent = (
        "<div id='example-consent-sdk'><section>"
        + "".join(
            f"<p>Purpose {i}: we and our partners store and access information on your device "
            "to measure audiences and to show personalised content and advertising.</p>"
            for i in range(12)
        )
        + "</section></div>"
    )
    body = body_of(page(f"<div class='story'>{paragraphs(3)}</div>{consent}"))
    assert "Paragraph 2." in body and "Purpose" not in body


@pytest.mark.parametrize(
    "embed",
    [
        "<div class='chart-embed'><span><script>{}</script></span></div>",
        "<p><span class='graphic'><script>{}</script></span></p>",
        "<div><font><noscript>{}</noscript></font></div>",
    ],
)
def test_a_chart_script_is_neither_subtitle_nor_body(embed: str) -> None:
    config = (
        'window.chartConfig = {"type": "line", "title": "Rate by month", "series": [1.2, 1.4]};'
    )
    article = extract_article(page(embed.format(config) + paragraphs(4)), URL)
    assert article is not None
    assert "chartConfig" not in (article["subtitle"] or "")
    assert "chartConfig" not in (article["body"] or "")


@pytest.mark.parametrize(
    ("line", "meta"),
    [
        ("21 mins ago11:48 Kim Writer", True),  # a live blog's entry stamp, glued by spans
        ("2 hours ago", True),
        ("vor 5 Minuten", True),
        ("5 days ago the minister resigned.", False),  # a sentence
        ("21 minutes of play were left when the referee stopped the game.", False),
    ],
)
def test_relative_time_stamps_are_meta_lines(line: str, meta: bool) -> None:
    assert is_meta_line(line) is meta


def listicle_entry(i: int) -> str:
    return (
        f"<article class='entry-card'><h2>{i}. The corner bakery</h2>"
        f"<p>Entry {i}. {SENTENCE}</p><p>{SENTENCE}</p>"
        f"<a href='https://shop.example.com/item-{i}'>Visit website</a></article>"
    )


def test_listicle_entries_as_articles_are_kept() -> None:
    """No nested <article> holds the headline: they are the list article's entries."""
    entries = "".join(listicle_entry(i) for i in range(10))
    body = body_of(page(f"<div class='list'><p>Intro. {SENTENCE}</p>{entries}</div>"))
    assert all(f"Entry {i}." in body for i in range(10))


def test_cards_next_to_the_headed_story_are_dropped() -> None:
    """One nested <article> holds the headline: the others are cards of other stories."""
    story = f"<article class='main'><h1>The bridge will be repaired</h1>{paragraphs(8)}</article>"
    cards = "".join(
        f"<article class='card'><p>Card {i}. {SENTENCE}</p><a href='/c{i}'>Read</a></article>"
        for i in range(3)
    )
    html = (
        "<html><head><title>The bridge will be repaired</title></head><body>"
        f"<div class='column'>{story}{cards}</div></body></html>"
    )
    body = body_of(html)
    assert "Paragraph 7." in body and "Card" not in body


def test_code_is_never_pruned_for_its_highlighter_names() -> None:
    code = (
        "<pre><code><span class='hljs-comment'># read the configuration first, then the data</span>\n"
        "<span class='hljs-keyword'>import</span> json</code></pre>"
    )
    after = f"<p>After the code. {SENTENCE}</p>"
    body = body_of(page(f"<div class='post'>{paragraphs(3)}{code}{after}</div>"))
    assert "read the configuration first" in body


def test_a_table_set_as_a_figure_is_text() -> None:
    rows = "".join(
        f"<tr><td>Plan {i}</td><td>Covers the house and garden for {i} years</td></tr>"
        for i in range(6)
    )
    figure = f"<figure class='wp-block-table'><table>{rows}</table><figcaption>Plans</figcaption></figure>"
    body = body_of(page(f"<div class='post'>{paragraphs(3)}{figure}</div>"))
    assert "Covers the house and garden for 5 years" in body


def test_cjk_sentences_are_prose() -> None:
    """Japanese paragraphs end in 。: without it every line above the first long one was a label."""
    lines = "".join(
        f"<p>手順{i}：まずスタートメニューからプログラムを探し、右クリックして、表示されるメニューから"
        "「その他」を選びます。</p>"
        for i in range(8)
    )
    long = "<p>" + "これは長い段落です。" * 12 + "</p>"
    body = body_of(page(f"<div class='post'>{lines}{long}</div>"))
    assert all(f"手順{i}" in body for i in range(8))


def test_bem_hidden_modifier_hides_a_prompt() -> None:
    prompt = (
        "<div class='push-prompt prompt--hide'><p>Stay informed at all times! Get every news "
        "highlight straight to your browser and never miss a thing again, wherever you are.</p></div>"
    )
    body = body_of(page(f"<main><div class='story'>{paragraphs(4)}</div></main>{prompt}"))
    assert "Paragraph 3." in body and "Stay informed" not in body


# ----------------------------------------------------------------- repetition and inline text
def ticker(n: int = 8) -> str:
    """A list of other stories: linked headline, then a summary long enough to read as prose."""
    items = "".join(
        f"<li><a href='/story-{i}/'>Other story number {i} about the regional election</a>"
        f"<span>CITY: A summary of other story {i}, with enough words in it to look like a "
        "paragraph of an article, which is what fools a density count...</span></li>"
        for i in range(n)
    )
    return f"<div class='ticker'><ul>{items}</ul></div>"


def test_a_ticker_printed_twice_does_not_outweigh_the_article() -> None:
    # The same ticker above the story and in the footer, each copy about as long as the story.
    html = (
        "<html lang='en'><head><title>The bridge will be repaired</title></head><body>"
        f"<div class='main'>{ticker()}<div class='story'><h1>The bridge will be repaired</h1>"
        f"{paragraphs(4)}</div></div><div class='bottom'>{ticker()}</div></body></html>"
    )
    body = body_of(html)
    assert all(f"Paragraph {i}." in body for i in range(4))
    assert "Other story number" not in body and "A summary of other story" not in body


def test_a_list_of_linked_entries_printed_once_stays_article_text() -> None:
    # A list article: each entry opens with a linked name, but the list stands only once.
    entries = "".join(
        f"<li><a href='/place-{i}/'>Place number {i} by the river</a> is worth the trip for "
        f"its old mill, the quiet path along the water and the view from the hill {i}.</li>"
        for i in range(8)
    )
    body = body_of(page(f"<div class='story'><p>{SENTENCE}</p><ul>{entries}</ul></div>"))
    assert all(f"Place number {i} by the river is worth" in body for i in range(8))


def test_a_span_inside_a_paragraph_counts_once() -> None:
    html = page(f"<div class='story'><p><span>{SENTENCE}</span></p></div>")
    units = find_prose_units(parse_html(html))
    assert [el.tag for el in units if SENTENCE[:40] in el.text_content()] == ["p"]


def test_the_lead_is_not_repeated_when_its_dateline_is_bold() -> None:
    # "<b>CITY</b>: …" reads "CITY: …" in a browser; read as "CITY : …" the lead looked like a
    # different paragraph and was put in front of the body a second time.
    lead = f"<p><strong>NEW TOWN</strong>: {SENTENCE}</p>"
    body = body_of(page(f"<div class='story'>{lead}{paragraphs(4)}</div>"))
    assert body.startswith(f"NEW TOWN: {SENTENCE[:40]}")
    assert body.count("The council voted on Tuesday evening") == 5


# ----------------------------------------------------------------- controls are not prose
def test_the_label_of_a_toggle_button_is_not_article_text() -> None:
    # A disclosure box: its header is a control (role=button) reading "Show box Hide box".
    box = (
        "<div class='box'><div class='box-head' role='button' tabindex='0'>"
        "<span>Show more about this box</span> <span>Hide this box again</span></div>"
        f"<div class='box-body'><p>Paragraph 9. {SENTENCE}</p></div></div>"
    )
    body = body_of(page(f"<div class='story'>{paragraphs(3)}{box}{paragraphs(2)}</div>"))
    assert "Paragraph 9." in body
    assert "Show more about this box" not in body


def test_the_options_of_a_reader_poll_are_not_article_text() -> None:
    poll = (
        "<div type='poll'><p>Which of these remedies do you trust most when a cold starts?</p>"
        + "".join(
            f"<label><input type='radio' name='q' value='{i}'><label for='o{i}'>"
            f"Option {i}: a long answer that a reader can pick in the poll</label></label>"
            for i in range(4)
        )
        + "</div>"
    )
    body = body_of(page(f"<div class='story'>{paragraphs(4)}{poll}</div>"))
    assert "Paragraph 3." in body
    assert "a long answer that a reader can pick" not in body


def test_the_short_rows_of_a_data_table_stay_in_the_article() -> None:
    rows = "".join(f"<tr><td>{m}/1/2013</td><td>+1{m}.1%</td></tr>" for m in range(1, 10))
    table = f"<table><tr><th>Date</th><th>Change in price</th></tr>{rows}</table>"
    body = body_of(page(f"<div class='story'>{paragraphs(3)}{table}{paragraphs(2)}</div>"))
    assert all(f"{m}/1/2013 +1{m}.1%" in body for m in range(1, 10))


def test_a_lead_the_body_already_holds_further_down_is_not_put_in_front_again() -> None:
    # Three short steps open the article; the first paragraph after them reads like a lead.
    steps = "<ul><li>Open the console first</li><li>Type the speed command</li>"
    steps += "<li>Press enter to confirm</li></ul>"
    body = body_of(page(f"<div class='story'>{steps}{paragraphs(4)}</div>"))
    assert body.startswith("Open the console first")
    assert body.count("Paragraph 0.") == 1


def test_a_lead_in_the_header_outside_the_body_is_put_in_front() -> None:
    # The header's byline is junk enough that the container is the article body, without the
    # lead: only putting the lead in front brings it into the text.
    lead = "The old bridge over the river will be closed for a year while it is repaired, the council said."
    html = (
        "<html lang='en'><head><title>The bridge</title></head><body>"
        f"<header><h1>The bridge will be repaired</h1><p class='intro'>{lead}</p>"
        "<p>By Anna Example · 6 July 2024, 10:15 · 4 min</p></header>"
        f"<div class='article-body'>{paragraphs(8)}</div></body></html>"
    )
    body = body_of(html)
    assert body.startswith(lead) and "By Anna Example" not in body


def test_a_streamed_react_segment_is_shown_not_hidden() -> None:
    # Next.js streams the article late: a placeholder where it goes, the content in a hidden
    # segment at the end of <body>, and a script that moves it in. A plain hidden box stays out.
    html = page(
        "<div class='story'><template id='B:0'></template><p>Loading the article…</p></div>"
        f"<div hidden>Paragraph 8. {SENTENCE}</div>"
        f"<div hidden id='S:0'><div class='prose'>{paragraphs(5)}</div></div>"
        "<script>$RC('B:0','S:0')</script>"
    )
    body = body_of(html)
    assert all(f"Paragraph {i}." in body for i in range(5))
    assert "Paragraph 8." not in body


# ----------------------------------------------------------------- session 6
def live_blog(stamp: str, entries: int = 4) -> str:
    return (
        "<div class='live'>"
        + "".join(
            f"<div class='entry'><p><time>{18 + i}:0{i}</time><span>{stamp.format(i=i)}</span></p>"
            f"<p>Update {i}. {SENTENCE}</p></div>"
            for i in range(entries)
        )
        + "</div>"
    )


def split_story(middle: str) -> str:
    """Six paragraphs of a story with middle between the third and the fourth."""
    story = [f"<p>Paragraph {i}. {SENTENCE}</p>" for i in range(6)]
    return "".join(story[:3]) + middle + "".join(story[3:])


def test_the_reporter_stamp_of_every_live_blog_entry_is_not_article_text() -> None:
    body = body_of(page(live_blog("Antonia Clements-Whitaker")))
    assert all(f"Update {i}." in body for i in range(4))
    assert "Antonia Clements-Whitaker" not in body


def test_a_timetable_that_names_something_new_at_each_time_stays() -> None:
    talks = [
        "Opening of the fair",
        "Bridge repair plans",
        "Questions from readers",
        "Farewell from the mayor",
    ]
    timetable = (
        "<ul>" + "".join(f"<li>1{i}:00 {talk}</li>" for i, talk in enumerate(talks)) + "</ul>"
    )
    body = body_of(page(split_story(timetable)))
    assert all(talk in body for talk in talks)


def test_a_separator_line_of_symbols_is_not_article_text() -> None:
    body = body_of(page(split_story("<p>___</p><p>* * *</p>")))
    assert "___" not in body and "* * *" not in body
    assert body.count("Paragraph") == 6
