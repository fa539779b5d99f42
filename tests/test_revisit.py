"""The adaptive revisit policy: re-checks grow apart while a page stays the same, and pages dropped
as no article yet are remembered and re-checked conditionally until they become one."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from newscrawler.demo.server import DEMO_SITE, DemoServer
from newscrawler.middlewares.incremental import recheck_due

from .helpers import crawl_stats, revisit_args, run_crawl

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
POLICY = {"window": timedelta(days=2), "first_interval": timedelta(hours=1), "backoff": 3.0}


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).isoformat()


@pytest.mark.parametrize(
    ("first_seen", "last_seen", "unchanged", "due"),
    [
        (ago(minutes=30), ago(minutes=30), 0, False),  # just archived: a run right after waits
        (ago(hours=2), ago(hours=1, minutes=1), 0, True),  # an hour since the last check
        (ago(hours=5), ago(hours=2), 1, False),  # unchanged once: now waits 3 h
        (ago(hours=5), ago(hours=3, minutes=1), 1, True),
        (ago(hours=20), ago(hours=8), 2, False),  # unchanged twice: 9 h
        (ago(hours=20), ago(hours=9, minutes=1), 2, True),
        (ago(days=3), ago(days=2), 0, False),  # older than RECRAWL_DAYS: never again
    ],
)
def test_the_wait_grows_threefold_with_each_unchanged_check(first_seen, last_seen, unchanged, due):
    info = {"first_seen_at": first_seen, "last_seen_at": last_seen, "unchanged_checks": unchanged}
    assert recheck_due(info, NOW, **POLICY) is due


def test_a_run_right_after_another_rechecks_nothing(demo_server, tmp_path):
    archive = tmp_path / "news.db"
    args = ("-a", "site=demo", "-a", f"start_urls={demo_server.url}")
    assert run_crawl(archive, *args).returncode == 0
    assert run_crawl(archive, *args).returncode == 0
    second = crawl_stats(archive)[1]
    assert second.get("newscrawler/incremental/recrawled", 0) == 0
    assert second.get("newscrawler/pages/article", 0) == 0


STUB = "/2024/07/09/eilmeldung-unwetter-ueber-sachsen/"
STUB_HTML = """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Eilmeldung: Unwetter über Sachsen</title>
<meta property="og:type" content="article"></head><body><main><article>
<h1>Eilmeldung: Unwetter über Sachsen</h1>
<time datetime="2024-07-09T08:00:00+02:00">9. Juli 2024</time>
<p>{text}</p></article></main></body></html>"""
SHORT = "Über Sachsen ziehen schwere Gewitter. Weitere Einzelheiten folgen in Kürze."
LONG = (
    "Über Sachsen sind in der Nacht schwere Gewitter mit Starkregen und Hagel gezogen. "
    "In Dresden und Chemnitz liefen Keller voll, mehrere Straßen mussten gesperrt werden. "
    "Die Feuerwehr rückte nach eigenen Angaben zu mehr als zweihundert Einsätzen aus, "
    "verletzt wurde nach ersten Erkenntnissen niemand. Der Wetterdienst erwartet für den "
    "Nachmittag weitere Gewitter im Erzgebirge und in der Lausitz."
)


def test_a_dropped_stub_is_rechecked_conditionally_and_archived_once_it_grows(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(DEMO_SITE, site)
    page = site / STUB.strip("/") / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(STUB_HTML.format(text=SHORT), encoding="utf-8")
    home = site / "index.html"
    home.write_text(
        home.read_text(encoding="utf-8").replace(
            '<main id="primary" class="site-main">',
            f'<main id="primary" class="site-main"><h2><a href="{STUB}">Eilmeldung: Unwetter über Sachsen</a></h2>',
        ),
        encoding="utf-8",
    )
    archive = tmp_path / "news.db"
    with DemoServer(site) as server:
        args = revisit_args(server.url)
        assert run_crawl(archive, *args).returncode == 0  # run 1: the stub is dropped, remembered
        assert run_crawl(archive, *args).returncode == 0  # run 2: re-checked, 304, not downloaded
        page.write_text(STUB_HTML.format(text=LONG), encoding="utf-8")
        assert run_crawl(archive, *args).returncode == 0  # run 3: it grew into an article
    run1, run2, run3 = crawl_stats(archive)
    assert run1["item_dropped_reasons_count/TooShort"] == 1
    assert run1["newscrawler/incremental/dropped_remembered"] == 1
    assert run2["newscrawler/incremental/rechecked_dropped"] == 1
    assert run2.get("item_dropped_reasons_count/TooShort", 0) == 0  # a 304: nothing to parse
    assert run3["newscrawler/archive/articles_new"] == 1
    with sqlite3.connect(archive) as db:
        assert (
            db.execute("select count(*) from articles where url like ?", [f"%{STUB}"]).fetchone()[0]
            == 1
        )
        assert db.execute("select count(*) from dropped_pages").fetchone()[0] == 0
