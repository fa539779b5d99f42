"""Crash safety: SIGINT/SIGTERM finish cleanly, kill -9 loses nothing that a re-run cannot
complete, and a second crawl on the same archive refuses instead of interleaving.

The demo site is served slowly (a delay per answer) so that a crawl can be interrupted mid-way,
at a chosen number of requests served. The archive is the only record of what is done: the
re-run is the same command, with no JOBDIR.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

from newscrawler.demo.server import DEMO_SITE

from .crawl_helpers import (
    archived_paths,
    assert_complete,
    assert_consistent,
    crawl_command,
    start,
)
from .demo_site import GENUINE_ARTICLES
from .helpers import ROOT, rows
from .hostile.server import HostileServer

#: kill -9 trials, each at a different point of the crawl (requests served before the kill).
KILL_POINTS = (3, 9, 16, 24, 33)


@pytest.fixture(scope="module")
def slow_demo() -> Iterator[HostileServer]:
    with HostileServer(static_root=DEMO_SITE, delay=0.08) as server:
        yield server


def wait_for_requests(
    server: HostileServer, count: int, proc: subprocess.Popen[str], timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while len(server.paths()) < count:
        assert proc.poll() is None, "the crawl ended before it could be interrupted"
        assert time.monotonic() < deadline, f"fewer than {count} requests in {timeout}s"
        time.sleep(0.01)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_writes_the_pending_batch_and_finishes_the_run(slow_demo, tmp_path, signum):
    archive = tmp_path / "news.db"
    before = len(slow_demo.paths())
    # A batch larger than the site: nothing is written until the crawl closes.
    proc = start(
        crawl_command(slow_demo, archive, "-s", "ARCHIVE_BATCH_SIZE=1000"), tmp_path / "crawl.log"
    )
    wait_for_requests(slow_demo, before + 14, proc)
    proc.send_signal(signum)
    code = proc.wait(timeout=60)
    log = (tmp_path / "crawl.log").read_text()
    assert "Traceback" not in log, log[-3000:]
    assert code == 2  # the run did not finish its job: `scrapy crawl` says so (README)
    (crawl,) = rows(archive, "select * from crawls")
    assert crawl["finish_reason"] == "shutdown"
    assert crawl["finished_at"]
    stats = json.loads(crawl["stats"])
    written = len(archived_paths(archive))
    assert written > 0
    assert written == crawl["articles_new"] == stats["newscrawler/archive/articles_new"]
    assert stats["item_scraped_count"] == written
    assert_consistent(archive)


def test_kill_9_at_random_moments_then_the_same_command_completes_the_archive(slow_demo, tmp_path):
    rng = random.Random(os.environ.get("KILL_SEED", "7"))
    points = [point + rng.randint(0, 3) for point in KILL_POINTS]
    partial_sizes: list[int] = []
    for trial, point in enumerate(points):
        archive = tmp_path / f"trial{trial}" / "news.db"
        archive.parent.mkdir()
        command = crawl_command(slow_demo, archive, "-s", "ARCHIVE_BATCH_SIZE=3")
        before = len(slow_demo.paths())
        proc = start(command, archive.parent / "killed.log")
        wait_for_requests(slow_demo, before + point, proc)
        time.sleep(rng.random() * 0.05)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        if archive.exists():
            assert_consistent(archive)
            partial = archived_paths(archive)
            assert len(partial) == len(set(partial)) < GENUINE_ARTICLES, (trial, point)
            partial_sizes.append(len(partial))
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
        )
        assert result.returncode == 0, (trial, point, result.stderr[-3000:])
        assert_consistent(archive)
        assert_complete(archive)
        assert not list(archive.parent.glob("*.unsaved-*"))
    print(f"kill -9 trials at requests {points}: articles archived when killed {partial_sizes}")
    assert len(partial_sizes) == len(points)
    assert any(partial_sizes)  # some kills hit a crawl that had written batches already


def test_a_second_crawl_on_the_same_archive_refuses_and_the_first_loses_nothing(tmp_path):
    archive = tmp_path / "news.db"
    with HostileServer(
        static_root=DEMO_SITE, delay=0.4
    ) as slower:  # the first crawl outlasts the second's start
        first = start(crawl_command(slower, archive), tmp_path / "first.log")
        wait_for_requests(slower, 3, first)
        second = subprocess.run(
            crawl_command(slower, archive),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert first.poll() is None, "the first crawl ended before the second started"
        assert first.wait(timeout=120) == 0, (tmp_path / "first.log").read_text()[-3000:]
    assert second.returncode == 1
    assert "another crawl is writing" in second.stderr
    assert len(rows(archive, "select * from crawls")) == 1
    assert_consistent(archive)
    assert_complete(archive)
