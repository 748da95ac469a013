"""Make the example documents of docs/documents.md (docs/examples/documents/), each by the
program a user would have made it with: ebooklib, python-docx, odfpy, LibreOffice, lxml.

Usage: python -m tests.document_examples   (LibreOffice is needed for the PDF)

The files are committed so that the documentation's examples run the same everywhere (a new
EPUB or DOCX differs in its timestamps, never in what it reads to).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tests.document_makers import REPO, known_text, make_docx, make_odt, soffice_convert
from tests.test_documents_import import (
    MARKDOWN,
    ONE_PARAGRAPH_A_LINE,
    SRT,
    VTT,
    make_english_docx,
    make_french_epub,
)
from tests.test_documents_web import make_epub, marxists_page

FOLDER = REPO / "docs" / "examples" / "documents"


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    text = known_text()
    make_french_epub(FOLDER / "pourquoi.fr.epub")
    make_english_docx(FOLDER / "why.en.docx")
    make_epub(text, FOLDER / "book.epub")
    make_docx(text, FOLDER / "report.docx")
    make_odt(text, FOLDER / "draft.odt")
    (FOLDER / "page.html").write_bytes(marxists_page(text.paragraphs[:2], "windows-1251"))
    (FOLDER / "notes.md").write_text(MARKDOWN, encoding="utf-8")
    (FOLDER / "film.srt").write_text(SRT, encoding="utf-8")
    (FOLDER / "film.vtt").write_text(VTT, encoding="utf-8")
    (FOLDER / "one-a-line.txt").write_text(ONE_PARAGRAPH_A_LINE, encoding="utf-8")
    with tempfile.TemporaryDirectory() as scratch:
        odt = make_odt(text, Path(scratch) / "printed.odt", changes=False)
        [pdf] = soffice_convert([odt], "pdf", Path(scratch))
        shutil.copyfile(pdf, FOLDER / "printed.pdf")
    for path in sorted(FOLDER.iterdir()):
        print(f"{path.relative_to(REPO)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
