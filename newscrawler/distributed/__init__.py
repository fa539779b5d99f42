"""The distributed mode (``REDIS_URL``): many workers share a Redis frontier; one writer archives.

Workers (``scrapy crawl news -s REDIS_URL=…``) share a site's run through scrapy-redis's
scheduler and dupefilter with leased requests (:mod:`.scheduler`, :mod:`.queue`), keep each
site's politeness across processes (:mod:`.politeness`) and send finished items to a Redis
Stream (:mod:`.stream`). One writer (``scrapy archive-writer``, :mod:`.writer`) reads the
stream and runs the project's pipelines into the SQLite archive, and keeps in Redis what the
workers need to know of it (:mod:`.state`). :mod:`.addon` switches a crawl into this mode.
docs/scaling.md has the commands.
"""

from __future__ import annotations

import importlib
from typing import Any

# Re-exported lazily (PEP 562): settings keep short paths, and importing the package (the
# add-on does, on every crawl) loads neither redis nor scrapy-redis.
_HOMES = {
    "DistributedAddon": "newscrawler.distributed.addon",
    "FingerprintDupeFilter": "newscrawler.distributed.scheduler",
    "RedisArchiveState": "newscrawler.distributed.state",
    "RedisScheduler": "newscrawler.distributed.scheduler",
    "SitePolitenessMiddleware": "newscrawler.distributed.politeness",
    "StreamPipeline": "newscrawler.distributed.stream",
}
__all__ = [
    "DistributedAddon",
    "FingerprintDupeFilter",
    "RedisArchiveState",
    "RedisScheduler",
    "SitePolitenessMiddleware",
    "StreamPipeline",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'newscrawler.distributed' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
