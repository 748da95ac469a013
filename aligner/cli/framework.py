"""How every ``aligner`` command presents itself: help that ends with its examples, plain
metavars (``WORK``, no ``<bool>`` after a flag), commands in workflow order, and usage errors
and :class:`AlignerError` as one ``Error: …`` line on stderr."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

import typer
from typer import _click as click
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from aligner.errors import AlignerError

# The order a new user meets the commands in; anything not named comes after, as registered.
COMMAND_ORDER = (
    "init", "import", "declare", "works", "show", "align", "runs", "show-alignment", "stats",
    "search", "index", "export", "serve", "align-files", "eval",
)  # fmt: skip
EXAMPLE_PREFIX = "Example"
_REQUIRED_IN_USAGE = re.compile(r"^\{(.*)\}(\.\.\.)?$")


def _split_examples(help_text: str | None) -> tuple[str | None, str | None]:
    """The help without its ``Example…`` paragraphs, and those paragraphs (the epilog)."""
    if not help_text:
        return help_text, None
    paragraphs = [p.strip() for p in help_text.strip().split("\n\n")]
    examples = [p for p in paragraphs if p.startswith(EXAMPLE_PREFIX)]
    kept = [p for p in paragraphs if not p.startswith(EXAMPLE_PREFIX)]
    return "\n\n".join(kept), ("\n\n".join(examples) or None)


def _tidy(command: click.Command) -> None:
    """Examples last (the epilog), arguments named in capitals, flags without a value type."""
    if command.epilog is None:
        command.help, command.epilog = _split_examples(command.help)
    for param in command.params:
        _tidy_param(param)


def _tidy_param(param: click.Parameter) -> None:
    if isinstance(param, TyperArgument) and param.metavar is None and param.name:
        param.metavar = param.name.upper()
    elif isinstance(param, TyperOption) and (param.is_flag or param.count):
        param.metavar = ""  # a flag takes no value: show no type after it


def _plain_usage(pieces: Sequence[str]) -> list[str]:
    """``WORK`` rather than ``{WORK}`` in the usage line (brackets still mark what is optional)."""
    plain = []
    for piece in pieces:
        required = _REQUIRED_IN_USAGE.match(piece)
        plain.append(required.group(1) + (required.group(2) or "") if required else piece)
    return plain


def _help_option(option: TyperOption | None) -> TyperOption | None:
    if option is not None:
        _tidy_param(option)
    return option


class _TidyHelp(click.Command):
    """Help and usage as :mod:`aligner.cli.framework` describes, for a command or a group
    (placed before Typer's class in the bases, so ``super()`` reaches it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _tidy(self)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return _plain_usage(super().collect_usage_pieces(ctx))

    def get_help_option(self, ctx: click.Context) -> TyperOption | None:
        return _help_option(super().get_help_option(ctx))


class AlignerCommand(_TidyHelp, TyperCommand):
    """A command whose help and usage read as :mod:`aligner.cli.framework` describes."""


class AlignerGroup(_TidyHelp, TyperGroup):
    """A group of commands: listed in workflow order; every :class:`AlignerError`, usage error
    and system error about a file printed as one ``Error: …`` line on stderr, with its exit
    code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        return [n for n in COMMAND_ORDER if n in names] + [
            n for n in names if n not in COMMAND_ORDER
        ]

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AlignerError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            raise
        except OSError as exc:  # what the system says of a path no check foresaw (a name too long)
            problem = (exc.strerror or str(exc)).lower()
            typer.echo(
                f"Error: {exc.filename}: {problem}" if exc.filename else f"Error: {problem}",
                err=True,
            )
            raise typer.Exit(2) from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """As Typer's, but a usage error is one line (Typer draws a box of several)."""
        if not standalone_mode:
            return super().main(
                args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra
            )
        try:
            result = super().main(
                args, prog_name, complete_var, False, windows_expand_args, **extra
            )
        except NoArgsIsHelpError as exc:  # the help was printed when the error was made
            sys.exit(exc.exit_code)
        except ClickException as exc:
            typer.echo(usage_error_line(exc), err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def usage_error_line(exc: ClickException) -> str:
    """``Error: <problem> (usage: aligner CMD [OPTIONS] ARGS; aligner CMD --help for more)``."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if not isinstance(exc, UsageError) or ctx is None:
        return f"Error: {message}"
    usage = " ".join(ctx.get_usage().split()).removeprefix("Usage: ")
    return f"Error: {message} (usage: {usage}; {ctx.command_path} --help for more)"


class AlignerTyper(typer.Typer):
    """A Typer app whose commands are :class:`AlignerCommand` unless told otherwise."""

    def command(  # type: ignore[override]
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return super().command(name, cls=cls or AlignerCommand, **kwargs)
