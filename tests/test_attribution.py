"""Source attribution recognises how German and English news credit an agency or outlet."""

from __future__ import annotations

import pytest

from newscrawler.extract.boilerplate import extract_source_attribution

PHRASINGS = {
    "Die Lage an der Front ist ernst, berichtet UNIAN.": "UNIAN",
    "Die Armee rückte in der Nacht vor, wie UNIAN meldet.": "UNIAN",
    "Das Treffen findet am Dienstag statt, wie die Nachrichtenagentur dpa berichtete.": "dpa",
    "Laut dpa wurde bei dem Unfall niemand verletzt.": "dpa",
    "Bei dem Unfall wurde niemand verletzt, laut AFP.": "AFP",
    "Nach Angaben der Nachrichtenagentur Reuters stieg der Ölpreis.": "Reuters",
    "Nach Angaben von Interfax wurden drei Drohnen abgeschossen.": "Interfax",
    "Berlin (dpa) - Der Bundestag hat das Gesetz beschlossen.": "dpa",
    "Berlin/dpa. Der Bundestag hat das Gesetz beschlossen.": "dpa",
    "Quelle: Tagesschau": "Tagesschau",
    "Oil prices rose on Monday, according to Reuters.": "Reuters",
    "The Financial Times reported that the deal was close.": "Financial Times",
    "Markets fell. Bloomberg reported that the talks had stalled.": "Bloomberg",
}
NO_SOURCE = (
    "Es gab laut Polizei drei Verletzte.",
    "Nach Angaben der Feuerwehr brannte das Dach vollständig aus.",
    "Die Zahl der Toten stieg auf zehn.",
    "Wie die Stadt mitteilte, bleibt die Brücke gesperrt.",
)


@pytest.mark.parametrize(("text", "source"), PHRASINGS.items())
def test_the_credited_agency_is_found(text, source):
    assert extract_source_attribution(text) == source


@pytest.mark.parametrize("text", NO_SOURCE)
def test_a_spokesman_or_an_authority_is_no_source(text):
    assert extract_source_attribution(text) is None
