"""What the front end's own pages show: the index's figures and charts, one article's page.

Each function takes a way to run SQL on the archive (Datasette's ``Database.execute``) and
returns the template's context. Every query is bounded and indexed, so a page stays under
100 ms at 100,000 articles (``python -m bench.frontend``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from newscrawler.archive.frontend.charts import HealthRun, health_chart, stacked_days

__all__ = ["CHART_DAYS", "CHART_RUNS", "article_context", "index_context", "paragraphs"]

#: What the SQL runner returns: rows that behave like ``sqlite3.Row``.
Rows = Sequence[Any]
Execute = Callable[[str, Mapping[str, Any]], Awaitable[Rows]]

#: Days of the articles-per-day chart, back from the newest publication day.
CHART_DAYS = 60
#: Crawl runs of the health chart, the latest ones.
CHART_RUNS = 40
#: Rows at most in each list of an article page (copies, aliases, linked from).
LIST_LIMIT = 100

_PER_DAY_SQL = """
select published_day, site, count(*) as n from articles
where published_day > date(:last, '-{days} days') and published_day <= :last
group by published_day, site
"""
# The newest day no later than tomorrow: a page with a date years ahead must not empty the chart.
_LAST_DAY_SQL = (
    "select max(published_day) from articles where published_day <= date('now', '+1 day')"
)
_SITES_SQL = "select site, count(*) as n from articles group by site order by n desc, site"


def paragraphs(body: str | None) -> list[str]:
    """The body's paragraphs: it stores them separated by a blank line."""
    if not body:
        return []
    return [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _json_list(value: str | None) -> list[str]:
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        return [value]
    if isinstance(parsed, list):
        return [str(v) for v in parsed if v]
    return [str(parsed)]


async def index_context(execute: Execute, crawl_health_sql: str | None) -> dict[str, Any]:
    """Figures and charts for the index page."""
    sites = [(row[0], int(row[1])) for row in await execute(_SITES_SQL, {})]
    last_rows = await execute(_LAST_DAY_SQL, {})
    last_day = last_rows[0][0] if last_rows else None
    per_day: list[tuple[str, str, int]] = []
    if last_day:
        sql = _PER_DAY_SQL.format(days=CHART_DAYS)
        per_day = [(r[0], r[1], int(r[2])) for r in await execute(sql, {"last": last_day})]
    days_chart, legend = stacked_days(per_day)
    runs: list[HealthRun] = []
    if crawl_health_sql:
        rows = await execute(
            f"select * from ({crawl_health_sql}) order by crawl_id desc limit {CHART_RUNS}",
            {"site": ""},
        )
        runs = [
            HealthRun(
                crawl_id=int(r["crawl_id"]),
                site=r["site"] or "",
                day=r["day"] or "",
                pages=int(r["pages"] or 0),
                verdict=r["verdict"],
                why=r["why"] or "",
            )
            for r in reversed(rows)
        ]
    latest: dict[str, HealthRun] = {}
    for run in runs:
        latest[run.site] = run  # oldest first: the last one seen is the latest
    return {
        "articles": sum(n for _, n in sites),
        "sites": sites,
        "last_day": last_day,
        "chart_days": CHART_DAYS,
        "days_chart": days_chart,
        "days_legend": legend,
        "days_total": sum(n for _, _, n in per_day),
        "runs": runs,
        "health_chart": health_chart(runs),
        "latest_runs": sorted(latest.values(), key=lambda r: r.site),
    }


async def article_context(execute: Execute, article_id: int) -> dict[str, Any] | None:
    """One article with what the archive knows around it; ``None`` if there is no such row."""
    rows = await execute("select * from articles where id = :id", {"id": article_id})
    if not rows:
        return None
    article = dict(zip(rows[0].keys(), tuple(rows[0]), strict=True))
    original = None
    if article.get("duplicate_of"):
        found = await execute(
            "select id, title, site, url from articles where id = :id",
            {"id": article["duplicate_of"]},
        )
        original = found[0] if found else None
    copies = await execute(
        "select id, title, site, url, similarity from articles where duplicate_of = :id "
        f"order by similarity desc, id limit {LIST_LIMIT}",
        {"id": article_id},
    )
    aliases = await execute(
        f"select url, reason from url_aliases where article_id = :id order by url limit {LIST_LIMIT}",
        {"id": article_id},
    )
    related = await execute(
        "select r.position, r.anchor_text, r.target_url, r.target_article_id, t.title, t.site "
        "from related_links r left join articles t on t.id = r.target_article_id "
        "where r.article_id = :id order by r.position",
        {"id": article_id},
    )
    linked_from = await execute(
        "select a.id, a.title, a.site from related_links r join articles a on a.id = r.article_id "
        f"where r.target_article_id = :id order by a.id desc limit {LIST_LIMIT}",
        {"id": article_id},
    )
    versions = await execute(
        "select version, first_seen_at, seen_at, replaced_at, changed_fields, title, "
        "length(body) as body_chars from article_versions where article_id = :id order by version",
        {"id": article_id},
    )
    body = paragraphs(article.get("body"))
    if body and article.get("subtitle") and body[0] == article["subtitle"].strip():
        body = body[1:]  # the page repeats its lead as the first paragraph: shown once, as lead
    return {
        "article": article,
        "paragraphs": body,
        "authors": _json_list(article.get("authors")),
        "tags": _json_list(article.get("tags")),
        "original": original,
        "copies": copies,
        "aliases": aliases,
        "related": related,
        "linked_from": linked_from,
        "versions": [
            {
                **dict(zip(v.keys(), tuple(v), strict=True)),
                "changed": _json_list(v["changed_fields"]),
            }
            for v in versions
        ],
    }
