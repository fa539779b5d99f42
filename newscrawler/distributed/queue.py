"""The shared frontier: scrapy-redis's priority queue, with a lease on every popped request.

scrapy-redis pops a request and forgets it, so a worker that dies loses what it was fetching.
Here a pop moves the request, atomically (one Lua script), from the queue into the run's
leases: ``leases`` (a zset: lease id -> expiry, Redis server time) and ``leased`` (a hash: lease
id -> the encoded request and its queue score). The worker renews its leases while the
requests are in flight and acknowledges them once their callbacks' output (items in the stream,
new requests in the queue) is through. Every pop first returns expired leases to the queue, so
a SIGKILLed worker's requests are fetched again by whoever pops next.
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlsplit

from redis import Redis
from scrapy import Request, Spider
from scrapy_redis.queue import Base  # type: ignore[import-untyped]

from newscrawler.distributed._redis import Keys, consumer_name, decode

__all__ = ["LeasedQueue"]

# Server time in seconds (float): every worker agrees on it whatever its own clock says.
_NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"

# KEYS: requests, leases, leased, lease_seq. ARGV: lease seconds, how many to pop, the
# per-site limit (0: none), the prefix of the sites' download-lease keys, how many of the best
# requests to look at, the popping worker's name (kept as the lease's owner, for operators).
# A member is "host\0request"; a request whose site has all its download leases taken, or must
# still wait its delay, is left for later (another request goes first), so a worker's slots do
# not all wait on one busy site.
_POP = (
    _NOW
    + """
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
for _, id in ipairs(expired) do
  local entry = redis.call('HGET', KEYS[3], id)
  if entry then
    redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], id .. ':score') or 0, entry)
  end
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id, id .. ':score', id .. ':owner')
end
local out = {#expired}
local want, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local top = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[5]) - 1, 'WITHSCORES')
local busy = {}
for i = 1, #top, 2 do
  if #out > 2 * want then break end
  local member = top[i]
  local free = true
  if limit > 0 then
    local cut = string.find(member, '\0', 1, true)
    local host = cut and string.sub(member, 1, cut - 1) or ''
    if host ~= '' then
      if busy[host] == nil then
        local holders = ARGV[4] .. host
        redis.call('ZREMRANGEBYSCORE', holders, '-inf', now)
        local nxt = tonumber(redis.call('GET', holders .. ':next') or '0')
        busy[host] = redis.call('ZCARD', holders) >= limit or now < nxt
      end
      free = not busy[host]
    end
  end
  if free then
    redis.call('ZREM', KEYS[1], member)
    local id = tostring(redis.call('INCR', KEYS[4]))
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), id)
    redis.call('HSET', KEYS[3], id, member, id .. ':score', top[i + 1], id .. ':owner', ARGV[6])
    table.insert(out, id)
    table.insert(out, member)
  end
end
return out
"""
)
#: How many of the best queued requests a pop looks at for one whose site is free.
SCAN = 64

# KEYS: leases. ARGV: lease seconds, ids. Only leases that still exist are renewed (XX).
_RENEW = (
    _NOW
    + """
local renewed = 0
for i = 2, #ARGV do
  renewed = renewed + redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i])
end
return renewed
"""
)

# KEYS: leases, leased. ARGV: ids.
_ACK = """
local done = 0
for i = 1, #ARGV do
  done = done + redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('HDEL', KEYS[2], ARGV[i], ARGV[i] .. ':score', ARGV[i] .. ':owner')
end
return done
"""

# KEYS: requests, leases. Returns {queued, expired leases, live leases}.
_COUNTS = (
    _NOW
    + """
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCOUNT', KEYS[2], '-inf', now),
        redis.call('ZCOUNT', KEYS[2], '(' .. now, '+inf')}
"""
)


class LeasedQueue(Base):  # type: ignore[misc]
    """A priority queue (like ``scrapy_redis.queue.PriorityQueue``) whose pops are leases."""

    def __init__(
        self,
        server: Redis,
        spider: Spider,
        keys: Keys,
        *,
        lease_seconds: float,
        site_limit: int = 0,
        serializer: Any = None,
    ) -> None:
        super().__init__(server, spider, keys.requests, serializer=serializer)
        self.keys = keys
        self.lease_seconds = lease_seconds
        #: CONCURRENT_REQUESTS_PER_DOMAIN when the site-wide lease is on: pops skip full sites.
        self.site_limit = site_limit
        #: Who holds this queue's leases (``host:pid``), kept beside each lease for operators.
        self.owner = consumer_name()
        self._pop = server.register_script(_POP)
        self._renew = server.register_script(_RENEW)
        self._ack = server.register_script(_ACK)
        self._counts = server.register_script(_COUNTS)
        #: Expired leases this process returned to the queue (a dead worker's requests).
        self.returned = 0

    def __len__(self) -> int:
        queued, expired, _ = self.counts()
        return queued + expired

    def counts(self) -> tuple[int, int, int]:
        """``(queued, expired leases, live leases)`` of the run."""
        queued, expired, live = self._counts(keys=[self.keys.requests, self.keys.leases])
        return int(queued), int(expired), int(live)

    def push(self, request: Request) -> None:
        # A redirect or retry copies the meta of the request it came from; its lease is not its own.
        request.meta.pop("newscrawler_lease", None)
        host = (urlsplit(request.url).hostname or "").encode()
        data = host + b"\0" + self._encode_request(request)
        # Equal scores pop in the members' byte order, which is URL order: one site after the
        # other, and every worker waiting on that one site's download leases. A random fraction
        # below 1 keeps the priorities in order and mixes the sites within each.
        score = -request.priority + random.random() * 0.9
        self.server.execute_command("ZADD", self.key, score, data)

    def pop(self, timeout: float = 0) -> Request | None:
        popped = self.pop_many(1)
        return popped[0] if popped else None

    def pop_many(self, count: int) -> list[Request]:
        """Up to ``count`` requests, best priority first, each leased (``meta["newscrawler_lease"]``)."""
        keys = self.keys
        out = self._pop(
            keys=[keys.requests, keys.leases, keys.leased, keys.lease_seq],
            args=[self.lease_seconds, count, self.site_limit, Keys.polite("")[0], SCAN, self.owner],
        )
        self.returned += int(out[0])
        requests = []
        for index in range(1, len(out), 2):
            request = self._decode_request(out[index + 1].split(b"\0", 1)[1])
            request.meta["newscrawler_lease"] = decode(out[index])
            requests.append(request)
        return requests

    def renew(self, lease_ids: list[str]) -> int:
        if not lease_ids:
            return 0
        return int(self._renew(keys=[self.keys.leases], args=[self.lease_seconds, *lease_ids]))

    def ack(self, lease_ids: list[str]) -> int:
        if not lease_ids:
            return 0
        return int(self._ack(keys=[self.keys.leases, self.keys.leased], args=lease_ids))

    def release(self, lease_ids: list[str]) -> None:
        """Give leases back now (they expire at once and return to the queue on the next pop)."""
        if lease_ids:
            self.server.zadd(self.keys.leases, dict.fromkeys(lease_ids, 0), xx=True)

    def clear(self) -> None:
        self.server.delete(self.keys.requests, self.keys.leases, self.keys.leased)
