"""The code's rooms keep their rules: pure packages know nothing of Scrapy, nor of each other."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "newscrawler"
#: Pure modules: html, text, URLs and SQLite in, values out. No Scrapy, no Twisted.
PURE = ("extract", "archive", "dedup", "urls.py", "fields.py", "records.py", "rawcodec.py")


def modules_of(room: str) -> list[Path]:
    path = PACKAGE / room
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def imported_names(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def loaded_by(module: str) -> set[str]:
    """Top-level packages in ``sys.modules`` after importing ``module`` in a fresh interpreter."""
    code = f"import json, sys, {module}; print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
        timeout=120,
    )
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("room", PURE)
def test_pure_rooms_import_no_scrapy_or_twisted(room):
    for path in modules_of(room):
        bad = {n for n in imported_names(path) if n.split(".")[0] in ("scrapy", "twisted")}
        assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {sorted(bad)}"


@pytest.mark.parametrize(
    "module",
    ["newscrawler.extract", "newscrawler.archive", "newscrawler.dedup.minhash", "newscrawler.urls"],
)
def test_pure_packages_load_no_scrapy_or_twisted(module):
    assert not loaded_by(module) & {"scrapy", "twisted"}


def test_the_archive_imports_nothing_from_extraction():
    for path in modules_of("archive"):
        bad = {n for n in imported_names(path) if n.startswith("newscrawler.extract")}
        assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {sorted(bad)}"


def test_extraction_imports_no_item_class():
    for path in modules_of("extract"):
        bad = {n for n in imported_names(path) if n.startswith("newscrawler.items")}
        assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {sorted(bad)}"


def test_canonicalising_a_url_loads_no_extraction_and_no_lxml():
    loaded = loaded_by("newscrawler.urls")
    assert "lxml" not in loaded
    assert not loaded & {"scrapy", "twisted", "sqlite_utils"}


def test_a_worker_process_loads_neither_scrapy_twisted_nor_sqlite_utils():
    assert not loaded_by("newscrawler.workers.job") & {"scrapy", "twisted", "sqlite_utils"}
    assert (PACKAGE / "workers" / "__init__.py").read_text(encoding="utf-8").strip() == ""


def test_no_module_is_left_loose_beside_the_rooms():
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == sorted(
        [
            "__init__.py",
            "fields.py",
            "items.py",
            "logformatter.py",
            "pipelines.py",
            "rawcodec.py",
            "records.py",
            "request_fingerprinter.py",
            "settings.py",
            "sites.py",
            "stats.py",
            "switches.py",
            "urls.py",
        ]
    )
