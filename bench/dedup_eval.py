"""Precision and recall of near-duplicate detection on the labelled pairs in tests/dedup_pairs/.

    python bench/dedup_eval.py [--pairs tests/dedup_pairs/pairs.jsonl] [--threshold 0.7]

Each pair's two texts go through the same cleaning as a crawl (text repair, boilerplate) and
then the same decision as DedupPipeline: a pair is "the same story" when the texts share an
LSH bucket and the estimated share of the shorter text found in the other (the overlap)
reaches the threshold. Prints the figures per
kind, a threshold sweep, and what detection costs per article.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from newscrawler import settings
from newscrawler.dedup.minhash import BANDS, NUM_PERM, signature_of
from newscrawler.extract.boilerplate import strip_boilerplate
from newscrawler.extract.text import repair_text

DEFAULT_PAIRS = Path(__file__).resolve().parents[1] / "tests" / "dedup_pairs" / "pairs.jsonl"


def clean(text: str) -> str:
    """What CleanPipeline does to a body before deduplication sees it."""
    return strip_boilerplate(repair_text(text))


def load_pairs(path: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def score_pairs(pairs: list[dict[str, Any]]) -> list[tuple[dict[str, Any], float, bool]]:
    """(pair, overlap, shares an LSH bucket) for every pair."""
    scored = []
    for pair in pairs:
        a, b = signature_of(clean(pair["a"]["body"])), signature_of(clean(pair["b"]["body"]))
        if a is None or b is None:
            scored.append((pair, 0.0, False))
            continue
        shared = bool(set(a.buckets()) & set(b.buckets()))
        scored.append((pair, a.overlap(b), shared))
    return scored


def confusion(
    scored: list[tuple[dict[str, Any], float, bool]], threshold: float
) -> dict[str, float]:
    tp = fp = fn = tn = 0
    for pair, similarity, shared in scored:
        predicted = shared and similarity >= threshold
        actual = bool(pair["same_story"])
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
        tn += not predicted and not actual
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def cost_per_article(texts: list[str], repeat: int = 3) -> float:
    """Milliseconds to sign one cleaned text and compute its buckets."""
    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            signature = signature_of(text)
            if signature is not None:
                signature.buckets()
    return (time.perf_counter() - started) * 1000 / (repeat * len(texts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    parser.add_argument("--threshold", type=float, default=settings.DEDUP_NEAR_THRESHOLD)
    args = parser.parse_args(argv)
    if not args.pairs.is_file():
        print(f"no labelled pairs at {args.pairs}", file=sys.stderr)
        return 2
    pairs = load_pairs(args.pairs)
    scored = score_pairs(pairs)

    overall = confusion(scored, args.threshold)
    print(
        f"{len(pairs)} pairs ({sum(p['same_story'] for p in pairs)} same story), threshold {args.threshold}"
    )
    print(f"precision {overall['precision']:.3f}  recall {overall['recall']:.3f}  F1 {overall['f1']:.3f}  "
          f"(tp {overall['tp']}, fp {overall['fp']}, fn {overall['fn']}, tn {overall['tn']})")  # fmt: skip
    print("\nper kind (overlap min / max, correct decisions):")
    by_kind: dict[str, list[tuple[dict[str, Any], float, bool]]] = defaultdict(list)
    for entry in scored:
        by_kind[entry[0]["kind"]].append(entry)
    for kind, entries in sorted(by_kind.items()):
        sims = [s for _, s, _ in entries]
        right = sum(
            (shared and s >= args.threshold) == bool(p["same_story"]) for p, s, shared in entries
        )
        label = "same" if entries[0][0]["same_story"] else "different"
        print(
            f"  {kind:26} {label:9} n={len(entries):3}  sim {min(sims):.2f}-{max(sims):.2f}  correct {right}/{len(entries)}"
        )
    print("\nthreshold sweep:")
    for threshold in (0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9):
        c = confusion(scored, threshold)
        print(
            f"  {threshold:.2f}  precision {c['precision']:.3f}  recall {c['recall']:.3f}  F1 {c['f1']:.3f}"
        )
    texts = [clean(p[side]["body"]) for p in pairs for side in ("a", "b")]
    print(f"\ncost per article: {cost_per_article(texts):.2f} ms to sign (MinHash {NUM_PERM} permutations, "
          f"{BANDS} LSH buckets); stored: {NUM_PERM * 8} bytes of signature + {BANDS} indexed bucket rows")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
