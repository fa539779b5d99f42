"""The learned-filter study (issue #16): labels, the numpy model, and a run on pages of our own."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from newscrawler.extract.evaluate import SHARED_DIR
from newscrawler.extract.study import (
    fit_logistic,
    label_paragraphs,
    paragraph_features,
    predict,
    run,
)

SCORER = SHARED_DIR / "tools" / "score.py"
STORY = (
    "The council voted on Tuesday evening, after a long debate, to repair the old bridge over "
    "the river before the autumn and to spread the cost of the work over two years."
)


def test_truth_words_are_claimed_once_in_page_order() -> None:
    truth = ["the", "bridge", "will", "be", "repaired"]
    tokens = [["the", "bridge"], ["the", "bridge"], ["will", "be", "repaired", "soon"]]
    assert label_paragraphs(tokens, truth) == [1.0, 0.0, 1.0]


def test_the_model_learns_what_separates_article_from_furniture() -> None:
    rng = np.random.default_rng(7)
    length = rng.uniform(0, 10, 400)
    x = [[1.0, v, float(rng.normal())] for v in length]  # column 1 decides, column 2 is noise
    y = [1.0 if v > 5 else 0.0 for v in length]
    model = fit_logistic(x, y, [1.0] * len(x))
    p = predict(model, [[1.0, 9.0, 0.0], [1.0, 1.0, 0.0]])
    assert p[0] > 0.9 and p[1] < 0.1


def test_features_are_one_row_per_paragraph_of_equal_width() -> None:
    paragraphs = [STORY, "Share this article", f"{STORY} Again.", "© 2024 Example Media"]
    rows = paragraph_features(paragraphs, [len(p.split()) for p in paragraphs])
    assert len(rows) == 4 and len({len(r) for r in rows}) == 1
    assert rows[3][12] == 1.0 and rows[0][12] == 0.0  # the copyright sign


def test_the_study_runs_over_sets_laid_out_like_shared(tmp_path: Path) -> None:
    if not SCORER.is_file():
        pytest.skip(f"score.py not found at {SCORER}")
    shared = tmp_path / "shared"
    (shared / "tools").mkdir(parents=True)
    (shared / "tools" / "score.py").symlink_to(SCORER)
    for n in range(6):
        folder = shared / "pages" / f"page{n}"
        folder.mkdir(parents=True)
        body = "".join(f"<p>Paragraph {i}. {STORY}</p>" for i in range(5))
        folder.joinpath("page.html").write_text(
            f"<html><body><h1>Bridge {n}</h1><article>{body}</article>"
            "<footer><p>© 2024 Example Media. All rights reserved here.</p></footer></body></html>"
        )
        truth = {
            "url": f"https://site{n}.example/bridge",
            "publisher": f"site{n}",
            "title": f"Bridge {n}",
            "body": {"text": "\n\n".join(f"Paragraph {i}. {STORY}" for i in range(5))},
        }
        folder.joinpath("truth.json").write_text(json.dumps(truth))
    report = run(folds=2, processes=1, shared=shared)
    assert "skipped wcxb_dev" in report
    line = next(row for row in report.splitlines() if row.startswith("fundus_de"))
    assert line.split()[1:3] == ["6", "1.0000"]  # six pages, extracted whole by the rules
