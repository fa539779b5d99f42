"""Network safety: what a hostile or broken site must not make the crawler do.

- :class:`SafetyMiddleware` (requests) refuses every scheme but http(s) (``file:``, ``ftp:``,
  ``mailto:``, ``javascript:``, ``data:`` …) and every private, loopback, link-local or reserved
  target (``127.0.0.1``, ``10.0.0.5``, ``169.254.169.254``, ``localhost``, ``*.internal``, or a
  name that resolves to one) unless that host is one of the crawl's own (its start URLs and
  allowed domains) or listed in ``SAFETY_PRIVATE_HOSTS``. A public site cannot point the
  crawler at the operator's intranet or a cloud metadata endpoint.
- :class:`ResponseGuardMiddleware` (responses, before decompression and redirects) refuses a
  compressed body that would unpack to more than ``DOWNLOAD_MAXSIZE`` (a gzip bomb) without
  unpacking more than that, and counts redirect loops and over-long redirect chains.
- :class:`CharsetRepairMiddleware` (responses, after decompression) decodes a page whose header
  says UTF-8 but whose bytes are not, with the charset its own ``<meta>`` declares.

Every refusal is counted under ``newscrawler/safety/<reason>``.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import zlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from newscrawler.stats import stats_of
from newscrawler.urls import canonicalize_url

__all__ = [
    "CharsetRepairMiddleware",
    "ResponseGuardMiddleware",
    "SafetyMiddleware",
    "decompressed_size_exceeds",
    "is_private_address",
    "is_private_name",
]

logger = logging.getLogger(__name__)

#: Host names that always mean "this machine" or "the local network".
_LOCAL_NAMES = re.compile(
    r"(?:^|\.)(?:localhost|localdomain|local|internal|intranet|lan|home\.arpa|corp)$", re.IGNORECASE
)


def is_private_address(address: str) -> bool:
    """Is ``address`` (an IPv4/IPv6 literal) anything but a public unicast address?

    >>> [is_private_address(a) for a in ("127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "93.184.216.34")]
    [True, True, True, True, False]
    """
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def is_private_name(host: str) -> bool:
    """Is ``host`` a private address literal or a name reserved for local networks?"""
    host = host.lower().rstrip(".").strip("[]")
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return (
            bool(_LOCAL_NAMES.search(host)) or "." not in host
        )  # a name: local, or a bare intranet name
    return is_private_address(host)


def _on_hosts(host: str, hosts: Iterable[str]) -> bool:
    return any(host == h or host.endswith("." + h) for h in hosts)


class SafetyMiddleware:
    """Refuse non-HTTP schemes and private targets that are not the crawl's own hosts.

    Settings: ``SAFETY_ENABLED`` (default on), ``SAFETY_PRIVATE_HOSTS`` (hosts on private
    addresses the crawl may visit besides its own, e.g. an intranet news site),
    ``SAFETY_RESOLVE_HOSTS`` (resolve other host names and refuse those pointing at private
    addresses; default on).
    """

    def __init__(self, crawler: Crawler, *, private_hosts: list[str], resolve: bool) -> None:
        self.crawler = crawler
        self.stats = stats_of(crawler)
        self.extra_hosts = [h.lower().lstrip(".") for h in private_hosts if h]
        self.resolve = resolve
        self._own_hosts: list[str] | None = None
        self._resolved: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafetyMiddleware:
        settings = crawler.settings
        if not settings.getbool("SAFETY_ENABLED", True):
            raise NotConfigured(
                "SAFETY_ENABLED is off: private and non-HTTP targets are not refused"
            )
        return cls(
            crawler,
            private_hosts=settings.getlist("SAFETY_PRIVATE_HOSTS"),
            resolve=settings.getbool("SAFETY_RESOLVE_HOSTS", True),
        )

    def own_hosts(self) -> list[str]:
        """The crawl's configured hosts: start URLs, allowed domains, ``SAFETY_PRIVATE_HOSTS``."""
        if self._own_hosts is None:
            spider: Any = self.crawler.spider
            hosts = {
                urlsplit(url).hostname or "" for url in getattr(spider, "start_urls", None) or []
            }
            hosts.update(getattr(spider, "allowed_domains", None) or [])
            hosts.update(getattr(spider, "domains", None) or [])
            profile = getattr(spider, "profile", None)
            if profile is not None:
                hosts.update(profile.allowed_domains)
            hosts.update(self.extra_hosts)
            self._own_hosts = sorted(h.lower().lstrip(".") for h in hosts if h)
        return self._own_hosts

    def _refuse(self, request: Request, reason: str, detail: str) -> None:
        self.stats.inc_value(f"newscrawler/safety/{reason}")
        logger.info("refused %s (%s): %s", request.url, reason, detail)
        raise IgnoreRequest(f"refused by SafetyMiddleware ({reason}): {request.url}")

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            self._refuse(
                request, "refused_scheme", f"scheme {parts.scheme or '(none)'} is not http(s)"
            )
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            self._refuse(request, "refused_scheme", "no host")
        if _on_hosts(host, self.own_hosts()):
            return None
        if is_private_name(host):
            self._refuse(request, "refused_private", f"{host} is a private or local address")
        if self.resolve and await self._resolves_private(host, parts.port):
            self._refuse(request, "refused_private", f"{host} resolves to a private address")
        return None

    async def _resolves_private(self, host: str, port: int | None) -> bool:
        if host not in self._resolved:
            try:
                infos = await maybe_deferred_to_future(
                    deferToThread(socket.getaddrinfo, host, port or 80)
                )
            except OSError:
                # Unresolvable: the download fails on its own with a DNS error, counted there.
                return False
            self._resolved[host] = any(is_private_address(str(info[4][0])) for info in infos)
        return self._resolved[host]


def decompressed_size_exceeds(body: bytes, encoding: str, limit: int) -> bool | None:
    """Would ``body`` (gzip/deflate) unpack to more than ``limit`` bytes? ``None`` if unknown.

    Unpacks in chunks and throws them away, so a bomb costs at most ``limit`` bytes of work,
    never that much memory.
    """
    wbits = {
        "gzip": 16 + zlib.MAX_WBITS,
        "x-gzip": 16 + zlib.MAX_WBITS,
        "deflate": zlib.MAX_WBITS,
    }.get(encoding)
    if wbits is None or not limit:
        return None
    decompressor = zlib.decompressobj(wbits)
    try:
        size = len(decompressor.decompress(body, 64 * 1024))
        while decompressor.unconsumed_tail and not decompressor.eof and size <= limit:
            size += len(decompressor.decompress(decompressor.unconsumed_tail, 64 * 1024))
    except zlib.error:
        return None  # HttpCompressionMiddleware deals with broken streams (raw deflate, …)
    return size > limit


#: Content types that are never an article, a listing or a feed (PDFs, images, archives, media).
_BINARY_TYPES = re.compile(
    r"^(?:image|audio|video|font)/|^application/(?:pdf|zip|x-7z-compressed|x-rar-compressed|msword|"
    r"vnd\.|octet-stream$|x-shockwave-flash|java-archive|x-msdownload)"
)


class ResponseGuardMiddleware:
    """Before decompression and redirects: refuse decompression bombs, count redirect trouble."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = stats_of(crawler)
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self.max_redirects = crawler.settings.getint("REDIRECT_MAX_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseGuardMiddleware:
        if not crawler.settings.getbool("SAFETY_ENABLED", True):
            raise NotConfigured("SAFETY_ENABLED is off")
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if 300 <= response.status < 400 and b"Location" in response.headers:
            self._count_redirect(request, response)
        content_type = (
            (response.headers.get("Content-Type") or b"")
            .decode("latin-1")
            .split(";")[0]
            .strip()
            .lower()
        )
        if _BINARY_TYPES.match(content_type):
            self.stats.inc_value("newscrawler/safety/binary_content")
            raise IgnoreRequest(f"not a web page ({content_type}): {response.url}")
        encodings = [
            e.strip().lower()
            for e in b",".join(response.headers.getlist("Content-Encoding"))
            .decode("latin-1")
            .split(",")
            if e.strip()
        ]
        max_size = request.meta.get("download_maxsize", self.max_size)
        if len(encodings) == 1 and decompressed_size_exceeds(response.body, encodings[0], max_size):
            self.stats.inc_value("newscrawler/safety/decompression_bomb")
            logger.warning(
                "refused %s: %d bytes of %s unpack to more than DOWNLOAD_MAXSIZE (%d bytes)",
                response.url, len(response.body), encodings[0], max_size,
            )  # fmt: skip
            raise IgnoreRequest(f"decompressed body over DOWNLOAD_MAXSIZE: {response.url}")
        return response

    def _count_redirect(self, request: Request, response: Response) -> None:
        hops = request.meta.get("redirect_urls") or []
        location = response.headers.get("Location") or b""
        target = canonicalize_url(response.urljoin(location.decode("latin-1")))
        if target in {canonicalize_url(u) for u in [*hops, request.url]}:
            self.stats.inc_value("newscrawler/safety/redirect_loop")
        elif len(hops) >= self.max_redirects:
            self.stats.inc_value("newscrawler/safety/redirect_limit")


_META_CHARSET = re.compile(
    rb"""<meta[^>]+(?:charset\s*=\s*["']?|content\s*=\s*["'][^"']*charset=)([a-z0-9_-]+)""",
    re.IGNORECASE,
)


class CharsetRepairMiddleware:
    """A page served as ``charset=utf-8`` whose bytes are not UTF-8 is decoded with its ``<meta>`` charset.

    Browsers trust the header, and so does Scrapy; but a CMS that stores windows-1252 and a
    server that labels everything UTF-8 turn every „“ and ü into U+FFFD. When the bytes are not
    valid UTF-8 and the page itself declares another charset, that declaration is right.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = stats_of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetRepairMiddleware:
        if not crawler.settings.getbool("SAFETY_ENABLED", True):
            raise NotConfigured("SAFETY_ENABLED is off")
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if (
            not isinstance(response, TextResponse)
            or response.encoding.replace("-", "").lower() != "utf8"
        ):
            return response
        try:
            response.body.decode("utf-8")
        except UnicodeDecodeError:
            match = _META_CHARSET.search(response.body[:4096])
            declared = match.group(1).decode("ascii").lower() if match else ""
            if declared and declared.replace("-", "") != "utf8":
                try:
                    "".encode(declared)
                except LookupError:
                    return response
                self.stats.inc_value("newscrawler/safety/charset_repaired")
                return response.replace(encoding=declared)
        return response
