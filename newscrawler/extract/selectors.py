"""Every XPath, CSS selector and class-name pattern the extraction stages use, compiled once."""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

# ----------------------------------------------------------------- related-articles labels
DEFAULT_RELATED_LABELS: Final[tuple[str, ...]] = (
    # German
    "Ähnliche Themen",
    "Ähnliche Beiträge",
    "Ähnliche Artikel",
    "Ähnliche Nachrichten",
    "Verwandte Themen",
    "Verwandte Artikel",
    "Verwandte Beiträge",
    "Lesen Sie auch",
    "Lesen Sie mehr",
    "Das könnte Sie auch interessieren",
    "Das könnte dich auch interessieren",
    "Das könnte Sie interessieren",
    "Mehr zum Thema",
    "Mehr zu diesem Thema",
    "Weitere Artikel zum Thema",
    "Weitere Beiträge zum Thema",
    "Auch interessant",
    "Passend zum Thema",
    "Zum Thema",
    # English
    "Related",
    "Related posts",
    "Related articles",
    "Related stories",
    "Related news",
    "Related content",
    "Related topics",
    "Read more",
    "Read also",
    "More on this topic",
    "More on this story",
    "You may also like",
    "You might also like",
    # French / Italian / Spanish, for the odd republished page
    "Articles similaires",
    "Articoli correlati",
    "Artículos relacionados",
)

# ----------------------------------------------------------------- structured data
XP_JSONLD: Final = etree.XPath('//script[contains(translate(@type, "JSON", "json"), "ld+json")]')
XP_META: Final = etree.XPath("//meta[@content]")
XP_CANONICAL: Final = etree.XPath(
    '//link[contains(concat(" ", translate(@rel, "CANONICAL", "canonical"), " "), " canonical ")]/@href'
)
XP_HTML_LANG: Final = etree.XPath("/html/@lang | /html/@xml:lang")
XP_ITEMPROP: Final = etree.XPath("//*[@itemprop]")
XP_TIME: Final = etree.XPath("//time[@datetime]")
XP_TITLE: Final = etree.XPath("//head/title | //title")

# ----------------------------------------------------------------- headline
XP_H1: Final = etree.XPath("//h1")
# Visible elements that may carry the headline when the <h1> is a breadcrumb or SEO copy.
XP_HEADLINE_ALT: Final = etree.XPath(
    "//h2 | //h3 | //hgroup//*[self::div or self::span or self::p]"
    ' | //*[@itemprop="headline"]'
    ' | //header//*[self::span or self::div][contains(translate(@class, "HEADLINETI", "headlineti"), "headline")'
    ' or contains(translate(@class, "TITLE", "title"), "title")]'
)
# Parts of an <h1> that are not the headline: kicker/"Dachzeile", topic label, hidden text.
KICKER_CLASS_RE: Final = re.compile(
    r"kicker|dachzeile|overline|eyebrow|topline|roofline|spitzmarke|rubric|topic|label|"
    r"category|flag|badge-label|superline|pre-?title|supertitle|a11y|sr-only|visually-?hidden|"
    r"screen-reader",
    re.I,
)
OVERLAY_CLASS_RE: Final = re.compile(
    r"modal|dialog|popup|overlay|consent|cookie|lightbox|flyout", re.I
)
BREADCRUMB_RE: Final = re.compile(r"crumb", re.I)  # breadcrumb, crumbs, header__crumb
# "Headline | Site" / "Headline - Site" suffixes of <title> and og:title.
TITLE_SUFFIX_RE: Final = re.compile(r"\s+[|–—·•-]\s+[^|–—·•]{2,40}$")

# ----------------------------------------------------------------- subtitle / lead
LEAD_CLASS_RE: Final = re.compile(
    r"(?:^|[\s_-])(?:lead|leadtext|lede|intro|introduction|teaser|teasertext|summary|standfirst|"
    r"excerpt|abstract|subline|subtitle|sub-title|deck|dek|description|vorspann|"
    r"article-?intro|article__intro|header-?text)(?:$|[\s_-])",
    re.I,
)

# Blocks after the headline that are not the lead: captions, credits, bylines, dates, teasers.
NOT_LEAD_CLASS_RE: Final = re.compile(
    r"caption|credit|copyright|byline|author|date|time|meta|kicker|dachzeile|breadcrumb|share|"
    r"social|teaser-?list|teasergroup|related|newsletter|advert|(?:^|[\s_-])ad(?:$|[\s_-])|"
    r"gallery|video|audio|player|toolbar|label|image|img|photo|picture|bildunterschrift",
    re.I,
)
BYLINE_START_RE: Final = re.compile(r"^(?:von|by|stand|aktualisiert|updated|foto|bild)\b", re.I)
# Blocks after the headline that may hold the lead, in document order (headline.following_blocks).
LEAD_CANDIDATE_TAGS: Final[tuple[str, ...]] = ("p", "div", "span", "h2", "strong", "section")
MAX_LEAD_CANDIDATES: Final = 120

# ----------------------------------------------------------------- authors
# A cheap pre-filter in document order (translate() over every class costs milliseconds);
# authors.is_author_node makes the case-insensitive decision.
XP_AUTHOR_NODES: Final = etree.XPath(
    '//*[@itemprop="author" or @rel="author" or contains(@class, "uthor") or contains(@class, "UTHOR")'
    ' or contains(@class, "yline") or contains(@class, "YLINE")]'
)
AUTHOR_PREFIX_RE: Final = re.compile(
    r"^(?:(?:ein(?:e)?\s+)?(?:kommentar|analyse|gastbeitrag|interview|essay|kolumne|bericht|"
    r"reportage|meinung|text|fotos?|video|recherche)\s+(?:von|by)\b|von|by|autor(?:in)?|autoren|"
    r"author|written by|geschrieben von|text|verfasst von|from)\s*:?\s*",
    re.I,
)
AUTHOR_SPLIT_RE: Final = re.compile(r"\s*(?:,|;|\s&\s|\bund\b|\band\b|\s/\s|\s\|\s|\n)\s*", re.I)
AGENCY_RE: Final = re.compile(
    r"^(?:dpa|afp|ap|rtr|reuters|kna|epd|sid|apa|sda|ddp|dts|ots|kyodo|ansa|efe|"
    r"dpa-afx|afx|dow jones|bloomberg|xinhua|tass|itar-tass|ukrinform|unian)"
    r"(?:[\s/,.-]+(?:dpa|afp|ap|rtr|reuters|kna|epd|sid|apa|sda|ddp|dts|lno|lsw|lby|lhe|lni|lbn|tmn|lmv|"
    r"lsa|lth|ots|aktuell))*\.?$",
    re.I,
)

# Tokens that mark a byline part as an organisation or desk, not a person.
ORG_WORD_RE: Final = re.compile(
    r"\b(?:redaktion|redaktionen|agentur|agenturen|zeitung|online|gmbh|verlag|team|newsroom|"
    r"nachrichten|news|staff|desk|media|medien|magazin|magazine|ressort|reporters?|"
    r"correspondents?|korrespondenten|editors?|editorial|press|presse)\b",
    re.I,
)
# Author-classed elements in these contexts credit someone else (teaser cards, quotes, comments).
BYLINE_EXCLUDE_RE: Final = re.compile(r"teaser|related|recommend|quote|comment|reply|review", re.I)
# Lower-case name particles allowed between the capitalised parts of a person's name.
NAME_PARTICLES: Final[frozenset[str]] = frozenset(
    {"von", "van", "de", "der", "den", "del", "della", "di", "da", "du", "zu", "zur", "vom",
     "ten", "ter", "la", "le", "al", "el", "bin", "ibn", "y", "dos", "das"}
)  # fmt: skip
# Yoast/Slack-style "Written by" meta: <meta name="twitter:label1" content="Written by"> + data1.
WRITTEN_BY_LABELS: Final[frozenset[str]] = frozenset(
    {"written by", "verfasst von", "geschrieben von", "autor", "autorin", "author", "von"}
)

# ----------------------------------------------------------------- dates
XP_DATE_ITEMPROP: Final = etree.XPath(
    '//*[@itemprop="datePublished"] | //*[@itemprop="dateCreated"]'
)
XP_DATE_MODIFIED_ITEMPROP: Final = etree.XPath('//*[@itemprop="dateModified"]')

# ----------------------------------------------------------------- pruning
# Elements that never hold article prose.
DROP_TAGS: Final[tuple[str, ...]] = (
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
    "form", "button", "select", "input", "textarea", "nav", "aside", "footer", "figure",
    "figcaption", "picture", "video", "audio", "map", "dialog", "menu", "label",
)  # fmt: skip
# class/id tokens of boilerplate containers (matched on word boundaries of the attribute value).
# Two strengths. A strong token names a box that never holds the article's prose (share bar,
# comments, newsletter box, related links, ads, consent notice): it removes the box unless the box
# holds most of the page's prose. A weak token is a CMS wrapper name that publishers also put on
# the article itself (Elementor's "elementor-widget", WordPress' "tag-<slug>" on <article>, a
# Blogger "widget", a "paywall" wrapper around the whole story, a page wrapper named after its
# "sidebar" or "toc"): it removes the box only when the box also reads like furniture (html.py).
BOILERPLATE_RE: Final = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|shariff|social|socials|social-?media|sharebar|share-?bar|"
    r"newsletter|subscribe|comments?|commentlist|respond|reply|disqus|related|"
    r"relatedposts|teaser\w*|more-?articles|recommend(?:ed|ations?)?|outbrain|taboola|"
    r"advert|advertisement|ads?|ad-?slot|adslot|anzeige|sponsored|promo|breadcrumbs?|"
    r"cookie|consent|caption|credits?|copyright|"
    r"byline|author-?box|author-?bio|tag-?list|player|video-?player|audio-?player|podcast-player|"
    r"navigation|navbar|menu|skip-?link|read-?more|readmore|also-?read|inline-?teaser|"
    r"modal|overlay|popup|post-?meta|entry-?meta|entry-?footer|meta-?bar|"
    r"related\w*|tag-?box|tag-?cloud|print-?box|print-?only|"
    r"media-?(?:info|rights|credits?|caption|expiry)|"
    r"sr-?only|sr-?label|srlabel|visually-?hidden|visuallyhidden|screen-?reader(?:-?text)?|"
    r"hide-?completely)"
    r"(?:$|[\s_-])",
    re.I,
)
# Consent managers' boxes: their legal prose may outweigh a short article, so the share of
# prose alone never spares them; only holding the page's headline does (a page-wide wrapper).
CONSENT_BOX_RE: Final = re.compile(r"(?:^|[\s_-])(?:cookies?|consent|gdpr|cmp)(?:$|[\s_-])", re.I)
WEAK_BOILERPLATE_RE: Final = re.compile(
    r"(?:^|[\s_-])(?:sidebar|widget|paywall-?(?:box|teaser)?|subscription|banner|tags?|keywords|"
    r"print|toolbar|pagination|embed|gallery|"
    r"slider|carousel|rating|toc|table-of-contents|info-?box)"
    r"(?:$|[\s_-])",
    re.I,
)
# A bare "hidden" class token hides the element (Bootstrap/Tailwind) unless a responsive
# variant such as "md:block" shows it again on larger screens.
HIDDEN_CLASS_TOKENS: Final[frozenset[str]] = frozenset({"hidden", "hide", "is-hidden", "d-none"})
ROLE_DROP_RE: Final = re.compile(
    r"^(?:navigation|banner|contentinfo|complementary|search|dialog|button)$"
)
# Elements that carry a name or a role: the only ones a name-based rule can judge.
# descendant::* rather than .//*: the same elements without XPath's node()-step detour (a
# quarter faster on news pages).
XP_NAMED: Final = etree.XPath("descendant::*[@class or @id or @role]")
# Candidates only: html.is_hidden reads the inline style (cheaper in Python than translate()).
# Found from the attributes up: libxml2 walks attribute lists faster than it tests every element.
XP_HIDDEN: Final = etree.XPath("//@hidden/.. | //@aria-hidden/.. | //@style/..")
HIDDEN_STYLES: Final[tuple[str, ...]] = ("display:none", "visibility:hidden")

# ----------------------------------------------------------------- body
# Hints for the body container (generic CMS vocabulary), used as a score bonus only.
BODY_HINT_RE: Final = re.compile(
    r"articlebody|article-?body|article__body|article-?content|article__content|article-?text|"
    r"entry-?content|post-?content|post-?body|story-?body|story-?content|content-?body|"
    r"body-?text|text-?body|richtext|rich-text|article__text|single-?content|main-?content",
    re.I,
)
XP_BODY_ITEMPROP: Final = etree.XPath('//*[@itemprop="articleBody"]')
XP_PARAGRAPHS: Final = etree.XPath("//p")
BLOCK_TAGS: Final[frozenset[str]] = frozenset(
    {"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "tr", "div",
     "section", "article", "ul", "ol", "dl", "table", "header", "main", "hgroup", "h1",
     "figure", "address", "details", "summary"}
)  # fmt: skip
HEADING_TAGS: Final[frozenset[str]] = frozenset({"h2", "h3", "h4", "h5", "h6"})

# ----------------------------------------------------------------- body cleanup
# Short lines inside the body that are page furniture, not prose (matched on the block text).
META_LINE_RES: Final[tuple[re.Pattern[str], ...]] = (
    # "Stand: 22.04.2024, 06:00 Uhr", "Aktualisiert am 3. Mai", "Published on 4 May 2024"
    re.compile(
        r"^(?:stand|aktualisiert|zuletzt aktualisiert|veröffentlicht|erstellt|erschienen|"
        r"published|updated|last updated|posted)\b(?:\s+(?:am|on|um|at))?\s*:?.*\d",
        re.I,
    ),
    # reading time: "3 Min Lesezeit", "Lesedauer: 2 Min.", "5 min read"
    re.compile(
        r"\b\d+\s*(?:min\.?|minuten|minutes?)\s*(?:lesezeit|lesedauer|read|reading time)\b|"
        # no \b before the label: inline spans glue it to the date ("12:24Lesezeit: 5 Min.")
        r"(?<![^\W\d_])(?:lesezeit|lesedauer|reading time)\s*:?\s*\d",
        re.I,
    ),
    # relative time stamps of live blogs and feeds, alone or before a name: "21 mins ago11:48 Jon
    # King", "vor 5 Minuten"; never a sentence (nothing after it may end one)
    re.compile(
        r"^\d+\s*(?:secs?|seconds?|mins?|minutes?|hrs?|hours?|days?)\s+ago(?![^\W\d_])[^.!?]{0,40}$|"
        r"^vor\s+\d+\s+(?:sekunden?|minuten?|stunden?|tag(?:en)?)(?![^\W\d_])[^.!?]{0,40}$",
        re.I,
    ),
    # media-player furniture: "AUDIO: …", "02:57 Min.. Verfügbar bis …", "Aktuelle Zeit: 0:00"
    re.compile(
        r"^(?:audio|video|podcast)\s*[:|]|\bverfügbar bis\b|abbrechen mit escape|\bwird geladen\b|"
        r"\baktuelle zeit\s*:?\s*\d|^\d{1,2}:\d{2}\s*min\b",
        re.I,
    ),
    # copyright/agency line: "© dpa-infocom, dpa:230428-99-483045/5"
    re.compile(r"^(?:©|\(c\)\s|copyright\b)", re.I),
)
# The same patterns as one alternation: one scan of the line instead of five.
META_LINE_RE: Final = re.compile("|".join(f"(?:{p.pattern})" for p in META_LINE_RES), re.I)
# Consent placeholders of embedded third-party content (social posts, charts, videos).
CONSENT_RE: Final = re.compile(
    r"externe[nr]?\s+inhalte?\b|drittanbieter|drittplattform|datenschutzeinstellung|"
    r"ein klick für den datenschutz|third[- ]party (?:content|provider)|"
    r"cookie[- ]?(?:einstellung|setting)",
    re.I,
)
CONSENT_MAX_CHARS: Final = 400
# "Frankfurt, 23. Oktober 2024": a dateline may open with the place it was filed from.
DATELINE_PLACE_RE: Final = re.compile(r"^[A-ZÄÖÜ][\w./-]*(?:\s[A-ZÄÖÜ][\w./-]*)?,\s*")
META_LINE_MAX_CHARS: Final = 160
# Separators of a one-line header such as "Do 25.04.24 | 14:07 Uhr | Von Anna Beispiel".
META_PARTS_RE: Final = re.compile(r"\s+[|•·]\s+")
# Dashes, bullets and pipes that decorate the start of a meta line ("-Aktualisiert am …").
META_LEADING_PUNCT: Final = "-–—|•·*:> "
# "… wurde das Hotel wieder lebendig. Von Anna Beispiel": a byline appended to a paragraph.
TRAILING_BYLINE_RE: Final = re.compile(
    r"(?<=[.!?…\"“”»«])\s+(?:[Vv]on|[Bb]y)\s+(?:[A-ZÄÖÜ][\w.'’-]*\s+){0,3}[A-ZÄÖÜ][\w'’-]+\s*$"
)
# A byline as its own block: "Von Nina Magoley", "von David Straub, MDR THÜRINGEN", "Von: A, B".
BYLINE_LINE_RE: Final = re.compile(r"^(?:von|by|text|autor(?:in)?|autoren)\s*:?\s+\S", re.I)
# Caption ending in a photo credit: "… Bildrechte: MDR/David Straub", "… (AFP / JORGE GUERRERO)".
CAPTION_CREDIT_RE: Final = re.compile(
    r"(?:\b(?i:bildrechte|fotos?|bild|bildquelle|credit|photo)\s*:\s*[^.:!?]{2,60}|"
    r"\((?:©\s*)?[A-Z][\w.&-]*(?:\s[A-Z][\w.&-]*)*\s?/\s?[^()]{2,60}\))$"
)
CAPTION_MAX_CHARS: Final = 400
# What follows the author's name in a note about them: "… ist Reporterin", "… is a writer".
AUTHOR_BIO_VERB_RE: Final = re.compile(
    r"(?:ist|war|arbeitet|lebt|schreibt|is|was|works|lives|writes)\b"
)
# A live blog's entry stamp: a clock time, then a name of letters only ("21:00Jane Doe" when the
# time and the name are inline pieces, "9:41 pm | Jane Doe").
STAMP_RE: Final = re.compile(
    r"\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?|uhr)?\s*[|•·,–—-]?\s*"
    r"([^\W\d_]+(?:[ '.-][^\W\d_]+){0,4}\.?)$",
    re.IGNORECASE,
)
# A teaser of a video or audio clip ends in its running time ("… Eskalation? 21.04.2024 | 3:18 min").
MEDIA_DURATION_RE: Final = re.compile(
    r"(?:^|[\s|])\d{1,3}:\d{2}(?::\d{2})?\s*(?:min|minuten|mins)\.?\s*$", re.IGNORECASE
)
# Date-and-time parts; a line that is nothing else is a dateline.
DATE_PART_RE: Final = re.compile(
    r"\d{1,4}|(?:januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|"
    r"dezember|january|february|march|may|june|july|october|december|"
    r"jan|feb|mär|mar|apr|jun|jul|aug|sep|sept|okt|oct|nov|dez|dec)\.?|"
    r"uhr|am|um|on|at|pm|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mo|di|mi|do|fr|sa|so|"
    r"[.,:/|–—-]",
    re.I,
)
# The end of a sentence (or of a quotation closing one), Latin or CJK: a block ending so is prose.
SENTENCE_END_RE: Final = re.compile(r"[.!?…:;。！？｡]\s*[\"'“”„«»‘’)\]」』）]*$")
TRAILING_PROSE_CHARS: Final = 100

# ----------------------------------------------------------------- related block
# Tags whose text may be a related block's label (and <div>s without element children); one
# pass over the tree in document order, where an XPath union walks it once per tag.
RELATED_LABEL_TAGS: Final[tuple[str, ...]] = (
    "h2", "h3", "h4", "h5", "h6", "p", "strong", "b", "span", "div", "header", "legend", "dt",
    "figcaption",
)  # fmt: skip
# Class tokens of WordPress related-posts plugins. The XPath only pre-selects by substring
# (cheap in C); related.has_class_token checks the whole token.
RELATED_CONTAINER_CLASSES: Final[frozenset[str]] = frozenset(
    {"jp-relatedposts", "related-posts", "yarpp-related", "crp_related"}
)
XP_RELATED_CONTAINERS: Final = etree.XPath(
    "//*[@class]["
    + " or ".join(f'contains(@class, "{token}")' for token in sorted(RELATED_CONTAINER_CLASSES))
    + "]"
)
XP_LINKS: Final = etree.XPath(".//a[@href]")
