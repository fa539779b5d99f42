"""A hard stop loses at most the last seconds, and leaves no extraction worker behind.

The demo site is served slowly, so a crawl is still running when it is killed; the batch size
is larger than the site, so only the timed flush (ARCHIVE_FLUSH_SECONDS) can have written what
the archive holds at the kill.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawler.demo.server import DEMO_SITE

from .crawl_helpers import archived_paths, assert_consistent, crawl_command, start
from .helpers import ROOT, rows, run_crawl
from .hostile.server import HostileServer


@pytest.fixture(scope="module")
def slow_demo() -> Iterator[HostileServer]:
    with HostileServer(static_root=DEMO_SITE, delay=0.15) as server:
        yield server


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, their children, …), read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; it only waits for its parent to read its status


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout}s: {what}"
        time.sleep(0.1)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_kill_9_keeps_what_was_received_seconds_ago_and_leaves_no_worker(slow_demo, tmp_path):
    archive = tmp_path / "news.db"
    command = crawl_command(
        slow_demo,
        archive,
        "-s", "ARCHIVE_BATCH_SIZE=1000", "-s", "ARCHIVE_FLUSH_SECONDS=1",
        "-s", "RAW_ARCHIVE_BATCH_SIZE=1000", "-s", "EXTRACT_WORKERS=1",
    )  # fmt: skip
    proc = start(command, tmp_path / "crawl.log")
    try:
        # Workers start with the first article; wait for them and for a few archived articles.
        wait_until(lambda: len(descendants(proc.pid)) >= 2, 60, "the extraction pool started")
        wait_until(
            lambda: archive.exists() and len(rows(archive, "select id from articles")) >= 3,
            60,
            "three articles written by the timed flush",
        )
        assert proc.poll() is None, "the crawl ended before it could be killed"
        workers = descendants(proc.pid)
        written_before_kill = set(archived_paths(archive))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    wait_until(lambda: not any(alive(pid) for pid in workers), 10, "every worker ended")
    assert written_before_kill <= set(archived_paths(archive))
    assert_consistent(archive)
    # Every article points at a raw page that is stored: raw pages are written first.
    raw = archive.with_name("news-raw.db")
    stored = {r[0] for r in rows(raw, "select id from pages")}
    assert {r[0] for r in rows(archive, "select raw_page_id from articles")} <= stored


def test_a_negative_flush_interval_stops_the_run_with_the_setting_named(tmp_path):
    result = run_crawl(
        tmp_path / "news.db",
        "-a", "start_urls=http://127.0.0.1:9/", "-s", "ARCHIVE_FLUSH_SECONDS=-1",
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "ARCHIVE_FLUSH_SECONDS" in line]
    assert lines and "got -1" in lines[-1], result.stderr[-2000:]
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_ctrl_c_to_the_process_group_stops_cleanly_without_a_pool_failure(slow_demo, tmp_path):
    archive = tmp_path / "news.db"
    command = crawl_command(slow_demo, archive, "-s", "EXTRACT_WORKERS=1")
    log = tmp_path / "crawl.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )
    try:
        wait_until(lambda: len(descendants(proc.pid)) >= 2, 60, "the extraction pool started")
        workers = descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
        proc.wait(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert "extraction pool failed" not in text and "BrokenProcessPool" not in text
    assert "finish_reason" not in text or "shutdown" in text
    wait_until(lambda: not any(alive(pid) for pid in workers), 10, "every worker ended")
    assert rows(archive, "select finish_reason from crawls")[0][0] == "shutdown"


def test_a_second_ctrl_c_still_writes_what_was_received(tmp_path):
    archive = tmp_path / "news.db"
    # Only full batches, and the batch is larger than the site: without the exit hook nothing
    # received would reach the archive when a second Ctrl-C forces the stop.
    with HostileServer(static_root=DEMO_SITE, delay=0.4) as server:
        command = crawl_command(
            server, archive, "-s", "ARCHIVE_BATCH_SIZE=1000", "-s", "ARCHIVE_FLUSH_SECONDS=0",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "LOG_LEVEL=DEBUG",
        )  # fmt: skip
        proc = start(command, tmp_path / "crawl.log")
        log_file = tmp_path / "crawl.log"
        try:
            wait_until(lambda: len(server.paths()) >= 14, 60, "fourteen pages served")
            # Pages served are not articles received: on a slow machine the first articles may
            # still be in the extraction workers. Stop once the pipelines have one (Scrapy logs
            # "Scraped from" at DEBUG when an item has passed them all).
            wait_until(lambda: "Scraped from" in log_file.read_text(), 60, "an article received")
            os.kill(proc.pid, signal.SIGINT)
            time.sleep(0.5)
            os.kill(proc.pid, signal.SIGINT)  # the second one forces the stop
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        served = len(server.paths())
    log = (tmp_path / "crawl.log").read_text()
    assert "forcing unclean shutdown" in log, log[-3000:]
    assert served < 40  # it really was stopped before the end
    assert rows(archive, "select count(*) from articles")[0][0] > 0
    assert_consistent(archive)


def test_a_graceful_stop_gives_up_a_hanging_download_and_ends_in_seconds(tmp_path):
    archive = tmp_path / "news.db"
    hanging = "/2024/07/08/haushalte-zahlen-ab-juli-weniger-fuer-strom/"

    def hang(handler) -> None:  # a download that would outlast docker stop's 10 seconds
        time.sleep(30)
        handler.answer(200, b"<html><body>late</body></html>", "text/html")

    with HostileServer({hanging: hang}, static_root=DEMO_SITE) as server:
        command = crawl_command(
            server, archive, "-s", "STOP_GRACE_SECONDS=3", "-s", "DOWNLOAD_TIMEOUT=60",
            "-s", "ARCHIVE_FLUSH_SECONDS=0", "-s", "ARCHIVE_BATCH_SIZE=1000",
        )  # fmt: skip
        proc = start(command, tmp_path / "crawl.log")
        try:
            wait_until(
                lambda: hanging in server.paths() and len(server.paths()) >= 30, 60, "the hang"
            )
            time.sleep(1.0)
            stopped_at = time.monotonic()
            proc.send_signal(signal.SIGTERM)  # what docker stop sends first
            proc.wait(timeout=20)
            took = time.monotonic() - stopped_at
        finally:
            if proc.poll() is None:
                proc.kill()
    log = (tmp_path / "crawl.log").read_text()
    assert took < 10, log[-3000:]
    assert "giving them up, writing what was received" in log
    (crawl,) = rows(archive, "select finish_reason, finished_at from crawls")
    assert crawl["finish_reason"] == "shutdown" and crawl["finished_at"]
    assert rows(archive, "select count(*) from articles")[0][0] > 0  # received before the stop
    assert_consistent(archive)
