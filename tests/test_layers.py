"""The layers of docs/architecture.md hold: what a fresh interpreter loads, and lint-imports.

``aligner.core`` is pure (no database, command-line or web library is loaded by importing any
of its modules), ``aligner.formats`` works on plain values (no SQLAlchemy), and the contracts
in pyproject.toml are kept — and do catch a module that breaks them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# Walks the package in a fresh interpreter and names, for each library that must not be loaded,
# the first of the package's modules whose import loaded it.
LOADED_BY = """
import importlib, json, pkgutil, sys
package, unwanted = sys.argv[1], sys.argv[2].split(",")
loaded_by = {}
names = [package] + [
    m.name for m in pkgutil.walk_packages(importlib.import_module(package).__path__, package + ".")
]
for name in names:
    importlib.import_module(name)
    for library in unwanted:
        if library in sys.modules and library not in loaded_by:
            loaded_by[library] = name
print(json.dumps({"modules": names, "loaded_by": loaded_by}))
"""


def libraries_loaded_by(package: str, unwanted: list[str]) -> tuple[list[str], dict[str, str]]:
    """Every module of ``package``, and which of ``unwanted`` importing them loaded (by whom)."""
    result = subprocess.run(
        [sys.executable, "-c", LOADED_BY, package, ",".join(unwanted)],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    found = json.loads(result.stdout)
    return found["modules"], found["loaded_by"]


def test_every_core_module_imports_without_database_cli_or_web_libraries() -> None:
    modules, loaded_by = libraries_loaded_by(
        "aligner.core", ["sqlalchemy", "typer", "fastapi", "starlette"]
    )
    assert "aligner.core.dp" in modules
    assert "aligner.core.segmentation.sentences" in modules
    assert loaded_by == {}


def test_every_formats_module_imports_without_sqlalchemy() -> None:
    modules, loaded_by = libraries_loaded_by("aligner.formats", ["sqlalchemy"])
    assert "aligner.formats.ladder" in modules
    assert loaded_by == {}


def lint_imports(root: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` over the ``aligner`` package found in ``root``, with the project's
    contracts (all of them, or those named)."""
    command = [str(LINT_IMPORTS), str(REPO / "pyproject.toml"), "--no-cache", "--no-logo"]
    for contract in contracts:
        command += ["--contract", contract]
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(command, capture_output=True, text=True, cwd=root, env=env)


def test_lint_imports_keeps_every_contract() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "contract", "reported"),
    [
        ("core/dp.py", "import sqlalchemy", "pure-core", "aligner.core.dp -> sqlalchemy"),
        ("core/types.py", "import typer", "pure-core", "aligner.core.types -> typer"),
        (
            "formats/ladder.py", "import aligner.store.models", "plain-formats",
            "aligner.formats.ladder -> aligner.store.models",
        ),
        (
            "core/refine.py", "import aligner.formats.ladder", "layers",
            "aligner.core.refine -> aligner.formats.ladder",
        ),
        (
            "store/queries.py", "import aligner.services.stats", "layers",
            "aligner.store.queries -> aligner.services.stats",
        ),
        (
            "web/parsing.py", "import aligner.cli.output", "layers",
            "aligner.web.parsing -> aligner.cli.output",
        ),
        (
            "cli/stats.py", "import aligner.web.parsing", "layers",
            "aligner.cli.stats -> aligner.web.parsing",
        ),
    ],
)  # fmt: skip
def test_a_layer_break_is_reported(
    tmp_path: Path, module: str, statement: str, contract: str, reported: str
) -> None:
    """A copy of the package with one forbidden import added: lint-imports names it."""
    shutil.copytree(
        REPO / "aligner", tmp_path / "aligner", ignore=shutil.ignore_patterns("__pycache__")
    )
    with (tmp_path / "aligner" / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{statement}  # added by tests/test_layers.py\n")
    result = lint_imports(tmp_path, contract)
    assert result.returncode == 1
    assert reported in result.stdout


def test_every_package_of_the_tree_is_installed() -> None:
    """``pip install .`` ships exactly the packages of the tree (pyproject lists them by hand)."""
    import tomllib

    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    in_tree = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "aligner").rglob("__init__.py")
    }
    assert in_tree - listed == set(), "packages missing from [tool.setuptools] packages"


def test_the_architecture_page_lists_the_tree_as_it_is() -> None:
    """docs/architecture.md's module list is the package's: regenerate it with
    ``python -m tests.architecture_tree --update`` after adding, removing or editing a module."""
    from tests.architecture_tree import PAGE, page_with_tree

    page = PAGE.read_text(encoding="utf-8")
    assert page_with_tree(page) == page, "python -m tests.architecture_tree --update"
