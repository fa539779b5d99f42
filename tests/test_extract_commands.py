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


def _write_set(shared: Path) -> None:
    """A development set of two pages (fundus_de's place in ../shared) written for the test."""
    story = "Länder wie Südkorea, Japan, Australien und Neuseeland"
    for page_id, title in (("ostblick_1", "NATO und Südkorea planen Ukraine-Projekt"),
                           ("ostblick_2", "NATO und Südkorea planen Ukraine-Projekt")):  # fmt: skip
        folder = shared / "pages" / page_id
        folder.mkdir(parents=True)
        folder.joinpath("page.html").write_bytes(PAGE.read_bytes())
        truth = {
            "url": "https://www.ostblick-nachrichten.de/2024/07/06/nato-suedkorea-ukraine-projekt/",
            "title": title,
            "body": {"text": story if page_id == "ostblick_1" else story + " planen"},
        }
        folder.joinpath("truth.json").write_text(json.dumps(truth), "utf-8")


def test_extract_eval_lists_the_pages_that_changed_since_an_earlier_run(tmp_path: Path) -> None:
    score_py = REPO.parent / "shared" / "tools" / "score.py"
    if not score_py.is_file():
        pytest.skip("shared score.py not available")
    shared = tmp_path / "shared"
    _write_set(shared)
    common = ["--shared", str(shared), "--scorer", str(score_py), "--no-baseline", "--nolog"]
    first = run_scrapy("extract_eval", "--jsonl", str(tmp_path / "run1"), *common)
    assert first.returncode == 0, first.stderr
    # The earlier run lost the body of one page: now that page is better, the other unchanged.
    earlier = tmp_path / "run1" / "fundus_de.ours.jsonl"
    rows = [json.loads(line) for line in earlier.read_text("utf-8").splitlines()]
    rows[1]["body"] = "Ein anderer Text."
    earlier.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")

    result = run_scrapy(
        "extract_eval", "--against", str(tmp_path / "run1"), "--worst", "1", *common
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "fundus_de: the 1 lowest body F1:" in lines
    assert "fundus_de: 1 better, 0 worse, summed +" in result.stdout
    changed = [line for line in lines if line.startswith("  +")]
    assert len(changed) == 1 and "ostblick_2  0.000 -> " in changed[0]


def test_extract_eval_refuses_page_lists_for_a_single_directory(tmp_path: Path) -> None:
    result = run_scrapy("extract_eval", str(tmp_path), "--worst", "3", "--nolog")
    assert result.returncode != 0
    assert "--worst and --against read the development sets" in result.stderr
    result = run_scrapy("extract_eval", "--against", str(tmp_path / "nowhere"), "--nolog")
    assert result.returncode != 0
    assert "not a folder; give the --jsonl folder of a run" in result.stderr
