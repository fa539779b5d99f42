"""Does every page of the Datasette front end answer in under 100 ms at 100,000 articles?

    python -m bench.frontend                     # 100,000 articles, every page 7 times
    python -m bench.frontend --articles 2000 --repeat 3

Builds (once, cached in the temp folder, shared with ``python -m bench.archive_scale``) an
archive the way that benchmark does — articles of 20 sites with full-text index, related
links and near-duplicate signatures — and works on a copy named ``news.db`` with the
schema migrated, some copies of stories, and a year of crawl runs (20 sites, one run a day
each, with Scrapy-like stats). Then it starts ``datasette serve news.db`` exactly as a reader
would (no ``-m``: the newscrawler plugin supplies everything) on 127.0.0.1 and times each
page over HTTP: the first request of each page warms it up, the median of the next
``--repeat`` is reported, with the slowest. Prints one line per page and a verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

from bench.archive_scale import SITES, build_archive
from bench.site import _vocabulary
from newscrawler.archive import Archive

#: The budget of one page.
BUDGET_MS = 100.0
#: Crawl runs added to the copy: every site once a day for a year.
CRAWL_DAYS = 365
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only


def prepare(source: Path, work_dir: Path, crawl_days: int) -> tuple[Path, int, str]:
    """A migrated copy named news.db with copies and crawl runs; an article and a day to open."""
    work_dir.mkdir(parents=True, exist_ok=True)
    work = work_dir / "news.db"
    for stale in work_dir.glob("news.db*"):
        stale.unlink()
    shutil.copyfile(source, work)
    Archive.open(work).close()  # applies the migrations the cached archive predates
    conn = sqlite3.connect(work)
    with conn:
        total = conn.execute("select max(id) from articles").fetchone()[0]
        # One story in 50 has a copy on another site (what deduplication stores).
        conn.execute(
            "update articles set duplicate_of = id - 1, similarity = 0.93 "
            "where id % 50 = 0 and duplicate_of is null"
        )
        rng = random.Random(7)
        rows = []
        for n in range(crawl_days):
            started = f"{date(2024, 1, 1) + timedelta(days=n)}T03:00:00+00:00"
            for site in SITES:
                pages = rng.randint(30, 400)
                stats = {
                    "response_received_count": pages,
                    "downloader/response_status_count/200": pages - 2,
                    "downloader/response_status_count/404": 2,
                    "item_scraped_count": pages // 3,
                    "log_count/INFO": 40,
                    "log_count/WARNING": rng.randint(0, 3),
                    "log_count/ERROR": 1 if rng.random() < 0.05 else 0,
                    "finish_reason": "finished",
                    **{f"newscrawler/stat/{n}": n for n in range(40)},
                }
                rows.append(
                    ("news", site, json.dumps([f"https://{site}/"]), started, started,
                     "finished", pages // 3, 1, 5, 2, 3, json.dumps(stats))
                )  # fmt: skip
        conn.executemany(
            "insert into crawls (spider, site, start_urls, started_at, finished_at, "
            "finish_reason, articles_new, articles_updated, articles_unchanged, duplicates, "
            "dropped, stats) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # The day to browse: the busiest one.
        day = conn.execute(
            "select published_day from articles group by published_day order by count(*) desc limit 1"
        ).fetchone()[0]
        # The article to open: one with related links and a copy.
        article = conn.execute(
            "select a.id from articles a where a.id = (select duplicate_of from articles "
            "where duplicate_of is not null order by id desc limit 1)"
        ).fetchone()[0]
    conn.close()
    assert total
    return work, int(article), str(day)


def pages(article: int, day: str) -> dict[str, str]:
    """The front end's pages, by what a reader does on them."""
    words = _vocabulary()
    common = words[len(words) // 2]
    phrase = f'"{words[10]} {words[20]}" OR {words[30]}'
    return {
        "index (charts)": "/",
        "database page": "/news",
        "browse, newest": "/news/browse",
        "browse, one site": f"/news/browse?site={SITES[3]}",
        "browse, one day": f"/news/browse?day={day}",
        "article page": f"/news/articles/{article}",
        "search, empty": "/news/search_ranked",
        "search, rare name": "/news/search_ranked?q=Xylanderova",
        "search, phrase OR word": f"/news/search_ranked?q={quote(phrase)}",
        f"search, common word ({common})": f"/news/search_ranked?q={quote(common)}",
        "articles table": "/news/articles",
        "articles table, one site": f"/news/articles?site={SITES[3]}",
        "articles table ?_search= rare": "/news/articles?_search=Xylanderova",
        f"articles table ?_search= common ({common})": f"/news/articles?_search={quote(common)}",
        "stories (the view)": "/news/stories",
        "latest per site": "/news/latest_per_site",
        "articles of one day": f"/news/articles_of_day?day={day}",
        "crawl health": "/news/crawl_health",
        "crawl runs": "/news/crawl_history",
        "article with related": f"/news/article_with_related?id={article}",
        "near-duplicate clusters": "/news/near_duplicates",
        "related-articles graph": "/news/related_graph",
    }


def _get(url: str) -> float:
    """Milliseconds of one GET; ``inf`` when the page fails (Datasette's 1 s query limit, say)."""
    start = time.perf_counter()
    try:
        with OPENER.open(url, timeout=60) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        print(f"  {url}: HTTP {exc.code}", file=sys.stderr)
        return float("inf")
    return (time.perf_counter() - start) * 1000


def serve(archive: Path, port: int) -> subprocess.Popen[bytes]:
    """``datasette serve news.db`` as a reader types it, on 127.0.0.1."""
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(archive), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            OPENER.open(f"http://127.0.0.1:{port}/-/versions.json", timeout=2).read()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("datasette did not start") from None
            time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.frontend", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--crawl-days", type=int, default=CRAWL_DAYS)
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "newscrawler-bench-archives"
    )
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    source = args.dir / f"archive-{args.articles}.db"
    started = time.monotonic()
    build_archive(source, args.articles)
    print(f"archive of {args.articles} articles: {source} ({time.monotonic() - started:.0f}s)")
    work, article, day = prepare(source, args.dir / f"frontend-{args.articles}", args.crawl_days)
    with sqlite3.connect(work) as conn:
        crawls = conn.execute("select count(*) from crawls").fetchone()[0]
    print(f"working copy: {work} ({crawls} crawl runs)", flush=True)
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = serve(work, port)
    results: dict[str, tuple[float, float]] = {}
    try:
        for name, path in pages(article, day).items():
            url = f"http://127.0.0.1:{port}{path}"
            _get(url)  # warm-up: Datasette's first visit of a table reads its schema
            samples = [_get(url) for _ in range(args.repeat)]
            results[name] = (statistics.median(samples), max(samples))
            print(f"  {name:52} {results[name][0]:8.1f} ms", flush=True)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(
        f"\nHTML pages of `datasette news.db` at {args.articles:,} articles over HTTP on "
        f"127.0.0.1, median and slowest of {args.repeat}, milliseconds:"
    )
    print(f"{'page':52}{'median':>9}{'slowest':>9}  under {BUDGET_MS:.0f} ms")
    slow = 0
    for name, (median, worst) in results.items():
        ok = median < BUDGET_MS
        slow += not ok
        print(f"{name:52}{median:9.1f}{worst:9.1f}  {'yes' if ok else 'NO'}")
    print(f"\n{len(results) - slow} of {len(results)} pages under {BUDGET_MS:.0f} ms (median)")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"load average during the run: {load} on {os.cpu_count()} cores (other work slows pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
