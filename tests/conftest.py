"""Shared fixtures: the demo site served on 127.0.0.1, and real ``scrapy crawl`` runs into temporary archives."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawler.demo.server import DEMO_SITE, DemoServer

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServer]:
    """The bundled demo site on 127.0.0.1 at a free port, for the whole session."""
    with DemoServer(DEMO_SITE) as server:
        yield server


def run_crawl(archive: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl news ARGS`` in a subprocess from the project root, into ``archive``."""
    command = [
        sys.executable, "-m", "scrapy", "crawl", "news",
        "-s", f"ARCHIVE_PATH={archive}",
        "-s", "AUTOTHROTTLE_ENABLED=0",
        "-s", "DOWNLOAD_DELAY=0",
        "-s", "LOG_LEVEL=INFO",
        *args,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="session")
def demo_crawl(
    demo_server: DemoServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One real crawl of the demo site (site profile ``demo``); tests read its archive."""
    archive = tmp_path_factory.mktemp("demo") / "news.db"
    result = run_crawl(archive, "-a", "site=demo", "-a", f"start_urls={demo_server.url}")
    assert result.returncode == 0, result.stderr[-5000:]
    return archive, result
