"""JOBDIR after a forced stop: refused at start with one line, never a silent partial resume."""

from __future__ import annotations

import json

from newscrawler.extensions.jobdir import MARKER

from .helpers import run_crawl


def test_a_clean_run_leaves_no_marker_and_a_killed_runs_jobdir_is_refused(demo_server, tmp_path):
    jobdir = tmp_path / "job"
    archive = tmp_path / "news.db"
    args = ("-a", "site=demo", "-a", f"start_urls={demo_server.url}", "-s", f"JOBDIR={jobdir}")
    result = run_crawl(archive, *args)
    assert result.returncode == 0, result.stderr[-3000:]
    assert jobdir.is_dir() and not (jobdir / MARKER).exists()

    # What a crawl killed with kill -9 leaves behind: its marker, never removed.
    (jobdir / MARKER).write_text(
        json.dumps({"pid": 4242, "started_at": "2026-12-06T10:00:00+00:00"})
    )
    result = run_crawl(archive, *args, timeout=60)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if f"JOBDIR={jobdir}" in line]
    assert lines, result.stderr[-3000:]
    assert "did not stop cleanly" in lines[-1] and "delete that folder" in lines[-1]
    assert "pid 4242" in lines[-1]
    assert "Traceback" not in result.stderr
