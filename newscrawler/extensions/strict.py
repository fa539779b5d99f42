"""Typos in settings stop the run: an unknown ``-s NAME=…`` is an error, with "did you mean".

``-s ARCHIVE_PAHT=x.db`` used to be accepted in silence, and the crawl wrote into the default
archive. Settings given on the command line are checked against every setting Scrapy knows,
every setting of this project (``newscrawler/settings.py``) and the few that components read
without a default there; an unknown one stops the crawl at start with one line.
"""

from __future__ import annotations

import difflib

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings, default_settings

from newscrawler import settings as project_settings

__all__ = ["StrictSettings", "known_settings", "unknown_settings"]

#: Settings that components read although newscrawler/settings.py does not set them: Scrapy's
#: environment, and scrapy-redis's own (distributed mode).
_READ_WITHOUT_DEFAULT = frozenset(
    {
        "SCRAPY_SETTINGS_MODULE",
        "REDIS_HOST", "REDIS_PORT", "REDIS_PARAMS", "REDIS_ENCODING", "REDIS_START_URLS_KEY",
        "REDIS_START_URLS_AS_SET", "REDIS_START_URLS_BATCH_SIZE", "REDIS_ITEMS_KEY",
        "REDIS_ITEMS_SERIALIZER", "SCHEDULER_PERSIST", "SCHEDULER_FLUSH_ON_START",
        "SCHEDULER_IDLE_BEFORE_CLOSE", "SCHEDULER_QUEUE_KEY", "SCHEDULER_QUEUE_CLASS",
        "SCHEDULER_DUPEFILTER_KEY", "SCHEDULER_DUPEFILTER_CLASS", "SCHEDULER_SERIALIZER",
        "MAX_IDLE_TIME_BEFORE_CLOSE",
    }
)  # fmt: skip


def known_settings() -> frozenset[str]:
    """Every setting name Scrapy or this project defines."""
    names = {n for n in dir(default_settings) if n.isupper()}
    names |= {n for n in dir(project_settings) if n.isupper()}
    return frozenset(names | _READ_WITHOUT_DEFAULT)


def unknown_settings(settings: BaseSettings) -> list[str]:
    """The names set on the command line (``-s``) that no component knows, each with a hint."""
    known = known_settings()
    cmdline = SETTINGS_PRIORITIES["cmdline"]
    problems = []
    for name in sorted(settings.attributes):
        if settings.getpriority(name) != cmdline or name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        problems.append(f"{name}{hint}")
    return problems


class StrictSettings:
    """Refuse to start with a ``-s`` setting that nothing reads (``STRICT_SETTINGS``, on)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StrictSettings:
        if not crawler.settings.getbool("STRICT_SETTINGS", True):
            raise NotConfigured
        problems = unknown_settings(crawler.settings)
        if problems:
            raise ValueError(
                f"unknown setting {', '.join(problems)}: check the -s option's spelling "
                "(docs/settings.md lists them; STRICT_SETTINGS=0 lets unknown ones pass)"
            )
        raise NotConfigured  # checked once at start; nothing to do afterwards
