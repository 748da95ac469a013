"""The module tree of docs/architecture.md, generated from the package so that it cannot go stale.

One line per module: its line count, its path and the first sentence-line of its docstring.
``python -m tests.architecture_tree --update`` rewrites the block; the test only compares.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "architecture.md"
INTRO = "One line per module: its line count, its path and what it holds.\n\n```\n"
LINE_WIDTH = 147
PATH_WIDTH = 48


def summary(source: str) -> str:
    """The docstring's first paragraph on one line, or nothing."""
    docstring = ast.get_docstring(ast.parse(source)) or ""
    return " ".join(docstring.split("\n\n")[0].split())


def shortened(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return text[: width - 2].rsplit(" ", 1)[0] + " …"


def tree() -> str:
    """The block's text: every module of the package, then the total."""
    lines, total = [], 0
    for path in sorted((REPO / "aligner").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        count = source.count("\n")
        total += count
        name = path.relative_to(REPO).as_posix()
        head = f"{count:5d} {name:<{PATH_WIDTH - 1}}"
        lines.append((head + shortened(summary(source), LINE_WIDTH - len(head))).rstrip())
    lines.append(f"{total:5d} total")
    return "\n".join(lines) + "\n"


def page_with_tree(page: str) -> str:
    start = page.index(INTRO) + len(INTRO)
    end = page.index("```", start)
    return page[:start] + tree() + page[end:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite docs/architecture.md")
    update = parser.parse_args().update
    page = PAGE.read_text(encoding="utf-8")
    fresh = page_with_tree(page)
    if update:
        PAGE.write_text(fresh, encoding="utf-8")
        return 0
    if fresh != page:
        print("docs/architecture.md: the tree is stale: python -m tests.architecture_tree --update")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
