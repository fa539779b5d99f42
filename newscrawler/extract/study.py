"""Study (development only): would a learned block filter, or trafilatura as a fallback, beat the rules?

    python -m newscrawler.extract.study [--folds 5]

Issue #16 expected a block scorer learned from the development sets to win. This command puts
that to the test where it could pay: the paragraphs ``extract_article`` returns are labelled
article (most of their words are in the truth) or furniture, a logistic regression (numpy,
weighted by words) learns to tell them apart from their shape and position, and the paragraphs
it calls furniture are dropped. In folds grouped by publisher, the model and its threshold come
from the other publishers' pages only. It also scores the simplest ensemble: trafilatura's text
wherever ours is less than half as long. Nothing here ships unless it beats the rules held out.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt

from .evaluate import SHARED_DIR, find_dev_sets, load_scorer, run_sets, score_pages
from .tuning import fold_of, run_command

_SENTENCE_END_RE = re.compile(r"[.!?:;…\"”»“«)\]]$")
_URL_RE = re.compile(r"https?://|www\.|\w@\w+\.\w+")
THRESHOLDS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4)  # 0.0 keeps every paragraph: the rules alone
ENSEMBLE_SHARE = 0.5


@dataclass
class StudyPage:
    """One page: its set, publisher, our paragraphs with their features, and the truth."""

    set_name: str
    publisher: str
    paragraphs: list[str]
    features: list[list[float]]
    labels: list[float]
    weights: list[float]
    truth: str
    fallback: str  # trafilatura's text


def paragraph_features(paragraphs: Sequence[str], words: Sequence[int]) -> list[list[float]]:
    """Shape and position of each paragraph: nothing a publisher names, nothing in one language."""
    total = sum(words) or 1
    count = len(paragraphs)
    longest = max(range(count), key=words.__getitem__) if count else 0
    rows: list[list[float]] = []
    before = 0
    for i, text in enumerate(paragraphs):
        n = words[i]
        letters = sum(c.isalpha() for c in text) or 1
        rows.append(
            [
                1.0,
                math.log1p(len(text)),
                math.log1p(n),
                n / total,
                i / max(count - 1, 1),
                float(i == 0),
                float(i == count - 1),
                min(count - 1 - i, 5) / 5,
                before / total,
                float(bool(_SENTENCE_END_RE.search(text))),
                sum(c.isupper() for c in text) / letters,
                sum(c.isdigit() for c in text) / max(len(text), 1),
                float("©" in text),
                float(bool(_URL_RE.search(text))),
                sum(c in ",;" for c in text) / max(n, 1),
                math.log1p(words[i - 1]) if i else 0.0,
                math.log1p(words[i + 1]) if i + 1 < count else 0.0,
                abs(i - longest) / max(count - 1, 1),
                text.count("|") / max(n, 1),
            ]
        )
        before += n
    return rows


def label_paragraphs(tokens: list[list[str]], truth_tokens: list[str]) -> list[float]:
    """1.0 for a paragraph whose words are mostly still unclaimed in the truth, in page order."""
    left = Counter(truth_tokens)
    labels: list[float] = []
    for words in tokens:
        found = 0
        for word in words:
            if left[word] > 0:
                left[word] -= 1
                found += 1
        labels.append(1.0 if words and found >= 0.5 * len(words) else 0.0)
    return labels


Model = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]


def fit_logistic(
    x: Sequence[Sequence[float]], y: Sequence[float], w: Sequence[float], l2: float = 1.0
) -> Model:
    """Weighted L2 logistic regression by Newton steps on standardised features (column 0: bias)."""
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    ws = np.asarray(w, dtype=float)
    mean = xs[:, 1:].mean(axis=0)
    std = xs[:, 1:].std(axis=0) + 1e-9
    z = xs.copy()
    z[:, 1:] = (z[:, 1:] - mean) / std
    penalty = np.diag(np.r_[0.0, np.ones(z.shape[1] - 1)]) * l2
    beta = np.zeros(z.shape[1])
    for _ in range(25):
        p = 1.0 / (1.0 + np.exp(-(z @ beta)))
        gradient = z.T @ (ws * (p - ys)) + penalty @ beta
        hessian = (z * (ws * p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return beta, mean, std


def predict(model: Model, x: Sequence[Sequence[float]]) -> npt.NDArray[np.float64]:
    """Probability that each paragraph is article text."""
    beta, mean, std = model
    z = np.asarray(x, dtype=float).copy()
    z[:, 1:] = (z[:, 1:] - mean) / std
    result: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-(z @ beta)))
    return result


def filtered_f1(
    scorer: ModuleType, page: StudyPage, model: Model | None, threshold: float
) -> float:
    """Body F1 (score.py's) of the page with the paragraphs below the threshold dropped."""
    kept = page.paragraphs
    if model is not None and page.paragraphs and threshold > 0:
        probabilities = predict(model, page.features)
        kept = [p for p, q in zip(page.paragraphs, probabilities, strict=True) if q >= threshold]
    return float(scorer.bag_prf(page.truth, "\n\n".join(kept))[2])


def load_study_pages(
    sets: Sequence[tuple[str, Path]], scorer: ModuleType, processes: int
) -> list[StudyPage]:
    """Our output and trafilatura's for every page, with features, labels and publisher."""
    rows = run_sets(sets, ("ours", "trafilatura"), processes)
    pages: list[StudyPage] = []
    for name, pages_dir in sets:
        truths = scorer.load_truth(pages_dir)
        _, per_page = score_pages(scorer, pages_dir, rows[name]["ours"])
        publishers = {str(r["id"]): str(r.get("publisher") or r["id"]) for r in per_page}
        fallback = {str(r["id"]): str(r.get("body") or "") for r in rows[name]["trafilatura"]}
        for row in rows[name]["ours"]:
            page_id = str(row["id"])
            if page_id not in truths:
                continue
            truth = scorer.body_text(truths[page_id].get("body"))
            paragraphs = [p for p in str(row.get("body") or "").split("\n\n") if p.strip()]
            tokens = [scorer.tokens(p) for p in paragraphs]
            words = [len(t) for t in tokens]
            pages.append(
                StudyPage(
                    set_name=name,
                    publisher=publishers.get(page_id, page_id),
                    paragraphs=paragraphs,
                    features=paragraph_features(paragraphs, words),
                    labels=label_paragraphs(tokens, scorer.tokens(truth)),
                    weights=[float(max(n, 1)) for n in words],
                    truth=truth,
                    fallback=fallback.get(page_id, ""),
                )
            )
    return pages


def held_out_filter(
    pages: list[StudyPage], scorer: ModuleType, folds: int
) -> tuple[dict[int, float], list[float]]:
    """Held-out body F1 per page index with the learned filter, and the threshold per fold."""
    held_out: dict[int, float] = {}
    chosen: list[float] = []
    for fold in range(folds):
        train = [p for p in pages if fold_of(p.publisher, folds) != fold and p.paragraphs]
        test = [i for i, p in enumerate(pages) if fold_of(p.publisher, folds) == fold]
        if not test or not train:
            continue
        model = fit_logistic(
            [f for p in train for f in p.features],
            [y for p in train for y in p.labels],
            [w for p in train for w in p.weights],
        )
        best = max(
            THRESHOLDS,
            key=lambda t: statistics.mean(filtered_f1(scorer, p, model, t) for p in train),
        )
        chosen.append(best)
        for i in test:
            held_out[i] = filtered_f1(scorer, pages[i], model, best)
    return held_out, chosen


def ensemble_f1(scorer: ModuleType, page: StudyPage) -> float:
    """Body F1 when trafilatura's text replaces ours wherever ours is under half as long."""
    ours = "\n\n".join(page.paragraphs)
    short = len(scorer.tokens(ours)) < ENSEMBLE_SHARE * len(scorer.tokens(page.fallback))
    return float(scorer.bag_prf(page.truth, page.fallback if short else ours)[2])


def oracle_f1(scorer: ModuleType, page: StudyPage) -> float:
    """Body F1 if exactly the paragraphs labelled furniture were dropped: a filter's ceiling."""
    kept = [p for p, label in zip(page.paragraphs, page.labels, strict=True) if label]
    return float(scorer.bag_prf(page.truth, "\n\n".join(kept))[2])


def run(folds: int = 5, processes: int = 2, shared: Path = SHARED_DIR) -> str:
    """A line per set: the rules, the learned filter held out, the trafilatura fallback, and the
    ceiling of any paragraph filter (the truth's own labels)."""
    sets, notes = find_dev_sets(shared)
    if not sets:
        return "\n".join([*notes, "no development sets to study"])
    scorer = load_scorer(shared / "tools" / "score.py")
    pages = load_study_pages(sets, scorer, processes)
    held_out, chosen = held_out_filter(pages, scorer, folds)
    lines = [
        *notes,
        f"body F1 per set; learned filter in {folds} folds grouped by publisher "
        f"(thresholds chosen per fold: {chosen}; 0.0 = keep all)",
        f"{'set':14} {'pages':>5} {'rules':>7} {'+filter':>8} {'fallback':>9} {'oracle':>7}",
    ]
    names = [name for name, _ in sets]
    for name in [*names, "all"]:
        index = [i for i, p in enumerate(pages) if name in ("all", p.set_name)]
        rules = statistics.mean(filtered_f1(scorer, pages[i], None, 0.0) for i in index)
        learned = statistics.mean(held_out[i] for i in index if i in held_out)
        fallback = statistics.mean(ensemble_f1(scorer, pages[i]) for i in index)
        oracle = statistics.mean(oracle_f1(scorer, pages[i]) for i in index)
        lines.append(
            f"{name:14} {len(index):5d} {rules:7.4f} {learned:8.4f} {fallback:9.4f} {oracle:7.4f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    run_command(__doc__ or "", run, argv)


if __name__ == "__main__":
    main()
