"""``aligner align --all``: align every translation of the library, here or on a Dask cluster.

The command's options live with ``align`` (:mod:`aligner.cli.alignment`); this module runs the
batch (:mod:`aligner.services.batch`) and prints it: a bar of pairs done with sentences per
second on a terminal, then a summary (pairs aligned, skipped, failed with the reason for each;
per worker with ``--verbose``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

import typer
from tqdm import tqdm

from aligner.cli import Settings
from aligner.cli.progress import bars_wanted
from aligner.core.dp import AlignParams
from aligner.errors import InputError
from aligner.services.batch import (
    ALIGNED_MEANWHILE,
    ALREADY_ALIGNED,
    SCHEDULER_ENV_VAR,
    BatchRequest,
    BatchSummary,
    Executor,
    LocalExecutor,
    PairOutcome,
    dask_executor,
    plan_batch,
    run_batch,
)

__all__ = ["SCHEDULER_ENV_VAR", "BatchChoice", "ExecutorKind", "align_all", "request"]


ALL_HELP = (
    "Align every translation with the version it was made from (or the --src/--tgt pairs) "
    "that no run with this model and these parameters aligns yet."
)
WORK_HELP = "With --all: only works whose slug matches this shell pattern (repeatable)."
EXECUTOR_HELP = (
    "With --all: local (this process) or dask (a LocalCluster of this machine, or the "
    "--scheduler's cluster); default: dask when a scheduler is named, else local."
)
SCHEDULER_HELP = "With --all: the Dask scheduler's address, e.g. tcp://10.0.0.5:8786."
FORCE_HELP = "With --all: align again pairs already aligned alike (earlier runs are kept)."
DEVICE_HELP = (
    "Where st: models embed (cpu, cuda, cuda:1); default: each worker's ALIGNER_DEVICE, else "
    "its GPU when it has one.  With --all and a cuda device, pairs go to workers that offer "
    "the Dask resource GPU."
)
VERBOSE_HELP = "With --all: list each pair aligned and how many pairs each worker did."


class ExecutorKind(StrEnum):
    local = "local"
    dask = "dask"


@dataclass(frozen=True)
class BatchChoice:
    """The pairs and the executor ``align --all`` was asked for, as typed."""

    work: str | None
    src: str | None
    tgt: str | None
    works: Sequence[str]
    executor: ExecutorKind | None
    scheduler: str | None
    force: bool


def request(
    choice: BatchChoice, params: AlignParams, model: str, device: str | None
) -> BatchRequest:
    """The batch ``choice`` asks for; a WORK named beside --all is refused."""
    if choice.work is not None:
        raise InputError(
            f"align --all aligns every work: leave out {choice.work} (or use --work PATTERN)"
        )
    return BatchRequest(
        params, model, choice.src, split_languages(choice.tgt), choice.works, choice.force, device
    )


def refuse_batch_options(
    works: Sequence[str] | None, executor: ExecutorKind | None, force: bool, verbose: bool
) -> None:
    """Options that only mean something for a batch, given to ``align WORK``."""
    given = [
        name for name, value in
        (("--work", works), ("--executor", executor), ("--force", force), ("--verbose", verbose))
        if value
    ]  # fmt: skip
    if given:
        raise InputError(f"{', '.join(given)}: only with --all (align WORK aligns one pair)")


def split_languages(value: str | None) -> list[str]:
    """``--tgt fr,de`` as ``["fr", "de"]``."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@contextmanager
def executor_for(
    kind: ExecutorKind | None, scheduler: str | None, device: str | None
) -> Iterator[Executor]:
    """The executor asked for: ``dask`` (the default when a scheduler is named) on that
    scheduler or on a ``LocalCluster`` of this machine; else this process."""
    if kind is ExecutorKind.local or (kind is None and not scheduler):
        yield LocalExecutor()
        return
    gpu = device is not None and device.startswith("cuda")
    with dask_executor(scheduler, gpu=gpu) as executor:
        yield executor


def align_all(
    settings: Settings, request: BatchRequest, choice: BatchChoice, verbose: bool
) -> None:
    """Plan and run the batch, printing its progress and summary; exit 1 if a pair failed."""
    executor = executor_for(choice.executor, choice.scheduler, request.device)
    with settings.database() as db, executor as chosen:
        model = chosen.describe(request.model, request.device)
        plan = plan_batch(db, request, model)
        with _PairBar(len(plan.todo), quiet=settings.quiet) as bar:
            summary = run_batch(db, plan, request, chosen, on_outcome=bar.tick)
    _print_summary(summary, model.model_id, verbose)
    if summary.having("failed"):
        raise typer.Exit(1)


class _PairBar:
    """Pairs done of the total, with sentences per second; only on a terminal."""

    def __init__(self, total: int, quiet: bool) -> None:
        disable = not bars_wanted(quiet)
        self.bar = tqdm(total=total, desc="aligning", unit="pair", disable=disable, leave=False)
        self.sentences = 0

    def __enter__(self) -> _PairBar:
        return self

    def __exit__(self, *_: object) -> None:
        self.bar.close()

    def tick(self, outcome: PairOutcome) -> None:
        if outcome.result is not None:
            self.sentences += outcome.result.sentences
        elapsed = self.bar.format_dict["elapsed"] or 1e-9
        self.bar.set_postfix_str(f"{self.sentences / elapsed:.1f} sentences/s", refresh=False)
        self.bar.update(1)


def _print_summary(summary: BatchSummary, model_id: str, verbose: bool) -> None:
    aligned, skipped, failed = (summary.having(s) for s in ("aligned", "skipped", "failed"))
    rate = summary.sentences / summary.seconds if summary.seconds > 0 else 0.0
    typer.echo(
        f"aligned {len(aligned)} pairs with {model_id}: {summary.sentences} sentences in "
        f"{summary.seconds:.1f} s ({rate:.1f} sentences/s)"
    )
    done = sum(o.reason in (ALREADY_ALIGNED, ALIGNED_MEANWHILE) for o in skipped)
    if skipped:
        typer.echo(
            f"skipped {len(skipped)}: {done} already aligned alike, "
            f"{len(skipped) - done} not alignable yet"
            + ("" if verbose else " (--verbose lists them)")
        )
    if verbose:
        for outcome in aligned:
            typer.echo(f"  aligned {outcome.name}: run {outcome.run_id}")
        for outcome in skipped:
            typer.echo(f"  skipped {outcome.name}: {outcome.reason}")
        for worker, count in sorted(summary.per_worker().items()):
            typer.echo(f"  worker {worker}: {count} pairs")
    if failed:
        typer.echo(f"failed {len(failed)}:", err=True)
    for outcome in failed:
        typer.echo(f"  {outcome.name}: {outcome.reason}", err=True)
