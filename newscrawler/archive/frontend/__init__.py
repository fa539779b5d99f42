"""The archive's Datasette front end, as a Datasette 0.65 plugin: ``datasette archive/news.db``.

Registered through the ``datasette`` entry point in pyproject.toml, so installing the project
is enough. It supplies:

- the bundled ``metadata.yml`` (titles, descriptions, facets, canned queries, hidden tables)
  when no ``-m`` file is given; ``-m newscrawler/archive/metadata.yml`` gives the same;
- ``templates/``: an index page with charts, and a readable page for one article;
- ``static/``: the stylesheet, and a script that folds the column descriptions away;
- cells that link ids to their rows, shorten bodies in tables and mark search hits.

It acts on a database named ``news`` (the archive's file name, ``news.db``).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from importlib import resources
from typing import Any, TypeVar, cast

import yaml  # type: ignore[import-untyped]  # PyYAML ships no hints (Datasette depends on it)
from datasette import hookimpl as _hookimpl  # type: ignore[import-untyped]
from markupsafe import Markup, escape

from newscrawler.archive.frontend.pages import Rows, article_context, index_context

__all__ = ["DATABASE", "PLUGIN", "bundled_metadata"]

_F = TypeVar("_F", bound=Callable[..., Any])
# Datasette ships no type hints: say what the decorator does (it returns the function).
hookimpl = cast("Callable[[_F], _F]", _hookimpl)

#: The database the front end serves: Datasette names it after the file, news.db.
DATABASE = "news"
#: The plugin's name in /-/plugins and in its static URLs (the distribution's name).
PLUGIN = "newscrawler"
#: Characters of an article body shown in a table cell; the article page has the whole text.
BODY_CELL_CHARS = 200
#: Query-result columns that hold an article id, and those that hold a crawl id.
ARTICLE_ID_COLUMNS = frozenset(
    {"article_id", "story_id", "from_id", "to_id", "other_id", "duplicate_of", "target_article_id"}
)
CRAWL_ID_COLUMNS = frozenset({"crawl_id"})
#: Every column render_cell may change: any other cell returns at once (a table page has
#: 50 rows of 35 columns, and the hook runs for each cell).
RENDERED_COLUMNS = ARTICLE_ID_COLUMNS | CRAWL_ID_COLUMNS | {
    "id", "body", "subtitle", "title", "published", "snippet"
}  # fmt: skip


@functools.cache
def bundled_metadata() -> dict[str, Any]:
    """``newscrawler/archive/metadata.yml``, read once."""
    text = (resources.files("newscrawler.archive") / "metadata.yml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def _serves_archive(datasette: Any) -> bool:
    return DATABASE in datasette.databases


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> Any:
    # A -m file replaces the bundled metadata whole: Datasette would merge into (and so
    # change) the cached dict otherwise, and one source of truth is easier to reason about.
    if datasette._metadata_local or not _serves_archive(datasette):
        return {}
    return bundled_metadata()


#: Tables whose HTML page gets no facet suggestions: at 100,000 articles Datasette's
#: suggestions (a distinct count per column) cost seconds; the configured facets stay.
NO_SUGGESTIONS = frozenset(f"/{DATABASE}/{t}" for t in ("articles", "articles_unique", "stories"))

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def without_suggestions(scope: dict[str, Any], receive: Any, send: Any) -> None:
            # Asking with ?_nosuggest=1, rather than changing the suggest_facets setting, leaves
            # the JSON API and an explicit --setting (bench/archive_scale.py times both) alone.
            if scope.get("type") == "http" and scope.get("path") in NO_SUGGESTIONS:
                query: bytes = scope.get("query_string") or b""
                if b"_nosuggest" not in query and _serves_archive(datasette):
                    joined = query + b"&_nosuggest=1" if query else b"_nosuggest=1"
                    # A search that matches a quarter of the archive would count every facet
                    # over tens of thousands of rows (0.8 s at 100,000 articles): search
                    # results come without facets unless the reader asks for one (_facet=).
                    if b"_search" in query and b"_facet" not in query:
                        joined += b"&_nofacet=1"
                    scope = {**scope, "query_string": joined}
            await app(scope, receive, send)

        return without_suggestions

    return wrap


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.static_plugins(PLUGIN, "newscrawler.css")]


@hookimpl
def extra_js_urls(datasette: Any) -> list[dict[str, Any]]:
    return [{"url": datasette.urls.static_plugins(PLUGIN, "newscrawler.js"), "module": False}]


def _link(href: str, text: Any) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, text)


def _article_href(datasette: Any, database: str, article_id: Any) -> str:
    return f"{datasette.urls.table(database, 'articles')}/{int(article_id)}"


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    if column not in RENDERED_COLUMNS or value is None or database != DATABASE:
        return None
    keys = set(row.keys())
    if (
        table in ("articles", "articles_unique")
        and column in ("body", "subtitle")
        and isinstance(value, str)
    ):
        if len(value) <= BODY_CELL_CHARS:
            return None
        return Markup('<span class="nc-body-cell" title="{} characters">{} …</span>').format(
            len(value), value[:BODY_CELL_CHARS].rstrip()
        )
    if isinstance(value, int) and not isinstance(value, bool):
        if column in ARTICLE_ID_COLUMNS and table is None:
            return _link(_article_href(datasette, database, value), value)
        if column == "id" and table is None and "title" in keys and ({"url", "lead"} & keys):
            return _link(_article_href(datasette, database, value), value)
        if column == "id" and table == "articles_unique":
            return _link(_article_href(datasette, database, value), value)
        if column == "story_id" and table == "stories":
            return _link(_article_href(datasette, database, value), value)
        if table is None and (column in CRAWL_ID_COLUMNS or (column == "id" and "spider" in keys)):
            return _link(f"{datasette.urls.table(database, 'crawls')}/{value}", value)
    if column == "title" and isinstance(value, str):
        article_id = None
        if table in ("articles", "articles_unique") or (table is None and ({"url", "lead"} & keys)):
            article_id = row["id"] if "id" in keys else None
        elif table == "stories":
            article_id = row["story_id"]
        if isinstance(article_id, int):
            return _link(_article_href(datasette, database, article_id), value)
    if column == "published" and table is None and isinstance(value, str) and "T" in value:
        # 2024-07-06T10:15:00+02:00 -> 2024-07-06 10:15 +02:00: the page's own clock, readable.
        day, _, clock = value.partition("T")
        offset = clock[8:] if len(clock) > 8 and clock[8] in "+-Z" else ""
        return Markup('<time datetime="{}">{} {}{}</time>').format(
            value, day, clock[:5], f" {offset}" if offset else ""
        )
    if column == "snippet" and table is None and isinstance(value, str) and "**" in value:
        # The canned search marks hits **like this**; keep the marks, and highlight them.
        parts = str(escape(value)).split("**")
        marked = "".join(f"<mark>**{p}**</mark>" if i % 2 else p for i, p in enumerate(parts))
        return Markup(marked)
    return None


def _executor(datasette: Any, database: str) -> Callable[[str, Mapping[str, Any]], Awaitable[Rows]]:
    db = datasette.get_database(database)

    async def execute(sql: str, params: Mapping[str, Any]) -> Rows:
        results = await db.execute(sql, dict(params))
        rows: Rows = results.rows
        return rows

    return execute


@hookimpl
def extra_template_vars(
    view_name: str, database: str | None, table: str | None, request: Any, datasette: Any
) -> Callable[[], Awaitable[dict[str, Any]]] | None:
    if not _serves_archive(datasette):
        return None
    if view_name == "index":

        async def index_vars() -> dict[str, Any]:
            queries = (datasette.metadata("queries", database=DATABASE, fallback=False)) or {}
            health = queries.get("crawl_health", {}).get("sql")
            context = await index_context(_executor(datasette, DATABASE), health)
            return {"nc_index": context, "nc_database": DATABASE}

        return index_vars
    if view_name == "row" and database == DATABASE and table == "articles" and request:

        async def article_vars() -> dict[str, Any]:
            try:
                article_id = int(request.url_vars["pks"])
            except (KeyError, ValueError):
                return {}
            context = await article_context(_executor(datasette, DATABASE), article_id)
            return {"nc_article": context} if context else {}

        return article_vars
    return None
