"""Tuning check (development only): grouped cross-validation of the extractor's tuned thresholds.

    python -m newscrawler.extract.tuning [--folds 5]

Each threshold below was set by reading the development sets. For each one, every page is
extracted once per value of its grid (the others at their shipped values); then, in folds grouped
by publisher, the value that scores best on the other folds' publishers is applied to the held-out
publishers. The held-out body F1 is the figure to quote: a page never scores a value chosen with
its own publisher's pages.
"""

from __future__ import annotations

import argparse
import statistics
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from .evaluate import SHARED_DIR, find_dev_sets, load_scorer, run_sets, score_pages


@dataclass(frozen=True)
class Knob:
    """One tuned module constant and the values tried for it (the shipped one among them)."""

    module: str
    name: str
    grid: tuple[float, ...]


KNOBS: tuple[Knob, ...] = (
    Knob("newscrawler.extract.body", "_ISLAND_MAX_CHARS", (300, 500, 700)),
    Knob("newscrawler.extract.html", "_WEAK_MIN_PROSE_CHARS", (100, 200, 400)),
    Knob("newscrawler.extract.html", "_WEAK_MAX_LINK_DENSITY", (0.25, 0.35, 0.5)),
)


def page_scores(
    sets: Sequence[tuple[str, Path]], scorer_path: Path, processes: int
) -> dict[tuple[str, str], tuple[str, float]]:
    """(set, page id) -> (publisher, body F1) for the extractor as currently configured."""
    scorer = load_scorer(scorer_path)
    rows = run_sets(sets, ("ours",), processes)
    out: dict[tuple[str, str], tuple[str, float]] = {}
    for name, pages_dir in sets:
        _, per_page = score_pages(scorer, pages_dir, rows[name]["ours"])
        for row in per_page:
            if row.get("body_f1") is not None:
                publisher = str(row.get("publisher") or row["id"])
                out[(name, str(row["id"]))] = (publisher, float(row["body_f1"]))
    return out


def fold_of(publisher: str, folds: int) -> int:
    """A publisher's fold, stable across runs and machines."""
    return zlib.crc32(publisher.casefold().encode("utf-8")) % folds


def grouped_cv(
    scores: dict[float, dict[tuple[str, str], tuple[str, float]]], folds: int
) -> tuple[float, list[float]]:
    """Held-out mean body F1 when each fold takes the value best on the other folds."""
    values = sorted(scores)
    pages = sorted(scores[values[0]])
    held_out: list[float] = []
    chosen: list[float] = []
    for fold in range(folds):
        train = [p for p in pages if fold_of(scores[values[0]][p][0], folds) != fold]
        test = [p for p in pages if fold_of(scores[values[0]][p][0], folds) == fold]
        if not test:
            continue
        best = max(values, key=lambda v: statistics.mean(scores[v][p][1] for p in train))
        chosen.append(best)
        held_out.extend(scores[best][p][1] for p in test)
    return statistics.mean(held_out), chosen


def run(folds: int = 5, processes: int = 2, shared: Path = SHARED_DIR) -> str:
    """Every knob's grid over every development set; a line per knob."""
    sets, notes = find_dev_sets(shared)
    if not sets:
        return "\n".join([*notes, "nothing to tune on"])
    scorer_path = shared / "tools" / "score.py"
    lines = [*notes, f"grouped {folds}-fold cross-validation by publisher, body F1 over all pages"]
    baseline = page_scores(sets, scorer_path, processes)
    for knob in KNOBS:
        module: Any = import_module(knob.module)
        shipped = getattr(module, knob.name)
        scores: dict[float, dict[tuple[str, str], tuple[str, float]]] = {}
        for value in knob.grid:
            if value == shipped:
                scores[value] = baseline
                continue
            setattr(module, knob.name, type(shipped)(value))
            try:
                scores[value] = page_scores(sets, scorer_path, processes)
            finally:
                setattr(module, knob.name, shipped)
        cv, chosen = grouped_cv(scores, folds)
        by_value = ", ".join(
            f"{v}: {statistics.mean(f for _, f in scores[v].values()):.4f}" for v in sorted(scores)
        )
        lines.append(
            f"{knob.name} shipped {shipped}; dev F1 per value {by_value}; "
            f"held-out F1 {cv:.4f} (values chosen per fold: {chosen})"
        )
    return "\n".join(lines)


def run_command(
    doc: str, report: Callable[[int, int, Path], str], argv: Sequence[str] | None = None
) -> None:
    """The command line of a development study over the sets: folds, processes, shared folder."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--shared", type=Path, default=SHARED_DIR)
    args = parser.parse_args(argv)
    print(report(args.folds, args.processes, args.shared))


def main(argv: Sequence[str] | None = None) -> None:
    run_command(__doc__ or "", run, argv)


if __name__ == "__main__":
    main()
