"""The distributed mode (``REDIS_URL``): many workers share a Redis frontier; one writer archives.

Workers (``scrapy crawl news -s REDIS_URL=…``) share a site's run through scrapy-redis's
scheduler and dupefilter with leased requests (:mod:`.scheduler`, :mod:`.queue`), keep each
site's politeness across processes (:mod:`.politeness`) and send finished items to a Redis
Stream (:mod:`.stream`). One writer (``scrapy archive-writer``, :mod:`.writer`) reads the
stream and runs the project's pipelines into the SQLite archive, and keeps in Redis what the
workers need to know of it (:mod:`.state`). :mod:`.addon` switches a crawl into this mode.
docs/scaling.md has the commands.
"""

from newscrawler.distributed.addon import DistributedAddon
from newscrawler.distributed.politeness import SitePolitenessMiddleware
from newscrawler.distributed.scheduler import FingerprintDupeFilter, RedisScheduler
from newscrawler.distributed.state import RedisArchiveState
from newscrawler.distributed.stream import StreamPipeline

__all__ = [
    "DistributedAddon",
    "FingerprintDupeFilter",
    "RedisArchiveState",
    "RedisScheduler",
    "SitePolitenessMiddleware",
    "StreamPipeline",
]
