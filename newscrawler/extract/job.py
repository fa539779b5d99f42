"""The job an extraction worker runs for one page: extract, clean, digest. No Scrapy here.

A worker process imports only this module (and what extraction needs): about 50 MB resident,
where importing Scrapy and Twisted as well would add 45 MB to every worker.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from newscrawler.extract import extract_article
from newscrawler.extract.clean import clean_body
from newscrawler.extract.similarity import digest_of
from newscrawler.items import PRECLEANED, PREDIGESTED, PREPACKED
from newscrawler.rawcodec import pack_page

__all__ = ["extract_timed"]


def extract_timed(
    html: str,
    url: str,
    related_labels: Sequence[str] | None,
    selectors: Mapping[str, str] | None,
    markers: tuple[Any, Any] | None = None,
    digest: bool = False,
    raw: tuple[str, int, bytes] | None = None,
) -> tuple[dict[str, Any] | None, dict[str, float]]:
    """:func:`extract_article`, and the CPU seconds each stage took (``extraction`` and the rest).

    With ``markers``, also the body cleaning (:data:`PRECLEANED`, stage ``cleaning``); with
    ``digest`` too, the cleaned body's content hash and fingerprint (:data:`PREDIGESTED`,
    ``dedup``); with ``raw`` (the response's URL, status and body), the response packed for the
    raw-pages file (:data:`PREPACKED`, ``storage``).
    """
    clock = _StageClock()
    fields = extract_article(html, url, related_labels=related_labels, selectors=selectors)
    clock.lap("extraction")
    if fields is not None and markers is not None and fields.get("body"):
        cleaned = fields[PRECLEANED] = clean_body(fields["body"], *markers)
        clock.lap("cleaning")
        if digest and cleaned.body:
            fields[PREDIGESTED] = digest_of(cleaned.body)
            clock.lap("dedup")
    if fields is not None and raw is not None:
        fields[PREPACKED] = pack_page(*raw)
        clock.lap("storage")
    return fields, clock.seconds


class _StageClock:
    """CPU seconds of this thread, lap by lap."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.thread_time()

    def lap(self, stage: str) -> None:
        now = time.thread_time()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now
