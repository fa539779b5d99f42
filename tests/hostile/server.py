"""A loopback HTTP server whose paths misbehave on purpose (fault injection for crawl tests).

Each route is a function ``(handler) -> None`` that writes the whole answer through the
handler (status, headers, body, delays, short bodies…). Every request's path is recorded in
:attr:`HostileServer.requests`, so tests can assert what the crawler did *not* ask for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newscrawler.demo.server import _read_redirects

__all__ = ["Handler", "HostileServer", "Route"]

Route = Callable[["Handler"], None]


def _redirect(target: str, status: int) -> Route:
    return lambda h: h.answer(status, b"", None, {"Location": target})


class Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        site = self.server.site
        with site.lock:
            site.requests.append(self.path)
            site.counts[self.path] = site.counts.get(self.path, 0) + 1
        if site.delay:
            time.sleep(site.delay)
        route = site.routes.get(self.path) or site.routes.get(urlsplit(self.path).path)
        if route is None and site.static_root is not None:
            route = site.serve_static
        if route is None:
            self.answer(404, b"<!doctype html><title>404</title><h1>Not Found</h1>")
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def hits(self) -> int:
        """How often this exact path was requested so far (this request included)."""
        return self.server.site.counts.get(self.path, 0)

    def answer(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        """Send a complete response; ``length`` lies about Content-Length when given."""
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        if length is not None and length != len(body):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: HostileServer


class HostileServer:
    """Serve ``routes`` (exact path with query, or path) on ``host:0``; ``url_host`` names it in :attr:`url`.

    ``static_root`` serves a folder for paths without a route (``/a/`` -> ``a/index.html``),
    ``delay`` slows every answer down (for tests that must interrupt a crawl mid-way).
    """

    def __init__(
        self,
        routes: dict[str, Route] | None = None,
        *,
        host: str = "127.0.0.1",
        url_host: str | None = None,
        static_root: Path | None = None,
        delay: float = 0.0,
    ) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.static_root = static_root.resolve() if static_root else None
        if self.static_root is not None:  # the demo site's shortlinks and renamed slugs
            for source, (target, status) in _read_redirects(self.static_root).items():
                self.routes.setdefault(source, _redirect(target, status))
        self.delay = delay
        self.lock = threading.Lock()
        self.requests: list[str] = []
        self.counts: dict[str, int] = {}
        self.url_host = url_host or host
        self.httpd = _Server((host, 0), Handler)
        self.httpd.site = self
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, name="hostile-server", daemon=True
        )
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.url_host}:{self.port}/"

    def paths(self) -> list[str]:
        with self.lock:
            return list(self.requests)

    def serve_static(self, handler: Handler) -> None:
        assert self.static_root is not None
        target = (self.static_root / unquote(urlsplit(handler.path).path).lstrip("/")).resolve()
        if target.is_dir():
            target = next(
                (target / n for n in ("index.html", "index.xml") if (target / n).is_file()), target
            )
        if not target.is_relative_to(self.static_root) or not target.is_file():
            handler.answer(404, b"<!doctype html><title>404</title>")
            return
        kind = {".html": "text/html; charset=utf-8", ".xml": "application/xml; charset=utf-8",
                ".txt": "text/plain; charset=utf-8"}.get(target.suffix, "application/octet-stream")  # fmt: skip
        handler.answer(200, target.read_bytes(), kind)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
