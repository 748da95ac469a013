"""The examples of README.md and docs/*.md print what they show (tests/docs_examples.py).

Each console block is a test of its own (``README.md:52``), run in its page's order; a failure
shows the difference.  ``python -m tests.docs_examples --update`` rewrites the shown output.
"""

from __future__ import annotations

import doctest
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs_examples import (
    REPO,
    Block,
    Examples,
    PageRun,
    documented_files,
    mismatches,
    parse_blocks,
    same_output,
)

# The blocks of a page run in order in one folder, from one set-up: one worker runs them all.
pytestmark = pytest.mark.xdist_group("docs-examples")

SHELL = {"sh", "bash", "shell", "console"}
CONSOLE_BLOCKS = [
    block for path in documented_files() for block in parse_blocks(path) if block.info == "console"
]


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Examples]:
    """The README's set-up command, run once: the database every page's examples start from."""
    examples = Examples(tmp_path_factory.mktemp("docs"))
    try:
        setup = examples.build_template()
        assert setup.returncode == 0, f"the README's set-up command failed:\n{setup.stdout}"
        yield examples
    finally:
        examples.close()


@pytest.fixture(scope="module")
def pages(examples: Examples) -> dict[Path, PageRun]:
    return {path: PageRun(examples, path) for path in documented_files()}


def test_the_setup_command_aligns_and_prints_the_demonstration_pair(examples: Examples) -> None:
    printed = (examples.template / "aligner.sqlite").is_file()
    assert printed, "the set-up command made no aligner.sqlite"
    command = examples.setup_command()
    assert command.startswith("aligner init && aligner import corpora && aligner align ")
    assert command.endswith(
        "aligner show-alignment why-we-quit-1938-introduction --src en --tgt fr-demo"
    )


@pytest.mark.parametrize("block", CONSOLE_BLOCKS, ids=lambda block: block.where)
def test_the_example_prints_what_it_shows(block: Block, pages: dict[Path, PageRun]) -> None:
    printed = pages[block.path].printed(block)
    if printed is None:
        pytest.skip(f"{block.where}: {block.not_run_reason}")
    differences = mismatches(block, printed)
    assert not differences, "\n\n".join(map(str, differences)) + (
        "\n\n(python -m tests.docs_examples --update rewrites the shown output)"
    )


def test_only_a_score_rounded_the_other_way_may_differ() -> None:
    shown = ["w/yi 4.2 0.801  text", "0.99 (12 beads)"]
    assert same_output(shown, ["w/yi 4.2 0.802  text", "0.99 (12 beads)"])
    assert not same_output(shown, ["w/yi 4.2 0.803  text", "0.99 (12 beads)"])
    assert not same_output(shown, ["w/yi 4.3 0.801  text", "0.99 (12 beads)"])
    assert not same_output(shown, ["w/yi 4.2 0.801  other", "0.99 (12 beads)"])
    assert not same_output(shown, ["w/yi 4.2 0.801  text", "0.98 (12 beads)"])  # two places
    assert not same_output(shown, ["w/yi 4.2 0.801  text"])


@pytest.mark.parametrize("path", documented_files(), ids=lambda path: str(path.relative_to(REPO)))
def test_every_shell_block_is_run_or_says_why_not(path: Path) -> None:
    for block in parse_blocks(path):
        if block.info in SHELL and block.info != "console":
            assert block.marker.startswith(("not run:", "set-up command")), (
                f"{block.where}: a ```{block.info} block is not run: make it a console "
                "transcript, or say why with <!-- docs: not run: REASON -->"
            )
        if block.info == "console":
            assert block.commands, f"{block.where}: a console block without a `$ ` command"


PYCON_PAGES = [
    path for path in documented_files() if any(b.info == "pycon" for b in parse_blocks(path))
]


@pytest.mark.parametrize("path", PYCON_PAGES, ids=lambda path: str(path.relative_to(REPO)))
def test_the_python_examples_are_doctests_that_pass(path: Path, examples: Examples) -> None:
    """The page's ``pycon`` blocks, one doctest, run in a folder after the set-up command."""
    blocks = [block for block in parse_blocks(path) if block.info == "pycon"]
    source = "\n\n".join("\n".join(block.body) for block in blocks)
    test = doctest.DocTestParser().get_doctest(source, {}, path.name, str(path), blocks[0].line)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    folder = examples.new_folder(with_database=True)
    previous = Path.cwd()
    os.chdir(folder)
    try:
        result = runner.run(test)
    finally:
        os.chdir(previous)
    assert result.attempted > 0
    assert result.failed == 0, f"{path.name}: {result.failed} of {result.attempted} failed"


def heading_anchors(path: Path) -> set[str]:
    """The anchors GitHub makes of a page's headings: lower case, punctuation dropped, spaces
    made hyphens."""
    anchors = set()
    for block_free in _outside_code(path):
        heading = re.match(r"#+\s+(.*)", block_free)
        if heading:
            words = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower())
            anchors.add(words.replace(" ", "-"))
    return anchors


def _outside_code(path: Path) -> Iterator[str]:
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            yield line


@pytest.mark.parametrize("path", documented_files(), ids=lambda path: str(path.relative_to(REPO)))
def test_every_link_between_the_pages_leads_somewhere(path: Path) -> None:
    for line in _outside_code(path):
        for target in re.findall(r"\]\(([^)\s]+)\)", line):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            file, _, anchor = target.partition("#")
            destination = (path.parent / file).resolve() if file else path
            assert destination.exists(), f"{path.name}: {target}: no such file"
            if anchor and destination.suffix == ".md":
                assert anchor in heading_anchors(destination), f"{path.name}: {target}: no heading"
