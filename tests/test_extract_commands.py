"""The `scrapy extract` / `extract_eval` commands, run as a user would (subprocess, no network)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "tests" / "pages" / "ostblick" / "nato-suedkorea-ukraine-projekt.html"


def run_scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="newscrawler.settings")
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_extract_command_prints_article_json() -> None:
    url = "https://www.ostblick-nachrichten.de/2024/07/06/nato-suedkorea-ukraine-projekt/"
    result = run_scrapy("extract", str(PAGE), "--url", url, "--nolog")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "NATO und Südkorea planen Ukraine-Projekt"
    assert len(article["related"]) == 3


def test_extract_eval_command_scores_a_pages_dir(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    folder = pages / "ostblick_1"
    folder.mkdir(parents=True)
    folder.joinpath("page.html").write_bytes(PAGE.read_bytes())
    truth = {
        "url": "https://www.ostblick-nachrichten.de/2024/07/06/nato-suedkorea-ukraine-projekt/",
        "title": "NATO und Südkorea planen Ukraine-Projekt",
        "authors": ["Anna Kowalczyk"],
        "published": "2024-07-06T10:15:00+02:00",
        "body": {"text": "Länder wie Südkorea, Japan, Australien und Neuseeland"},
    }
    folder.joinpath("truth.json").write_text(json.dumps(truth), "utf-8")
    score_py = REPO.parent / "shared" / "tools" / "score.py"
    if not score_py.is_file():
        pytest.skip("shared score.py not available")
    out = tmp_path / "ours.jsonl"
    result = run_scrapy(
        "extract_eval", str(pages), "--jsonl", str(out), "--scorer", str(score_py), "--nolog"
    )
    assert result.returncode == 0, result.stderr
    assert "| title_em | 1.000 |" in result.stdout
    assert "trafilatura" in result.stdout
    assert json.loads(out.read_text("utf-8").splitlines()[0])["id"] == "ostblick_1"
