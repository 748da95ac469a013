"""Pages per second and peak memory of the document readers, per format, for a 300-page book.

The book is real text: the TransRead novels of ../shared/data (English, then French, until
540,000 characters, 300 pages of 1,800 characters), one heading per chapter.  It is written
as plain text (hard-wrapped), Markdown, HTML (lxml), EPUB (ebooklib), DOCX (python-docx), ODT
(odfpy), PDF (LibreOffice from the DOCX, when ``soffice`` is installed) and SRT (a cue per
sentence).  Each format is then read in a fresh subprocess (``read_document``, then
``document_segmentation`` into sentences), which reports its times and its peak RSS.

Usage: python bench/import_formats.py   (prints a Markdown table)
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "transread"
PAGE_CHARS = 1800
BOOK_CHARS = 300 * PAGE_CHARS
Book = list[tuple[str, list[str]]]  # (heading, paragraphs of sentences)


def detokenize(sentence: str) -> str:
    text = re.sub(r" ([,.;:!?)\]»”’]|'s|n't)", r"\1", sentence)
    return re.sub(r"([(\[«“]) ", r"\1", text)


def load_book() -> Book:
    from aligner.formats.cesalign import read_sentences

    chapters: Book = []
    size = 0
    folders = sorted(p for p in DATA.iterdir() if p.name.endswith("_EN-FR"))
    for lang in ("en", "fr"):
        for folder in folders:
            name = folder.name.removesuffix("_EN-FR")
            ids, sentences = read_sentences(folder / f"cut_{name}_{lang}.xml")
            paragraphs: dict[str, list[str]] = {}
            for ident, sentence in zip(ids, sentences, strict=True):
                paragraphs.setdefault(ident.split(".")[0], []).append(detokenize(sentence))
            chapters.append((f"{name} ({lang})", []))
            for group in paragraphs.values():
                if len(group) == 1 and re.match(r"(CHAPTER|CHAPITRE|Chapter) ", group[0]):
                    chapters.append((group[0], []))
                    continue
                for start in range(0, len(group), 6):  # a novel's dialogue is one <p> here
                    chapters[-1][1].append(" ".join(group[start : start + 6]))
                    size += len(chapters[-1][1][-1])
                if size >= BOOK_CHARS:
                    return [c for c in chapters if c[1]]
    return [c for c in chapters if c[1]]


def write_formats(book: Book, folder: Path) -> dict[str, Path]:
    files = {
        "text": _text(book, folder / "book.txt"),
        "markdown": _markdown(book, folder / "book.md"),
        "html": _html(book, folder / "book.html"),
        "epub": _epub(book, folder / "book.epub"),
        "docx": _docx(book, folder / "book.docx"),
        "odt": _odt(book, folder / "book.odt"),
        "srt": _srt(book, folder / "book.srt"),
    }
    soffice = shutil.which("soffice")
    if soffice:
        profile = (folder / "profile").as_uri()
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(folder), str(files["docx"])],
            check=True, capture_output=True, timeout=900,
        )  # fmt: skip
        files["pdf"] = folder / "book.pdf"
    return files


def _text(book: Book, path: Path) -> Path:
    blocks = [b for heading, ps in book for b in (heading, *(textwrap.fill(p, 72) for p in ps))]
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return path


def _markdown(book: Book, path: Path) -> Path:
    blocks = [b for heading, ps in book for b in (f"## {heading}", *ps)]
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return path


def _html(book: Book, path: Path) -> Path:
    import lxml.html
    from lxml.html import builder as E

    body = [e for heading, ps in book for e in (E.H2(heading), *(E.P(p) for p in ps))]
    page = E.HTML(E.HEAD(E.META(charset="utf-8"), E.TITLE("TransRead")), E.BODY(*body))
    path.write_bytes(lxml.html.tostring(page, encoding="utf-8", doctype="<!DOCTYPE html>"))
    return path


def _epub(book: Book, path: Path) -> Path:
    from ebooklib import epub

    publication = epub.EpubBook()
    publication.set_identifier("transread")
    publication.set_title("TransRead")
    publication.set_language("en")
    chapters = []
    for number, (heading, paragraphs) in enumerate(book):
        chapter = epub.EpubHtml(title=heading, file_name=f"c{number}.xhtml")
        chapter.content = f"<h2>{heading}</h2>" + "".join(f"<p>{p}</p>" for p in paragraphs)
        publication.add_item(chapter)
        chapters.append(chapter)
    publication.toc = chapters
    publication.add_item(epub.EpubNcx())
    publication.add_item(epub.EpubNav())
    publication.spine = chapters
    epub.write_epub(str(path), publication)
    return path


def _docx(book: Book, path: Path) -> Path:
    import docx

    document = docx.Document()
    for heading, paragraphs in book:
        document.add_heading(heading, 2)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def _odt(book: Book, path: Path) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    for heading, paragraphs in book:
        document.text.addElement(H(outlinelevel=2, text=heading))
        for paragraph in paragraphs:
            document.text.addElement(P(text=paragraph))
    document.save(str(path))
    return path


def _srt(book: Book, path: Path) -> Path:
    import srt

    sentences = [s for _, ps in book for p in ps for s in re.split(r"(?<=[.!?]) ", p)]
    second = datetime.timedelta(seconds=1)
    cues = [srt.Subtitle(i + 1, 3 * i * second, (3 * i + 2) * second, textwrap.fill(s, 42))
            for i, s in enumerate(sentences)]  # fmt: skip
    path.write_text(srt.compose(cues), encoding="utf-8")
    return path


def _peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the
    parent that forked it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(path: Path) -> dict[str, float]:
    """Read and segment one file; runs in its own process (see main)."""
    rss_start = _peak_rss_mib()
    from aligner.formats.documents import read_document
    from aligner.formats.documents.segmentation import document_segmentation

    raw = path.read_bytes()
    rss_before = _peak_rss_mib()
    started = time.perf_counter()
    document = read_document(raw, path.name)
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    segmentation = document_segmentation(document, "en")
    segment_seconds = time.perf_counter() - started
    return {
        "read_s": read_seconds,
        "segment_s": segment_seconds,
        "chars": len(document.text),
        "blocks": len(document.blocks),
        "segments": len(segmentation.segments),
        "bytes": len(raw),
        "rss_start_mib": rss_start,
        "rss_before_mib": rss_before,
        "peak_rss_mib": _peak_rss_mib(),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(Path(sys.argv[2]))))
        return
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent: this benchmark needs ../shared/data")
    book = load_book()
    size = sum(len(p) for _, ps in book for p in ps)
    print(f"book: {len(book)} chapters, {sum(len(ps) for _, ps in book)} paragraphs, "
          f"{size:,} characters = {size / PAGE_CHARS:.0f} pages of {PAGE_CHARS}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        files = write_formats(book, Path(tmp))
        print("\n| format | file | blocks | segments | read s | pages/s read | segment s "
              "| pages/s read+segment | peak RSS MiB (at start, after imports) |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|")
        for name, path in files.items():
            result = subprocess.run(
                [sys.executable, __file__, "--measure", str(path)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            m = json.loads(result.stdout)
            pages = m["chars"] / PAGE_CHARS
            total = m["read_s"] + m["segment_s"]
            print(
                f"| {name} | {m['bytes'] / 2**20:.1f} MiB | {m['blocks']:.0f} | "
                f"{m['segments']:.0f} | {m['read_s']:.1f} | {pages / m['read_s']:.0f} | "
                f"{m['segment_s']:.1f} | {pages / total:.0f} | {m['peak_rss_mib']:.0f} "
                f"({m['rss_start_mib']:.0f}, {m['rss_before_mib']:.0f}) |"
            )
        compare_libraries(files)


def compare_libraries(files: dict[str, Path]) -> None:
    """The measurements behind the choice of libraries, where the alternatives are installed."""
    print("\n| library | what | seconds |\n|---|---|---|")
    html = files["html"].read_bytes()
    import lxml.html

    seconds = _seconds(lxml.html.document_fromstring, html)
    print(f"| lxml.html | parse the HTML book x10 | {seconds:.2f} |")
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        print("| selectolax | not installed | |")
    else:
        seconds = _seconds(LexborHTMLParser, html)
        print(f"| selectolax (lexbor) | parse the HTML book x10 | {seconds:.2f} |")
    if "pdf" not in files:
        return
    from pdfminer.high_level import extract_text

    pdf = str(files["pdf"])
    print(f"| pdfminer.six | extract_text of the PDF | {_seconds(extract_text, pdf, 1):.1f} |")
    try:
        import pypdf
    except ImportError:
        print("| pypdf | not installed | |")
        return

    def pypdf_text(name: str) -> str:
        return "".join(page.extract_text() for page in pypdf.PdfReader(name).pages)

    print(f"| pypdf | extract_text of the PDF | {_seconds(pypdf_text, pdf, 1):.1f} |")


def _seconds(function: Callable[[Any], object], argument: Any, repeat: int = 10) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        function(argument)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
