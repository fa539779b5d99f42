"""The switch into the distributed mode: with ``REDIS_URL`` set, re-wire the crawl's components.

A Scrapy add-on (``ADDONS``), so it runs after every other source of settings (the project,
``-s`` on the command line, the spider) and sees the final ``REDIS_URL``. Without it nothing
changes. ``DISTRIBUTED_ROLE`` says which side this process is:

- ``worker`` (the default, ``scrapy crawl news``): the shared frontier (:class:`RedisScheduler`),
  items to the stream (:class:`StreamPipeline`) in place of clean/validate/dedup/archive, no
  archive file opened (the incremental middleware asks Redis), the site-wide download lease
  (:class:`SitePolitenessMiddleware`) in place of the local delay and AutoThrottle;
- ``writer`` (``scrapy archive-writer``): the project's pipelines plus the writer's two, no
  extraction pool, no downloads.
"""

from __future__ import annotations

import importlib.util

from scrapy.settings import BaseSettings

__all__ = ["DistributedAddon"]

# By import path, not by class: without REDIS_URL nothing of the distributed mode is imported,
# so a checkout installed without the `redis` extra crawls as before.
SCHEDULER = "newscrawler.distributed.scheduler.RedisScheduler"
STREAM_PIPELINE = "newscrawler.distributed.stream.StreamPipeline"
POLITENESS = "newscrawler.distributed.politeness.SitePolitenessMiddleware"

#: Components a worker leaves out: the archive's owner and everything that writes the file.
WORKER_OFF = {
    "EXTENSIONS": ("newscrawler.extensions.ArchiveExtension", "newscrawler.extensions.HealthCheck"),
    "SPIDER_MIDDLEWARES": ("newscrawler.middlewares.RawPagesMiddleware",),
    "ITEM_PIPELINES": (
        "newscrawler.pipelines.CleanPipeline",
        "newscrawler.pipelines.ValidatePipeline",
        "newscrawler.pipelines.DedupPipeline",
        "newscrawler.pipelines.ArchivePipeline",
    ),
}
#: Components the writer leaves out: it downloads and extracts nothing.
WRITER_OFF = {
    "EXTENSIONS": ("newscrawler.workers.pool.ExtractionPool", "newscrawler.extensions.HealthCheck"),
    "SPIDER_MIDDLEWARES": (
        "newscrawler.middlewares.RawPagesMiddleware",
        "newscrawler.middlewares.PageSignalsMiddleware",
    ),
    "DOWNLOADER_MIDDLEWARES": ("newscrawler.middlewares.IncrementalMiddleware",),
}


def _force(settings: BaseSettings, name: str, value: object) -> None:
    """Set ``name`` over whatever set it before (the project, ``-s``): the mode requires it."""
    settings.set(name, value, priority=max(settings.getpriority(name) or 0, 40))


def _switch_off(settings: BaseSettings, components: dict[str, tuple[str, ...]]) -> None:
    for setting, paths in components.items():
        current = settings.getdict(setting)
        for path in paths:
            if path in current:
                current[path] = None
        _force(settings, setting, current)


class DistributedAddon:
    """Add-on: the distributed mode when ``REDIS_URL`` is set (module docstring)."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("REDIS_URL"):
            return
        if importlib.util.find_spec("scrapy_redis") is None:
            raise ValueError(
                "REDIS_URL is set but scrapy-redis is not installed: pip install -e '.[redis]'"
            )
        role = settings.get("DISTRIBUTED_ROLE") or "worker"
        if role == "writer":
            _switch_off(settings, WRITER_OFF)
            pipelines = settings.getdict("ITEM_PIPELINES")
            pipelines["newscrawler.distributed.writer.RunStampPipeline"] = 790
            pipelines["newscrawler.distributed.writer.CommitPipeline"] = 900
            _force(settings, "ITEM_PIPELINES", pipelines)
            for name, value in (("ROBOTSTXT_OBEY", False), ("CLOSESPIDER_TIMEOUT", 0),
                                ("CLOSESPIDER_PAGECOUNT", 0), ("CLOSESPIDER_ERRORCOUNT", 0)):  # fmt: skip
                _force(settings, name, value)
            return
        if role != "worker":
            raise ValueError(f"DISTRIBUTED_ROLE must be worker or writer, got {role!r}")
        _switch_off(settings, WORKER_OFF)
        pipelines = settings.getdict("ITEM_PIPELINES")
        pipelines[STREAM_PIPELINE] = 900
        _force(settings, "ITEM_PIPELINES", pipelines)
        _force(settings, "SCHEDULER", SCHEDULER)
        if settings.getbool("REDIS_POLITENESS_ENABLED", True):
            middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
            middlewares[POLITENESS] = 990
            _force(settings, "DOWNLOADER_MIDDLEWARES", middlewares)
            # The shared lease keeps the delay between a site's downloads across workers.
            # (At the add-on's own priority: it is no -s setting, StrictSettings would refuse it.)
            settings.set("REDIS_SITE_DELAY", settings.getfloat("DOWNLOAD_DELAY"), priority="addon")
            _force(settings, "DOWNLOAD_DELAY", 0)
            _force(settings, "AUTOTHROTTLE_ENABLED", False)
