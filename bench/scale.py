"""Do N distributed workers crawl N times as fast, and how many articles does one writer absorb?

    python -m bench.scale                                   # 16 sites, 0.5 s latency, 1, 2, 4 workers
    python -m bench.scale --workers 1,2,4,8 --sites 32 --window 30

A latency-bound setup on loopback: ``--sites`` sites, each its own address (127.0.0.1,
127.0.0.2, …) serving bench/site.py's generated site, every answer after ``--latency``
seconds; politeness on (``CONCURRENT_REQUESTS_PER_DOMAIN=2`` per site across all workers, the
distributed mode's shared lease). Each worker may have ``--concurrency`` requests in flight, so
one worker cannot use what the sites allow and more workers can. For each worker count a fresh
run of ``scrapy crawl news -s REDIS_URL=…`` workers crawls all the sites at once (one start URL
each, one shared frontier); the server counts the pages it answers in a ``--window`` after a
warm-up. The items of every run wait in the stream; then one ``scrapy archive-writer`` drains
them into a fresh archive, timed from its first to its last acknowledgement: the articles per
second one writer absorbs, so the writer's share of a crawl can be read off. Needs
``redis-server`` (Debian package); starts its own on a free port.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.site import generate_site

ROOT = Path(__file__).resolve().parents[1]


class _Slow(asyncio.Protocol):
    """HTTP/1.1 GET with keep-alive: ``ROOT/path/index.html``, answered after ``latency`` seconds."""

    def __init__(self, root: Path, latency: float, served: list[float]) -> None:
        self.root = root
        self.latency = latency
        self.served = served
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode("latin-1").split("?")[0]
            asyncio.get_running_loop().call_later(self.latency, self._answer, path)

    def _answer(self, path: str) -> None:
        file = self.root / path.lstrip("/").replace("..", "")
        if path.endswith("/"):
            file = file / "index.html"
        try:
            body, status = file.read_bytes(), b"200 OK"
        except OSError:
            body, status = b"<!doctype html><title>404</title>", b"404 Not Found"
        self.served.append(time.monotonic())
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(
                b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )


class Sites:
    """``count`` sites on 127.0.0.1 … 127.0.0.N, one port, in a thread of this process."""

    def __init__(self, root: Path, count: int, latency: float) -> None:
        self.served: list[float] = []
        self.port = _free_port()
        self.hosts = [f"127.0.0.{n}" for n in range(1, count + 1)]
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def start() -> None:
            for host in self.hosts:
                await self.loop.create_server(
                    lambda: _Slow(root, latency, self.served), host, self.port, backlog=256
                )
            ready.set()

        def run() -> None:
            self.loop.run_until_complete(start())
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        if not ready.wait(10):
            raise RuntimeError("the sites did not start")

    def urls(self) -> list[str]:
        return [f"http://{host}:{self.port}/" for host in self.hosts]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Redis:
    """``redis-server`` on a free loopback port, its AOF in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed (apt-get install redis-server)")
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(folder),
             "--appendonly", "yes", "--save", ""],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        from redis import Redis as Client

        self.client: Any = Client.from_url(self.url)
        for _ in range(100):
            try:
                self.client.ping()
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not answer")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def _scrapy(*args: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", *args]


def crawl(
    redis: Redis, sites: Sites, workers: int, args: argparse.Namespace, folder: Path
) -> dict[str, float]:
    """Pages per second the sites served to ``workers`` workers, in the window after the warm-up."""
    settings = {
        "REDIS_URL": redis.url,
        "REDIS_RUN": f"bench-{workers}",
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_DELAY": 0,
        "CLOSESPIDER_TIMEOUT": int(args.warmup + args.window + 5),
        "REDIS_IDLE_TIMEOUT": 5,
        "EXTRACT_WORKERS": 0,
        "DEPTH_LIMIT": 0,
        "FOLLOW_SECTIONS_MAX": 100000,
        "ARCHIVE_PATH": folder / "never.db",
        "LOG_LEVEL": "INFO",
    }
    command = _scrapy("crawl", "news", "-a", "start_urls=" + ",".join(sites.urls()))
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    before = len(sites.served)
    cpu_before = _children_cpu()
    started = time.monotonic()
    processes = []
    for n in range(workers):
        log = (folder / f"worker-{workers}-{n}.log").open("w")
        processes.append(subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log))
    for process in processes:
        process.wait(timeout=args.warmup + args.window + 120)
    served = sites.served[before:]
    first = served[0] if served else started
    start, end = first + args.warmup, first + args.warmup + args.window
    in_window = sum(1 for t in served if start <= t < end)
    cpu = _children_cpu() - cpu_before
    return {
        "pages/s": in_window / args.window,
        "pages": float(len(served)),
        "cpu/page": cpu / max(1, len(served)),
        "cores": cpu / (time.monotonic() - started),
    }


def _children_cpu() -> float:
    """CPU seconds (user + system) of the ended child processes so far: the workers."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def drain(redis: Redis, folder: Path) -> dict[str, float]:
    """One writer drains the stream into a fresh archive: articles (entries) per second."""
    backlog = int(redis.client.xlen("newscrawler:articles"))
    log = (folder / "writer.log").open("w")
    writer = subprocess.Popen(
        _scrapy("archive-writer", "--until-idle", "3", "-s", f"REDIS_URL={redis.url}",
                "-s", f"ARCHIVE_PATH={folder / 'news.db'}", "-s", "LOG_LEVEL=WARNING"),
        cwd=ROOT, stdout=log, stderr=log,
    )  # fmt: skip
    first = last = None
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline and writer.poll() is None:
        left = int(redis.client.xlen("newscrawler:articles"))
        now = time.monotonic()
        if first is None and left < backlog:
            first = now
        if left == 0 and last is None and first is not None:
            last = now
        time.sleep(0.05)
    writer.wait(timeout=60)
    with sqlite3.connect(folder / "news.db") as db:
        articles = int(db.execute("select count(*) from articles").fetchone()[0])
    if first is None or last is None or last <= first:
        return {"entries": backlog, "entries/s": 0.0, "articles": articles, "articles/s": 0.0}
    return {
        "entries": backlog,
        "entries/s": backlog / (last - first),
        "articles": articles,
        "articles/s": articles / (last - first),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--sites", type=int, default=16)
    parser.add_argument("--pages", type=int, default=300, help="pages of each site")
    parser.add_argument("--latency", type=float, default=0.5, help="seconds before each answer")
    parser.add_argument(
        "--concurrency", type=int, default=4, help="CONCURRENT_REQUESTS of a worker"
    )
    parser.add_argument("--warmup", type=float, default=8.0)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "newscrawler-bench-scale"
    )
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]
    site = args.dir / f"site-{args.pages}"
    generate_site(args.pages, site)
    work = Path(tempfile.mkdtemp(prefix="scale-", dir=args.dir))
    redis = Redis(work)
    sites = Sites(site, args.sites, args.latency)
    try:
        results = {n: crawl(redis, sites, n, args, work) for n in counts}
        written = drain(redis, work)
    finally:
        redis.stop()
    cores = os.cpu_count()
    print(
        f"\n{args.sites} sites x {args.pages} pages on loopback, {args.latency:g} s per answer, "
        f"2 requests per site at once (all workers together), {args.concurrency} per worker; "
        f"{cores} cores; pages served in {args.window:g} s after a {args.warmup:g} s warm-up"
    )
    one = results[counts[0]]["pages/s"] / counts[0] or 1.0
    print(
        f"{'workers':>8}{'pages/s':>10}{'per worker':>12}{'vs N x one':>12}"
        f"{'CPU ms/page*':>13}{'cores busy*':>12}"
    )
    for n in counts:
        rate, result = results[n]["pages/s"], results[n]
        print(
            f"{n:>8}{rate:>10.1f}{rate / n:>12.1f}{rate / (n * one):>12.2f}"
            f"{result['cpu/page'] * 1000:>13.0f}{result['cores']:>12.2f}"
        )
    print("* the workers' CPU, their start-up included (about 2 s each), over the whole run")
    print(
        f"\none writer: {written['entries/s']:.0f} stream entries per second, "
        f"{written['articles/s']:.0f} new articles per second (drained {written['entries']:.0f} "
        f"entries, {written['articles']:.0f} articles, into a fresh archive); logs in {work}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
