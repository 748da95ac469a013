"""Run the shell examples of README.md and docs/*.md, and check or rewrite what they print.

A fenced block whose info string is ``console`` is a transcript: each line starting with ``$ ``
is a command (continued on the next line after a trailing backslash), and the lines up to the
next command are what it prints, stdout and stderr together (in a pipeline, where the two race
each other, stderr comes last).  The blocks of one Markdown file
run in order in one folder, which starts as the repository root does after the README's set-up
command: ``aligner.sqlite`` (built once per run by the set-up command itself), ``corpora/`` and
the example input files of ``docs/examples/``.  An HTML comment on the line before a block
changes that:

* ``<!-- docs: new folder -->``: the block runs in a folder of its own, with the example files
  and no database;
* ``<!-- docs: needs ../shared/data -->``: the block runs only where the gold data is;
* ``<!-- docs: not run: REASON -->``: the block is shown, not run (a server, an hour-long
  benchmark); every ``sh`` block of commands needs one.

Output is compared line by line after removing trailing spaces and writing dates, times and
access tokens as placeholders (they differ on every run); the examples' folder is shown as
``/tmp/tour``.  ``python -m tests.docs_examples --update`` runs every example and writes what
it printed back into the Markdown files; ``python -m tests.docs_examples`` only checks.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.docs_forkserver import ForkServer

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
EXAMPLE_FILES = REPO / "docs" / "examples"
SHOWN_FOLDER = "/tmp/tour"
# Tables are laid out for the width of a terminal; the examples are printed at this one.
COLUMNS = "100"
COMMAND_TIMEOUT_S = 600

MARKER = re.compile(r"<!--\s*docs:\s*(.*?)\s*-->")
VOLATILE = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"), "<time>"),
    (re.compile(r"\d{8}T\d{6}Z"), "<time>"),
    (re.compile(r"(?<=when=\")\d{4}-\d\d-\d\d(?=\">)"), "<date>"),
    (re.compile(r"(?<=>)\d{4}-\d\d-\d\d(?=</date>)"), "<date>"),
    (re.compile(r"(?<=token=)[\w-]{16,}|(?<=Bearer )[\w-]{16,}"), "<token>"),
]


@dataclass
class Command:
    line: int  # 1-based line of the ``$`` in the Markdown file
    text: str  # the command line(s), without the ``$ ``
    shown: list[str]  # what the file says it prints


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    end: int  # 1-based line of the closing fence
    info: str
    marker: str
    body: list[str] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"

    @property
    def not_run_reason(self) -> str | None:
        if self.marker.startswith("not run:"):
            return self.marker.removeprefix("not run:").strip()
        if self.marker == "needs ../shared/data" and not SHARED_DATA.is_dir():
            return f"{SHARED_DATA} is absent (a user's checkout); CI runs it"
        return None


def documented_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def parse_blocks(path: Path) -> list[Block]:
    """Every fenced code block of a Markdown file, with its marker and, for ``console``, its
    commands and their shown output."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        fence = re.match(r"^(```+)\s*(\S*)", lines[index])
        if not fence:
            index += 1
            continue
        previous = lines[index - 1] if index else ""
        found = MARKER.search(previous)
        close = index + 1
        while close < len(lines) and not lines[close].startswith(fence.group(1)):
            close += 1
        marker = found.group(1) if found else ""
        block = Block(path, index + 1, close + 1, fence.group(2), marker, lines[index + 1 : close])
        if block.info == "console":
            block.commands = _commands(lines, index + 1, close)
        blocks.append(block)
        index = close + 1
    return blocks


def _commands(lines: list[str], start: int, stop: int) -> list[Command]:
    commands: list[Command] = []
    index = start
    while index < stop:
        line = lines[index]
        if not line.startswith("$ "):
            if not commands:
                raise ValueError(f"line {index + 1}: a console block must start with `$ `")
            commands[-1].shown.append(line)
            index += 1
            continue
        first = index
        text = line[2:]
        while text.endswith("\\") and index + 1 < stop:
            index += 1
            text += "\n" + lines[index]
        commands.append(Command(first + 1, text, []))
        index += 1
    return commands


def normalized(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        for pattern, placeholder in VOLATILE:
            line = pattern.sub(placeholder, line)
        out.append(line.rstrip())
    while out and not out[-1]:
        out.pop()
    return out


class Examples:
    """The folders and the ``aligner`` the examples run with, for one run of the checks."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.server = ForkServer(root)
        self.env = {
            **os.environ,
            "PATH": f"{self.server.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "COLUMNS": COLUMNS,
            "LC_ALL": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
        }
        for name in ("ALIGNER_DB", "ALIGNER_INDEX_DIR", "ALIGNER_SERVE_TOKEN"):
            self.env.pop(name, None)
        self.template = root / "template"
        if SHARED_DATA.is_dir():  # so that ../shared/data is there beside every example folder
            (root / "shared").symlink_to(SHARED_DATA.parent)
        self._folders = 0

    def close(self) -> None:
        self.server.close()

    def setup_command(self) -> str:
        """The README's set-up command after the install: what builds every example's start."""
        text = (REPO / "README.md").read_text(encoding="utf-8")
        install = "python3 -m venv .venv && .venv/bin/pip install . && "
        found = re.search("```sh\n(" + re.escape(install) + ".*)\n```", text)
        if found is None:
            raise ValueError("README.md: the set-up command (python3 -m venv …) is missing")
        return found.group(1).removeprefix(install).replace(".venv/bin/aligner", "aligner")

    def build_template(self) -> subprocess.CompletedProcess[str]:
        """Run the set-up command in a folder of its own: the database every page starts with."""
        self.template.mkdir()
        (self.template / "corpora").symlink_to(REPO / "corpora")
        return self.run_shell(self.setup_command(), self.template)

    def new_folder(self, *, with_database: bool) -> Path:
        self._folders += 1
        folder = self.root / f"tour{self._folders}"
        folder.mkdir()
        (folder / "corpora").symlink_to(REPO / "corpora")
        if EXAMPLE_FILES.is_dir():
            for item in EXAMPLE_FILES.iterdir():
                if item.is_dir():
                    shutil.copytree(item, folder / item.name, symlinks=True)
                else:
                    shutil.copy2(item, folder / item.name, follow_symlinks=False)
        if with_database:
            shutil.copy2(self.template / "aligner.sqlite", folder / "aligner.sqlite")
        return folder

    def run_shell(self, command: str, folder: Path) -> subprocess.CompletedProcess[str]:
        """Run a command line with stderr merged into stdout, in the order they were written."""
        return subprocess.run(
            ["bash", "-c", f"{{ {command}\n}} 2>&1"],
            cwd=folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
        )

    def printed(self, command: Command, folder: Path) -> list[str]:
        if "|" in command.text:
            # In a pipeline, what the last program prints and what the first writes to stderr
            # race each other to the terminal: stderr is shown after the output, every time.
            result = subprocess.run(
                ["bash", "-c", command.text],
                cwd=folder,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT_S,
            )
            text = result.stdout + result.stderr
        else:
            text = self.run_shell(command.text, folder).stdout
        text = text.replace(str(folder), SHOWN_FOLDER)
        return [line.rstrip() for line in text.splitlines()]


@dataclass
class Mismatch:
    where: str
    command: str
    shown: list[str]
    printed: list[str]

    def __str__(self) -> str:
        import difflib

        diff = difflib.unified_diff(self.shown, self.printed, "shown", "printed", lineterm="")
        return f"{self.where}: $ {self.command}\n" + "\n".join(diff)


class PageRun:
    """One page's console blocks, run in order in the page's folder, each at most once."""

    def __init__(self, examples: Examples, path: Path) -> None:
        self.examples = examples
        self.blocks = [block for block in parse_blocks(path) if block.info == "console"]
        self.folder = examples.new_folder(with_database=True)
        self._printed: dict[int, list[list[str]] | None] = {}

    def printed(self, block: Block) -> list[list[str]] | None:
        """What the block's commands printed (running the blocks before it first), or None
        for a block that is not run."""
        for earlier in self.blocks:
            if earlier.line not in self._printed:
                self._printed[earlier.line] = self._run(earlier)
            if earlier.line == block.line:
                break
        return self._printed[block.line]

    def _run(self, block: Block) -> list[list[str]] | None:
        if block.not_run_reason is not None:
            return None
        new = block.marker == "new folder"
        here = self.examples.new_folder(with_database=False) if new else self.folder
        return [self.examples.printed(command, here) for command in block.commands]


def run_file(examples: Examples, path: Path) -> Iterator[tuple[Block, list[list[str]] | str]]:
    """Run a file's console blocks in order: each block with what its commands printed, or the
    reason it was not run."""
    page = PageRun(examples, path)
    for block in page.blocks:
        printed = page.printed(block)
        yield block, printed if printed is not None else str(block.not_run_reason)


# A score of three decimals or more; the last one may differ between machines (below).
SCORE = re.compile(r"\d+\.\d{3,}")


def same_output(shown: list[str], printed: list[str]) -> bool:
    """The same lines, but for scores a unit apart in their last printed place: the same
    vectors summed by another machine's BLAS kernels can differ in the seventh digit, enough to
    print 0.8015 as 0.801 on one machine and 0.802 on another."""
    a, b = normalized(shown), normalized(printed)
    if len(a) != len(b):
        return False
    return all(x == y or _scores_close(x, y) for x, y in zip(a, b, strict=True))


def _scores_close(shown: str, printed: str) -> bool:
    if SCORE.sub("#", shown) != SCORE.sub("#", printed):
        return False
    for x, y in zip(SCORE.findall(shown), SCORE.findall(printed), strict=True):
        places = len(x.split(".")[1])
        if len(y.split(".")[1]) != places or abs(float(x) - float(y)) > 1.5 * 10**-places:
            return False
    return True


def mismatches(block: Block, printed: list[list[str]]) -> list[Mismatch]:
    return [
        Mismatch(f"{block.path.relative_to(REPO)}:{command.line}", command.text, command.shown, out)
        for command, out in zip(block.commands, printed, strict=True)
        if not same_output(command.shown, out)
    ]


def rewrite(path: Path, outputs: dict[int, list[list[str]]]) -> None:
    """Put what each command printed under it, in the blocks run (keyed by opening line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for block in reversed(parse_blocks(path)):
        if block.line not in outputs:
            continue
        body: list[str] = []
        for command, out in zip(block.commands, outputs[block.line], strict=True):
            kept = command.shown if same_output(command.shown, out) else out
            body += ["$ " + command.text, *kept]
        lines[block.line : block.end - 1] = body
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="default: README.md and docs/*.md")
    parser.add_argument("--update", action="store_true", help="write the printed output back")
    options = parser.parse_args()
    files = [path.resolve() for path in options.files] or documented_files()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="aligner-docs-") as root:
        examples = Examples(Path(root))
        try:
            setup = examples.build_template()
            if setup.returncode != 0:
                print(f"the set-up command failed:\n{setup.stdout}", file=sys.stderr)
                return 1
            for path in files:
                outputs: dict[int, list[list[str]]] = {}
                for block, result in run_file(examples, path):
                    if isinstance(result, str):
                        print(f"{block.where}: not run: {result}")
                        continue
                    outputs[block.line] = result
                    for mismatch in mismatches(block, result):
                        failures += 1
                        if not options.update:
                            print(mismatch)
                if options.update and outputs:
                    rewrite(path, outputs)
        finally:
            examples.close()
    if options.update:
        print(f"updated {len(files)} files ({failures} examples changed)")
        return 0
    print(f"{failures} examples differ from what they print")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
