"""``scrapy export-warc``: the raw pages of a real demo crawl as WARC 1.1, read back with warcio."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newscrawler.archive.rawpages import RawPageStore, raw_path_for
from newscrawler.commands.export_warc import warc_date

from .helpers import ROOT


def export(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``scrapy export-warc ARGS`` for ``archive``, in a subprocess from the project root."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "export-warc", "-s", f"ARCHIVE_PATH={archive}", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def read_warc(path: Path) -> list:
    """Every record with its payload read, the digests checked (a mismatch raises)."""
    records = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            record.payload = record.content_stream().read()
            records.append(record)
    return records


@pytest.fixture(scope="module")
def exported(demo_crawl, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    archive, _ = demo_crawl
    out = tmp_path_factory.mktemp("warc") / "news.warc.gz"
    result = export(archive, "-o", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"to {out}" in result.stderr
    return archive, read_warc(out)


def test_the_file_is_warc_1_1_starting_with_a_warcinfo_record(exported):
    _, records = exported
    assert records[0].rec_type == "warcinfo"
    assert {r.rec_headers.protocol for r in records} == {"WARC/1.1"}
    assert b"newscrawler" in records[0].payload


def test_every_archived_article_page_is_there_byte_identical(exported):
    archive, records = exported
    responses = {r.rec_headers.get_header("WARC-Target-URI"): r for r in records[1:]}
    assert all(r.rec_type == "response" for r in records[1:])
    with sqlite3.connect(archive) as conn:
        page_ids = [
            row[0]
            for row in conn.execute(
                "select raw_page_id from articles where raw_page_id is not null"
            )
        ]
    assert len(page_ids) > 20
    store = RawPageStore.open(raw_path_for(archive))
    try:
        for pid in page_ids:
            page = store.get(pid)
            assert page is not None
            record = responses[page.url]
            assert record.payload == page.body  # byte for byte
            assert record.http_headers.get_statuscode() == str(page.status)
            assert record.http_headers.get_header("Content-Type") == page.headers["Content-Type"][0]
            assert record.http_headers.get_header("Content-Length") == str(len(page.body))
            assert record.rec_headers.get_header("WARC-Date") == warc_date(page.fetched_at)
            assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
    finally:
        store.close()


def test_site_and_since_filters(demo_crawl, tmp_path):
    archive, _ = demo_crawl
    everything = read_warc_of(archive, tmp_path / "all.warc.gz")
    assert everything
    assert read_warc_of(archive, tmp_path / "other.warc.gz", "--site", "other.example") == []
    assert read_warc_of(archive, tmp_path / "later.warc.gz", "--since", "2999-01-01") == []
    assert read_warc_of(archive, tmp_path / "since.warc.gz", "--since", "2000-01-01") == everything


def read_warc_of(archive: Path, out: Path, *args: str) -> list[str]:
    result = export(archive, "-o", str(out), *args)
    assert result.returncode == 0, result.stderr[-3000:]
    return [r.rec_headers.get_header("WARC-Target-URI") for r in read_warc(out)[1:]]


def test_a_missing_raw_pages_file_is_one_line(tmp_path):
    result = export(tmp_path / "news.db")
    assert result.returncode != 0
    assert "no raw-pages file" in result.stderr and "RAW_ARCHIVE_PATH" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("fetched_at", "expected"),
    [
        ("2024-07-06T08:15:00+00:00", "2024-07-06T08:15:00Z"),
        ("2024-07-06T10:15:00.250000+02:00", "2024-07-06T08:15:00.250000Z"),
        ("2024-07-06T08:15:00", "2024-07-06T08:15:00Z"),
    ],
)
def test_warc_dates_are_utc(fetched_at, expected):
    assert warc_date(fetched_at) == expected
