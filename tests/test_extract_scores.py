"""Regression gate: aggregate scores on the shared real-page set, computed by the real score.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from newscrawler.extract.evaluate import (
    default_scorer,
    iter_pages,
    load_scorer,
    ours,
    run_system,
    score_rows,
)

SHARED_PAGES = Path(__file__).resolve().parents[2] / "shared" / "pages"
# What extract_article reached when this gate was set, minus a small margin for harmless drift.
FLOORS = {
    "body_f1": 0.975,
    "title_em": 0.90,
    "date_day": 0.98,
    "author_f1": 0.96,
}


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    if not (SHARED_PAGES / "README.md").is_file() or not (SHARED_PAGES.parent / "tools").is_dir():
        pytest.skip(f"shared scored pages not found at {SHARED_PAGES}")
    rows = run_system(list(iter_pages(SHARED_PAGES)), ours)
    assert not [r for r in rows if "error" in r], "extract_article raised on some pages"
    return score_rows(load_scorer(default_scorer(SHARED_PAGES)), SHARED_PAGES, rows)


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_score_stays_above_floor(summary: dict[str, Any], metric: str) -> None:
    assert summary[metric] >= FLOORS[metric], f"{metric} fell to {summary[metric]:.3f}"


def test_every_page_scored(summary: dict[str, Any]) -> None:
    assert summary["pages"] >= 41 and summary["missing_outputs"] == 0
