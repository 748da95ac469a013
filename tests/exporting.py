"""What the export tests share: the aligned demonstration pair and small imported pairs."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from aligner.services.alignment import aligned_units
from aligner.store.models import AlignmentRun, Link, LinkSegment
from aligner.store.queries import get_version, get_work
from aligner.store.session import Database
from tests.conftest import CORPUS, Cli
from tests.shared_encoder import use_shared_default_encoder

WORK = "why-we-quit-1938-introduction"
FOUR_ENGLISH_SENTENCES = (
    "The meeting opened at noon.\n\nThe workers voted to strike.\n\n"
    "The strike lasted three weeks.\n\nThe harbour was full of ships.\n"
)
FRENCH_WITH_AN_ADDITION = (
    "La réunion commença à midi.\n\nLes ouvriers votèrent la grève.\n\n"
    "12345 67890 ISBN 978-3-16-148410-0.\n\nLa grève dura trois semaines.\n\n"
    "Le port était plein de navires.\n"
)


def aligned_demo(cli: Cli, label: str) -> None:
    """The bundled corpus, with the English introduction aligned to demonstration ``label``."""
    cli.ok("import", CORPUS)
    with pytest.MonkeyPatch.context() as patch:
        use_shared_default_encoder(patch)  # the same sentences in every test: embedded once
        cli.ok("align", WORK, "--src", "en", "--tgt", label)


def import_pair(cli: Cli, tmp_path: Path, work: str, english: str, french: str) -> None:
    """An English original and its French translation, imported as ``work``."""
    (tmp_path / f"{work}.en.txt").write_text(english, encoding="utf-8")
    (tmp_path / f"{work}.fr.txt").write_text(french, encoding="utf-8")
    cli.ok(
        "import", tmp_path / f"{work}.en.txt", "--work", work, "--lang", "en", "--role", "original"
    )
    cli.ok(
        "import", tmp_path / f"{work}.fr.txt", "--work", work, "--lang", "fr",
        "--translation-of", "en",
    )  # fmt: skip


def aligned_pair_with_an_addition(cli: Cli, tmp_path: Path) -> int:
    """Work "om" aligned en → fr with one 0-1 bead among four 1-1 beads; its position."""
    import_pair(cli, tmp_path, "om", FOUR_ENGLISH_SENTENCES, FRENCH_WITH_AN_ADDITION)
    cli.ok("align", "om", "--src", "en", "--tgt", "fr")
    with Database(cli.db_url) as db, db.session() as session:
        kinds = [
            tuple(sorted(m.side for m in link.members))
            for link in session.scalars(select(Link).order_by(Link.position))
        ]
    assert kinds.count(("tgt",)) == 1 and kinds.count(("src", "tgt")) == 4
    return kinds.index(("tgt",))


@dataclass(frozen=True)
class FixedBead:
    """A bead given by hand: aligned-unit indices on each side, score and status."""

    src: Sequence[int]
    tgt: Sequence[int]
    score: float | None = None
    status: str = "confirmed"


def store_run(
    db_url: str, work: str, src: str, tgt: str, beads: Sequence[FixedBead], method: str = "fixed"
) -> int:
    """Store ``beads`` as a run between the current revisions of ``src`` and ``tgt``; its id."""
    with Database(db_url) as db, db.session() as session:
        found = get_work(session, work)
        src_revision, tgt_revision = (get_version(found, label).current for label in (src, tgt))
        assert src_revision is not None and tgt_revision is not None
        src_units, tgt_units = aligned_units(src_revision), aligned_units(tgt_revision)
        run = AlignmentRun(
            work_id=found.id, src_revision=src_revision, tgt_revision=tgt_revision,
            method=method, model="none", code_version="test",
        )  # fmt: skip
        for position, bead in enumerate(beads):
            members = [LinkSegment(segment=src_units[i], side="src") for i in bead.src]
            members += [LinkSegment(segment=tgt_units[j], side="tgt") for j in bead.tgt]
            run.links.append(
                Link(position=position, score=bead.score, status=bead.status, members=members)
            )
        session.add(run)
        session.flush()
        return run.id


def stored_sentences(path: Path) -> list[str]:
    """A presplit file's lines as the importer stores them: NFC, whitespace collapsed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [unicodedata.normalize("NFC", " ".join(line.split())) for line in lines]


def import_sentences(
    cli: Cli, folder: Path, work: str, language: str, sentences: Sequence[str], original: str
) -> None:
    """``sentences`` as a version of ``work``, one segment each; ``original`` is the language
    it translates, or "" for the original itself."""
    path = folder / f"{work}.{language}.txt"
    path.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    role = ("--translation-of", original) if original else ("--role", "original")
    cli.ok("import", path, "--work", work, "--lang", language, *role, "--unit", "paragraph")
