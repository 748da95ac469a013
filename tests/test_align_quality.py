"""End to end: the align-files contract on real gold documents, with the bundled model.

Floors, not the benchmarks' figures (``python bench/quality.py`` prints those): a regression in
any step (segmentation, embedding, search, refinement, scoring) drops below them.  Only
development documents are used: test sets (Text+Berg test0-6, the TransRead en-fr novels,
FLORES devtest) are reported on, never used to choose or check anything.
"""

from __future__ import annotations

from pathlib import Path

from aligner.core.evaluation import Scores, count, scores
from aligner.core.types import Bead
from aligner.formats.ladder import parse_ladder, read_ladder
from tests.conftest import SHARED, Cli, requires_shared


def opening_scores(
    cli: Cli, folder: Path, sides: tuple[list[str], list[str]], gold: list[Bead],
    langs: tuple[str, str], most: tuple[int, int],
) -> Scores:  # fmt: skip
    """``align-files --presplit`` on a document's opening (the gold beads within its first
    ``most`` lines a side), scored against those beads."""
    kept = [b for b in gold if all(i < most[0] for i in b.src) and all(j < most[1] for j in b.tgt)]
    ends = (max(i for b in kept for i in b.src) + 1, max(j for b in kept for j in b.tgt) + 1)
    files = [folder / f"opening.{lang}.txt" for lang in langs]
    for path, lines, end in zip(files, sides, ends, strict=True):
        path.write_text("\n".join(lines[:end]) + "\n", "utf-8")
    out = cli.ok(
        "align-files", *files, "--src-lang", langs[0], "--tgt-lang", langs[1], "--presplit"
    ).stdout
    return scores(count(kept, parse_ladder(out)))


@requires_shared
def test_align_files_on_the_textberg_dev_document_reaches_a_strict_f1_floor(
    sqlite_cli: Cli, tmp_path: Path
) -> None:
    """The opening of Text+Berg dev (development data; the gold beads within its first 200 lines
    a side: 159 German and 200 French), one sentence a line.  This version measures strict F1
    0.890 and lax 0.994 on it; the first pass alone 0.814 and 0.940."""
    folder = SHARED / "data" / "textberg"
    src, tgt = (
        (folder / f"dev.{lang}").read_text(encoding="utf-8").splitlines() for lang in ("de", "fr")
    )
    gold = read_ladder(folder / "dev.defr")
    result = opening_scores(sqlite_cli, tmp_path, (src, tgt), gold, ("de", "fr"), (200, 200))
    assert result.strict_f1 >= 0.86, result
    assert result.lax_f1 >= 0.97, result


@requires_shared
def test_align_files_on_a_transread_chapter_reaches_a_strict_f1_floor(
    sqlite_cli: Cli, tmp_path: Path
) -> None:
    """The first 200 English and Spanish sentences of Candide (development data), one a line."""
    from aligner.formats.cesalign import read_cesalign, read_sentences

    folder = SHARED / "data" / "transread" / "Candide_EN-ES"
    src_ids, src = read_sentences(folder / "cut_Candide_en.xml")
    tgt_ids, tgt = read_sentences(folder / "cut_Candide_es.xml")
    gold = read_cesalign(folder / "Candide_sent_align_en-es.xml", src_ids, tgt_ids)
    result = opening_scores(sqlite_cli, tmp_path, (src, tgt), gold, ("en", "es"), (200, 160))
    assert result.strict_f1 >= 0.85, result
    assert result.lax_f1 >= 0.97, result
