"""Smoke runs of the benchmarks at tiny sizes: they run end to end and print every figure (no timings asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.site import SiteLayout, generate_site

from .helpers import ROOT


def run_bench(*args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_the_site_has_the_pages_it_promises(tmp_path: Path) -> None:
    layout = generate_site(60, tmp_path)
    pages = list(tmp_path.rglob("index.html"))
    assert len(pages) == layout.pages == 60
    articles = [p for p in pages if "/2024/" in str(p)]
    assert len(articles) == layout.articles
    sizes = sorted(p.stat().st_size for p in articles)
    assert sizes[0] >= 60_000 and sizes[-1] <= 100_000
    html = articles[0].read_text(encoding="utf-8")
    assert "Ähnliche Themen" in html and "comment-list" in html and "Weitere Nachrichten" in html
    assert SiteLayout(2000).pages == 2000


def test_crawl_benchmark_reports_every_figure(tmp_path: Path) -> None:
    out = run_bench(
        "bench.crawl", "--pages", "40", "--rounds", "1", "--site-dir", str(tmp_path / "site")
    )
    assert "round 1: bare" in out
    for figure in (
        "pages per second (median)",
        "ratio full/bare (median of rounds):",
        "peak RSS, crawler process (MB)",
        "peak RSS, with workers (MB)",
        "download/parse",
        "extraction",
        "cleaning",
        "dedup",
        "storage",
        "server CPU per page (ms)",
        "archive size per article:",
    ):
        assert figure in out, out
    full = next(line for line in out.splitlines() if line.strip().startswith("round 1: bare"))
    assert "articles" in full and " 0 articles" not in full


def test_archive_scale_benchmark_reports_every_figure(tmp_path: Path) -> None:
    out = run_bench(
        "bench.archive_scale",
        "--small",
        "30",
        "--large",
        "120",
        "--rounds",
        "1",
        "--dir",
        str(tmp_path),
    )
    for figure in ("already archived? (unknown URL)", "near duplicate? (LSH)", "write 50 articles",
                   "full-text search", "latest 50 of a site", "archive file size per article"):  # fmt: skip
        assert figure in out, out


def test_extraction_speed_against_a_revision_reports_ratios_and_differences(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: no earlier revision to compare with")
    out = run_bench(
        "bench.extract_speed", "--against", "HEAD", "--rounds", "1", "--sets", "bench",
        "--diff", "--site-dir", str(tmp_path / "site"),
    )  # fmt: skip
    assert "bench mean" in out and "ratio" in out
    # HEAD's extractor is the working tree's here (the tests do not edit it): the same output.
    assert "pages extracted differently: 0" in out
