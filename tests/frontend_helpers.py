"""A real Datasette and a real headless Chromium for the front-end tests (tests/test_frontend.py).

Datasette runs as a subprocess on 127.0.0.1 at a free port, with the project's plugin and
nothing else on its command line (``datasette ARCHIVE``), or with ``-m metadata.yml`` too.
Chromium is Debian's ``chromium`` driven through its ``chromedriver`` by Selenium (no browser
download). Screenshots go to ``test-artifacts/frontend/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .helpers import ROOT

METADATA = ROOT / "newscrawler" / "archive" / "metadata.yml"
ARTIFACTS = ROOT / "test-artifacts" / "frontend"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-proxy-server", "--hide-scrollbars",
)  # fmt: skip
#: The two screens a reader uses: a laptop, and a phone (CSS pixels of a common Android phone).
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
#: A loopback opener: never a proxy from the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def missing_browser() -> str | None:
    """Why the browser cannot run here, or None when it can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            return f"{program} is not installed (apt-get install -y chromium chromium-driver)"
    return None


def skip_or_fail_without_browser() -> None:
    """Skip when Chromium or Selenium is missing, except under ``CI=true``, where it fails."""
    reason = missing_browser()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the browser test cannot run: {reason}")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, timeout: float = 10) -> tuple[int, str]:
    """Status and text of a GET on the loopback server."""
    try:
        with OPENER.open(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@contextmanager
def datasette_server(archive: Path, log_dir: Path, *extra: str) -> Iterator[str]:
    """``datasette serve ARCHIVE EXTRA…`` on 127.0.0.1 at a free port; yields its base URL."""
    port = free_port()
    log_path = log_dir / f"datasette-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "datasette", "serve", str(archive), *extra,
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    OPENER.open(f"{url}/-/versions.json", timeout=2).read()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            f"datasette did not start: {log_path.read_text()[-2000:]}"
                        ) from None
                    time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def chromium(profile_dir: Path) -> Iterator[Any]:
    """A headless Chromium driven by Selenium; quit on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    driver = webdriver.Chrome(
        options=options, service=Service(executable_path=shutil.which("chromedriver"))
    )
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def set_width(driver: Any, name: str) -> None:
    """Size the window so the page's viewport is that of a desktop or a phone."""
    width, height = WIDTHS[name]
    driver.set_window_size(width, height)
    # The window includes no chrome in headless mode, but check: a phone layout needs <= 576 px.
    inner = driver.execute_script("return window.innerWidth")
    if inner != width:
        driver.set_window_size(2 * width - inner, height)


def screenshot(driver: Any, name: str, *, full_page: bool = True) -> Path:
    """Save the page (its full height by default) as ``test-artifacts/frontend/NAME.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if full_page:
        width = driver.execute_script("return window.innerWidth")
        height = driver.execute_script(
            "return Math.min(document.documentElement.scrollHeight, 6000)"
        )
        old = driver.get_window_size()
        driver.set_window_size(old["width"], max(height, 200))
        driver.save_screenshot(str(path))
        driver.set_window_size(old["width"], old["height"])
        assert driver.execute_script("return window.innerWidth") == width
    else:
        driver.save_screenshot(str(path))
    return path


def horizontal_overflow(driver: Any) -> int:
    """Pixels the page is wider than the window (0 when nothing is cut off at the right edge)."""
    return int(
        driver.execute_script(
            "return Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
        )
    )
