"""The evaluation stage's table over all development sets (issue #16), without the shared pages."""

from __future__ import annotations

from pathlib import Path

from newscrawler.extract.evaluate import SetScores, find_dev_sets, format_sets_table


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
