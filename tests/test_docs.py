"""The docs document every setting, command, stats key and site profile key; the README stays short.

The README is a short front page (the two set-up commands first, then links); everything else
is in ``docs/``, by audience. These tests read the code to find what must be documented, so a
new setting, command or stats key fails here until a doc page names it.
"""

from __future__ import annotations

import ast
import re

import pytest

from newscrawler import settings as project_settings
from newscrawler.sites import _KEYS as PROFILE_KEYS

from .helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS_DIR = ROOT / "docs"
DOC_PAGES = {path.name: path.read_text(encoding="utf-8") for path in DOCS_DIR.glob("*.md")}
DOCS = "\n".join(DOC_PAGES.values())
COMMANDS_DOC = DOC_PAGES.get("commands.md", "")
README_MAX_LINES = 150

ALL_SETTINGS = sorted(name for name in dir(project_settings) if name.isupper())
COMMANDS = sorted(p.stem for p in (ROOT / "newscrawler" / "commands").glob("[a-z]*.py"))

# -- stats keys the code writes ----------------------------------------------------------------
#: A stats key: ``newscrawler/`` then lower-case path segments (no dots, no spaces: not a file
#: name nor the User-Agent).
_KEY_TEXT = re.compile(r"newscrawler/[a-z0-9_]+(?:/[a-z0-9_]+)*")
#: What a variable part of a key (an f-string field, a host) may be in the docs: a placeholder
#: such as ``<rule>`` or a concrete value such as ``articles_new``'s ``new``.
_VARIABLE = r"(?:<[^<>`\s]+>|[\w.-]+)"
_SITE_PREFIX = "newscrawler/site/{}/"


def _key_pattern(node: ast.expr) -> str | None:
    """The key a string or f-string node spells, as a regex over the docs; ``None`` if no key."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value) if _KEY_TEXT.fullmatch(node.value) else None
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                if not re.fullmatch(r"[a-z0-9_/]*", value.value):
                    return None
                parts.append(re.escape(value.value))
            else:
                parts.append(_VARIABLE)
        pattern = "".join(parts)
        return pattern if pattern.startswith("newscrawler/") else None
    return None


def _site_key_pattern(node: ast.expr) -> str | None:
    """``site_stat(url, NAME)``'s key, ``newscrawler/site/<host>/NAME``, as a regex."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        name = re.escape(node.value)
    elif isinstance(node, ast.JoinedStr):
        name = "".join(
            re.escape(v.value) if isinstance(v, ast.Constant) else _VARIABLE for v in node.values
        )
    else:
        return None
    return re.escape("newscrawler/site/") + _VARIABLE + "/" + name


def stats_keys_in_code() -> dict[str, str]:
    """Every stats key the code writes, as a regex, with where it is written."""
    keys: dict[str, str] = {}
    for path in sorted((ROOT / "newscrawler").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        # The literal pieces of an f-string are Constant nodes too: only the whole f-string counts.
        pieces = {
            id(value)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for value in node.values
        }
        for node in ast.walk(tree):
            if id(node) in pieces:
                continue
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name == "site_stat" and len(node.args) == 2:
                    pattern = _site_key_pattern(node.args[1])
                    if pattern:
                        keys.setdefault(pattern, f"{where}:{node.lineno}")
            elif isinstance(node, ast.Constant | ast.JoinedStr):
                pattern = _key_pattern(node)
                if pattern:
                    keys.setdefault(pattern, f"{where}:{node.lineno}")
    return keys


STATS_KEYS = stats_keys_in_code()


# -- the README --------------------------------------------------------------------------------
def test_the_first_lines_are_the_two_setup_commands():
    commands = [line.strip() for line in README.splitlines()[:12] if line.startswith("    ")]
    assert commands[0].endswith(".venv/bin/scrapy demo")
    assert commands[1].endswith(".venv/bin/python -m pytest")
    # The demo needs no test tools (a lean install); the tests install the test extra.
    assert commands[0].startswith("python3 -m venv .venv && .venv/bin/pip install -e . &&")
    assert commands[1].startswith('python3 -m venv .venv && .venv/bin/pip install -e ".[test]"')


def test_the_readme_is_a_short_page():
    lines = len(README.splitlines())
    assert lines < README_MAX_LINES, (
        f"README.md has {lines} lines; keep it under {README_MAX_LINES} and move details to docs/"
    )


def test_the_readme_links_every_doc_page():
    for name in DOC_PAGES:
        assert f"docs/{name}" in README, f"README does not link docs/{name}"


@pytest.mark.parametrize(
    "name",
    [
        "crawling.md",
        "scheduling.md",
        "archive.md",
        "extraction.md",
        "reliability.md",
        "performance.md",
        "development.md",
        "settings.md",
        "stats.md",
        "commands.md",
    ],
)
def test_every_audience_has_its_doc_page(name):
    assert name in DOC_PAGES, f"docs/{name} is missing"


def test_links_between_doc_pages_resolve():
    for name, text in [("README.md", README), *DOC_PAGES.items()]:
        base = ROOT if name == "README.md" else DOCS_DIR
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text):
            if target.endswith("crawling-discovery.md"):
                continue  # written by the discovery work, which may land after this page
            assert (base / target).is_file(), f"{name} links to {target}, which does not exist"


# -- settings, commands, site profiles ----------------------------------------------------------
def test_there_are_settings_of_our_own():
    assert {"ARCHIVE_PATH", "DEDUP_NEAR_THRESHOLD", "RECRAWL_DAYS"} <= set(ALL_SETTINGS)


@pytest.mark.parametrize("name", ALL_SETTINGS)
def test_every_setting_of_ours_is_documented(name):
    # docs/settings.md is the one table; a component's own page may document a setting first.
    assert f"`{name}`" in DOCS, f"no page of docs/ documents the setting {name} (docs/settings.md)"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented(command):
    pattern = rf"scrapy {command.replace('_', '[-_]')}\b"
    assert re.search(pattern, COMMANDS_DOC), f"docs/commands.md never shows `scrapy {command}`"
    assert re.search(pattern, DOCS.replace(COMMANDS_DOC, "")), (
        f"no doc page besides commands.md shows `scrapy {command}` in use"
    )


@pytest.mark.parametrize("key", sorted(PROFILE_KEYS))
def test_every_site_profile_key_is_documented(key):
    crawling = DOC_PAGES.get("crawling.md", "")
    assert re.search(rf"^{key} =|^\[\w+\.{key}\]", crawling, re.MULTILINE), (
        f"docs/crawling.md's profile example lacks {key}"
    )


# -- stats keys --------------------------------------------------------------------------------
def test_the_code_writes_stats_keys_we_can_find():
    assert re.escape("newscrawler/archive/articles_new") in STATS_KEYS
    assert any(p.startswith(re.escape("newscrawler/site/")) for p in STATS_KEYS)
    assert any(p.startswith(re.escape("newscrawler/clean/")) for p in STATS_KEYS)


@pytest.mark.parametrize(
    "pattern", sorted(STATS_KEYS), ids=lambda p: p.replace(_VARIABLE, "<*>").replace("\\", "")
)
def test_every_stats_key_is_documented(pattern):
    # docs/stats.md lists them; a component's own page may document a key first.
    assert re.search(rf"`{pattern}`", DOCS), (
        f"no page of docs/ documents the stats key {pattern.replace(chr(92), '')} (docs/stats.md) "
        f"(written at {STATS_KEYS[pattern]})"
    )
