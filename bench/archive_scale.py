"""Does the per-page archive work stay flat as the archive grows? And are the queries fast at 100,000 articles?

    python -m bench.archive_scale                 # archives of 1,000 and 100,000 articles, 5 rounds
    python -m bench.archive_scale --no-datasette  # without the (slow) Datasette table-search figures
    python -m bench.archive_scale --write-parts   # what a batch write is made of: parts left out in turn

Pre-fills two archives (cached in the temp folder: the 100,000-article one takes a few minutes
once) with articles of 20 sites, their full-text index, related links and near-duplicate
signatures (random MinHash signatures: their LSH buckets spread like those of distinct
texts). Then, alternating between the two archives in each round, it times what a crawl does
per page against the archive — the "already archived?" check of IncrementalMiddleware
(``recrawl_info``), the duplicate checks of DedupPipeline (``article_for_hash``,
``find_near_duplicate``, ``article_id_for_url``), batches of 50 article writes (the mean: it
includes the WAL checkpoints) and marking a known article as seen again (``touch``) — and what
readers run: the ranked full-text search (the ``search_ranked`` canned query, read from
metadata.yml) for a rare name, a phrase and common words (every vocabulary word is in about
23 % of the articles), "latest 50 articles of site X", and Datasette's own table search
(``/news/articles.json?_search=``, with and without facet suggestions) and table page. Prints
medians per call and the ratio 100k/1k.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import yaml

from bench.site import _vocabulary
from newscrawler.archive import Archive
from newscrawler.dedup.hashing import content_hash
from newscrawler.dedup.minhash import NUM_PERM, Signature

SITES = [f"news{n:02d}.example" for n in range(20)]
METADATA = Path(__file__).resolve().parents[1] / "newscrawler" / "archive" / "metadata.yml"
# The ranked search as analysts run it (the canned query), read from the metadata Datasette gets.
SEARCH_SQL = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["news"]["queries"][
    "search_ranked"
]["sql"]
#: What a batch write is made of (``--write-parts``): each variant leaves one part out, on a copy.
WRITE_PARTS: dict[str, tuple[str, ...]] = {
    "as shipped": (),
    # Gone since migration m010 (the buckets are looked up in memory): these two equal the ones
    # above them unless the archive predates it.
    "without the LSH (band, bucket) index": ("drop index if exists idx_article_lsh_band_bucket",),
    "without WAL checkpoints": ("pragma wal_autocheckpoint = 0",),
    "without either": (
        "drop index if exists idx_article_lsh_band_bucket",
        "pragma wal_autocheckpoint = 0",
    ),
    "without the full-text index": ('drop trigger "articles_ai"',),
}
LATEST_SQL = """select id, published_at, title, url from articles
where site = :site and duplicate_of is null order by published_at desc limit 50"""


def _url(n: int) -> str:
    return f"https://{SITES[n % len(SITES)]}/2024/{1 + n % 12:02d}/{1 + n % 28:02d}/article-{n}/"


def _signature(rng: np.random.Generator) -> Signature:
    return Signature(rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64), int(rng.integers(150, 900)))


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
        archive.add_signature(url, _signature(nprng))
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


def _time(
    fn: Callable[[], Any], repeat: int, stat: Callable[[list[float]], float] = statistics.median
) -> float:
    """Median (or ``stat``) wall seconds of one call of ``fn`` over ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return stat(samples)


def _datasette_page(path: Path, query: str, repeat: int, *, suggest_facets: bool) -> float:
    """Median seconds of Datasette's ``articles`` table page (JSON: rows, count and facets)."""
    from datasette.app import Datasette  # a test dependency: only these figures need it

    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    datasette = Datasette(
        [str(path)], metadata=metadata, settings={"suggest_facets": suggest_facets}
    )
    loop = asyncio.new_event_loop()
    url = f"/{path.stem}/articles.json" + (f"?_search={quote(query)}" if query else "")
    try:
        first = loop.run_until_complete(
            datasette.client.get(url)
        )  # opens the file, reads the schema
        if first.status_code != 200 or "site" not in first.json()["facet_results"]:
            raise RuntimeError(
                f"{url} did not answer with metadata.yml's facets: {first.text[:300]}"
            )
        return _time(lambda: loop.run_until_complete(datasette.client.get(url)), repeat)
    finally:
        loop.close()


def _work_copy(path: Path) -> Path:
    """A fresh copy of the cached archive to write to: every round starts from the same one.

    It is named ``news.db``, as Datasette must see it for metadata.yml's facets and sort to apply.
    """
    work = path.with_name(f"{path.stem}-work") / "news.db"
    work.parent.mkdir(exist_ok=True)
    _remove(work)
    shutil.copyfile(path, work)
    return work


def _remove(work: Path) -> None:
    for stale in work.parent.glob(work.name + "*"):  # a stale -wal would be replayed onto a copy
        stale.unlink()


def _batch_writer(archive: Archive, round_no: int, known: list[str]) -> Callable[[], None]:
    """A function that writes 50 new articles (one batch) of 400 words, with signatures and links."""
    words = _vocabulary()
    rng = random.Random(round_no)
    nprng = np.random.default_rng(round_no)
    it = iter(range(10**9))

    def write_batch() -> None:
        for _ in range(50):
            n = next(it)
            body = " ".join(rng.choices(words, k=400))
            url = f"https://{SITES[1]}/neu/{round_no}-{n}/"
            archive.add_signature(url, _signature(nprng))
            archive.add_article(
                {"url": url, "site": SITES[1], "title": "t", "body": body, "content_hash": content_hash(body),
                 "related": [{"url": known[n % 200], "title": "x"}] * 4}
            )  # fmt: skip

    return write_batch


def measure(path: Path, articles: int, round_no: int, *, datasette: bool) -> dict[str, float]:
    """Seconds per call of each per-page check and write, and of the readers' queries."""
    work = _work_copy(path)
    archive = Archive.open(work, batch_size=50)
    archive.start_crawl("bench")
    rng = random.Random(round_no)
    nprng = np.random.default_rng(round_no)
    known = [_url(rng.randrange(articles)) for _ in range(200)]
    unknown = [f"https://{SITES[0]}/neu/{round_no}-{n}/" for n in range(200)]
    fps = [_signature(nprng) for _ in range(200)]
    it = iter(range(10**9))
    figures = {
        # The first near-duplicate look-up reads article_lsh into memory (BucketIndex).
        "near-duplicate index load (first look-up)": _time(
            lambda: archive.find_near_duplicate(fps[0], url="x", threshold=0.7), 1
        ),
        "already archived? (unknown URL)": _time(
            lambda: archive.recrawl_info(unknown[next(it) % 200]), 400
        ),
        "already archived? (known URL)": _time(
            lambda: archive.recrawl_info(known[next(it) % 200]), 400
        ),
        "same text archived? (hash)": _time(
            lambda: archive.article_for_hash(f"{next(it):064x}"), 400
        ),
        "near duplicate? (LSH)": _time(
            lambda: archive.find_near_duplicate(fps[next(it) % 200], url="x", threshold=0.7), 400
        ),
        "URL -> article id": _time(lambda: archive.article_id_for_url(known[next(it) % 200]), 400),
    }
    words = _vocabulary()
    write_batch = _batch_writer(archive, round_no, known)
    # The mean, not the median: one batch in a few pays the WAL checkpoint for the others.
    figures["write 50 articles (one batch, mean)"] = _time(write_batch, 20, statistics.mean)
    figures["seen again unchanged (touch)"] = _time(
        lambda: archive.touch(known[next(it) % 200]), 200
    )
    db = archive.db
    common = words[len(words) // 2]
    other = words[len(words) // 2 + 1]
    searches = {
        "name in 0.1 % of articles": "Xylanderova",
        "phrase OR word": f'"{words[10]} {words[20]}" OR {words[30]}',
        f"common word ({common})": common,
        "either of two common words": f"{common} OR {other}",
    }
    for label, query in searches.items():
        figures[f"full-text search, {label}"] = _time(
            lambda q=query: db.execute(SEARCH_SQL, {"q": q}).fetchall(), 10
        )
    figures["latest 50 of a site"] = _time(
        lambda: db.execute(LATEST_SQL, {"site": SITES[3]}).fetchall(), 50
    )
    archive.close()
    if datasette:
        for suggest in (True, False):
            figures[f"Datasette ?_search={common}, suggest_facets {'on' if suggest else 'off'}"] = (
                _datasette_page(work, common, 3, suggest_facets=suggest)
            )
        figures["Datasette table page, suggest_facets off"] = _datasette_page(
            work, "", 3, suggest_facets=False
        )
    _remove(work)
    return figures


def measure_write_parts(path: Path, articles: int, round_no: int) -> dict[str, float]:
    """Mean seconds per 50-article batch with each part of the write work left out in turn."""
    figures = {}
    rng = random.Random(round_no)
    known = [_url(rng.randrange(articles)) for _ in range(200)]
    for label, statements in WRITE_PARTS.items():
        work = _work_copy(path)
        archive = Archive.open(work, batch_size=50)
        for statement in statements:
            archive.db.execute(statement)
        archive.start_crawl("bench")
        figures[f"write 50 articles, {label}"] = _time(
            _batch_writer(archive, round_no, known), 20, statistics.mean
        )
        archive.close()
        _remove(work)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.archive_scale", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--write-parts",
        action="store_true",
        help="only the batch write, with each part of it left out in turn",
    )
    parser.add_argument(
        "--no-datasette", dest="datasette", action="store_false", help="skip the Datasette figures"
    )
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "newscrawler-bench-archives"
    )
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for size in (args.small, args.large):
        paths[size] = args.dir / f"archive-{size}.db"
        started = time.monotonic()
        build_archive(paths[size], size)
        print(
            f"archive of {size} articles: {paths[size]} ({time.monotonic() - started:.0f}s)",
            flush=True,
        )
    results: dict[int, list[dict[str, float]]] = {args.small: [], args.large: []}
    for n in range(args.rounds):
        for size in (args.small, args.large) if n % 2 == 0 else (args.large, args.small):
            if args.write_parts:
                results[size].append(measure_write_parts(paths[size], size, n))
            else:
                results[size].append(measure(paths[size], size, n, datasette=args.datasette))
    names = list(results[args.small][0])
    print(f"\nper call, median of {args.rounds} rounds (alternating), milliseconds:")
    print(f"{'':56}{args.small:>10}{args.large:>10}{'ratio':>8}")
    for name in names:
        small = statistics.median(r[name] for r in results[args.small]) * 1000
        large = statistics.median(r[name] for r in results[args.large]) * 1000
        print(f"{name:56}{small:10.3f}{large:10.3f}{large / small if small else 0:8.2f}")
    sizes = {size: paths[size].stat().st_size for size in paths}
    print(
        f"\narchive file size per article: {sizes[args.large] / args.large / 1024:.1f} KB at {args.large} articles"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
