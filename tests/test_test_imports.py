"""Tests are arranged like the code: no test module imports another test module or conftest.

Shared fixtures live in ``tests/fixtures.py`` (registered by ``conftest.py``), shared helpers and
constants in helper modules (``tests/helpers.py``, ``demo_site.py``, ``crawl_helpers.py``,
``datasette_helpers.py``, ``hostile/``). A test that needs another test's helper moves the
helper there instead of importing the test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

#: Files that still import from conftest, each with its reason. Empty it as they move.
PENDING: dict[str, str] = {}


def is_test_module(name: str) -> bool:
    """Whether a dotted module name inside tests/ is a test module or conftest."""
    last = name.rsplit(".", 1)[-1]
    return last == "conftest" or last.startswith("test_")


def imported_test_modules(source: str, package: tuple[str, ...]) -> list[str]:
    """The test modules (and conftest) that ``source``, a module of ``package``, imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names if alias.name.split(".")[0] == "tests"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                module = ".".join([*base, *([node.module] if node.module else [])])
            elif (node.module or "").split(".")[0] == "tests":
                module = node.module or ""
            else:
                continue
            # "from . import test_x" names the module in the alias; "from .x import y" in module.
            names = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [name for name in names if is_test_module(name)]
    return found


PYTHON_FILES = sorted(path for path in TESTS.rglob("*.py") if "__pycache__" not in path.parts)


def test_the_rule_sees_every_kind_of_import():
    source = (
        "from .conftest import ROOT\n"
        "from ..test_crawl import rows\n"
        "from .. import test_crash\n"
        "import tests.test_docs\n"
        "from tests.conftest import SHARED\n"
        "from .server import HostileServer\n"
        "from ..helpers import ROOT\n"
        "import os.path\n"
    )
    found = imported_test_modules(source, ("tests", "hostile"))
    assert set(found) == {
        "tests.hostile.conftest",
        "tests.test_crawl",
        "tests.test_crash",
        "tests.test_docs",
        "tests.conftest",
    }


@pytest.mark.parametrize("path", PYTHON_FILES, ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_module_imports_another_test_module(path):
    if path.name in PENDING:
        pytest.skip(f"{path.name}: {PENDING[path.name]}")
    package = path.parent.relative_to(TESTS.parent).parts
    found = imported_test_modules(path.read_text(encoding="utf-8"), package)
    assert not found, (
        f"{path.relative_to(TESTS)} imports {found}: move what it needs to "
        "a helper module (tests/helpers.py, …) or a fixture (tests/fixtures.py)"
    )
