"""What the export tests share: the aligned demonstration pair and small imported pairs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from aligner.store.models import Link
from aligner.store.session import Database
from tests.conftest import CORPUS, Cli

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
