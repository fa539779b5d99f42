"""Structured-data stage: JSON-LD (incl. @graph and arrays), microdata, OpenGraph and article:* meta."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from .selectors import XP_CANONICAL, XP_HTML_LANG, XP_ITEMPROP, XP_JSONLD, XP_META

ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
        "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle",
        "blogposting", "liveblogposting", "socialmediaposting", "report", "scholarlyarticle",
        "techarticle", "claimreview", "review", "medicalwebpage", "satiricalarticle",
    }
)  # fmt: skip
_JSON_COMMENT_RE = re.compile(r"^\s*(?:<!--|<!\[CDATA\[|//<!\[CDATA\[)|(?:-->|\]\]>|//\]\]>)\s*$")


@dataclass
class PageMetadata:
    """Everything the document states about itself, before any DOM heuristics."""

    article: dict[str, Any] = field(default_factory=dict)  # the chosen JSON-LD article object
    graph: dict[str, dict[str, Any]] = field(default_factory=dict)  # JSON-LD nodes by @id
    meta: dict[str, list[str]] = field(default_factory=dict)  # meta name/property -> contents
    itemprops: dict[str, list[HtmlElement]] = field(default_factory=dict)
    canonical: str | None = None
    html_lang: str | None = None

    def first_meta(self, *keys: str) -> str | None:
        """First non-empty content among the meta keys, in the order asked."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value.strip()
        return None


def normalize_space(text: str | None) -> str:
    """Collapse whitespace runs (incl. NBSP) to single spaces; soft hyphens go."""
    if not text:
        return ""
    # Half the texts of a page are already clean: no whitespace but single ASCII spaces, and no
    # soft hyphen or zero-width space (both are "Other" characters, so not printable either).
    if text.isprintable() and "  " not in text:
        return text.strip(" ")
    # str.split() splits on the same Unicode whitespace as \s, several times faster than a regex
    return " ".join(text.replace("\u00ad", "").replace("\u200b", "").split())


def parse_jsonld(raw: str) -> Any:
    """Decode one ld+json script, tolerating comments, CDATA wrappers and raw control characters."""
    text = _JSON_COMMENT_RE.sub("", raw.strip()).strip().rstrip(";")
    if not text:
        return None
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    try:  # several objects pasted in a row, or trailing junk
        value, _ = json.JSONDecoder(strict=False).raw_decode(text)
        return value
    except ValueError:
        return None


def iter_jsonld_nodes(data: Any) -> list[dict[str, Any]]:
    """Flatten arrays, @graph containers and nested mainEntity objects into one node list."""
    nodes: list[dict[str, Any]] = []
    stack: list[Any] = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[0:0] = item
        elif isinstance(item, dict):
            if "@graph" in item:
                stack[0:0] = (
                    list(item["@graph"]) if isinstance(item["@graph"], list) else [item["@graph"]]
                )
            if "@type" in item or "@id" in item:
                nodes.append(item)
            for key in ("mainEntity", "mainEntityOfPage", "hasPart"):
                sub = item.get(key)
                if isinstance(sub, dict) and "@type" in sub:
                    stack.append(sub)
    return nodes


def jsonld_types(node: dict[str, Any]) -> set[str]:
    """The node's @type values, lower-cased, without schema.org prefixes."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values if v}


def choose_article(nodes: list[dict[str, Any]], url: str) -> dict[str, Any]:
    """Pick the node that describes this page's article, not a teaser or breadcrumb list."""
    best: dict[str, Any] = {}
    best_score = 0.0
    page = url.split("#")[0].rstrip("/")
    for index, node in enumerate(nodes):
        types = jsonld_types(node)
        score = 0.0
        if types & ARTICLE_TYPES:
            score += 10
        elif types & {"webpage", "itempage", "videoobject"}:
            score += 2
        else:
            continue
        for key in ("headline", "datePublished", "author", "articleBody"):
            if node.get(key):
                score += 2
        ids = [node.get("url"), node.get("@id"), node.get("mainEntityOfPage")]
        ids = [i.get("@id") if isinstance(i, dict) else i for i in ids]
        if any(isinstance(i, str) and i.split("#")[0].rstrip("/") == page for i in ids):
            score += 3
        score -= index * 0.01  # earlier wins a tie: the page's own article comes first
        if score > best_score:
            best, best_score = node, score
    return best


def collect_meta(root: HtmlElement) -> dict[str, list[str]]:
    """Map lower-cased meta name/property/itemprop to its contents, in page order."""
    meta: dict[str, list[str]] = {}
    for el in XP_META(root):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        if key:
            meta.setdefault(key.strip().lower(), []).append(el.get("content") or "")
    return meta


def read_metadata(root: HtmlElement, url: str) -> PageMetadata:
    """Read JSON-LD, meta tags, microdata, canonical link and html@lang in one pass each."""
    nodes: list[dict[str, Any]] = []
    for script in XP_JSONLD(root):
        data = parse_jsonld(script.text or "")
        if data is not None:
            nodes.extend(iter_jsonld_nodes(data))
    graph = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    itemprops: dict[str, list[HtmlElement]] = {}
    for el in XP_ITEMPROP(root):
        for prop in (el.get("itemprop") or "").split():
            itemprops.setdefault(prop, []).append(el)
    canonical = next((h.strip() for h in XP_CANONICAL(root) if h.strip()), None)
    lang = next((v.strip() for v in XP_HTML_LANG(root) if v.strip()), None)
    return PageMetadata(
        article=choose_article(nodes, url),
        graph=graph,
        meta=collect_meta(root),
        itemprops=itemprops,
        canonical=urljoin(url, canonical) if canonical else None,
        html_lang=lang,
    )


def resolve_node(value: Any, graph: dict[str, dict[str, Any]]) -> Any:
    """Replace a bare {"@id": ...} reference by the graph node it points to (Yoast style)."""
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in graph:
        return graph[value["@id"]]
    return value


def as_list(value: Any) -> list[Any]:
    """JSON-LD allows one value or many; always hand back a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def jsonld_text(value: Any) -> str | None:
    """A plain string from a JSON-LD value that may be a string, a list or a typed object."""
    for item in as_list(value):
        if isinstance(item, str) and item.strip():
            return normalize_space(item)
        if isinstance(item, dict):
            for key in ("name", "@value", "url", "contentUrl", "@id"):
                if isinstance(item.get(key), str) and item[key].strip():
                    return normalize_space(item[key])
    return None


def jsonld_names(value: Any, graph: dict[str, dict[str, Any]]) -> list[str]:
    """Names of authors/creators given as strings, Person objects, @id references or lists."""
    names: list[str] = []
    for item in as_list(value):
        item = resolve_node(item, graph)
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = " ".join(str(n) for n in name)
            if not name and (item.get("givenName") or item.get("familyName")):
                name = f"{item.get('givenName', '')} {item.get('familyName', '')}"
            if isinstance(name, str):
                names.append(name)
    return [normalize_space(n) for n in names if normalize_space(n)]


def jsonld_keywords(value: Any) -> list[str]:
    """Keywords as a list, whether the page gave a comma-separated string or an array."""
    words: list[str] = []
    for item in as_list(value):
        if isinstance(item, str):
            words.extend(part for part in (normalize_space(p) for p in item.split(",")) if part)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            words.append(normalize_space(item["name"]))
    return words


def itemprop_value(el: HtmlElement) -> str:
    """The machine value of a microdata property (content/datetime/href) or its text."""
    for attr in ("content", "datetime", "href", "src"):
        value: str | None = el.get(attr)
        if value:
            return value.strip()
    return normalize_space(el.text_content())
