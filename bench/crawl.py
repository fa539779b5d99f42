"""Crawl benchmark: the full ``scrapy crawl news`` against a bare link-following Scrapy spider.

    python -m bench.crawl                     # 2,000 pages, 3 rounds
    python -m bench.crawl --pages 20000 --rounds 2

Generates the synthetic news site of ``bench.site`` (cached in the temp folder), serves it on
127.0.0.1, and runs, alternating in each round (the order flips every round, since the machine
is shared and timings drift), (a) ``bench/bare.py`` with Scrapy's defaults and (b) the real
``scrapy crawl news`` with every pipeline, the raw pages and a fresh SQLite archive. Both use
the same concurrency, no delays and no depth or page limits. It prints pages per second, the
ratio (b)/(a) per round and its median, the peak RSS of each crawl, the CPU time per page by
stage, the server's CPU per page, and the archive's size per article.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.site import SiteLayout, generate_site

ROOT = Path(__file__).resolve().parents[1]
PROBE = "bench.probe.Probe"
# Both crawls: as fast as the site allows, no bounds; everything else stays each one's default.
COMMON = {
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "0",
    "DEPTH_LIMIT": "0",
    "CLOSESPIDER_PAGECOUNT": "0",
    "CLOSESPIDER_TIMEOUT": "0",
    "LOG_LEVEL": "INFO",
}
STAGES = ("download/parse", "extraction", "cleaning", "dedup", "storage", "other threads")


@dataclass
class Run:
    """One crawl's figures."""

    kind: str
    pages: int
    seconds: float
    maxrss_mb: float
    tree_peak_mb: float
    server_ms_per_page: float
    cpu_ms: dict[str, float] = field(default_factory=dict)
    #: The part of each stage's ``cpu_ms`` spent in extraction workers, not on the reactor thread.
    worker_ms: dict[str, float] = field(default_factory=dict)
    articles: int = 0
    archive_bytes: int = 0
    raw_bytes: int = 0

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def _proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (workers, forkserver), in KB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def _high_water_mark_kb(pid: int) -> int:
    """VmHWM: the process's own peak resident memory since its exec, in KB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class _TreeSampler(threading.Thread):
    """Samples the crawler's own peak (VmHWM) and its process tree's resident memory.

    Not wait4's ru_maxrss: Linux carries the high-water mark across fork and exec, so that
    figure starts at the resident size of the process that forked the crawler (this one).
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.hwm_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            self.hwm_kb = max(self.hwm_kb, _high_water_mark_kb(self.pid))
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))


def _command(
    kind: str, url: str, workdir: Path, out: Path, extra: list[str]
) -> tuple[list[str], Path]:
    settings = {**COMMON, "BENCH_PROBE_OUT": str(out)}
    if kind == "bare":
        settings["EXTENSIONS"] = json.dumps({PROBE: 0})
        args = ["runspider", str(ROOT / "bench" / "bare.py"), "-a", f"start_url={url}"]
        cwd = workdir  # outside the project: Scrapy's default settings, not newscrawler's
    else:
        from newscrawler import settings as project

        settings["EXTENSIONS"] = json.dumps({**project.EXTENSIONS, PROBE: 0})
        settings["ARCHIVE_PATH"] = str(workdir / "news.db")
        settings["STRICT_SETTINGS"] = "0"  # BENCH_PROBE_OUT is the probe's own setting
        args = ["crawl", "news", "-a", f"start_urls={url}"]
        cwd = ROOT
    command = [sys.executable, "-m", "scrapy", *args]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command + extra, cwd


def run_crawl(kind: str, url: str, workdir: Path, server_pid: int, extra: list[str]) -> Run:
    """Run one crawl in a subprocess; its peak RSS is sampled from /proc, its stages come from the probe."""
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "probe.json"
    command, cwd = _command(kind, url, workdir, out, extra)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    server_cpu = _proc_cpu_seconds(server_pid)
    with open(workdir / "crawl.log", "w") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = _TreeSampler(process.pid)
        sampler.start()
        _, status, _ = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.done.set()
    server_cpu = _proc_cpu_seconds(server_pid) - server_cpu
    # 3 is the health check's "a site failed" exit code; the figures are still valid then.
    if process.returncode not in (0, 3) or not out.is_file():
        tail = (workdir / "crawl.log").read_text()[-3000:]
        raise RuntimeError(f"{kind} crawl failed (exit {process.returncode}):\n{tail}")
    probe = json.loads(out.read_text())
    stats = probe["stats"]
    pages = int(stats.get("response_received_count", 0))
    per_page = 1000.0 / max(pages, 1)
    reactor = probe["reactor_thread_cpu"] or probe["process_cpu"]
    stages = probe["stages"]
    extraction = float(stats.get("newscrawler/extract/cpu_seconds", 0.0))
    in_process = kind == "full" and not _uses_pool(
        extra
    )  # then extraction ran on the reactor thread
    own = sum(stages.values()) + (extraction if in_process else 0.0)
    # What the extraction workers did for the later stages (cleaning, dedup, storage).
    worker = {
        stage: float(stats.get(f"newscrawler/worker/{stage}/cpu_seconds", 0.0)) for stage in STAGES
    }
    worker["extraction"] = 0.0 if in_process else extraction
    run = Run(
        kind=kind,
        pages=pages,
        seconds=float(stats.get("elapsed_time_seconds", 0.0)),
        maxrss_mb=sampler.hwm_kb / 1024,
        tree_peak_mb=max(sampler.peak_kb, sampler.hwm_kb) / 1024,
        server_ms_per_page=server_cpu * per_page,
        cpu_ms={
            "download/parse": (reactor - own) * per_page,
            "extraction": extraction * per_page,
            "cleaning": (stages.get("cleaning", 0.0) + worker["cleaning"]) * per_page,
            "dedup": (stages.get("dedup", 0.0) + worker["dedup"]) * per_page,
            "storage": (stages.get("storage", 0.0) + worker["storage"]) * per_page,
            "other threads": (probe["process_cpu"] - reactor) * per_page,
        },
        worker_ms={stage: seconds * per_page for stage, seconds in worker.items()},
    )
    if kind == "full":
        import sqlite3

        from newscrawler.archive.rawpages import raw_path_for

        archive = workdir / "news.db"
        with sqlite3.connect(archive) as conn:
            run.articles = conn.execute("select count(*) from articles").fetchone()[0]
        run.archive_bytes = sum(
            p.stat().st_size for p in workdir.glob("news.db*") if not p.name.endswith(".lock")
        )
        raw = raw_path_for(archive)
        run.raw_bytes = sum(p.stat().st_size for p in raw.parent.glob(raw.name + "*"))
    return run


def _uses_pool(extra: list[str]) -> bool:
    return not any(arg.replace(" ", "") == "EXTRACT_WORKERS=0" for arg in extra)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def report(layout: SiteLayout, runs: list[tuple[Run, Run]], extra: list[str]) -> str:
    """The printed report: per round, then medians."""
    bare = [b for b, _ in runs]
    full = [f for _, f in runs]
    ratios = [f.rate / b.rate for b, f in runs if b.rate]
    lines = [
        f"newscrawler crawl benchmark: {layout.pages} pages ({layout.articles} articles), {len(runs)} rounds, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
        + (f", {' '.join(extra)}" if extra else ""),
    ]
    for n, (b, f) in enumerate(runs, start=1):
        lines.append(
            f"  round {n}: bare {b.rate:6.1f} pages/s ({b.pages} pages)   full {f.rate:6.1f} pages/s "
            f"({f.pages} pages, {f.articles} articles)   ratio {f.rate / b.rate:.2f}"
        )
    lines += [
        "",
        f"{'':34}{'bare':>10}{'full':>10}",
        f"{'pages per second (median)':34}{_median([r.rate for r in bare]):10.1f}{_median([r.rate for r in full]):10.1f}",
        f"ratio full/bare (median of rounds): {_median(ratios):.2f}  (rounds: {', '.join(f'{r:.2f}' for r in ratios)})",
        f"{'peak RSS, crawler process (MB)':34}{max(r.maxrss_mb for r in bare):10.0f}{max(r.maxrss_mb for r in full):10.0f}",
        f"{'peak RSS, with workers (MB)':34}{max(r.tree_peak_mb for r in bare):10.0f}{max(r.tree_peak_mb for r in full):10.0f}",
        f"CPU time per page (ms, median of rounds):{'':>22}full: reactor + workers",
    ]
    for stage in STAGES:
        b = _median([r.cpu_ms[stage] for r in bare])
        f = _median([r.cpu_ms[stage] for r in full])
        w = _median([r.worker_ms.get(stage, 0.0) for r in full])
        lines.append(f"  {stage:32}{b:10.2f}{f:10.2f}{f - w:11.2f} + {w:.2f}")
    total_w = _median([sum(r.worker_ms.values()) for r in full])
    total_f = _median([sum(r.cpu_ms.values()) for r in full])
    lines.append(
        f"  {'total':32}{_median([sum(r.cpu_ms.values()) for r in bare]):10.2f}"
        f"{total_f:10.2f}{total_f - total_w:11.2f} + {total_w:.2f}"
    )
    lines.append(
        f"{'server CPU per page (ms)':34}{_median([r.server_ms_per_page for r in bare]):10.2f}"
        f"{_median([r.server_ms_per_page for r in full]):10.2f}"
    )
    last = full[-1]
    if last.articles:
        lines.append(
            f"archive size per article: {last.archive_bytes / last.articles / 1024:.1f} KB (news.db) "
            f"+ {last.raw_bytes / last.articles / 1024:.1f} KB (raw pages, news-raw.db)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.crawl", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--pages", type=int, default=2000, help="pages of the synthetic site (default 2000)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of (bare, full), alternating (default 3)"
    )
    parser.add_argument(
        "--site-dir", type=Path, help="where the site is generated (default: a cached temp folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the crawls' archives and logs")
    parser.add_argument(
        "-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
        help="an extra setting for the full crawl (e.g. -s EXTRACT_WORKERS=0)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    site_dir = args.site_dir or Path(tempfile.gettempdir()) / f"newscrawler-bench-site-{args.pages}"
    started = time.monotonic()
    layout = generate_site(args.pages, site_dir)
    print(
        f"site: {layout.pages} pages in {site_dir} ({time.monotonic() - started:.0f}s)", flush=True
    )
    extra = [x for s in args.settings for x in ("-s", s)]
    workdir = Path(tempfile.mkdtemp(prefix="newscrawler-bench-"))
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.site", "serve", str(site_dir)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split()[-1]
        runs: list[tuple[Run, Run]] = []
        for n in range(args.rounds):
            order = ("bare", "full") if n % 2 == 0 else ("full", "bare")
            done: dict[str, Run] = {}
            for kind in order:
                done[kind] = run_crawl(kind, url, workdir / f"{n + 1}-{kind}", server.pid, extra)
                print(f"  round {n + 1} {kind}: {done[kind].rate:.1f} pages/s", flush=True)
            runs.append((done["bare"], done["full"]))
        print()
        print(report(layout, runs, args.settings))
    finally:
        server.terminate()
        server.wait()
        if args.keep:
            print(f"crawls kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
