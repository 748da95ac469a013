"""Real documents for the document readers' tests, made by the programs people use.

python-docx writes DOCX, odfpy ODT, ebooklib EPUB, lxml HTML pages, the ``srt`` and
``webvtt-py`` libraries subtitles, Pillow an image-only (scanned) PDF, and LibreOffice
headless converts ODT/DOCX to DOCX and PDF (tests that need it are skipped, saying why, where
it is not installed; .ci/run installs it).  The texts are the bundled corpus's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aligner.core.segmentation import clean_text

_APPARATUS = re.compile(r"[A-Z][A-Za-z &]{0,30}:")
_REFERENCE = re.compile(r"\[\d{1,3}\]")
REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpora"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
requires_libreoffice = pytest.mark.skipif(
    SOFFICE is None and os.environ.get("CI") != "true",
    reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui); "
    "CI installs it",
)


@dataclass
class Text:
    """A known text: a title, chapters of paragraphs, and footnotes."""

    title: str
    chapters: list[tuple[str, list[str]]]
    footnotes: list[str] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return [p for _, paragraphs in self.chapters for p in paragraphs]

    @property
    def headings(self) -> list[str]:
        return [self.title, *(heading for heading, _ in self.chapters)]


def corpus_paragraphs(relative: str) -> list[str]:
    """The body paragraphs of a bundled text: blank-line blocks of more than 25 words, their
    ``[1]`` footnote references left out (as segments leave them out)."""
    raw = (CORPUS / relative).read_text(encoding="utf-8")
    blocks = [clean_text(_REFERENCE.sub("", block)) for block in raw.split("\n\n")]
    return [
        b for b in blocks
        if len(b.split()) > 25 and not b.startswith("From ") and not _APPARATUS.match(b)
    ]  # fmt: skip


def known_text() -> Text:
    """Two chapters from the bundled corpus, with two footnotes."""
    first = corpus_paragraphs("new-international-1938-05/why-we-quit-the-communist-party.en.txt")
    second = corpus_paragraphs("miasnikov-latest-deception/the-latest-deception.en.txt")
    return Text(
        "Why We Quit the Communist Party",
        [("The Moscow Trials", first[:6]), ("The Latest Deception", second[:6])],
        [
            "Address of the headquarters in Paris of the Central Committee.",
            "Written in France in 1930.",
        ],
    )


def soffice_convert(sources: list[Path], target: str, outdir: Path) -> list[Path]:
    """Convert ``sources`` with LibreOffice headless; the converted files, in order."""
    if SOFFICE is None:
        pytest.fail("LibreOffice is needed here (apt-get install libreoffice-writer-nogui)")
    profile = outdir / "lo-profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         target, "--outdir", str(outdir), *map(str, sources)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    extension = target.split(":", 1)[0]
    converted = [outdir / f"{source.stem}.{extension}" for source in sources]
    missing = [str(path) for path in converted if not path.is_file()]
    assert not missing, f"LibreOffice made no {missing}"
    return converted


def make_docx(text: Text, path: Path, *, running: str | None = None) -> Path:
    """A DOCX by python-docx: title, chapter headings, paragraphs, a table, a line break;
    with ``running``, that running header and a page number field in the footer."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    if running is not None:
        section = document.sections[0]
        section.header.paragraphs[0].text = running
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text_element = OxmlElement("w:t")
        text_element.text = "1"
        run.append(text_element)
        field.append(run)
        section.footer.paragraphs[0]._p.append(field)
    document.core_properties.title = text.title
    document.core_properties.author = "The New International"
    document.core_properties.language = "en"
    document.add_heading(text.title, 0)
    for heading, paragraphs in text.chapters:
        document.add_heading(heading, 1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Rappoport"
    table.cell(0, 1).text = "Paris"
    verse = document.add_paragraph("There is no supreme savior,")
    verse.add_run().add_break()
    verse.add_run("No God, no Caesar, no Tribune,")
    document.save(str(path))
    return path


def make_odt(text: Text, path: Path, *, changes: bool = True) -> Path:
    """An ODT by odfpy: headings, paragraphs, a footnote per chapter, a tracked deletion and
    insertion, a comment, and a line break."""
    from odf import dc
    from odf.namespaces import TEXTNS, XMLNS
    from odf.office import Annotation, ChangeInfo
    from odf.opendocument import OpenDocumentText
    from odf.text import (
        Change,
        ChangedRegion,
        ChangeEnd,
        ChangeStart,
        Deletion,
        H,
        Insertion,
        LineBreak,
        Note,
        NoteBody,
        NoteCitation,
        P,
        TrackedChanges,
    )

    def change_info() -> ChangeInfo:
        info = ChangeInfo()
        info.addElement(dc.Creator(text="Editor"))
        info.addElement(dc.Date(text="2024-01-01T00:00:00"))
        return info

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=text.title))
    document.meta.addElement(dc.Creator(text="The New International"))
    document.meta.addElement(dc.Language(text="en"))
    if changes:
        tracked = TrackedChanges()
        for ident, kind in (("ct1", Deletion), ("ct2", Insertion)):
            region = ChangedRegion(qattributes={(TEXTNS, "id"): ident, (XMLNS, "id"): ident})
            change = kind()
            change.addElement(change_info())
            if kind is Deletion:
                change.addElement(P(text="WORDS STRUCK OUT "))
            region.addElement(change)
            tracked.addElement(region)
        document.text.addElement(tracked)
    document.text.addElement(H(outlinelevel=1, text=text.title))
    for number, (heading, paragraphs) in enumerate(text.chapters):
        document.text.addElement(H(outlinelevel=2, text=heading))
        for index, paragraph in enumerate(paragraphs):
            if index != 0:
                document.text.addElement(P(text=paragraph))
                continue
            first, rest = paragraph.split(" ", 1)
            element = P(text=first)
            note = Note(id=f"ftn{number + 1}", noteclass="footnote")
            note.addElement(NoteCitation(text=str(number + 1)))
            body = NoteBody()
            body.addElement(P(text=text.footnotes[number]))
            note.addElement(body)
            element.addElement(note)
            element.addText(" " + rest)
            if changes and number == 0:
                element.addElement(Change(changeid="ct1"))
                element.addElement(ChangeStart(changeid="ct2"))
                element.addText(" Inserted sentence.")
                element.addElement(ChangeEnd(changeid="ct2"))
                comment = Annotation()
                comment.addElement(dc.Creator(text="Reviewer"))
                comment.addElement(P(text="A REVIEWER'S COMMENT"))
                element.addElement(comment)
            document.text.addElement(element)
    verse = P(text="There is no supreme savior,")
    verse.addElement(LineBreak())
    verse.addText("No God, no Caesar, no Tribune,")
    document.text.addElement(verse)
    document.save(str(path))
    return path


# --- reading exports back ------------------------------------------------------------------------


def docx_rows(source: bytes | Path) -> list[list[str]]:
    """The cells of a DOCX's first table, row by row, as python-docx reads them."""
    import io

    import docx

    opened = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    return [[cell.text for cell in row.cells] for row in opened.tables[0].rows]


def xlsx_rows(source: bytes | Path) -> list[list[object]]:
    """The values of an XLSX's active sheet, row by row, as openpyxl reads them."""
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]
