"""Bad configuration and bad input: each stops `scrapy crawl` with an error line that names the
problem and the fix, a non-zero exit status, and nothing overwritten."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from newscrawler.archive import Archive

from .helpers import run_crawl

START = ("-a", "start_urls=http://127.0.0.1:9/")  # never fetched: every case stops before


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def error_line(stderr: str, *needles: str) -> str:
    """The one line of stderr that carries every needle (problem and fix)."""
    lines = [line for line in stderr.splitlines() if all(n in line for n in needles)]
    assert lines, f"no line with {needles} in:\n{stderr[-3000:]}"
    return lines[-1]


def newer_archive(path: Path) -> Path:
    archive = Archive.open(path)
    archive.db["_sqlite_migrations"].insert(
        {
            "migration_set": "newscrawler",
            "name": "m999_from_the_future",
            "applied_at": "2030-01-01 00:00:00",
        }
    )
    archive.close()
    return path


CASES = {
    "unknown profile": (
        ["-a", "site=no-such-site"],
        ("no site profile named 'no-such-site'", "known: demo"),
    ),
    "malformed profile file": (
        ["-a", "site=x", "-s", "SITES_FILE={tmp}/bad.toml"],
        ("bad.toml", "is not valid TOML"),
    ),
    "profile with a bad key": (
        ["-a", "site=x", "-s", "SITES_FILE={tmp}/badkey.toml"],
        ("unknown key(s) stat_urls", "allowed:"),
    ),
    "missing start URL": ([], ("nothing to crawl", "pass -a start_urls=URL")),
    "start URL not http": (
        ["-a", "start_urls=ftp://example.de/"],
        ("'ftp://example.de/'", "is not an http(s) URL"),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_arguments_stop_before_the_archive_is_touched(case, tmp_path):
    (tmp_path / "bad.toml").write_text("[x\nstart_urls = ", encoding="utf-8")
    (tmp_path / "badkey.toml").write_text('[x]\nstat_urls = ["https://x.de/"]\n', encoding="utf-8")
    args, needles = CASES[case]
    archive = tmp_path / "archive" / "news.db"
    result = run_crawl(archive, *[a.format(tmp=tmp_path) for a in args], timeout=60)
    assert result.returncode == 1, result.stderr[-2000:]
    error_line(result.stderr, *needles)
    assert not archive.parent.exists()  # nothing created, nothing overwritten


def test_an_unwritable_archive_path_names_the_setting_to_change(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the archive's folder should be")
    # The archive is opened first, so its own setting is named, whatever else is enabled (the
    # raw-pages file beside it used to be reported instead).
    for extra, archive, needles in (
        (
            (),
            blocker / "news.db",
            ("cannot create the archive", "point ARCHIVE_PATH at a writable file"),
        ),
        (
            ("-s", "RAW_ARCHIVE_ENABLED=False"),
            blocker / "news.db",
            ("cannot create the archive", "point ARCHIVE_PATH at a writable file"),
        ),
        (
            ("-s", f"RAW_ARCHIVE_PATH={blocker / 'raw.db'}"),
            tmp_path / "ok" / "news.db",
            ("cannot open the raw-pages file", "point RAW_ARCHIVE_PATH at another file"),
        ),
    ):
        result = run_crawl(archive, *START, *extra, timeout=60)
        assert result.returncode == 1, result.stderr[-2000:]
        line = error_line(result.stderr, *needles)
        assert "RAW_ARCHIVE_PATH" not in line or "raw-pages" in line
        assert "Traceback" not in result.stderr
    assert blocker.read_text() == "a file where the archive's folder should be"


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path):
    archive = tmp_path / "news.db"
    archive.write_bytes(b"PK\x03\x04 this is a zip file, not an archive" * 100)
    before = digest(archive)
    result = run_crawl(archive, *START, timeout=60)
    assert result.returncode == 1
    error_line(result.stderr, "not a usable SQLite archive", "point ARCHIVE_PATH at another file")
    assert digest(archive) == before


def test_an_archive_from_a_newer_schema_is_refused_untouched(tmp_path):
    archive = newer_archive(tmp_path / "news.db")
    before = digest(archive)
    result = run_crawl(archive, *START, timeout=60)
    assert result.returncode == 1
    line = error_line(
        result.stderr,
        "written by a newer newscrawler",
        "m999_from_the_future",
        "upgrade newscrawler",
    )
    assert re.search(r"point ARCHIVE_PATH at another file", line)
    assert digest(archive) == before
    assert (
        not archive.with_name("news.db-wal").exists()
        or archive.with_name("news.db-wal").stat().st_size == 0
    )


def test_a_busy_archive_is_refused_in_one_line_without_tracebacks(tmp_path):
    archive = tmp_path / "news.db"
    running = Archive.open(archive, writer_lock=True)  # as a crawl that is writing holds it
    try:
        result = run_crawl(archive, *START, timeout=60)
    finally:
        running.close()
    assert result.returncode == 1
    error_line(result.stderr, "another crawl is writing", "write to another ARCHIVE_PATH")
    assert "Traceback" not in result.stderr and " ERROR: " not in result.stderr
