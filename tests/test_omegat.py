"""A real CAT tool uses our TMX: OmegaT pre-translates an original from it (issue 4).

Each test aligns a pair with the CLI, exports the run with ``aligner export tmx`` into an OmegaT
project's ``tm/auto/``, writes the original's sentences as the project's source file (one sentence
per paragraph, sentence segmentation off, so OmegaT's segments are exactly our sentences), runs
``omegat PROJECT --mode=console-translate`` once and reads the translated file in ``target/``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from aligner.formats.cesalign import read_sentences
from aligner.formats.xml import parse_xml
from tests.conftest import SHARED, Cli, requires_shared
from tests.exporting import WORK, aligned_demo, import_pair

OMEGAT_TIMEOUT_S = 300
PROJECT = "omegat-project"
SOURCE_FILE = "original.txt"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# In no translation memory: OmegaT must leave it as it is.
UNALIGNED_SENTENCE = "This sentence was never aligned with anything."

PROJECT_FILE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>{source}</source_lang>
    <target_lang>{target}</target_lang>
    <sentence_seg>false</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"""
PROJECT_FOLDERS = ("source", "target", "tm/auto", "omegat", "glossary", "dictionary")


@pytest.fixture
def omegat() -> str:
    """The ``omegat`` launcher the Debian package installs."""
    launcher = shutil.which("omegat")
    if launcher is not None:
        return launcher
    if os.environ.get("CI") == "true":
        pytest.fail("CI must run the OmegaT test: .ci/run installs omegat with apt-get")
    pytest.skip("OmegaT is not installed (apt-get install omegat); CI runs this test")


@dataclass(frozen=True)
class Memory:
    """Our TMX as OmegaT reads it: the two languages and each source segment's translations."""

    source_lang: str
    target_lang: str
    translations: dict[str, set[str]]


@dataclass(frozen=True)
class OneToOneBead:
    src_position: int
    src_text: str
    tgt_text: str


def read_memory(tmx: Path) -> Memory:
    root = parse_xml(tmx).getroot()
    source_lang = str(root.find("header").get("srclang"))  # type: ignore[union-attr]
    target_langs: set[str] = set()
    translations: dict[str, set[str]] = {}
    for unit in root.iter("tu"):
        segs = {str(tuv.get(XML_LANG)): str(tuv.findtext("seg")) for tuv in unit.iter("tuv")}
        source = segs.pop(source_lang)
        ((target_lang, target),) = segs.items()
        target_langs.add(target_lang)
        translations.setdefault(source, set()).add(target)
    (target_lang,) = target_langs
    return Memory(source_lang, target_lang, translations)


def original_sentences(cli: Cli, work: str, label: str) -> dict[int, str]:
    """The original's segments (sentences, headings, notes) by position."""
    shown = json.loads(cli.ok("show", work, "--lang", label, "-f", "json").stdout)
    return {segment["position"]: segment["text"] for segment in shown["segments"]}


def one_to_one_beads(cli: Cli, work: str, src: str, tgt: str) -> list[OneToOneBead]:
    lines = cli.ok("export", "jsonl", work, "--src", src, "--tgt", tgt).stdout.splitlines()
    beads = [json.loads(line) for line in lines if line.strip()]
    return [
        OneToOneBead(bead["src_ids"][0], bead["src_text"], bead["tgt_text"])
        for bead in beads
        if bead["kind"] == "1-1"
    ]


def write_project(project: Path, memory: Memory, sentences: list[str]) -> None:
    for folder in PROJECT_FOLDERS:
        (project / folder).mkdir(parents=True, exist_ok=True)
    (project / "omegat.project").write_text(
        PROJECT_FILE.format(source=memory.source_lang, target=memory.target_lang), "utf-8"
    )
    # OmegaT's plain-text filter makes one segment of each paragraph (text between empty lines).
    (project / "source" / SOURCE_FILE).write_text("\n\n".join(sentences) + "\n", "utf-8")


def run_omegat(omegat: str, workdir: Path) -> None:
    """``omegat PROJECT --mode=console-translate``, headless, with its own config and home."""
    home = workdir / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "JAVA_TOOL_OPTIONS": "-Djava.awt.headless=true"}
    # Relative paths: the Debian launcher passes its arguments on unquoted ($*).
    command = [omegat, PROJECT, "--mode=console-translate", "--config-dir=omegat-config"]
    done = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, errors="replace",
        timeout=OMEGAT_TIMEOUT_S, check=False,
    )  # fmt: skip
    output = (done.stdout + done.stderr)[-3000:]
    assert done.returncode == 0, output
    assert "Error:" not in output, output


def untranslated_by_omegat(project: Path) -> int:
    """The "Remaining" segment count of OmegaT's own project statistics."""
    stats = (project / "omegat" / "project_stats.txt").read_text("utf-8")
    remaining = next(line for line in stats.splitlines() if line.startswith("Remaining:"))
    return int(remaining.split()[1])


def pretranslate_and_check(
    cli: Cli, omegat: str, workdir: Path, work: str, src: str, tgt: str
) -> int:
    """Export ``work`` src → tgt into an OmegaT project, pre-translate the original, check the
    output segment by segment; the number of segments OmegaT translated from our TMX."""
    project = workdir / PROJECT
    tmx = project / "tm" / "auto" / "aligner.tmx"
    (project / "tm" / "auto").mkdir(parents=True)
    cli.ok("export", "tmx", work, "--src", src, "--tgt", tgt, "-o", tmx)
    memory = read_memory(tmx)
    by_position = original_sentences(cli, work, src)
    positions = sorted(by_position)
    sources = [by_position[p] for p in positions] + [UNALIGNED_SENTENCE]
    write_project(project, memory, sources)

    run_omegat(omegat, workdir)

    text = (project / "target" / SOURCE_FILE).read_text("utf-8")
    targets = text.rstrip("\n").split("\n\n")
    assert len(targets) == len(sources), "OmegaT segmented the source differently"
    for source, target in zip(sources, targets, strict=True):
        if source in memory.translations:
            assert target in memory.translations[source], (source, target)
        else:
            assert target == source, f"translated with no unit in our TMX: {source!r} → {target!r}"
    assert targets[-1] == UNALIGNED_SENTENCE
    translated = sum(source in memory.translations for source in sources)
    assert untranslated_by_omegat(project) == len(sources) - translated

    beads = one_to_one_beads(cli, work, src, tgt)
    assert beads, "no 1-1 bead to look for"
    for bead in beads:
        assert bead.tgt_text in memory.translations[bead.src_text]
        assert targets[positions.index(bead.src_position)] in memory.translations[bead.src_text]
    assert translated >= len(beads)
    return translated


def test_omegat_pretranslates_the_demonstration_pair_from_our_tmx(
    sqlite_cli: Cli, omegat: str, tmp_path: Path
) -> None:
    aligned_demo(sqlite_cli, "fr-demo")
    translated = pretranslate_and_check(sqlite_cli, omegat, tmp_path, WORK, "en", "fr-demo")
    memory = read_memory(tmp_path / PROJECT / "tm" / "auto" / "aligner.tmx")
    # Every bead of this pair (1-1 and 1-2) has one English sentence: OmegaT matches every unit.
    assert translated == sum(len(targets) for targets in memory.translations.values()) > 0


@requires_shared
def test_omegat_pretranslates_a_transread_novel_from_our_tmx(
    sqlite_cli: Cli, omegat: str, tmp_path: Path
) -> None:
    folder = SHARED / "data" / "transread" / "Emma_EN-FR"
    _, english = read_sentences(folder / "cut_Emma_en.xml")
    _, french = read_sentences(folder / "cut_Emma_fr.xml")
    import_pair(sqlite_cli, tmp_path, "emma", "\n\n".join(english), "\n\n".join(french))
    sqlite_cli.ok("align", "emma", "--src", "en", "--tgt", "fr")
    pretranslate_and_check(sqlite_cli, omegat, tmp_path, "emma", "en", "fr")
