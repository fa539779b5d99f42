"""Every text-repair rule, with the seed article as the first fixture."""

import pytest

from newscrawler.extract.text import (
    RULES,
    collapse_whitespace,
    drop_lone_fragments,
    fix_mojibake,
    fix_space_before_punctuation,
    join_hyphenation,
    normalize_unicode,
    repair_line,
    repair_text,
    repair_text_counted,
    strip_invisible_characters,
    strip_tag_remnants,
)

from .helpers import SEED_ARTICLE

SEED = SEED_ARTICLE  # the project's seed, copied into tests/data
SEED_ARTIFACTS = ("< strong>", "\n„NATO\n", "Südkorea .", "  ")


@pytest.mark.parametrize(
    ("rule", "before", "after"),
    [
        (
            strip_tag_remnants,
            "darüber berichtet< strong> Selenskyj",
            "darüber berichtet  Selenskyj",
        ),
        (strip_tag_remnants, "Zeile&lt;br&gt;Neue Zeile", "Zeile Neue Zeile"),
        (strip_tag_remnants, "fett</ strong> und <em>kursiv</em>", "fett  und  kursiv "),
        (strip_tag_remnants, "wenn a < b und c > d gilt", "wenn a < b und c > d gilt"),
        (fix_mojibake, "FÃ¼r die GrÃ¶ÃŸe", "Für die Größe"),
        (fix_mojibake, "„Zitat“ bleibt", "„Zitat“ bleibt"),
        (
            strip_invisible_characters,
            "Ver\u00adteidigungs\u200bministerium",
            "Verteidigungsministerium",
        ),
        (normalize_unicode, "Su\u0308dkorea", "Südkorea"),
        (collapse_whitespace, "a  b\n c\n\n\n\n d\t e", "a b c\n\nd e"),
        (collapse_whitespace, "a\u00a0\u00a0b", "a b"),
        (fix_space_before_punctuation, "auszuweiten Südkorea .", "auszuweiten Südkorea."),
        (fix_space_before_punctuation, "Er sagte , dass ; wirklich ?", "Er sagte, dass; wirklich?"),
        (fix_space_before_punctuation, "Warten ... und dann", "Warten ... und dann"),
        (join_hyphenation, "die Verteidi- gungsindustrie", "die Verteidigungsindustrie"),
        (
            join_hyphenation,
            "Ein- und Ausfuhr, Nord- oder Südkorea",
            "Ein- und Ausfuhr, Nord- oder Südkorea",
        ),
        (drop_lone_fragments, "Lead.\n\n„NATO\n\nText.", "Lead.\n\nText."),
        (
            drop_lone_fragments,
            "Lead.\n\n„Wir schaffen das“\n\nHintergrund",
            "Lead.\n\n„Wir schaffen das“\n\nHintergrund",
        ),
        (drop_lone_fragments, "Lead.\n\n“\n\n–", "Lead."),
    ],
)
def test_rule(rule, before, after):
    assert rule(before) == after


def test_rules_are_named_after_their_functions():
    assert [name for name, _ in RULES] == [rule.__name__ for _, rule in RULES]


def test_seed_article_loses_every_artifact():
    if not SEED.exists():
        pytest.skip("shared/seed is not beside the checkout")
    text = repair_text(SEED.read_text(encoding="utf-8"))
    for artifact in SEED_ARTIFACTS:
        assert artifact not in text
    assert "darüber berichtet Selenskyj antwortete" in text
    assert "den Geheimdienstaustausch mit Südkorea auszuweiten Südkorea." in text
    # Real content survives: the quote paragraph and the lead.
    assert "„Iran und Nordkorea schüren" in text
    assert "Auf dem nächsten Gipfel wird die praktische Zusammenarbeit" in text


def test_repair_text_can_skip_a_rule():
    assert repair_text("a< strong>b", skip=frozenset({"strip_tag_remnants"})) == "a< strong>b"


def test_repair_line_folds_a_title_to_one_line():
    assert repair_line("  Die NATO\n und\u00ad Südkorea  ") == "Die NATO und Südkorea"
    assert repair_line("   ") is None
    assert repair_line(None) is None


def test_repair_text_counted_names_the_rules_that_fired():
    text, fired = repair_text_counted("berichtet< strong> Selenskyj  antwortete .\n\n„NATO")
    assert text == "berichtet Selenskyj antwortete."
    assert fired == [
        "strip_tag_remnants",
        "collapse_whitespace",
        "fix_space_before_punctuation",
        "drop_lone_fragments",
    ]
    assert repair_text_counted(text) == (text, [])
