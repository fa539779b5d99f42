"""The evaluation stage's table over all development sets (issue #16), without the shared pages."""

from __future__ import annotations

from pathlib import Path

from newscrawler.extract.evaluate import SetScores, find_dev_sets, format_sets_table, format_worst


def test_absent_sets_are_skipped_with_a_line(tmp_path: Path) -> None:
    (tmp_path / "pages" / "one").mkdir(parents=True)
    (tmp_path / "pages" / "one" / "page.html").write_text("<html></html>", "utf-8")
    found, notes = find_dev_sets(tmp_path)
    assert [name for name, _ in found] == ["fundus_de"]
    assert len(notes) == 3 and all(n.startswith("skipped ") for n in notes)


def test_table_has_a_row_per_set_and_an_overall_row() -> None:
    def scores(name: str, f1: tuple[float, float], low: tuple[int, int]) -> SetScores:
        s = SetScores(name, 2)
        for system, value, count in zip(("ours", "trafilatura"), f1, low, strict=True):
            s.summaries[system] = {"body_f1": value, "low_recall": count, "ms_median": 10.0}
            s.per_page[system] = [{"body_f1": value, "ms": 10.0}, {"body_f1": value, "ms": 12.0}]
        return s

    table = format_sets_table(
        [scores("a", (0.9, 0.8), (1, 2)), scores("b", (0.7, 0.6), (0, 3))], ["skipped c: …"]
    )
    lines = table.splitlines()
    assert lines[3].startswith("| a | 2 | 0.900 / 0.800 |")
    assert "| 1 / 2 |" in lines[3]
    assert lines[5].startswith("| all | 4 | 0.800 / 0.700 |")
    assert "| 1 / 5 |" in lines[5]
    assert lines[-1] == "skipped c: …"


def _set_with_pages(name: str, pages: dict[str, tuple[float, float]]) -> SetScores:
    """A set whose pages have (ours, trafilatura) body F1, recall and precision alike."""
    s = SetScores(name, len(pages))
    for i, system in enumerate(("ours", "trafilatura")):
        s.per_page[system] = [
            {"id": page_id, "body_f1": f1[i], "body_p": f1[i], "body_r": f1[i]}
            for page_id, f1 in pages.items()
        ]
    return s


def test_worst_pages_are_those_furthest_behind_trafilatura() -> None:
    results = [
        _set_with_pages(
            "a",
            {"lost": (0.4, 0.9), "close": (0.995, 1.0), "ahead": (1.0, 0.7), "near": (0.8, 0.9)},
        )
    ]
    lines = format_worst(results, 5).splitlines()
    assert lines[0] == "a: more than 0.01 behind trafilatura on 2 of 4 pages, the furthest 2:"
    assert [line.split()[0] for line in lines[1:]] == ["lost", "near"]
    assert "ours F1 0.400 (P 0.40, R 0.40) | trafilatura F1 0.900" in lines[1]


def test_without_the_baseline_the_worst_pages_are_the_lowest() -> None:
    scores = _set_with_pages("a", {"p1": (0.9, 0.0), "p2": (0.3, 0.0), "p3": (0.6, 0.0)})
    del scores.per_page["trafilatura"]
    lines = format_worst([scores], 2).splitlines()
    assert lines[0] == "a: the 2 lowest body F1:"
    assert [line.split()[0] for line in lines[1:]] == ["p2", "p3"]
