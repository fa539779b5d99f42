"""The distributed mode on a real Redis: workers, one writer, faults, politeness (issue 19).

Every test starts its own ``redis-server`` (Debian's package) on a free loopback port, with
its append-only file in a temporary folder, and runs real ``scrapy crawl news`` workers and a
real ``scrapy archive-writer`` as subprocesses against sites served on 127.0.0.1. Without
redis-server the tests skip, except under ``CI=true`` (``.ci/run`` installs it), where they fail.

Which copy of a story a crawl archives first (and so which URL becomes the alias, and which
article is ``duplicate_of`` the other) follows the order pages are fetched in, which several
workers do not fix; so the archives are compared per *copy group* (an article's URL with the
URLs archived as its same-text aliases), and near-duplicate links as unordered pairs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bench.site import generate_site
from newscrawler.demo.server import DEMO_SITE2, DemoServer

from .helpers import ROOT, rows, run_crawl

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None and os.environ.get("CI") != "true",
    reason="redis-server is not installed (apt-get install redis-server)",
)
#: Settings every crawl here shares, single-process or distributed: no depth or section bound,
#: so the set of pages does not depend on the order they are fetched in.
COMMON = ["-s", "DEPTH_LIMIT=0", "-s", "FOLLOW_SECTIONS_MAX=1000", "-s", "EXTRACT_WORKERS=0",
          "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]  # fmt: skip
#: Worker settings of the tests: short leases and idle timeout, so faults heal in seconds.
WORKER = ["-s", "REDIS_IDLE_TIMEOUT=3", "-s", "REDIS_LEASE_SECONDS=4", "-s", "DOWNLOAD_DELAY=0",
          "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO"]  # fmt: skip
GENERATED_PAGES = 1000
#: Longest a test waits for a process or a condition, seconds.
DEADLINE = 240


# -- a real Redis -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """``redis-server`` on 127.0.0.1 with AOF in ``folder``; :meth:`restart` keeps port and data."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        assert REDIS_SERVER is not None, (
            "redis-server is not installed (apt-get install redis-server)"
        )
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--save", "", "--protected-mode", "yes", "--logfile", "redis.log"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self.ping, "redis-server to answer", 20)

    def ping(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), 1) as s,
        ):
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis writes its AOF out and exits
            self.process.wait(timeout=20)

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self) -> Any:
        from redis import Redis

        return Redis.from_url(self.url)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder)
    yield server
    server.stop()


def wait_for(condition: Callable[[], Any], what: str, seconds: float = DEADLINE) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds:g}s waiting for {what}")


# -- sites --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """bench/site.py's synthetic site of GENERATED_PAGES pages, on 127.0.0.1."""
    root = tmp_path_factory.mktemp("generated")
    generate_site(GENERATED_PAGES, root)
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.site", "serve", str(root)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    url = process.stdout.readline().split()[-1]
    yield url
    process.kill()
    process.wait(timeout=10)
    process.stdout.close()


@pytest.fixture(scope="module")
def demo2_server() -> Iterator[DemoServer]:
    with DemoServer(DEMO_SITE2, url_host="localhost") as server:
        yield server


@pytest.fixture(scope="module")
def sites(
    demo_server: DemoServer, demo2_server: DemoServer, generated_site: str
) -> list[list[str]]:
    """The spider arguments of each site: both demo sites and the generated one."""
    return [
        ["-a", "site=demo", "-a", f"start_urls={demo_server.url}"],
        ["-a", "site=demo2", "-a", f"start_urls={demo2_server.url}"],
        ["-a", f"start_urls={generated_site}"],
    ]


@pytest.fixture(scope="module")
def reference(sites: list[list[str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One process crawls the sites one after the other into one archive."""
    archive = tmp_path_factory.mktemp("reference") / "news.db"
    for args in sites:
        result = run_crawl(archive, *args, *COMMON)
        assert result.returncode == 0, result.stderr[-3000:]
    return archive


# -- workers and the writer ----------------------------------------------------------------------


def worker(redis: RedisServer, args: list[str], log: Path, *extra: str) -> subprocess.Popen[str]:
    """``scrapy crawl news`` as a worker; its ARCHIVE_PATH points at a file it must never make."""
    command = [sys.executable, "-m", "scrapy", "crawl", "news", *args, *COMMON, *WORKER,
               "-s", f"REDIS_URL={redis.url}", "-s", f"ARCHIVE_PATH={log.parent / 'never.db'}", *extra]  # fmt: skip
    with log.open("w") as err:
        return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)


def writer(redis: RedisServer, archive: Path, log: Path, idle: float = 10) -> subprocess.Popen[str]:
    """``scrapy archive-writer --until-idle``: longer than a worker's quiet spell (start-up,
    a run of known pages, REDIS_IDLE_TIMEOUT), so the end of a run is never left unread."""
    command = [sys.executable, "-m", "scrapy", "archive-writer", "--until-idle", str(idle),
               "-s", f"REDIS_URL={redis.url}", "-s", f"ARCHIVE_PATH={archive}",
               "-s", "WRITER_CLAIM_SECONDS=3", "-s", "LOG_LEVEL=INFO"]  # fmt: skip
    with log.open("w") as err:
        return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)


def finish(process: subprocess.Popen[str], log: Path, seconds: float = DEADLINE) -> None:
    try:
        code = process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        raise AssertionError(
            f"{log.name} did not end within {seconds}s:\n{log.read_text()[-3000:]}"
        ) from None
    assert code == 0, f"{log.name} exited {code}:\n{log.read_text()[-3000:]}"


def crawl_distributed(
    redis: RedisServer,
    sites: list[list[str]],
    folder: Path,
    workers: int = 3,
    *extra: str,
    archive: Path | None = None,
) -> Path:
    """``workers`` workers per site, all at once, and one writer; the archive it writes."""
    folder.mkdir(exist_ok=True)
    archive = archive or folder / "news.db"
    write_log = folder / "writer.log"
    writing = writer(redis, archive, write_log)
    running = [
        (worker(redis, args, log := folder / f"worker-{s}-{n}.log", *extra), log)
        for s, args in enumerate(sites)
        for n in range(workers)
    ]
    for process, log in running:
        finish(process, log)
    finish(writing, write_log)
    assert not (folder / "never.db").exists(), "a worker opened the SQLite archive"
    return archive


def worker_stats(archive: Path) -> list[dict[str, Any]]:
    """The stats of every worker run, as the writer keeps them in its ``crawls`` row."""
    return [
        json.loads(row["stats"])
        for row in rows(archive, "select stats from crawls where spider = 'news' order by id")
        if row["stats"]
    ]


# -- comparing archives ----------------------------------------------------------------------------


def snapshot(archive: Path) -> dict[str, Any]:
    """The archive per copy group: texts, near-duplicate pairs, related links resolved."""
    group: dict[str, frozenset[str]] = {}
    members: dict[str, set[str]] = {}
    for row in rows(archive, "select url from articles"):
        members[row["url"]] = {row["url"]}
    for row in rows(
        archive,
        "select u.url, a.url as article from url_aliases u join articles a on a.id = u.article_id "
        "where u.reason = 'duplicate_content'",
    ):
        members[row["article"]].add(row["url"])
    for url, urls in members.items():
        group[url] = frozenset(urls)
    texts = {}
    for row in rows(archive, "select url, title, body from articles"):
        copies = group[row["url"]]
        # The title is the first fetched copy's: only a lone article's title is fixed.
        texts[copies] = (row["title"] if len(copies) == 1 else None, row["body"])
    near = {
        frozenset({group[r["url"]], group[r["first"]]}): r["similarity"]
        for r in rows(
            archive,
            "select a.url, d.url as first, a.similarity from articles a "
            "join articles d on d.id = a.duplicate_of",
        )
    }
    links = {
        (group[r["url"]], r["position"], r["target_url"], group.get(r["target"]))
        for r in rows(
            archive,
            "select a.url, r.position, r.target_url, t.url as target from related_links r "
            "join articles a on a.id = r.article_id left join articles t on t.id = r.target_article_id",
        )
        if len(group[r["url"]]) == 1  # a copy group's block is that of whichever copy came first
    }
    return {"texts": texts, "near": near, "links": links}


def assert_same_archive(expected: Path, actual: Path) -> None:
    want, got = snapshot(expected), snapshot(actual)
    assert set(got["texts"]) == set(want["texts"]), (
        f"missing: {sorted(map(sorted, set(want['texts']) - set(got['texts'])))[:5]}; "
        f"extra: {sorted(map(sorted, set(got['texts']) - set(want['texts'])))[:5]}"
    )
    assert got["texts"] == want["texts"]
    assert got["near"] == want["near"]
    assert got["links"] == want["links"]


def assert_sound(archive: Path) -> None:
    """Integrity check ok; no URL both an article and an alias; every row whole."""
    assert rows(archive, "pragma integrity_check")[0][0] == "ok"
    assert not rows(archive, "select url from url_aliases where url in (select url from articles)")
    assert (
        rows(archive, "select count(*) from articles_fts")[0][0]
        == rows(archive, "select count(*) from articles")[0][0]
    )
    for row in rows(archive, "select url, title, body, word_count from articles"):
        assert row["title"] and row["body"] and row["word_count"] == len(row["body"].split())


def count_articles(archive: Path) -> int:
    if not archive.exists():
        return 0
    with contextlib.suppress(sqlite3.Error):
        return int(rows(archive, "select count(*) from articles")[0][0])
    return 0


# -- the tests ------------------------------------------------------------------------------------


def test_three_workers_and_a_writer_archive_what_one_process_does(
    redis_server: RedisServer, sites: list[list[str]], reference: Path, tmp_path: Path
) -> None:
    archive = crawl_distributed(redis_server, sites, tmp_path)
    assert_same_archive(reference, archive)
    assert_sound(archive)
    # One crawls row per worker run (nine), with its stats, beside the writer's own.
    runs = rows(archive, "select * from crawls where spider = 'news' order by id")
    assert len(runs) == 9
    assert all(r["finish_reason"] == "finished" and r["stats"] for r in runs)
    assert (
        sum(r["articles_new"] for r in runs) == rows(archive, "select count(*) from articles")[0][0]
    )
    stamped = {r[0] for r in rows(archive, "select distinct crawl_id from articles")}
    assert stamped <= {r["id"] for r in runs}
    # The stream is empty: every entry was acknowledged and deleted once committed.
    assert redis_server.client().xlen("newscrawler:articles") == 0


def test_a_rerun_asks_redis_what_is_archived_and_fetches_no_article_again(
    redis_server: RedisServer, sites: list[list[str]], tmp_path: Path
) -> None:
    demo = sites[:1]
    archive = crawl_distributed(redis_server, demo, tmp_path / "first", 1)
    crawl_distributed(
        redis_server, demo, tmp_path / "again", 1, "-s", "RECRAWL_DAYS=0", archive=archive
    )
    first, again = worker_stats(archive)
    assert first["newscrawler/distributed/run"] != again["newscrawler/distributed/run"]
    assert again.get("newscrawler/incremental/skipped_known", 0) >= 20
    assert again.get("item_scraped_count", 0) == 0  # nothing fetched again, nothing streamed
    assert count_articles(archive) == 26


def test_faults_lose_nothing_and_write_nothing_twice(
    redis_server: RedisServer, sites: list[list[str]], reference: Path, tmp_path: Path
) -> None:
    """SIGKILL a worker, SIGKILL the writer, restart Redis, all mid-crawl of the generated site."""
    generated = sites[2:]
    archive = tmp_path / "news.db"
    logs = [tmp_path / f"worker-{n}.log" for n in range(3)]
    # A site-wide delay keeps the crawl going while the faults happen, on a faster machine too.
    workers = [worker(redis_server, generated[0], log, "-s", "DOWNLOAD_DELAY=0.02") for log in logs]
    first_writer = writer(redis_server, archive, tmp_path / "writer-1.log")

    wait_for(lambda: count_articles(archive) >= 100, "100 articles archived")
    client = redis_server.client()
    owner = f"{socket.gethostname()}:{workers[0].pid}".encode()

    def frozen_holding_leases() -> bool:
        """Stop the first worker where it holds leased requests (the lease records its owner)."""
        workers[0].send_signal(signal.SIGSTOP)
        for key in client.scan_iter("newscrawler:run:*:leased"):
            if owner in client.hgetall(key).values():
                return True
        workers[0].send_signal(signal.SIGCONT)
        time.sleep(0.02)
        return False

    wait_for(frozen_holding_leases, "the first worker holding leased requests", 60)
    workers[0].send_signal(signal.SIGKILL)  # its leased requests must come back
    workers[0].wait(timeout=10)

    wait_for(lambda: count_articles(archive) >= 300, "300 articles archived")
    assert all(process.poll() is None for process in workers[1:]), "the crawl ended too early"

    def frozen_mid_batch() -> bool:
        """Stop the writer where it has read entries it has not acknowledged yet."""
        first_writer.send_signal(signal.SIGSTOP)
        if client.xpending("newscrawler:articles", "archive-writer")["pending"]:
            return True
        first_writer.send_signal(signal.SIGCONT)
        time.sleep(0.02)
        return False

    wait_for(frozen_mid_batch, "the writer holding unacknowledged entries", 60)
    first_writer.send_signal(signal.SIGKILL)  # mid-batch: its read entries stay pending
    first_writer.wait(timeout=10)
    second_writer = writer(redis_server, archive, tmp_path / "writer-2.log")

    wait_for(lambda: count_articles(archive) >= 500, "500 articles archived")
    assert all(process.poll() is None for process in workers[1:]), "the crawl ended too early"
    client.close()
    redis_server.restart()

    for process, log in zip(workers[1:], logs[1:], strict=True):
        finish(process, log)
    finish(second_writer, tmp_path / "writer-2.log")

    want = snapshot(reference)
    got = snapshot(archive)
    generated_groups = {g for g in want["texts"] if any(generated[0][1][11:] in u for u in g)}
    assert set(got["texts"]) == generated_groups
    assert_sound(archive)
    claimed = (tmp_path / "writer-2.log").read_text()
    assert "claimed" in claimed  # the second writer took over the first one's pending entries
    stats = worker_stats(archive)
    assert len(stats) == 2  # the killed worker never sent the end of its run
    # The killed worker's leased requests went back to the queue.
    assert sum(s.get("newscrawler/distributed/leases_returned", 0) for s in stats) > 0


class _Counting(BaseHTTPRequestHandler):
    """Answers every page after a pause and counts how many it is answering at once."""

    lock = threading.Lock()
    active = 0
    peak = 0
    served = 0

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.active += 1
            cls.served += 1
            cls.peak = max(cls.peak, cls.active)
        try:
            time.sleep(0.05)
            path = self.path.split("?")[0]
            links = "".join(
                f'<a href="/2024/07/0{1 + n % 9}/seite-{n}/">Seite {n}</a> ' for n in range(120)
            )
            body = (
                f"<html><head><title>{path}</title></head><body><h1>Liste</h1>{links}</body></html>"
            )
            data = body.encode()
            self.send_response(200 if path == "/" or "seite" in path else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        finally:
            with cls.lock:
                cls.active -= 1

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_three_workers_keep_the_sites_concurrency_limit(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        logs = [tmp_path / f"worker-{n}.log" for n in range(3)]
        limits = ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "CONCURRENT_REQUESTS=16"]
        running = [worker(redis_server, ["-a", f"start_urls={url}"], log, *limits) for log in logs]
        for process, log in zip(running, logs, strict=True):
            finish(process, log)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert _Counting.served > 100
    assert _Counting.peak == 2, f"the site saw {_Counting.peak} requests at once"
