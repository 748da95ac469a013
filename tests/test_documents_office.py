"""DOCX, ODT and PDF readers on documents made by python-docx, odfpy and LibreOffice."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from aligner.core.segmentation import clean_text
from aligner.errors import InputError
from aligner.formats.document import Document
from aligner.formats.documents import read_document
from aligner.formats.documents.docx import COMMENTS_DROPPED, TRACKED_CHANGES
from aligner.formats.documents.segmentation import document_segmentation
from tests.document_makers import (
    Text,
    known_text,
    make_docx,
    make_odt,
    requires_libreoffice,
    soffice_convert,
)

RUNNING_HEADER = "The New International — May 1938"
VERSE = "There is no supreme savior,\nNo God, no Caesar, no Tribune,"


def read(path: Path) -> Document:
    return read_document(path.read_bytes(), path.name)


def body(document: Document) -> list[str]:
    """The paragraphs' texts as segments (footnote markers left out)."""
    segmentation = document_segmentation(document, "en", unit="paragraph")
    return [s.text for s in segmentation.segments if s.kind == "paragraph"]


def test_docx_round_trip_headings_table_and_line_break(tmp_path: Path) -> None:
    text = known_text()
    document = read(make_docx(text, tmp_path / "quit.docx"))
    assert document.format == "docx"
    assert document.texts("heading") == text.headings
    assert [b.level for b in document.blocks if b.kind == "heading"] == [1, 1, 1]
    assert body(document) == [*text.paragraphs, "Rappoport", "Paris", clean_text(VERSE)]
    assert document.texts("paragraph")[-1] == VERSE
    assert document.metadata["title"] == text.title
    assert document.metadata["author"] == "The New International"
    assert document.warnings == ()


def odt_expected(text: Text) -> list[str]:
    paragraphs = [p for _, ps in text.chapters for p in ps]
    paragraphs[0] = f"{paragraphs[0]} Inserted sentence."
    return paragraphs


def test_odt_footnotes_tracked_changes_and_comments(tmp_path: Path) -> None:
    text = known_text()
    document = read(make_odt(text, tmp_path / "quit.odt"))
    assert document.texts("heading") == text.headings
    assert [b.level for b in document.blocks if b.kind == "heading"] == [1, 2, 2]
    assert body(document)[:-1] == odt_expected(text)
    # the markers stay in the extracted text as their numbers, glued to the word they follow
    first_words = [p.split(" ", 1)[0] for p in (text.paragraphs[0], text.paragraphs[6])]
    assert [
        document.text[m.start - len(w) : m.end]
        for m, w in zip(document.markers, first_words, strict=True)
    ] == [f"{first_words[0]}1", f"{first_words[1]}2"]
    assert document.texts("paragraph")[-1] == VERSE
    assert document.texts("footnote") == text.footnotes
    assert [b.label for b in document.blocks if b.kind == "footnote"] == ["1", "2"]
    assert [m.number for m in document.markers] == ["1", "2"]
    assert "WORDS STRUCK OUT" not in document.text
    assert "REVIEWER" not in document.text
    assert set(document.warnings) == {TRACKED_CHANGES, COMMENTS_DROPPED}
    assert document.metadata["title"] == text.title


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """LibreOffice's DOCX of the ODT, and its PDFs of both (one run of soffice per target)."""
    folder = tmp_path_factory.mktemp("libreoffice")
    text = known_text()
    odt = make_odt(text, folder / "quit.odt")
    clean = make_odt(text, folder / "clean.odt", changes=False)
    docx_file = make_docx(text, folder / "made.docx")
    long = Text(text.title, text.chapters * 3, text.footnotes)
    running = make_docx(long, folder / "running.docx", running=RUNNING_HEADER)
    [lo_docx] = soffice_convert([odt], "docx", folder / "docx")
    pdfs = soffice_convert([clean, docx_file, running], "pdf", folder / "pdf")
    return {"docx": lo_docx, "odt_pdf": pdfs[0], "docx_pdf": pdfs[1], "running_pdf": pdfs[2]}


@requires_libreoffice
def test_libreoffice_docx_footnotes_and_tracked_changes(converted: dict[str, Path]) -> None:
    text = known_text()
    document = read(converted["docx"])
    assert document.texts("heading") == text.headings
    assert document.texts("footnote") == text.footnotes
    assert [m.number for m in document.markers] == ["1", "2"]
    assert body(document)[:-1] == odt_expected(text)
    assert "WORDS STRUCK OUT" not in document.text
    assert "REVIEWER" not in document.text
    assert set(document.warnings) == {TRACKED_CHANGES, COMMENTS_DROPPED}


@requires_libreoffice
def test_libreoffice_pdf_round_trip(converted: dict[str, Path]) -> None:
    text = known_text()
    document = read(converted["docx_pdf"])
    assert document.format == "pdf"
    assert document.texts("heading") == text.headings
    assert [b.level for b in document.blocks if b.kind == "heading"] == [1, 2, 2]
    # every paragraph comes back whole (lines joined, a compound cut at a line's end,
    # "deep-|going", keeps its hyphen); the table's cells, side by side, are paragraphs
    assert body(document) == [*text.paragraphs, "Rappoport", "Paris", clean_text(VERSE)]
    assert document.metadata["title"] == text.title


@requires_libreoffice
def test_libreoffice_pdf_running_header_and_page_numbers_removed(
    converted: dict[str, Path],
) -> None:
    from pdfminer.high_level import extract_text

    text = known_text()
    printed = extract_text(converted["running_pdf"])
    assert printed.count(RUNNING_HEADER) >= 3  # on every page, with a page number
    assert "3" in printed.split()
    document = read(converted["running_pdf"])
    assert RUNNING_HEADER not in document.text
    assert body(document) == [*text.paragraphs * 3, "Rappoport", "Paris", clean_text(VERSE)]
    assert document.texts("heading") == [text.title, *[h for h, _ in text.chapters] * 3]
    assert not any(t.isdigit() for t in document.texts())


@requires_libreoffice
def test_libreoffice_pdf_footnotes(converted: dict[str, Path]) -> None:
    text = known_text()
    document = read(converted["odt_pdf"])
    assert document.texts("footnote") == text.footnotes
    assert [b.label for b in document.blocks if b.kind == "footnote"] == ["1", "2"]
    assert [m.number for m in document.markers] == ["1", "2"]
    assert body(document)[:-1] == text.paragraphs


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The same bytes whenever they are made: they name parametrised cases, and pytest-xdist
    stops the whole run when its workers collect different names (a member stamped with the
    time of day differed when two workers collected a second apart)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            member = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            archive.writestr(member, data, compress_type=compression)
    return buffer.getvalue()


def test_docx_zip_bomb_is_refused_before_expanding(tmp_path: Path) -> None:
    made = make_docx(known_text(), tmp_path / "made.docx")
    with zipfile.ZipFile(made) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    xml = members["word/document.xml"]
    members["word/document.xml"] = xml.replace(b"</w:body>", b" " * (200 * 2**20) + b"</w:body>")
    bomb = zip_bytes(members)
    assert len(bomb) < 2 * 2**20
    with pytest.raises(InputError, match=r"bomb\.docx: word/document\.xml .*zip bomb") as info:
        read_document(bomb, "bomb.docx")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 this is not a zip at all", "not a readable DOCX"),
        (zip_bytes({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w:document"}),
         "word/document.xml: not well-formed XML"),
        (zip_bytes({"[Content_Types].xml": b"<x/>", "word/document.xml": (
            b'<!DOCTYPE d [<!ENTITY e "boom">]><d>&e;</d>')}), "declares entities"),
        (zip_bytes({"hello.txt": b"hello"}), "not an EPUB, DOCX or ODT"),
    ],
)  # fmt: skip
def test_bad_docx_is_one_line(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        read_document(data, "bad.docx")
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("bad.docx: ")


def test_truncated_docx_is_one_line(tmp_path: Path) -> None:
    data = make_docx(known_text(), tmp_path / "cut.docx").read_bytes()
    with pytest.raises(InputError, match=r"cut\.docx: ") as info:
        read_document(data[: len(data) // 2], "cut.docx")
    assert "\n" not in str(info.value)


@requires_libreoffice
def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    odt = make_odt(known_text(), tmp_path / "secret.odt", changes=False)
    options = (
        'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
        '"DocumentOpenPassword":{"type":"string","value":"secret"}}'
    )
    [pdf] = soffice_convert([odt], options, tmp_path / "out")
    with pytest.raises(InputError, match=r"secret\.pdf: the PDF is encrypted"):
        read(pdf)


def test_scanned_pdf_needs_ocr(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).text((50, 50), "A page that was scanned", fill="black")
    image.save(tmp_path / "scan.pdf")
    with pytest.raises(InputError, match=r"scan\.pdf: the PDF has no text layer .*OCR it first"):
        read(tmp_path / "scan.pdf")


def test_broken_pdf_is_one_line() -> None:
    with pytest.raises(InputError, match=r"broken\.pdf: ") as info:
        read_document(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", "broken.pdf")
    assert "\n" not in str(info.value)
