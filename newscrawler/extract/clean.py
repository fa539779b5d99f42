"""The body-cleaning stage as one pure function: text repair, boilerplate, then the attribution.

CleanPipeline runs it on the reactor thread; an extraction worker runs the very same function
beside the extraction, and the pipeline then takes the worker's result instead of redoing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from newscrawler.extract.boilerplate import (
    INSERT_MARKERS,
    TAIL_MARKERS,
    extract_source_attribution,
    strip_boilerplate,
)
from newscrawler.extract.text import repair_text_counted

__all__ = ["CleanedBody", "clean_body"]

Markers = Mapping[str, Iterable[str]] | Iterable[str]


@dataclass(frozen=True)
class CleanedBody:
    """A cleaned body, what it was cleaned from, and the rules that changed it."""

    source: str
    body: str
    source_attribution: str | None
    word_count: int
    #: Names of the text rules that changed something, then ``strip_boilerplate`` if it did.
    fired: tuple[str, ...]


def clean_body(
    body: str, tail_markers: Markers = TAIL_MARKERS, insert_markers: Markers = INSERT_MARKERS
) -> CleanedBody:
    """Repair the text (``text.RULES`` to a fixpoint), cut boilerplate, find the attribution."""
    repaired, fired = repair_text_counted(body)
    stripped = strip_boilerplate(repaired, tail_markers, insert_markers)
    if stripped != repaired:
        fired.append("strip_boilerplate")
    return CleanedBody(
        source=body,
        body=stripped,
        source_attribution=extract_source_attribution(stripped) if stripped else None,
        word_count=len(stripped.split()),
        fired=tuple(fired),
    )
