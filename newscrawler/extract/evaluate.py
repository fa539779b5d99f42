"""Evaluation stage (development only): run extract_article and trafilatura over scored pages."""

from __future__ import annotations

import importlib.util
import json
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from . import extract_article

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = REPO_ROOT.parent / "shared"
DEFAULT_PAGES_DIR = SHARED_DIR / "pages"
# The development sets, by the name the table shows, relative to ../shared.
DEV_SETS: tuple[tuple[str, str], ...] = (
    ("fundus_de", "pages"),
    ("fundus_other", "pages-world/fundus_other"),
    ("scrapinghub", "pages-world/scrapinghub"),
    ("wcxb_dev", "pages-world/wcxb_dev"),
)
SCORE_METRICS = ("body_f1", "body_p", "body_r", "sh_f1", "title_em", "date_day", "author_f1")
LOW_RECALL = 0.7  # a page below this recall lost a real part of its article
BEHIND_MARGIN = 0.01  # a page this far behind trafilatura is worth reading (--worst)
SYSTEMS = ("ours", "trafilatura")


@dataclass
class Page:
    """One page folder: its id (folder name), HTML and the URL it was fetched from."""

    id: str
    html: str
    url: str


def iter_pages(pages_dir: Path) -> Iterator[Page]:
    """Page folders holding page.html; the URL comes from truth.json (or meta.json) when present."""
    for folder in page_folders(pages_dir):
        yield read_page(folder)


def page_folders(pages_dir: Path) -> list[Path]:
    """The folders of a set that hold a page.html, sorted by name."""
    return sorted(p for p in pages_dir.iterdir() if (p / "page.html").is_file())


def read_page(folder: Path) -> Page:
    """One page folder read from disk."""
    url = ""
    for name in ("truth.json", "meta.json"):
        info = folder / name
        if info.is_file():
            url = json.loads(info.read_text("utf-8")).get("url") or url
            break
    return Page(folder.name, (folder / "page.html").read_text("utf-8", errors="replace"), url)


def default_scorer(pages_dir: Path) -> Path:
    """score.py sits in tools/ next to the pages folder (../shared/tools/score.py)."""
    for parent in (pages_dir.parent, *pages_dir.parents):
        candidate = parent / "tools" / "score.py"
        if candidate.is_file():
            return candidate
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


_SYSTEM_FUNCS: dict[str, Callable[[Page], dict[str, Any]]] = {
    "ours": ours,
    "trafilatura": trafilatura_baseline,
}


def run_one(page: Page, system: Callable[[Page], dict[str, Any]]) -> dict[str, Any]:
    """One JSONL row with the time it took; a crash becomes an empty row, not an abort."""
    start = time.perf_counter()
    try:
        row = system(page)
    except Exception as exc:  # one broken page must not hide the scores of the others
        row = {"error": f"{type(exc).__name__}: {exc}"}
    row.update(id=page.id, ms=round((time.perf_counter() - start) * 1000, 2))
    return row


def run_system(pages: list[Page], system: Callable[[Page], dict[str, Any]]) -> list[dict[str, Any]]:
    """One JSONL row per page with the time it took, in this process."""
    if pages:
        system(pages[0])  # warm-up: imports and caches are not per-page cost
    return [run_one(page, system) for page in pages]


def _warm_worker(folder: str | None, systems: Sequence[str]) -> None:
    """Pool initializer: imports, compiled patterns and caches are not per-page cost.

    Each system runs a few times on a real page first, so the first pages of the first set
    are not timed cold.
    """
    if folder is None:
        return
    page = read_page(Path(folder))
    for _ in range(3):
        for system in systems:
            run_one(page, _SYSTEM_FUNCS[system])


def _run_task(task: tuple[str, str, str]) -> tuple[str, str, dict[str, Any]]:
    """Worker job: (set name, page folder, system name) -> (set, system, row)."""
    set_name, folder, system = task
    return set_name, system, run_one(read_page(Path(folder)), _SYSTEM_FUNCS[system])


def run_sets(
    sets: Sequence[tuple[str, Path]], systems: Sequence[str], processes: int = 2
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Rows per set and system, all pages of all sets spread over `processes` workers."""
    tasks = [
        (name, str(folder), system)
        for name, pages_dir in sets
        for folder in page_folders(pages_dir)
        for system in systems
    ]
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {system: [] for system in systems} for name, _ in sets
    }
    warm = tasks[0][1] if tasks else None
    if processes <= 1:
        _warm_worker(warm, systems)
        for set_name, system, row in map(_run_task, tasks):
            rows[set_name][system].append(row)
        return rows
    with ProcessPoolExecutor(processes, initializer=_warm_worker, initargs=(warm, systems)) as pool:
        for set_name, system, row in pool.map(_run_task, tasks, chunksize=8):
            rows[set_name][system].append(row)
    return rows


def write_jsonl(rows: list[dict[str, Any]], path: Path) -> None:
    """One JSON object per line, UTF-8, as score.py reads it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def score_rows(scorer: ModuleType, pages_dir: Path, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Summary figures of score.py for rows already in memory."""
    return score_pages(scorer, pages_dir, rows)[0]


def score_pages(
    scorer: ModuleType, pages_dir: Path, rows: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Summary figures of score.py plus its per-page rows; adds the count of low-recall pages."""
    truth = scorer.load_truth(pages_dir)
    summary, per_page = scorer.score(truth, {str(r["id"]): r for r in rows})
    summary = dict(summary)
    summary["low_recall"] = sum(
        1 for r in per_page if r.get("body_r") is not None and r["body_r"] < LOW_RECALL
    )
    return summary, list(per_page)


def evaluate(
    pages_dir: Path,
    jsonl: Path | None = None,
    with_baseline: bool = True,
    scorer_path: Path | None = None,
    processes: int = 2,
) -> str:
    """Run both systems on one set of pages, score them, and render the side-by-side table."""
    systems = SYSTEMS if with_baseline else ("ours",)
    scorer = load_scorer(scorer_path or default_scorer(pages_dir))
    rows = run_sets([("set", pages_dir)], systems, processes)["set"]
    if jsonl is not None:
        write_jsonl(rows["ours"], jsonl)
    our_summary = score_rows(scorer, pages_dir, rows["ours"])
    base_summary = score_rows(scorer, pages_dir, rows["trafilatura"]) if with_baseline else {}
    return format_table(our_summary, base_summary, our_summary["pages"])


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
    a, b = ours_.get("low_recall"), base.get("low_recall")
    lines.append(f"| recall<{LOW_RECALL} pages | {a} | {b if b is not None else '—'} | — |")
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "—"


def median_ms(rows: list[dict[str, Any]]) -> float:
    """Median of the per-page times of a run."""
    return statistics.median(r["ms"] for r in rows) if rows else 0.0


# ----------------------------------------------------------------- all development sets at once
@dataclass
class SetScores:
    """Summary figures of one set for each system, and each system's per-page score rows."""

    name: str
    pages: int
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    per_page: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def find_dev_sets(shared: Path = SHARED_DIR) -> tuple[list[tuple[str, Path]], list[str]]:
    """The development sets present under shared/, and a line for each one that is absent."""
    found: list[tuple[str, Path]] = []
    missing: list[str] = []
    for name, relative in DEV_SETS:
        path = shared / relative
        if path.is_dir() and page_folders(path):
            found.append((name, path))
        else:
            missing.append(f"skipped {name}: no page folders at {path}")
    return found, missing


def evaluate_sets(
    sets: Sequence[tuple[str, Path]],
    scorer_path: Path,
    with_baseline: bool = True,
    processes: int = 2,
    jsonl_dir: Path | None = None,
) -> list[SetScores]:
    """Run the systems over every set in one pool and score each set with score.py."""
    systems = SYSTEMS if with_baseline else ("ours",)
    scorer = load_scorer(scorer_path)
    rows = run_sets(sets, systems, processes)
    results: list[SetScores] = []
    for name, pages_dir in sets:
        scores = SetScores(name, len(rows[name]["ours"]))
        for system in systems:
            if jsonl_dir is not None:
                write_jsonl(rows[name][system], jsonl_dir / f"{name}.{system}.jsonl")
            summary, per_page = score_pages(scorer, pages_dir, rows[name][system])
            scores.summaries[system] = summary
            scores.per_page[system] = per_page
        results.append(scores)
    return results


_SET_COLUMNS: tuple[tuple[str, str], ...] = (
    ("body F1", "body_f1"),
    ("P", "body_p"),
    ("R", "body_r"),
    (f"R<{LOW_RECALL}", "low_recall"),
    ("title", "title_em"),
    ("date", "date_day"),
    ("author", "author_f1"),
    ("ms/page", "ms_median"),
)


def _pair(a: Any, b: Any, key: str, with_base: bool) -> str:
    def one(v: Any) -> str:
        if v is None:
            return "—"
        if key == "ms_median":
            return f"{v:.1f}"
        return str(v) if isinstance(v, int) else f"{v:.3f}"

    return f"{one(a)} / {one(b)}" if with_base else one(a)


def overall_summary(results: Sequence[SetScores], system: str) -> dict[str, Any]:
    """Every page of every set pooled: means over pages where the truth has the field."""
    rows = [r for s in results for r in s.per_page.get(system, [])]
    out: dict[str, Any] = {"pages": len(rows)}
    for key in ("body_f1", "body_p", "body_r", "title_em", "date_day", "author_f1", "ms"):
        values = [r[key] for r in rows if r.get(key) is not None]
        if key == "ms":
            out["ms_median"] = statistics.median(values) if values else None
        else:
            out[key] = statistics.mean(values) if values else None
    out["low_recall"] = sum(s.summaries.get(system, {}).get("low_recall", 0) for s in results)
    return out


def format_sets_table(results: Sequence[SetScores], notes: Sequence[str] = ()) -> str:
    """One markdown table, a row per set and an overall row; each cell is ours / trafilatura."""
    with_base = any("trafilatura" in s.summaries for s in results)
    head = "ours / trafilatura 2.3.1" if with_base else "ours"
    lines = [
        f"each cell: {head}; R<{LOW_RECALL} = pages with body recall below {LOW_RECALL}",
        "| set | pages | " + " | ".join(c for c, _ in _SET_COLUMNS) + " |",
        "|---|---:|" + "---|" * len(_SET_COLUMNS),
    ]
    rows = [(s.name, s.pages, s.summaries) for s in results]
    if len(results) > 1:
        rows.append(
            (
                "all",
                sum(s.pages for s in results),
                {system: overall_summary(results, system) for system in results[0].summaries},
            )
        )
    for name, pages, summaries in rows:
        cells = [
            _pair(
                summaries.get("ours", {}).get(key),
                summaries.get("trafilatura", {}).get(key),
                key,
                with_base,
            )
            for _, key in _SET_COLUMNS
        ]
        lines.append(f"| {name} | {pages} | " + " | ".join(cells) + " |")
    lines.extend(notes)
    return "\n".join(lines)


# ----------------------------------------------------------------- page by page
def body_scores(scores: SetScores, system: str) -> dict[str, dict[str, Any]]:
    """score.py's per-page rows of one system, by page id, for pages whose truth has a body."""
    return by_page(scores.per_page.get(system, []))


def by_page(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """score.py's per-page rows by page id, for pages whose truth has a body."""
    return {str(r["id"]): r for r in rows if r.get("body_f1") is not None}


def _prf(row: dict[str, Any]) -> str:
    return f"F1 {row['body_f1']:.3f} (P {row['body_p']:.2f}, R {row['body_r']:.2f})"


def format_worst(results: Sequence[SetScores], count: int) -> str:
    """Per set, the pages whose body F1 falls furthest below trafilatura's on the same page
    (without the baseline: the lowest), where a rule to look at is most likely found."""
    lines: list[str] = []
    for scores in results:
        ours_ = body_scores(scores, "ours")
        base = body_scores(scores, "trafilatura")
        if base:
            gaps = [
                (base[k]["body_f1"] - row["body_f1"], k) for k, row in ours_.items() if k in base
            ]
            behind = sum(1 for gap, _ in gaps if gap > BEHIND_MARGIN)
            lines.append(
                f"{scores.name}: more than {BEHIND_MARGIN} behind trafilatura on {behind} of "
                f"{len(gaps)} pages, the furthest {min(count, behind)}:"
            )
        else:
            gaps = [(1.0 - row["body_f1"], k) for k, row in ours_.items()]
            lines.append(f"{scores.name}: the {min(count, len(gaps))} lowest body F1:")
        for gap, page_id in sorted(gaps, key=lambda g: (-g[0], g[1]))[:count]:
            if base and gap <= BEHIND_MARGIN:
                break
            line = f"  {page_id}  ours {_prf(ours_[page_id])}"
            if base:
                line += f" | trafilatura {_prf(base[page_id])}"
            lines.append(line)
    return "\n".join(lines)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON Lines file that ``--jsonl`` wrote."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def format_changes(
    results: Sequence[SetScores],
    sets: Sequence[tuple[str, Path]],
    scorer_path: Path,
    earlier: Path,
    count: int = 10,
    threshold: float = 0.001,
) -> str:
    """Per set, the pages whose body F1 changed against an earlier run's ``--jsonl`` folder.

    A set's mean can hide a rule that fixes three pages and breaks two: each change is checked
    page by page, the summed difference beside the counts, the largest each way listed.
    """
    scorer = load_scorer(scorer_path)
    folders = dict(sets)
    lines = [f"body F1 page by page against {earlier} (changes above {threshold}):"]
    for scores in results:
        path = earlier / f"{scores.name}.ours.jsonl"
        if not path.is_file():
            lines.append(f"{scores.name}: no earlier run at {path}")
            continue
        _, rows = score_pages(scorer, folders[scores.name], read_jsonl(path))
        before = by_page(rows)
        now = body_scores(scores, "ours")
        changes = sorted(
            (now[k]["body_f1"] - before[k]["body_f1"], k)
            for k in now
            if k in before and abs(now[k]["body_f1"] - before[k]["body_f1"]) > threshold
        )
        better = sum(1 for d, _ in changes if d > 0)
        total = sum(d for d, _ in changes)
        lines.append(
            f"{scores.name}: {better} better, {len(changes) - better} worse, "
            f"summed {total:+.3f} (set mean {total / max(len(now), 1):+.4f})"
        )
        shown = changes[:count] + [c for c in changes[-count:] if c not in changes[:count]]
        for delta, page_id in shown:
            lines.append(
                f"  {delta:+.3f} {page_id}  {before[page_id]['body_f1']:.3f} -> "
                f"{now[page_id]['body_f1']:.3f} (R {before[page_id]['body_r']:.2f} -> "
                f"{now[page_id]['body_r']:.2f})"
            )
    return "\n".join(lines)
