"""Extraction speed against an earlier revision: both extractors in one process, page by page.

    python -m bench.extract_speed --against 1c9ee3f          # every development set + bench articles
    python -m bench.extract_speed --against HEAD~3 --rounds 5 --sets fundus_de,bench

On a shared VM the wall-clock rate of a whole run moves by 10 % and more between runs, so a
figure from two separate runs says little. Here the current ``newscrawler.extract`` and the
one of ``--against`` (taken from git into a temporary folder, imported under another name)
take turns on every page, in alternating order, and each page counts with the fastest of
``--rounds`` CPU times: what differs between the two is the code, not the machine's mood.
It prints the median per set, the median and mean over the development pages, the mean over
the benchmark's synthetic articles (``bench/site.py``) and the ratio current/earlier; with
``--diff``, how many pages the two extract differently.

The development sets are read from ``../shared`` at run time (absent sets are skipped).
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.site import generate_site
from newscrawler.extract import extract_article
from newscrawler.extract.evaluate import SHARED_DIR, find_dev_sets, iter_pages

ROOT = Path(__file__).resolve().parents[1]
BASELINE_PACKAGE = "baseline_extract"
BENCH_ARTICLES = 150

Extractor = Callable[..., Any]
Pages = dict[str, list[tuple[str, str]]]


def load_baseline(revision: str, into: Path) -> Extractor:
    """``extract_article`` of ``newscrawler/extract`` at ``revision``, as a package of its own."""
    folder = into / BASELINE_PACKAGE
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", revision, "newscrawler/extract"],
        cwd=ROOT, capture_output=True, check=False,
    )  # fmt: skip
    if archive.returncode != 0:
        raise SystemExit(f"cannot read newscrawler/extract at {revision!r}: {archive.stderr!r}")
    subprocess.run(
        ["tar", "-x", "--strip-components=2", "-C", str(folder)],
        input=archive.stdout, check=True,
    )  # fmt: skip
    sys.path.insert(0, str(into))
    try:
        module = importlib.import_module(BASELINE_PACKAGE)
    except ImportError as exc:
        raise SystemExit(
            f"newscrawler/extract at {revision!r} does not import on its own ({exc}); "
            "pick a later revision"
        ) from exc
    return module.extract_article  # type: ignore[no-any-return]


def load_pages(sets: set[str] | None, site_dir: Path) -> Pages:
    """The development sets' pages and the benchmark's synthetic articles, as (html, url)."""
    pages: Pages = {}
    found, missing = find_dev_sets(SHARED_DIR)
    for line in missing:
        print(line)
    for name, folder in found:
        if sets is None or name in sets:
            pages[name] = [(p.html, p.url) for p in iter_pages(folder)]
    if sets is None or "bench" in sets:
        generate_site(400, site_dir)
        files = sorted(p for p in site_dir.rglob("index.html") if "/2024/" in str(p))
        pages["bench"] = [
            (f.read_text(encoding="utf-8"), f"http://127.0.0.1/{f.parent.relative_to(site_dir)}/")
            for f in files[:BENCH_ARTICLES]
        ]
    return pages


def fastest_times(
    systems: dict[str, Extractor], pages: Pages, rounds: int
) -> dict[str, dict[str, list[float]]]:
    """Per system and set, each page's fastest CPU milliseconds over ``rounds``, turns alternating."""
    best = {s: {n: [float("inf")] * len(v) for n, v in pages.items()} for s in systems}
    names = list(systems)
    for html, url in next(iter(pages.values()))[:3]:  # imports and caches are not per-page cost
        for function in systems.values():
            function(html, url)
    for round_ in range(rounds):
        for set_name, items in pages.items():
            for i, (html, url) in enumerate(items):
                order = names if (i + round_) % 2 else names[::-1]
                for system in order:
                    start = time.process_time()
                    systems[system](html, url)
                    spent = (time.process_time() - start) * 1000
                    best[system][set_name][i] = min(best[system][set_name][i], spent)
    return best


def summary(times: dict[str, list[float]]) -> dict[str, float]:
    """Median per set, and over the development pages (every set but ``bench``)."""
    figures = {f"{name} median": statistics.median(v) for name, v in times.items() if v}
    dev = [t for name, v in times.items() if name != "bench" for t in v]
    if dev:
        figures["dev median"] = statistics.median(dev)
        figures["dev mean"] = statistics.mean(dev)
    if times.get("bench"):
        figures["bench mean"] = statistics.mean(times["bench"])
    return figures


def count_differences(current: Extractor, earlier: Extractor, pages: Pages) -> int:
    """Pages whose extraction differs between the two (every field compared)."""
    return sum(
        current(html, url) != earlier(html, url) for items in pages.values() for html, url in items
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.extract_speed", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--against", required=True, help="git revision to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="runs per page (the fastest counts)")
    parser.add_argument("--sets", help="comma-separated set names (default: all, and bench)")
    parser.add_argument(
        "--diff", action="store_true", help="also count pages extracted differently"
    )
    parser.add_argument(
        "--site-dir", type=Path, default=Path(tempfile.gettempdir()) / "newscrawler-bench-site-400"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be 1 or more, got {args.rounds}")
    with tempfile.TemporaryDirectory() as tmp:
        earlier = load_baseline(args.against, Path(tmp))
        pages = load_pages(set(args.sets.split(",")) if args.sets else None, args.site_dir)
        if not pages:
            parser.error("no pages: no development set found and bench not selected")
        systems = {"current": extract_article, args.against: earlier}
        best = fastest_times(systems, pages, args.rounds)
        now, then = summary(best["current"]), summary(best[args.against])
        count = sum(len(v) for v in pages.values())
        print(f"extract_article CPU ms per page, fastest of {args.rounds} rounds, {count} pages")
        print(f"  {'':18}{'current':>10}{args.against:>14}{'ratio':>8}")
        for key, value in now.items():
            print(f"  {key:18}{value:10.2f}{then[key]:14.2f}{value / then[key]:8.3f}")
        if args.diff:
            print(
                f"pages extracted differently: {count_differences(extract_article, earlier, pages)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
