"""A small static HTTP server for the bundled demo site (and for tests): 127.0.0.1 only.

``/a/b/`` serves ``a/b/index.html`` (or ``index.xml`` for feeds); the query string is ignored,
as WordPress ignores ``?utm_source=…``. A ``_redirects`` file in the root (lines of
``FROM TO [STATUS]``, FROM with or without its query string) answers with redirects, as a
CMS does for shortlinks and changed slugs. Every file has an ``ETag``; ``If-None-Match`` with
it gets a 304, so incremental re-checks can be tested against it. Run it alone with
``python -m newscrawler.demo.server [ROOT]``: it prints its base URL and serves until killed.
"""

from __future__ import annotations

import argparse
import hashlib
import mimetypes
import sys
import threading
from email.utils import formatdate
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["DEMO_SITE", "DEMO_SITE2", "DemoServer", "serve"]

#: The bundled demo site's files.
DEMO_SITE = Path(__file__).with_name("site")
#: The second demo site, which republishes some of the first one's stories.
DEMO_SITE2 = Path(__file__).with_name("site2")

_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml; charset=utf-8",
          ".txt": "text/plain; charset=utf-8", ".css": "text/css; charset=utf-8"}  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    server_version = "newscrawler-demo/1"

    def __init__(
        self, *args: object, root: Path, redirects: dict[str, tuple[str, int]], **kwargs: object
    ) -> None:
        self.root = root
        self.redirects = redirects
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        if not self._redirect():
            self._send(body=True)

    def do_HEAD(self) -> None:
        if not self._redirect():
            self._send(body=False)

    def _redirect(self) -> bool:
        parts = urlsplit(self.path)
        target = self.redirects.get(self.path) or self.redirects.get(parts.path)
        if target is None:
            return False
        self.send_response(target[1])
        self.send_header("Location", target[0])
        self.send_header("Content-Length", "0")
        self.end_headers()
        return True

    def _resolve(self) -> Path | None:
        path = unquote(urlsplit(self.path).path)
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root):
            return None
        if target.is_dir():
            for index in ("index.html", "index.xml"):
                if (target / index).is_file():
                    return target / index
            return None
        return target if target.is_file() else None

    def _send(self, *, body: bool) -> None:
        file = self._resolve()
        if file is None:
            data = b"<!doctype html><title>404</title><h1>Seite nicht gefunden</h1>"
            self.send_response(404)
            content_type = "text/html; charset=utf-8"
        else:
            data = file.read_bytes()
            etag = '"' + hashlib.blake2b(data, digest_size=8).hexdigest() + '"'
            if etag in (self.headers.get("If-None-Match") or ""):
                # Conditional re-check of an unchanged page: no body, as a real server answers.
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(file.stat().st_mtime, usegmt=True))
            content_type = (
                _TYPES.get(file.suffix)
                or mimetypes.guess_type(file.name)[0]
                or "application/octet-stream"
            )
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the crawler logs every request already


def _read_redirects(root: Path) -> dict[str, tuple[str, int]]:
    file = root / "_redirects"
    if not file.is_file():
        return {}
    redirects = {}
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) not in (2, 3):
            raise ValueError(f"{file}:{number}: expected 'FROM TO [STATUS]', got {line!r}")
        redirects[fields[0]] = (fields[1], int(fields[2]) if len(fields) == 3 else 301)
    return redirects


class DemoServer:
    """A running server; use as a context manager or call :meth:`stop`."""

    def __init__(
        self,
        root: Path = DEMO_SITE,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        url_host: str | None = None,
    ) -> None:
        """Serve ``root`` on ``host:port``; ``url_host`` names it in :attr:`url` (``localhost``
        gives a second site on the same loopback address a host name of its own)."""
        self.url_host = url_host or host
        if not root.is_dir():
            raise FileNotFoundError(f"demo site folder {str(root)!r} does not exist")
        handler = partial(_Handler, root=root.resolve(), redirects=_read_redirects(root))
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, name="demo-server", daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        port = self.httpd.server_address[1]
        return f"http://{self.url_host}:{port}/"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> DemoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(root: Path = DEMO_SITE, host: str = "127.0.0.1", port: int = 0) -> DemoServer:
    """Start serving ``root`` in a background thread and return the server."""
    return DemoServer(root, host, port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=DEMO_SITE)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = DemoServer(args.root, port=args.port)
    print(server.url, flush=True)
    try:
        server.thread.join()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
