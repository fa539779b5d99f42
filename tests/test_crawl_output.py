"""`scrapy crawl` talks like a tool: progress, one-line drops, warnings that name the setting,
a summary at the end, and a typo in a setting stops the run instead of passing in silence."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from newscrawler.demo.server import DEMO_SITE
from newscrawler.extensions.report import progress_line
from newscrawler.extensions.strict import unknown_settings

from .helpers import run_crawl
from .hostile.server import HostileServer


@pytest.fixture(scope="module")
def slow_demo() -> Iterator[HostileServer]:
    with HostileServer(static_root=DEMO_SITE, delay=0.05) as server:
        yield server


def test_a_crawl_reports_progress_one_line_drops_and_a_summary(slow_demo, tmp_path):
    args = ("-a", "site=demo", "-a", f"start_urls={slow_demo.url}", "-s", "PROGRESS_INTERVAL=0.5")
    result = run_crawl(tmp_path / "news.db", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stderr
    assert "Progress: " in log and " pages (" in log and "articles kept" in log
    assert "Crawl 1 finished in" in log and "articles archived:  26 new" in log
    assert "Dumping Scrapy stats" not in log  # the stats live in crawls.stats
    drops = [line for line in log.splitlines() if "Dropped (" in line]
    assert drops and all("https://" in line or "http://" in line for line in drops)
    assert "'body':" not in log and '"body":' not in log  # no dropped item dumped in full


def test_a_depth_limit_that_cut_off_unarchived_pages_says_so(slow_demo, tmp_path):
    result = run_crawl(
        tmp_path / "news.db", "-a", f"start_urls={slow_demo.url}", "-s", "DEPTH_LIMIT=1"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if "DEPTH_LIMIT=1 cut off" in line]
    assert lines and "links to pages not in the archive" in lines[0]
    assert "INFO" in lines[0]  # chosen on the command line: said, not warned


def test_a_repeat_run_with_overwrite_output_keeps_the_file_and_says_why(slow_demo, tmp_path):
    out = tmp_path / "articles.jsonl"
    args = ("-a", "site=demo", "-a", f"start_urls={slow_demo.url}", "-O", str(out))
    assert run_crawl(tmp_path / "news.db", *args).returncode == 0
    first = out.read_text(encoding="utf-8")
    assert len(first.splitlines()) == 26
    assert "worker" not in json.loads(first.splitlines()[0])  # article fields only
    second = run_crawl(tmp_path / "news.db", *args)
    assert second.returncode == 0, second.stderr[-3000:]
    assert out.read_text(encoding="utf-8") == first
    assert f"-O {out}" in second.stderr and "keeps its earlier content" in second.stderr


def test_a_misspelt_setting_stops_the_run_with_a_suggestion(tmp_path):
    result = run_crawl(
        tmp_path / "news.db", "-a", "start_urls=http://127.0.0.1:9/", "-s", "ARCHIVE_PAHT=x.db",
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "ARCHIVE_PAHT" in line]
    assert lines and "did you mean ARCHIVE_PATH?" in lines[-1]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "news.db").exists()


def test_settings_not_given_on_the_command_line_are_not_judged():
    from scrapy.settings import Settings

    settings = Settings({"SOME_PLUGIN_SETTING": 1})  # project priority: a plugin's own setting
    settings.set("ARCHIVE_PATH", "x.db", priority="cmdline")
    assert unknown_settings(settings) == []
    settings.set("RECRAWL_DAYZ", "1", priority="cmdline")
    assert unknown_settings(settings) == ["RECRAWL_DAYZ (did you mean RECRAWL_DAYS?)"]


def test_a_progress_line_reads_like_a_sentence():
    stats = {"response_received_count": 30, "item_scraped_count": 12, "item_dropped_count": 3,
             "newscrawler/incremental/skipped_known": 4, "newscrawler/incremental/not_modified": 1}  # fmt: skip
    line = progress_line(stats, previous_pages=10, seconds=10)
    assert line == "Progress: 30 pages (2.0/s), 12 articles kept, 5 known, 3 dropped, 0 errors"
