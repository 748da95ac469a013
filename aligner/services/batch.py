"""Align a whole library: every pair a batch selects, in this process or on a Dask cluster.

The driver (this module) plans the batch (:func:`plan_batch`: the pairs of
:func:`aligner.services.selection.batch_pairs`, less those a run with the same model and
parameters already aligns), then hands each pair to an executor as a
:class:`~aligner.core.batch.PairTask` (both sides' sentences and the vectors the cache holds)
and stores each result as it arrives: the new vectors in the shared embedding cache and the
run (:func:`aligner.services.alignment.store_run`), each in its own short transaction.  A crash
loses at most the pairs in flight, and running the batch again picks up where it stopped.

Executors: :class:`LocalExecutor` computes in this process, one pair after another;
:class:`DaskExecutor` sends pairs to the workers of a ``dask.distributed`` cluster (a
``LocalCluster`` on this machine, or a scheduler's address), at most a few per worker at a
time so that later pairs find the vectors of earlier ones in the cache.  A worker that dies is
replaced by Dask and its pairs run again elsewhere; a pair that fails is reported and the
others go on.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sqlalchemy import func, select

from aligner.core.batch import (
    ModelInfo,
    PairFailed,
    PairResult,
    PairTask,
    align_pair,
    describe_model,
)
from aligner.core.dp import AlignParams
from aligner.core.encoders import DEFAULT_MODEL, text_key
from aligner.errors import AlignerError, InputError
from aligner.services.alignment import AlignmentSide, run_parameters, side_of, store_run
from aligner.services.batch_selection import VersionPair, batch_pairs, runs_alike
from aligner.store.queries import get_version, get_work
from aligner.store.session import Database
from aligner.store.vectors import lookup, store_vectors

if TYPE_CHECKING:
    from distributed import Client

SCHEDULER_ENV_VAR = "ALIGNER_SCHEDULER"
IN_FLIGHT_PER_WORKER = 2
GPU_RESOURCE = "GPU"
WORKER_WAIT_S = 60
CONNECT_TIMEOUT_S = 10
ALREADY_ALIGNED = "already aligned with this model and these parameters"
ALIGNED_MEANWHILE = "aligned meanwhile by another batch, with this model and these parameters"

Status = Literal["aligned", "skipped", "failed"]
Outcome = tuple[str, PairResult | BaseException]


@dataclass(frozen=True)
class BatchRequest:
    """What ``aligner align --all`` was asked: which pairs, with which model and parameters."""

    params: AlignParams
    model: str = DEFAULT_MODEL
    src: str | None = None
    tgts: Sequence[str] = ()
    works: Sequence[str] = ()
    force: bool = False
    device: str | None = None


@dataclass(frozen=True)
class PairOutcome:
    """What became of one pair: aligned (with its run), skipped or failed (with the reason)."""

    pair: VersionPair
    status: Status
    reason: str | None = None
    run_id: int | None = None
    result: PairResult | None = None
    store_seconds: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.pair.work}: {self.pair.src} → {self.pair.tgt}"


@dataclass(frozen=True)
class BatchPlan:
    """The pairs to align, and those skipped: aligned alike before (:data:`ALREADY_ALIGNED`)
    or not alignable yet (a side without text, no known source: the reason says)."""

    model: ModelInfo
    todo: list[VersionPair]
    settled: list[PairOutcome]


@dataclass
class BatchSummary:
    """Every pair's outcome, in the order they were settled, and the wall-clock time."""

    outcomes: list[PairOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def having(self, status: Status) -> list[PairOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def sentences(self) -> int:
        return sum(o.result.sentences for o in self.outcomes if o.result is not None)

    def per_worker(self) -> Counter[str]:
        """Pairs aligned by each worker (``host:pid``)."""
        return Counter(o.result.worker for o in self.outcomes if o.result is not None)

    def shares(self) -> dict[str, float]:
        """Seconds spent embedding, searching (the DP and refinement) and storing."""
        results = [o.result for o in self.outcomes if o.result is not None]
        return {
            "embedding": sum(r.embed_seconds for r in results),
            "searching": sum(r.align_seconds for r in results),
            "storing": sum(o.store_seconds for o in self.outcomes),
        }


class Executor(Protocol):
    """Where pairs are computed."""

    @property
    def workers(self) -> int: ...

    def describe(self, model: str, device: str | None) -> ModelInfo:
        """Load the model where the pairs will run, and say what it is."""
        ...

    def results(self, tasks: Iterator[PairTask]) -> Iterator[Outcome]:
        """Each task's result (or the exception it raised), by key, as they finish."""
        ...


class LocalExecutor:
    """Computes each pair in this process, one after another (``--executor local``)."""

    workers = 1

    def describe(self, model: str, device: str | None) -> ModelInfo:
        return describe_model(model, device)

    def results(self, tasks: Iterator[PairTask]) -> Iterator[Outcome]:
        for task in tasks:
            try:
                yield task.key, align_pair(task)
            except Exception as exc:  # a failed pair is reported; the others go on
                yield task.key, exc


class DaskExecutor:
    """Sends pairs to the workers of a Dask cluster, a few per worker at a time.

    With ``gpu`` true, tasks ask for the Dask resource ``GPU`` when a worker offers it
    (started with ``--resources GPU=1``), so that only GPU workers take them.
    """

    def __init__(self, client: Client, gpu: bool = False) -> None:
        self.client = client
        workers = client.scheduler_info(n_workers=-1)["workers"].values()
        offered = any(GPU_RESOURCE in worker.get("resources", {}) for worker in workers)
        self.resources = {GPU_RESOURCE: 1} if gpu and offered else None

    @property
    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def describe(self, model: str, device: str | None) -> ModelInfo:
        future = self.client.submit(
            describe_model, model, device, pure=False, resources=self.resources
        )
        info: ModelInfo = future.result()
        return info

    def results(self, tasks: Iterator[PairTask]) -> Iterator[Outcome]:
        from distributed import as_completed

        window = IN_FLIGHT_PER_WORKER * self.workers
        pending = as_completed()
        keys: dict[str, str] = {}

        def submit_next() -> None:
            task = next(tasks, None)
            if task is not None:
                future = self.client.submit(align_pair, task, pure=False, resources=self.resources)
                keys[future.key] = task.key
                pending.add(future)

        for _ in range(window):
            submit_next()
        for future in pending:
            key = keys.pop(future.key)
            try:
                yield key, future.result()
            except Exception as exc:  # a failed pair is reported; the others go on
                yield key, exc
            finally:
                future.release()
            submit_next()


@contextmanager
def dask_executor(scheduler: str | None, gpu: bool = False) -> Iterator[DaskExecutor]:
    """A client of the cluster at ``scheduler``, or of a ``LocalCluster`` sized to this
    machine (one single-threaded worker process per core; with ``gpu``, one process that owns
    the GPU) when it is None.  Its workers' logs are kept quiet: a failed pair is reported in
    the batch's summary, not as a traceback."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler is None:
        with (
            LocalCluster(
                n_workers=1 if gpu else None, processes=True, threads_per_worker=1,
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
            ) as cluster,
            Client(cluster) as client,
        ):  # fmt: skip
            yield DaskExecutor(client, gpu)
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, ValueError) as exc:
        raise InputError(f"--scheduler {scheduler}: cannot reach the scheduler ({exc})") from exc
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except TimeoutError as exc:
            raise InputError(
                f"--scheduler {scheduler}: no worker joined in {WORKER_WAIT_S} s "
                "(start one with `dask worker ADDRESS --nthreads 1`)"
            ) from exc
        yield DaskExecutor(client, gpu)


def plan_batch(database: Database, request: BatchRequest, model: ModelInfo) -> BatchPlan:
    """The pairs ``request`` selects, sorted into those to align and those settled already."""
    parameters = _json(run_parameters(request.params))
    with database.session() as session:
        pairs = batch_pairs(session, request.src, request.tgts, request.works)
        done = set() if request.force else runs_alike(session, model.model_id, parameters)
    todo: list[VersionPair] = []
    settled: list[PairOutcome] = []
    for pair in pairs:
        if pair.problem is not None:
            settled.append(PairOutcome(pair, "skipped", pair.problem))
        elif pair.revisions in done:
            settled.append(PairOutcome(pair, "skipped", ALREADY_ALIGNED))
        else:
            todo.append(pair)
    return BatchPlan(model, todo, settled)


@dataclass(frozen=True)
class _Pending:
    pair: VersionPair
    work_id: int
    sides: tuple[AlignmentSide, AlignmentSide]


def run_batch(
    database: Database,
    plan: BatchPlan,
    request: BatchRequest,
    executor: Executor,
    on_outcome: Callable[[PairOutcome], None] = lambda outcome: None,
) -> BatchSummary:
    """Align the plan's pairs on ``executor``, storing each as it arrives; ``on_outcome`` is
    told of every pair aligned or failed (a progress bar's tick)."""
    started = time.perf_counter()
    summary = BatchSummary(outcomes=list(plan.settled))
    pending: dict[str, _Pending] = {}

    def settle(outcome: PairOutcome) -> None:
        summary.outcomes.append(outcome)
        on_outcome(outcome)

    def tasks() -> Iterator[PairTask]:
        for pair in plan.todo:
            try:
                item, task = _task(database, pair, request, plan.model)
            except AlignerError as exc:
                settle(PairOutcome(pair, "failed", str(exc)))
                continue
            pending[task.key] = item
            yield task

    for key, result in executor.results(tasks()):
        item = pending.pop(key)
        if isinstance(result, BaseException):
            settle(PairOutcome(item.pair, "failed", _reason(result)))
            continue
        try:
            settle(_store(database, item, result, request))
        except AlignerError as exc:
            settle(PairOutcome(item.pair, "failed", str(exc), result=result))
    summary.seconds = time.perf_counter() - started
    return summary


def _task(
    database: Database, pair: VersionPair, request: BatchRequest, model: ModelInfo
) -> tuple[_Pending, PairTask]:
    """Both sides of ``pair`` and the vectors the cache holds for them, read in one short
    transaction."""
    with database.session() as session:
        work = get_work(session, pair.work)
        src = side_of(get_version(work, pair.src))
        tgt = side_of(get_version(work, pair.tgt))
        keys = sorted({text_key(text) for text in (*src.texts, *tgt.texts)})
        known = lookup(session, model.model_id, keys)
        work_id = work.id
    key = f"{pair.work}/{pair.src}/{pair.tgt}"
    task = PairTask(
        key, request.model, request.params, src.texts, tgt.texts, src.paragraphs,
        tgt.paragraphs, known, request.device,
    )  # fmt: skip
    return _Pending(pair, work_id, (src, tgt)), task


def _store(
    database: Database, item: _Pending, result: PairResult, request: BatchRequest
) -> PairOutcome:
    """The pair's new vectors into the cache, then its run, each in a short transaction.

    Unless forced, the run is stored only if no run alike has appeared since the batch was
    planned (another batch on the same database).  On PostgreSQL the check and the store hold a
    lock on the pair, so two drivers that finish the same pair at once store it once.
    """
    started = time.perf_counter()
    if result.vectors:
        with database.session() as session:
            store_vectors(session, result.model_id, result.dim, result.vectors)
    src, tgt = item.sides
    revisions = (src.revision_id, tgt.revision_id)
    with database.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(select(func.pg_advisory_xact_lock(*revisions)))
        parameters = _json(run_parameters(request.params))
        if not request.force and runs_alike(session, result.model_id, parameters, revisions):
            return PairOutcome(item.pair, "skipped", ALIGNED_MEANWHILE, result=result)
        counts = {"embedded": result.embedded, "reused": result.reused}
        run = store_run(
            database, item.pair.work, item.work_id, item.sides, result.beads, result.model_id,
            request.params, counts,
        )  # fmt: skip
    seconds = time.perf_counter() - started
    return PairOutcome(item.pair, "aligned", None, run.id, result, seconds)


def _reason(exc: BaseException) -> str:
    """One line saying why a pair failed: the message of an expected failure, the exception's
    name first for anything else (a worker that died too often, a bug)."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if isinstance(exc, AlignerError | PairFailed) and first:
        return first
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _json(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` as the database gives it back (tuples become lists)."""
    loaded: dict[str, Any] = json.loads(json.dumps(value))
    return loaded
