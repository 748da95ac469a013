"""cesAlign gold (TransRead): links to 0-based beads, through the one hardened XML parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner.core.types import Bead
from aligner.errors import InputError
from aligner.formats.cesalign import read_cesalign, read_sentences
from tests.conftest import SHARED, Cli, assert_one_line_error, requires_shared

CES = """<?xml version="1.0" encoding="utf-8"?>
<cesAlign version="1.0"><linkList><linkGrp targType="s">
<link id="SL1" xtargets="1.1;1.1 1.2"/>
<link id="SL2" xtargets="1.2;"/>
<link id="SL3" xtargets="2.1 2.2;2.1"/>
<link id="SL4" xtargets=";10.1"/>
</linkGrp></linkList></cesAlign>
"""


def test_links_become_beads_in_document_order(tmp_path: Path) -> None:
    path = tmp_path / "gold.xml"
    path.write_text(CES, encoding="utf-8")
    assert read_cesalign(path) == [
        Bead((0,), (0, 1)), Bead((1,), ()), Bead((2, 3), (2,)), Bead((), (3,)),
    ]  # fmt: skip


def test_a_document_declaring_entities_is_refused_before_any_is_loaded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    path = tmp_path / "evil.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<cesAlign><linkList><linkGrp><link xtargets="1.1;1.1"/></linkGrp></linkList>'
        "<s id='1.1'>&x;</s></cesAlign>",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"evil.xml: the DOCTYPE declares entities \(x\); refused"):
        read_sentences(path)


def test_malformed_cesalign_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<cesAlign><link xtargets='1.1;1.1'>", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.xml: not well-formed XML"):
        read_cesalign(broken)
    no_split = tmp_path / "nosplit.xml"
    no_split.write_text("<cesAlign><link xtargets='1.1 1.2'/></cesAlign>", encoding="utf-8")
    with pytest.raises(InputError, match=r"nosplit.xml: link 1 has no 'src;tgt' xtargets"):
        read_cesalign(no_split)


@requires_shared
def test_transread_gold_matches_its_line_parallel_copy(sqlite_cli: Cli, tmp_path: Path) -> None:
    folder = SHARED / "data" / "transread" / "Candide_EN-FR"
    src_ids, src_texts = read_sentences(folder / "cut_Candide_en.xml")
    tgt_ids, tgt_texts = read_sentences(folder / "cut_Candide_fr.xml")
    beads = read_cesalign(folder / "Candide_sent_align_en-fr.xml", src_ids, tgt_ids)
    aligned_en = (folder / "cut_Candide_en.aligned").read_text("utf-8").splitlines()
    aligned_fr = (folder / "cut_Candide_fr.aligned").read_text("utf-8").splitlines()
    assert len(beads) == len(aligned_en) == len(aligned_fr) == 1230
    for bead, en, fr in list(zip(beads, aligned_en, aligned_fr, strict=True))[:200]:
        assert " ".join(src_texts[i] for i in bead.src) == en.strip()
        assert " ".join(tgt_texts[j] for j in bead.tgt) == fr.strip()
    ladder = tmp_path / "gold.ladder"
    ladder.write_text("".join(f"{list(b.src)}:{list(b.tgt)}\n" for b in beads), encoding="utf-8")
    out = sqlite_cli.ok(
        "eval", "--gold", folder / "Candide_sent_align_en-fr.xml", "--pred", ladder,
        "--src-doc", folder / "cut_Candide_en.xml", "--tgt-doc", folder / "cut_Candide_fr.xml",
    ).stdout  # fmt: skip
    assert out.splitlines()[2].split() == ["strict", "1.0000", "1.0000", "1.0000"]


def test_eval_names_a_broken_gold_file(sqlite_cli: Cli, tmp_path: Path) -> None:
    gold = tmp_path / "gold.xml"
    gold.write_text("<cesAlign>", encoding="utf-8")
    pred = tmp_path / "pred"
    pred.write_text("[0]:[0]\n", encoding="utf-8")
    result = sqlite_cli("eval", "--gold", gold, "--pred", pred)
    assert_one_line_error(result, f"{gold}: not well-formed XML")
