"""A lean install (no extras) runs the demo and the crawl: nothing outside the core dependencies
is imported until a command that needs it runs."""

from __future__ import annotations

import subprocess
import sys

from .helpers import ROOT

# Blocks the optional packages as if they were not installed, then runs Scrapy's command line.
WITHOUT_EXTRAS = """
import sys
for name in ("redis", "scrapy_redis", "selenium", "hypothesis", "datasketch", "scrapyd"):
    sys.modules[name] = None
from scrapy.cmdline import execute
sys.argv = ["scrapy", *sys.argv[1:]]
execute()
"""


def scrapy_without_extras(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRAS, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_every_command_is_listed_without_the_optional_extras():
    result = scrapy_without_extras("-h")
    assert result.returncode == 0, result.stderr[-3000:]
    for command in ("crawl", "demo", "export", "extract", "reextract", "archive-writer"):
        assert command in result.stdout


def test_the_distributed_writer_says_which_extra_it_needs():
    result = scrapy_without_extras("archive-writer", "-s", "REDIS_URL=redis://127.0.0.1:9/0")
    assert result.returncode != 0
    assert "pip install -e '.[redis]'" in result.stderr
