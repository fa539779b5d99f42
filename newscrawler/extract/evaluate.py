"""Evaluation stage (development only): run extract_article and trafilatura over scored pages."""

from __future__ import annotations

import importlib.util
import json
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from . import extract_article

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PAGES_DIR = REPO_ROOT.parent / "shared" / "pages"
SCORE_METRICS = ("body_f1", "body_p", "body_r", "sh_f1", "title_em", "date_day", "author_f1")


@dataclass
class Page:
    """One page folder: its id (folder name), HTML and the URL it was fetched from."""

    id: str
    html: str
    url: str


def iter_pages(pages_dir: Path) -> Iterator[Page]:
    """Page folders holding page.html; the URL comes from truth.json (or meta.json) when present."""
    for folder in sorted(p for p in pages_dir.iterdir() if (p / "page.html").is_file()):
        url = ""
        for name in ("truth.json", "meta.json"):
            info = folder / name
            if info.is_file():
                url = json.loads(info.read_text("utf-8")).get("url") or url
                break
        yield Page(folder.name, (folder / "page.html").read_text("utf-8", errors="replace"), url)


def default_scorer(pages_dir: Path) -> Path:
    """score.py sits in tools/ next to the pages folder (../shared/tools/score.py)."""
    return pages_dir.parent / "tools" / "score.py"


def load_scorer(path: Path) -> ModuleType:
    """Import score.py from its path (it is not a package, and must not be copied)."""
    spec = importlib.util.spec_from_file_location("newscrawler_score", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"score.py not found at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ours(page: Page) -> dict[str, Any]:
    """Our extraction in the scorer's vocabulary."""
    article = extract_article(page.html, page.url) or {}
    return {
        "title": article.get("title"),
        "authors": article.get("authors") or [],
        "published": article.get("published_at"),
        "body": article.get("body"),
    }


def trafilatura_baseline(page: Page) -> dict[str, Any]:
    """trafilatura's bare_extraction with metadata, as the project's reference extractor."""
    from trafilatura import bare_extraction

    doc = bare_extraction(page.html, url=page.url or None, with_metadata=True)
    if doc is None:
        return {}
    data = doc if isinstance(doc, dict) else doc.as_dict()
    author = data.get("author")
    return {
        "title": data.get("title"),
        "authors": [a.strip() for a in author.split(";")] if author else [],
        "published": data.get("date"),
        "body": data.get("text"),
    }


def run_system(pages: list[Page], system: Callable[[Page], dict[str, Any]]) -> list[dict[str, Any]]:
    """One JSONL row per page with the time it took; a crash becomes an empty row, not an abort."""
    if pages:
        system(pages[0])  # warm-up: imports and caches are not per-page cost
    rows: list[dict[str, Any]] = []
    for page in pages:
        start = time.perf_counter()
        try:
            row = system(page)
        except Exception as exc:  # one broken page must not hide the scores of the others
            row = {"error": f"{type(exc).__name__}: {exc}"}
        row.update(id=page.id, ms=round((time.perf_counter() - start) * 1000, 2))
        rows.append(row)
    return rows


def write_jsonl(rows: list[dict[str, Any]], path: Path) -> None:
    """One JSON object per line, UTF-8, as score.py reads it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def score_rows(scorer: ModuleType, pages_dir: Path, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Summary figures of score.py for rows already in memory."""
    truth = scorer.load_truth(pages_dir)
    summary, _ = scorer.score(truth, {str(r["id"]): r for r in rows})
    return dict(summary)


def evaluate(
    pages_dir: Path,
    jsonl: Path | None = None,
    with_baseline: bool = True,
    scorer_path: Path | None = None,
) -> str:
    """Run both systems, score them, and render the side-by-side table."""
    pages = list(iter_pages(pages_dir))
    scorer = load_scorer(scorer_path or default_scorer(pages_dir))
    our_rows = run_system(pages, ours)
    if jsonl is not None:
        write_jsonl(our_rows, jsonl)
    our_summary = score_rows(scorer, pages_dir, our_rows)
    base_summary: dict[str, Any] = {}
    if with_baseline:
        base_summary = score_rows(scorer, pages_dir, run_system(pages, trafilatura_baseline))
    return format_table(our_summary, base_summary, len(pages))


def format_table(ours_: dict[str, Any], base: dict[str, Any], n_pages: int) -> str:
    """Markdown table: metric, newscrawler, trafilatura, ratio."""
    lines = [
        f"pages: {n_pages}",
        "| metric | newscrawler | trafilatura 2.3.1 | ratio |",
        "|---|---|---|---|",
    ]
    for key in (*SCORE_METRICS, "ms_median"):
        a, b = ours_.get(key), base.get(key)
        ratio = f"{a / b:.2f}" if isinstance(a, float) and isinstance(b, float) and b else "—"
        lines.append(f"| {key} | {_fmt(a)} | {_fmt(b)} | {ratio} |")
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "—"


def median_ms(rows: list[dict[str, Any]]) -> float:
    """Median of the per-page times of a run."""
    return statistics.median(r["ms"] for r in rows) if rows else 0.0
