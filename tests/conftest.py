"""Registers the shared fixtures of ``tests/fixtures.py`` for every test.

Helpers and constants live in helper modules (``tests/helpers.py`` and its neighbours); test
modules import them from there, not from this file.
"""

from __future__ import annotations

from .fixtures import demo_crawl, demo_server, seed_article

# Kept for test modules that still import them from here (tests/test_pagetypes.py: SHARED);
# new code imports them from tests/helpers.py.
from .helpers import ROOT, SHARED, run_crawl

__all__ = ["ROOT", "SHARED", "demo_crawl", "demo_server", "run_crawl", "seed_article"]
