"""The command line reads the same everywhere: workflow order, an example at the end of every
help page that the command accepts, plain usage lines, and usage errors as one line."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

import pytest
import typer
from typer import _click as click
from typer.core import TyperGroup

from aligner.cli import app
from aligner.cli.framework import COMMAND_ORDER
from tests.conftest import Cli, assert_one_line_error

EXAMPLE = re.compile(r"^Example: (aligner .*)$")


def root() -> TyperGroup:
    command = typer.main.get_command(app)
    assert isinstance(command, TyperGroup)
    return command


def command_paths() -> Iterator[tuple[str, ...]]:
    """Every command and group of ``aligner``, as the words that call it (the root is ())."""

    def walk(group: TyperGroup, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        yield path
        for name in group.list_commands(click.Context(group)):
            command = group.commands[name]
            if isinstance(command, TyperGroup):
                yield from walk(command, (*path, name))
            else:
                yield (*path, name)

    yield from walk(root(), ())


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = root()
    for name in path:
        assert isinstance(command, TyperGroup)
        command = command.commands[name]
    return command


def parsed_command(words: list[str]) -> tuple[str, ...]:
    """The path of the command ``aligner WORDS`` runs, its options and arguments parsed and
    checked (an unknown option, a missing argument or a bad value raises), without running it."""
    command: click.Command = root()
    ctx = command.make_context("aligner", words[1:])
    while isinstance(command, TyperGroup):
        name, sub, rest = command.resolve_command(ctx, ctx._protected_args + ctx.args)
        assert sub is not None and name is not None
        ctx = sub.make_context(name, rest, parent=ctx)
        command = sub
    return tuple(ctx.command_path.split()[1:])


def examples(command: click.Command) -> list[list[str]]:
    paragraphs = (command.epilog or "").split("\n\n")
    found = [EXAMPLE.match(" ".join(p.split())) for p in paragraphs]
    return [shlex.split(match.group(1)) for match in found if match]


@pytest.mark.parametrize("path", list(command_paths()), ids=lambda p: " ".join(p) or "aligner")
def test_every_help_page_ends_with_an_example_the_command_accepts(
    sqlite_cli: Cli, path: tuple[str, ...]
) -> None:
    command = command_at(path)
    found = examples(command)
    assert found, f"aligner {' '.join(path)}: no example in its help"
    for words in found:
        assert parsed_command(words)[: len(path)] == path, words
    shown = sqlite_cli.ok(*path, "--help").stdout
    last = " ".join(shown.rsplit("─╯", 1)[-1].split())  # what follows the last panel
    assert last == " ".join((command.epilog or "").split())
    usage = next(line for line in shown.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage, usage
    assert "<bool>" not in shown


def test_the_commands_are_listed_in_workflow_order(sqlite_cli: Cli) -> None:
    assert root().list_commands(click.Context(root())) == list(COMMAND_ORDER)
    shown = sqlite_cli.ok("--help").stdout
    places = [shown.index(f"│ {name} ") for name in COMMAND_ORDER]
    assert places == sorted(places)


def test_usage_errors_are_one_line_with_the_usage(sqlite_cli: Cli) -> None:
    missing = sqlite_cli("align-files")
    assert_one_line_error(missing, "Missing argument 'SRC'", "align-files [OPTIONS] SRC TGT")
    assert missing.stderr.endswith(" align-files --help for more)\n")
    assert_one_line_error(sqlite_cli("works", "--bogus"), "No such option: --bogus")
    assert_one_line_error(
        sqlite_cli("show-alignment", "w", "--below", "x"), "'--below'", "show-alignment"
    )
    assert_one_line_error(sqlite_cli("export", "tmx"), "Missing option '--tgt'", "export tmx")
