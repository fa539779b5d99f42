"""The README documents every setting of our own, every spider, command and site profile key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scrapy.settings import default_settings

from newscrawler import settings as project_settings
from newscrawler.sites import _KEYS as PROFILE_KEYS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

OUR_SETTINGS = sorted(
    name
    for name in dir(project_settings)
    if name.isupper() and not hasattr(default_settings, name) and name not in {"BOT_NAME"}
)


def test_there_are_settings_of_our_own():
    assert {"ARCHIVE_PATH", "DEDUP_NEAR_THRESHOLD", "RECRAWL_DAYS"} <= set(OUR_SETTINGS)


@pytest.mark.parametrize("name", OUR_SETTINGS)
def test_every_setting_of_ours_is_documented(name):
    assert f"`{name}`" in README, f"README does not document the setting {name}"


@pytest.mark.parametrize(
    "command", sorted(p.stem for p in (ROOT / "newscrawler" / "commands").glob("[a-z]*.py"))
)
def test_every_command_is_documented(command):
    assert re.search(rf"scrapy {command.replace('_', '[-_]')}\b", README), (
        f"README never shows `scrapy {command}`"
    )


@pytest.mark.parametrize("key", sorted(PROFILE_KEYS))
def test_every_site_profile_key_is_documented(key):
    assert re.search(rf"^{key} =|^\[\w+\.{key}\]", README, re.MULTILINE), (
        f"README's profile example lacks {key}"
    )


def test_the_first_lines_are_the_two_setup_commands():
    commands = [line.strip() for line in README.splitlines()[:12] if line.startswith("    ")]
    assert commands[0].endswith(".venv/bin/scrapy demo")
    assert commands[1].endswith(".venv/bin/python -m pytest")
    assert all(
        c.startswith('python3 -m venv .venv && .venv/bin/pip install -e ".[test]"')
        for c in commands[:2]
    )
