"""The health check fails a site it could not reach or that mostly answered errors, and passes a
run that stopped at its own CLOSESPIDER_* bound."""

from __future__ import annotations

import json

from newscrawler.extensions.health import judge_site

from .helpers import rows, run_crawl

OK = {"responses": 40, "status/200": 39, "status/404": 1, "article_pages": 26}


def test_a_healthy_site_passes():
    assert judge_site(OK) is None


def test_a_site_that_never_answered_fails():
    verdict = judge_site({"errors/ConnectionRefusedError": 3})
    assert verdict == "unreachable: 3 requests failed (ConnectionRefusedError), no response"


def test_a_site_whose_requests_mostly_end_in_errors_fails():
    counters = {"responses": 60, "status/200": 9, "status/404": 51, "article_pages": 1}
    assert judge_site(counters).startswith("mostly errors: 51 of 60 requests")
    # Refusals are judged as blocking, not counted twice.
    blocked = {"responses": 20, "status/403": 20, "blocked": 20, "article_pages": 0}
    assert judge_site(blocked).startswith("blocked: 20 of 20")


def test_a_run_stopped_at_its_own_bound_is_not_failed_for_what_it_did_not_reach():
    two_pages = {"responses": 2, "status/200": 2}
    assert judge_site(two_pages).startswith("no article found")
    assert judge_site(two_pages, bounded=True) is None


def test_a_crawl_of_a_refused_port_exits_3_and_says_unreachable(tmp_path):
    result = run_crawl(
        tmp_path / "news.db", "-a", "start_urls=http://127.0.0.1:9/", "-s", "RETRY_TIMES=0"
    )
    assert result.returncode == 3, result.stderr[-3000:]
    assert "site 127.0.0.1 is failing: unreachable" in result.stderr


def test_a_deliberately_bounded_run_passes(demo_server, tmp_path):
    archive = tmp_path / "news.db"
    result = run_crawl(
        archive,
        "-a",
        "site=demo",
        "-a",
        f"start_urls={demo_server.url}",
        "-s",
        "CLOSESPIDER_PAGECOUNT=2",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    stats = json.loads(rows(archive, "select stats from crawls")[0][0])
    assert stats["finish_reason"] == "closespider_pagecount"
    assert stats["newscrawler/health/failing_sites"] == 0
