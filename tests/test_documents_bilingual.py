"""Bilingual DOCX/XLSX/HTML writers, and an EPUB (French) aligned with a DOCX (English) end to
end with the bundled model, exported and opened again with python-docx and openpyxl."""

from __future__ import annotations

import io
import re
from pathlib import Path

import lxml.html
import pytest

from aligner.core.dp import AlignParams
from aligner.core.encoders import load_encoder
from aligner.core.pipeline import align_texts
from aligner.core.segmentation import clean_text
from aligner.core.types import Segment
from aligner.formats.bilingual import (
    BilingualRow,
    BilingualTable,
    write_docx,
    write_html,
    write_xlsx,
)
from aligner.formats.document import Document
from aligner.formats.documents import read_document
from aligner.formats.documents.segmentation import document_segmentation
from tests.conftest import SHARED, requires_shared
from tests.document_makers import docx_rows, xlsx_rows

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ROWS = [
    BilingualRow("Why We Quit the Communist Party", "פֿאַרוואָס מיר האָבן פֿאַרלאָזט", 0.91, "confirmed"),
    BilingualRow("=SUM(A1:A2) is not a formula here.", "", None, None),
    BilingualRow("", "אַ צוגאָב.", 0.12, "flagged"),
]


def test_docx_side_by_side_table_with_rtl_target() -> None:
    import docx

    data = write_docx(BilingualTable("Why We Quit", "en", "yi", ROWS))
    assert docx_rows(data) == [
        ["en", "yi", "score / status"],
        [ROWS[0].source, ROWS[0].target, "0.91 · confirmed"],
        [ROWS[1].source, "", ""],
        ["", ROWS[2].target, "0.12 · flagged"],
    ]
    table = docx.Document(io.BytesIO(data)).tables[0]
    target = table.rows[1].cells[1].paragraphs[0]
    source = table.rows[1].cells[0].paragraphs[0]
    assert target._p.find(f"{W}pPr/{W}bidi") is not None
    assert source._p.find(f"{W}pPr/{W}bidi") is None


def test_xlsx_rows_as_lf_aligner_writes_them() -> None:
    rows = xlsx_rows(write_xlsx(BilingualTable("Why We Quit", "en", "yi", ROWS)))
    assert rows == [
        ["en", "yi", "score", "status"],
        [ROWS[0].source, ROWS[0].target, 0.91, "confirmed"],
        ["'" + ROWS[1].source, None, None, None],  # text, never a formula; empty cells None
        [None, ROWS[2].target, 0.12, "flagged"],
    ]


def test_html_parallel_view_is_standalone() -> None:
    data = write_html(BilingualTable("Why <We> Quit", "en", "yi", ROWS))
    page = lxml.html.fromstring(data)
    assert page.findtext(".//title") == "Why <We> Quit"
    cells = page.findall(".//tr")[1].findall("td")
    assert [(c.get("lang"), c.get("dir")) for c in cells[:2]] == [("en", "ltr"), ("yi", "rtl")]
    assert not page.findall(".//script") and b"http" not in data


# --------------------------------------------------------------------------------------------
# End to end: an EPUB original, a DOCX translation
# --------------------------------------------------------------------------------------------

LINES = 40
_HEADING = re.compile(r"<h1>(.*?)</h1>")


def bilinguator(lang: str) -> list[str]:
    path = SHARED / f"data/bilinguator/nos/nos_{lang}.txt"
    return path.read_text(encoding="utf-8").splitlines()[:LINES]


def make_epub(lines: list[str], path: Path) -> Path:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("nos-fr")
    book.set_title("Le Nez")
    book.set_language("fr")
    book.add_author(lines[0])
    chapter = epub.EpubHtml(title="Le Nez", file_name="nez.xhtml", lang="fr")
    html = []
    for line in lines[1:]:
        heading = _HEADING.match(line)
        if heading:
            html.append(f"<h1>{heading.group(1)}</h1>")
            line = line[heading.end() :].removeprefix("<delimiter>")
        if line:
            html.append("<p>" + line.replace("<delimiter>", "<br/>") + "</p>")
    chapter.content = "".join(html)
    book.add_item(chapter)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [chapter]
    epub.write_epub(str(path), book)
    return path


def make_docx(lines: list[str], path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.author = lines[0]
    for line in lines[1:]:
        heading = _HEADING.fullmatch(line)
        if heading:
            document.add_heading(heading.group(1), 1)
        else:
            document.add_paragraph(line.replace("<delimiter>", " "))
    document.save(str(path))
    return path


def aligned_units(document: Document, lang: str) -> list[Segment]:
    segmentation = document_segmentation(document, lang)
    return [s for s in segmentation.segments if s.kind in ("heading", "sentence", "footnote")]


def line_of(segment: Segment, lines: list[str]) -> int:
    """The bilinguator line (the same paragraph in every language) a segment comes from."""
    cleaned = [clean_text(re.sub(r"<[^>]+>", " ", line)) for line in lines]
    return next(i for i, line in enumerate(cleaned) if segment.text in line)


@requires_shared
def test_epub_original_aligned_with_docx_translation_and_exported(tmp_path: Path) -> None:
    french, english = bilinguator("fr"), bilinguator("en")
    epub = read_document(make_epub(french, tmp_path / "nez.epub").read_bytes(), "nez.epub")
    docx_document = read_document(
        make_docx(english, tmp_path / "nose.docx").read_bytes(), "nose.docx"
    )
    src, tgt = aligned_units(epub, "fr"), aligned_units(docx_document, "en")
    assert src[0].kind == "heading" and src[0].text == "Le Nez"
    assert tgt[0].kind == "heading" and tgt[0].text == "The Nose"
    beads = align_texts(
        [s.text for s in src], [s.text for s in tgt], load_encoder().encode, AlignParams(),
        paragraphs=([s.paragraph for s in src], [s.paragraph for s in tgt]),
    )  # fmt: skip
    rows = [
        BilingualRow(
            " ".join(src[i].text for i in bead.src), " ".join(tgt[j].text for j in bead.tgt),
            bead.score,
        )
        for bead in beads
    ]  # fmt: skip
    # every sentence once, in order, on its side
    assert " ".join(r.source for r in rows if r.source) == " ".join(s.text for s in src)
    assert " ".join(r.target for r in rows if r.target) == " ".join(s.text for s in tgt)
    # line i of each bilinguator file is the same paragraph: beads keep to it
    same_paragraph = sum(
        1 for bead in beads if bead.src and bead.tgt
        and {line_of(src[i], french) for i in bead.src}
        == {line_of(tgt[j], english) for j in bead.tgt}
    )  # fmt: skip
    assert same_paragraph >= 0.9 * sum(1 for b in beads if b.src and b.tgt)

    table = BilingualTable("Le Nez / The Nose", "fr", "en", rows)
    reopened_docx = docx_rows(write_docx(table))
    reopened_xlsx = xlsx_rows(write_xlsx(table))
    assert len(reopened_docx) == len(reopened_xlsx) == len(rows) + 1
    assert reopened_docx[1][:2] == ["Le Nez", "The Nose"]
    assert [[r[0] or "", r[1] or ""] for r in reopened_xlsx[1:]] == [
        [r.source, r.target] for r in rows
    ]
    assert [r[:2] for r in reopened_docx[1:]] == [[r.source, r.target] for r in rows]


@pytest.mark.parametrize("writer", [write_docx, write_xlsx, write_html])
def test_an_empty_table_is_still_a_file(writer: object) -> None:
    assert callable(writer)
    data = writer(BilingualTable("Empty", "fr", "en", []))
    assert isinstance(data, bytes) and len(data) > 100
