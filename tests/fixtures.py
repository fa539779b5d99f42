"""The shared fixtures: the demo site on 127.0.0.1, one real crawl of it, the seed article.

Registered for every test by ``tests/conftest.py``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawler.demo.server import DEMO_SITE, DemoServer

from .helpers import SEED_ARTICLE, run_crawl


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServer]:
    """The bundled demo site on 127.0.0.1 at a free port, for the whole session."""
    with DemoServer(DEMO_SITE) as server:
        yield server


@pytest.fixture(scope="session")
def demo_crawl(
    demo_server: DemoServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One real crawl of the demo site (site profile ``demo``); tests read its archive."""
    archive = tmp_path_factory.mktemp("demo") / "news.db"
    result = run_crawl(archive, "-a", "site=demo", "-a", f"start_urls={demo_server.url}")
    assert result.returncode == 0, result.stderr[-5000:]
    return archive, result


@pytest.fixture(scope="session")
def seed_article() -> str:
    """The seed article's text (title, blank line, body), artifacts included."""
    return SEED_ARTICLE.read_text(encoding="utf-8")
