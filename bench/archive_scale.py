"""Does the per-page archive work stay flat as the archive grows? And are the queries fast at 100,000 articles?

    python -m bench.archive_scale                 # archives of 1,000 and 100,000 articles, 5 rounds

Pre-fills two archives (cached in the temp folder: the 100,000-article one takes a few minutes
once) with articles of 20 sites, their full-text index, related links and near-duplicate
fingerprints (random MinHash signatures: their LSH buckets spread like those of distinct
texts). Then, alternating between the two archives in each round, it times what a crawl does
per page against the archive — the "already archived?" check of IncrementalMiddleware
(``recrawl_info``), the duplicate checks of DedupPipeline (``article_for_hash``,
``find_near_duplicate``, ``article_id_for_url``) and a batch of 50 article writes — and the
two reader queries: the ranked full-text search (the ``search_ranked`` canned query) and
"latest 50 articles of site X". Prints medians per call and the ratio 100k/1k.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.site import _vocabulary
from newscrawler.archive import Archive
from newscrawler.extract.fingerprint import content_hash
from newscrawler.extract.similarity import NUM_PERM, Fingerprint

SITES = [f"news{n:02d}.example" for n in range(20)]
SEARCH_SQL = """select articles.id, round(bm25(articles_fts, 10.0, 3.0, 1.0), 3) as rank, articles.published_day,
       articles.site, articles.title, snippet(articles_fts, -1, '**', '**', ' … ', 24) as snippet, articles.url
from articles_fts join articles on articles.rowid = articles_fts.rowid
where articles_fts match :q and articles.duplicate_of is null
order by bm25(articles_fts, 10.0, 3.0, 1.0) limit 50"""
LATEST_SQL = """select id, published_at, title, url from articles
where site = :site and duplicate_of is null order by published_at desc limit 50"""


def _url(n: int) -> str:
    return f"https://{SITES[n % len(SITES)]}/2024/{1 + n % 12:02d}/{1 + n % 28:02d}/article-{n}/"


def _fingerprint(rng: np.random.Generator) -> Fingerprint:
    return Fingerprint(rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64), int(rng.integers(150, 900)))


def build_archive(path: Path, articles: int) -> None:
    """Fill an archive with ``articles`` rows through the archive's own write path, in big batches."""
    if path.is_file():
        return
    words = _vocabulary()
    rng = random.Random(articles)
    nprng = np.random.default_rng(articles)
    partial = path.with_name(path.name + ".partial")
    for stale in path.parent.glob(partial.name + "*"):
        stale.unlink()
    archive = Archive.open(partial, batch_size=1000)
    archive.start_crawl("prefill")
    for n in range(articles):
        body = " ".join(rng.choices(words, k=rng.randint(250, 500)))
        if n % 1000 == 0:  # a name in 0.1 % of the articles, as a search for a person finds
            body += " Xylanderova"
        url = _url(n)
        archive.add_fingerprint(url, _fingerprint(nprng))
        archive.add_article(
            {
                "url": url,
                "site": SITES[n % len(SITES)],
                "title": " ".join(rng.choices(words, k=7)),
                "body": body,
                "content_hash": content_hash(body),
                "published_at": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00+02:00",
                "language": "de",
                "word_count": len(body.split()),
                "related": [{"url": _url(rng.randrange(articles)), "title": "x"} for _ in range(4)],
            }
        )
    archive.close()
    for suffix in ("", "-wal", "-shm"):
        source = partial.with_name(partial.name + suffix)
        if source.exists():
            source.rename(path.with_name(path.name + suffix))


def _time(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall seconds of one call of ``fn`` over ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure(path: Path, articles: int, round_no: int) -> dict[str, float]:
    """Median seconds per call of each per-page check, a 50-article write batch and the two queries."""
    work = path.with_name(f"{path.stem}-work.db")
    shutil.copyfile(path, work)  # writes go to a copy: every round starts from the same archive
    archive = Archive.open(work, batch_size=50)
    archive.start_crawl("bench")
    rng = random.Random(round_no)
    nprng = np.random.default_rng(round_no)
    known = [_url(rng.randrange(articles)) for _ in range(200)]
    unknown = [f"https://{SITES[0]}/neu/{round_no}-{n}/" for n in range(200)]
    fps = [_fingerprint(nprng) for _ in range(200)]
    it = iter(range(10**9))
    figures = {
        "already archived? (unknown URL)": _time(lambda: archive.recrawl_info(unknown[next(it) % 200]), 400),
        "already archived? (known URL)": _time(lambda: archive.recrawl_info(known[next(it) % 200]), 400),
        "same text archived? (hash)": _time(lambda: archive.article_for_hash(f"{next(it):064x}"), 400),
        "near duplicate? (LSH)": _time(
            lambda: archive.find_near_duplicate(fps[next(it) % 200], url="x", threshold=0.7), 400
        ),
        "URL -> article id": _time(lambda: archive.article_id_for_url(known[next(it) % 200]), 400),
    }
    words = _vocabulary()

    def write_batch() -> None:
        for _ in range(50):
            n = next(it)
            body = " ".join(rng.choices(words, k=400))
            url = f"https://{SITES[1]}/neu/{round_no}-{n}/"
            archive.add_fingerprint(url, _fingerprint(nprng))
            archive.add_article(
                {"url": url, "site": SITES[1], "title": "t", "body": body, "content_hash": content_hash(body),
                 "related": [{"url": known[n % 200], "title": "x"}] * 4}
            )  # fmt: skip

    figures["write 50 articles (one batch)"] = _time(write_batch, 10)
    db = archive.db
    common = words[len(words) // 2]
    figures["full-text search, name in 0.1 % of articles"] = _time(lambda: db.execute(SEARCH_SQL, {"q": "Xylanderova"}).fetchall(), 20)
    figures["full-text search, phrase"] = _time(
        lambda: db.execute(SEARCH_SQL, {"q": f'"{words[10]} {words[20]}" OR {words[30]}'}).fetchall(), 20
    )
    figures[f"full-text search, common word ({common})"] = _time(
        lambda: db.execute(SEARCH_SQL, {"q": common}).fetchall(), 10
    )
    figures["latest 50 of a site"] = _time(lambda: db.execute(LATEST_SQL, {"site": SITES[3]}).fetchall(), 50)
    archive.close()
    for stale in work.parent.glob(work.name + "*"):
        stale.unlink()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.archive_scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "newscrawler-bench-archives")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for size in (args.small, args.large):
        paths[size] = args.dir / f"archive-{size}.db"
        started = time.monotonic()
        build_archive(paths[size], size)
        print(f"archive of {size} articles: {paths[size]} ({time.monotonic() - started:.0f}s)", flush=True)
    results: dict[int, list[dict[str, float]]] = {args.small: [], args.large: []}
    for n in range(args.rounds):
        for size in (args.small, args.large) if n % 2 == 0 else (args.large, args.small):
            results[size].append(measure(paths[size], size, n))
    names = list(results[args.small][0])
    print(f"\nper call, median of {args.rounds} rounds (alternating), milliseconds:")
    print(f"{'':44}{args.small:>10}{args.large:>10}{'ratio':>8}")
    for name in names:
        small = statistics.median(r[name] for r in results[args.small]) * 1000
        large = statistics.median(r[name] for r in results[args.large]) * 1000
        print(f"{name:44}{small:10.3f}{large:10.3f}{large / small if small else 0:8.2f}")
    sizes = {size: paths[size].stat().st_size for size in paths}
    print(f"\narchive file size per article: {sizes[args.large] / args.large / 1024:.1f} KB at {args.large} articles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
