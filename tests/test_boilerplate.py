"""Boilerplate tails, inserts and the source attribution."""

import pytest

from newscrawler.extract.boilerplate import (
    extract_source_attribution,
    strip_boilerplate,
    strip_boilerplate_tail,
    strip_credits,
    strip_inserts,
)
from newscrawler.extract.text import repair_text

from .helpers import SEED_ARTICLE

SEED = SEED_ARTICLE  # the project's seed, copied into tests/data


def test_seed_tail_is_cut_and_the_last_real_paragraph_kept():
    if not SEED.exists():
        pytest.skip("shared/seed is not beside the checkout")
    text = strip_boilerplate(repair_text(SEED.read_text(encoding="utf-8")))
    for marker in ("Ähnliche Themen", "Weitere Nachrichten", "Leave a Reply"):
        assert marker not in text
    assert text.endswith("was die Einladung der Ukraine zur NATO für Putin bedeuten würde.")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Text.\n\nÄhnliche Themen:\n\nA\n\nB", "Text."),
        ("Text.\n\nWeitere Nachrichten\n\nLeave a Reply", "Text."),
        ("Text.\n\nRELATED POSTS\n\nx", "Text."),
        ("Text.\n\nSchreibe einen Kommentar\n\nName *", "Text."),
        # A marker inside a sentence is text, not a tail.
        (
            "Weitere Nachrichten zum Gipfel folgen.\n\nEnde.",
            "Weitere Nachrichten zum Gipfel folgen.\n\nEnde.",
        ),
        # Never the whole text.
        ("Kommentare\n\nText.", "Kommentare\n\nText."),
    ],
)
def test_strip_boilerplate_tail(before, after):
    assert strip_boilerplate_tail(before) == after


def test_tail_markers_are_configuration():
    assert strip_boilerplate_tail("A\n\nSiehe unten\n\nB", ["Siehe unten"]) == "A"
    assert (
        strip_boilerplate_tail("A\n\nÄhnliche Themen\n\nB", ["Siehe unten"])
        == "A\n\nÄhnliche Themen\n\nB"
    )


def test_inserts_are_dropped_in_the_middle():
    text = "Erster Absatz.\n\nLesen Sie auch: Was der Gipfel bringt\n\nZweiter Absatz."
    assert strip_inserts(text) == "Erster Absatz.\n\nZweiter Absatz."


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Dies erklärte NATO-Generalsekretär Jens Stoltenberg, berichtet UNIAN.", "UNIAN"),
        ("Das meldet die Nachrichtenagentur dpa.", "dpa"),
        ("Berlin (AFP) Die Regierung hat …", "AFP"),
        ("Text.\n\nQuelle: Reuters", "Reuters"),
        ("The talks failed, according to Reuters.", "Reuters"),
        ("Ein Text ohne Quelle.", None),
    ],
)
def test_extract_source_attribution(text, source):
    assert extract_source_attribution(text) == source


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Text.\n\nFoto: dpa\n\nMehr Text.", "Text.\n\nMehr Text."),
        ("Text.\n\n© Reuters/Annegret Hilse\n\nMehr.", "Text.\n\nMehr."),
        ("Text.\n\nPhoto: AP Photo/Evan Vucci", "Text."),
        # A sentence that mentions a photo is text; so is a credit for the text itself.
        (
            "Foto: Das Bild zeigt den Kanzler bei seiner Ankunft in Washington, wo er von Präsident Biden am Flughafen empfangen und anschließend zum Weißen Haus gebracht wurde.",
            "Foto: Das Bild zeigt den Kanzler bei seiner Ankunft in Washington, wo er von Präsident Biden am Flughafen empfangen und anschließend zum Weißen Haus gebracht wurde.",
        ),
        ("Text.\n\nQuelle: Reuters", "Text.\n\nQuelle: Reuters"),
    ],
)
def test_strip_credits(before, after):
    assert strip_credits(before) == after


@pytest.mark.parametrize(
    "prompt",
    [
        "Jetzt Newsletter abonnieren: Das Wichtigste des Tages, jeden Morgen.",
        "Folgen Sie uns auf X und Instagram.",
        "Teilen Sie diesen Artikel mit Ihren Freunden.",
        "Sign up for our newsletter to get the day's news.",
    ],
)
def test_newsletter_and_share_prompts_are_dropped(prompt):
    assert (
        strip_boilerplate(f"Erster Absatz.\n\n{prompt}\n\nZweiter Absatz.")
        == "Erster Absatz.\n\nZweiter Absatz."
    )


def test_boilerplate_around_a_seed_like_text_goes_and_every_real_paragraph_stays():
    paragraphs = [
        "Auf dem bevorstehenden Gipfel soll die NATO mit Südkorea über die Ukraine sprechen.",
        "Dies erklärte NATO-Generalsekretär Jens Stoltenberg, berichtet UNIAN.",
    ]
    page = "\n\n".join(
        ["Foto: UNIAN", paragraphs[0], "Lesen Sie auch: Selenskyj in Washington", paragraphs[1],
         "Jetzt Newsletter abonnieren", "Ähnliche Themen:", "NATO-Gipfel", "Weitere Nachrichten", "Leave a Reply"]
    )  # fmt: skip
    assert strip_boilerplate(page) == "\n\n".join(paragraphs)
