"""The job an extraction worker runs for one page: extract, clean, digest. No Scrapy here.

A worker process imports only this module (and what extraction needs): about 50 MB resident,
where importing Scrapy and Twisted as well would add 45 MB to every worker.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from w3lib.encoding import html_to_unicode

from newscrawler.dedup.minhash import digest_of
from newscrawler.extract import extract_article
from newscrawler.extract.clean import clean_body
from newscrawler.items import WorkerOutput
from newscrawler.rawcodec import pack_page

__all__ = ["JobResult", "Page", "die_with", "extract_timed"]


@dataclass(frozen=True)
class Page:
    """A fetched page as a worker gets it: the bytes once (not bytes and text), and their encoding."""

    url: str
    status: int
    body: bytes
    #: The encoding Scrapy resolved for the response (``TextResponse.encoding``).
    encoding: str

    @property
    def text(self) -> str:
        """The body decoded exactly as Scrapy's ``TextResponse.text`` decodes it."""
        return html_to_unicode(f"charset={self.encoding}", self.body)[1]


@dataclass(frozen=True)
class JobResult:
    """What a worker returns for one page."""

    #: :func:`extract_article`'s fields; ``None`` when the page is not HTML.
    fields: dict[str, Any] | None
    #: CPU seconds per stage (``extraction``, ``cleaning``, ``dedup``, ``storage``).
    seconds: dict[str, float]
    #: What the worker did for later components (nothing when it only extracted).
    output: WorkerOutput = field(default_factory=WorkerOutput)


def extract_timed(
    page: Page,
    related_labels: Sequence[str] | None,
    selectors: Mapping[str, str] | None,
    markers: tuple[Any, Any] | None = None,
    digest: bool = False,
    pack: bool = False,
) -> JobResult:
    """:func:`extract_article` of ``page``, and the CPU seconds each stage took.

    With ``markers``, also the body cleaning (``output.cleaned``, stage ``cleaning``); with
    ``digest`` too, the cleaned body's content hash and signature (``output.digest``,
    ``dedup``); with ``pack``, the response packed for the raw-pages file (``output.packed``,
    ``storage``). Decoding the page counts as extraction.
    """
    clock = _StageClock()
    fields = extract_article(
        page.text, page.url, related_labels=related_labels, selectors=selectors
    )
    clock.lap("extraction")
    output = WorkerOutput()
    if fields is not None and markers is not None and fields.get("body"):
        output.cleaned = clean_body(fields["body"], *markers)
        clock.lap("cleaning")
        if digest and output.cleaned.body:
            output.digest = digest_of(output.cleaned.body)
            clock.lap("dedup")
    if fields is not None and pack:
        output.packed = pack_page(page.url, page.status, page.body)
        clock.lap("storage")
    return JobResult(fields, clock.seconds, output)


class _StageClock:
    """CPU seconds of this thread, lap by lap."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.thread_time()

    def lap(self, stage: str) -> None:
        now = time.thread_time()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


#: prctl(2) option: the signal this process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


def die_with(crawl_pid: int, poll_seconds: float = 1.0) -> None:
    """Worker initializer: end this worker when the crawl that started it ends, however it ends.

    A crawl killed with SIGKILL runs no cleanup, so its workers must notice by themselves. Two
    ways, either enough: the kernel kills this process when its parent (the pool's
    ``forkserver``, which itself exits when the crawl is gone) dies (Linux ``PR_SET_PDEATHSIG``),
    and a daemon thread checks every ``poll_seconds`` that the crawl's process still exists.

    Ctrl-C in a terminal (SIGINT) and a service manager's stop (SIGTERM) reach the whole
    process group; the crawl stops its workers itself when it closes, so they ignore both
    instead of dying mid-page and making the crawl log "extraction pool failed".
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass  # the parent watch below still holds
    watch = threading.Thread(
        target=_exit_when_gone,
        args=(crawl_pid, poll_seconds),
        name="newscrawler-crawl-watch",
        daemon=True,
    )
    watch.start()


def _exit_when_gone(crawl_pid: int, poll_seconds: float) -> None:
    # Bounded by this process's life: it ends with the worker, or ends the worker.
    while True:
        time.sleep(poll_seconds)
        try:
            os.kill(crawl_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:  # another user's process took the pid: ours is gone
            os._exit(0)
