"""Documents through ``aligner import``, ``align`` and ``export docx|xlsx|html``, on SQLite and
PostgreSQL: an EPUB original (French) aligned with a DOCX translation (English) and exported;
every format imported by the command line with its structure, its bytes kept verbatim (``show
--raw``) and a second import changing nothing; bad files refused with one line, nothing stored.
"""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from aligner.store.models import Version
from aligner.store.queries import get_version, get_work
from aligner.store.session import Database
from tests.conftest import CORPUS, Cli, assert_one_line_error
from tests.dbdump import database_dump
from tests.document_makers import (
    Text,
    docx_rows,
    known_text,
    make_docx,
    make_odt,
    requires_libreoffice,
    soffice_convert,
    xlsx_rows,
)
from tests.test_documents_web import make_epub, marxists_page

WORK = "why-we-quit"
EN_FILE = CORPUS / "new-international-1938-05/why-we-quit-the-communist-party.en.txt"
FR_FILE = CORPUS / "demonstration/why-we-quit-introduction.fr-demo.txt"


def introduction(lang: str) -> Text:
    """The editors' introduction (a heading and three paragraphs) in the bundled corpus: the
    English original and the French demonstration translation, paragraph for paragraph."""
    if lang == "fr":
        lines = _lines(FR_FILE)
        start = lines.index("Pourquoi nous avons quitté le Parti communiste")
        return Text(lines[start], [("", lines[start + 1 : start + 4])])
    lines = _lines(EN_FILE)
    start = next(i for i, line in enumerate(lines) if line.startswith("The general reaction"))
    return Text("Why We Quit the Communist Party", [("", lines[start : start + 3])])


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def make_french_epub(path: Path) -> Path:
    from ebooklib import epub

    text = introduction("fr")
    book = epub.EpubBook()
    book.set_identifier("pourquoi")
    book.set_title(text.title)
    book.set_language("fr")
    book.add_author("La rédaction de The New International")
    chapter = epub.EpubHtml(title=text.title, file_name="intro.xhtml", lang="fr")
    chapter.content = f"<h1>{text.title}</h1>" + "".join(f"<p>{p}</p>" for p in text.paragraphs)
    book.add_item(chapter)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [chapter]
    epub.write_epub(str(path), book)
    return path


def make_english_docx(path: Path) -> Path:
    import docx

    text = introduction("en")
    document = docx.Document()
    document.core_properties.title = text.title
    document.add_heading(text.title, 1)
    for paragraph in text.paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def stored_segments(cli: Cli, label: str) -> list[tuple[str, int, str]]:
    with Database(cli.db_url) as db, db.session() as session:
        revision = get_version(get_work(session, WORK), label).current
        assert revision is not None
        return [(s.kind, s.paragraph, s.text) for s in revision.segments]


def test_epub_original_and_docx_translation_import_align_and_export(
    cli: Cli, tmp_path: Path
) -> None:
    epub = make_french_epub(tmp_path / "pourquoi.epub")
    docx = make_english_docx(tmp_path / "why.docx")
    cli.ok("import", epub, "--work", WORK, "--lang", "fr", "--role", "original")
    cli.ok("import", docx, "--work", WORK, "--lang", "en", "--translation-of", "fr")
    french, english = stored_segments(cli, "fr"), stored_segments(cli, "en")
    # the structure drives the segments: one heading, then the sentences of three paragraphs
    assert (
        [kind for kind, _, _ in french].count("heading")
        == 1
        == len([k for k, _, _ in english if k == "heading"])
    )
    assert {p for k, p, _ in french if k == "sentence"} == {1, 2, 3}
    assert {p for k, p, _ in english if k == "sentence"} == {1, 2, 3}
    with Database(cli.db_url) as db, db.session() as session:
        work = get_work(session, WORK)
        fr_version = get_version(work, "fr")
        assert fr_version.title == introduction("fr").title  # from the EPUB's metadata
        assert work.author == "La rédaction de The New International"

    cli.ok("align", WORK, "--src", "fr", "--tgt", "en")
    cli.ok("export", "docx", WORK, "--tgt", "en", "-o", tmp_path / "why.docx.out.docx")
    written = cli.ok("export", "xlsx", WORK, "--tgt", "en", "-o", tmp_path / "why.xlsx")
    assert written.stdout.startswith(f"{WORK}: run 1, fr → en: ")

    table = docx_rows(tmp_path / "why.docx.out.docx")
    sheet = xlsx_rows(tmp_path / "why.xlsx")
    assert table[0] == ["fr", "en", "score / status"]
    assert sheet[0] == ["fr", "en", "score", "status"]
    assert table[1][:2] == [introduction("fr").title, introduction("en").title]
    assert [[r[0] or "", r[1] or ""] for r in sheet[1:]] == [r[:2] for r in table[1:]]
    # every sentence once, in reading order, on its side
    assert " ".join(r[0] for r in table[1:] if r[0]) == " ".join(t for _, _, t in french)
    assert " ".join(r[1] for r in table[1:] if r[1]) == " ".join(t for _, _, t in english)
    # the paragraphs are translated one for one: a bead keeps to its paragraph on both sides
    paragraph_of = {t: p for _, p, t in french} | {t: p for _, p, t in english}
    for source, target, _ in table[1:]:
        assert source and target
        assert source.startswith(tuple(t for _, _, t in french))
        src_paragraph = next(p for t, p in paragraph_of.items() if source.startswith(t))
        tgt_paragraph = next(p for t, p in paragraph_of.items() if target.startswith(t))
        assert src_paragraph == tgt_paragraph


# --------------------------------------------------------------------------------------------
# Every format through the command line
# --------------------------------------------------------------------------------------------

MARKDOWN = """---
title: Why We Quit
author: The New International
---

# Why We Quit the Communist Party

The general reaction to the Moscow frame-ups has been contrary to Stalin's wish.[^1] Party
members are silently dropping out.

Not less significant is the statement of the Palestine communists.

[^1]: The third Moscow trial, March 1938.
"""
SRT = """1
00:00:01,000 --> 00:00:03,500
The meeting opened at noon.

2
00:00:04,000 --> 00:00:06,000
The workers voted to strike.
"""
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\nThe meeting opened at noon.\n\n" + (
    "00:00:04.000 --> 00:00:06.000\nThe workers voted to strike.\n"
)
ONE_PARAGRAPH_A_LINE = (
    "The New International\n<h1>Why We Quit</h1>\n"
    "The general reaction to the Moscow frame-ups has been contrary to Stalin's wish. Party "
    "members are silently dropping out.\n"
    "Not less significant is the statement of the Palestine communists, whose names are not "
    "appended to the leaflet. It appeared originally in Yiddish.\n"
)


def _text_maker(content: str, name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_text(content, encoding="utf-8")
        return path

    return make


def _bytes_maker(make_bytes: Callable[[], bytes], name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(make_bytes())
        return path

    return make


# format -> (maker, the headings it must give, whether a footnote is in it)
MAKERS: dict[str, tuple[Callable[[Path], Path], list[str], bool]] = {
    "epub": (lambda d: make_epub(known_text(), d / "why.epub"), known_text().headings, True),
    "docx": (lambda d: make_docx(known_text(), d / "why.docx"), known_text().headings, False),
    "odt": (lambda d: make_odt(known_text(), d / "why.odt"), known_text().headings, True),
    "html": (
        _bytes_maker(lambda: marxists_page(known_text().paragraphs[:3]), "why.html"),
        ["The Internationalists Need Our Help!", "(September 1935)"],
        True,
    ),
    "markdown": (_text_maker(MARKDOWN, "why.md"), ["Why We Quit the Communist Party"], True),
    "srt": (_text_maker(SRT, "why.srt"), [], False),
    "vtt": (_text_maker(VTT, "why.vtt"), [], False),
    "text": (_text_maker(ONE_PARAGRAPH_A_LINE, "why.txt"), ["Why We Quit"], False),
}


def kinds_and_headings(cli: Cli, label: str = "en") -> tuple[set[str], list[str]]:
    segments = stored_segments(cli, label)
    return {k for k, _, _ in segments}, [t for k, _, t in segments if k == "heading"]


@pytest.mark.parametrize("fmt", list(MAKERS))
def test_each_format_imports_with_its_structure_and_again_changes_nothing(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    make, headings, footnote = MAKERS[fmt]
    path = make(tmp_path)
    first = cli.ok("import", path, "--work", WORK, "--lang", "en", "--role", "original")
    assert first.stdout.startswith(f"{WORK}/en: imported 1: ")
    kinds, found = kinds_and_headings(cli)
    assert found == headings
    assert ("footnote" in kinds) == footnote
    assert "sentence" in kinds
    if fmt in ("srt", "vtt"):  # a cue is one unit, labelled with its timing
        segments = stored_segments(cli, "en")
        assert [t for _, _, t in segments] == [
            "The meeting opened at noon.",
            "The workers voted to strike.",
        ]
    before = database_dump(cli.db_url)
    again = cli.ok("import", path, "--work", WORK, "--lang", "en", "--role", "original")
    assert again.stdout.strip() == f"{WORK}/en: unchanged (revision 1)"
    assert database_dump(cli.db_url) == before
    raw = cli.ok("show", WORK, "--lang", "en", "--raw")
    assert raw.stdout_bytes == path.read_bytes()


@requires_libreoffice
def test_pdf_imports_through_the_command_line(sqlite_cli: Cli, tmp_path: Path) -> None:
    odt = make_odt(known_text(), tmp_path / "why.odt", changes=False)
    [pdf] = soffice_convert([odt], "pdf", tmp_path / "out")
    sqlite_cli.ok("import", pdf, "--work", WORK, "--lang", "en", "--role", "original")
    kinds, headings = kinds_and_headings(sqlite_cli)
    assert headings == known_text().headings and {"sentence", "footnote"} <= kinds
    assert sqlite_cli.ok("show", WORK, "--lang", "en", "--raw").stdout_bytes == pdf.read_bytes()


def test_tracked_changes_are_said_on_stderr(sqlite_cli: Cli, tmp_path: Path) -> None:
    odt = make_odt(known_text(), tmp_path / "why.odt", changes=True)
    result = sqlite_cli.ok("import", odt, "--work", WORK, "--lang", "en")
    assert "Warning: " in result.stderr and "tracked changes resolved" in result.stderr


def test_format_forced(sqlite_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "why.data"
    path.write_text(MARKDOWN, encoding="utf-8")
    sqlite_cli.ok("import", path, "--work", WORK, "--lang", "en", "--format", "markdown")
    assert kinds_and_headings(sqlite_cli)[1] == ["Why We Quit the Communist Party"]
    result = sqlite_cli("import", path, "--work", WORK, "--lang", "en", "--format", "rtf")
    assert_one_line_error(result, "--format 'rtf': not a format")


def test_one_paragraph_a_line_text_keeps_its_paragraphs(sqlite_cli: Cli, tmp_path: Path) -> None:
    path = _text_maker(ONE_PARAGRAPH_A_LINE, "why.txt")(tmp_path)
    sqlite_cli.ok("import", path, "--work", WORK, "--lang", "en")
    segments = stored_segments(sqlite_cli, "en")
    assert segments[0] == ("note", 0, "The New International")  # the author line, not a sentence
    assert segments[1] == ("heading", 1, "Why We Quit")
    assert [(k, p) for k, p, _ in segments[2:]] == [("sentence", 2)] * 2 + [("sentence", 3)] * 2


def test_manifest_names_documents(sqlite_cli: Cli, tmp_path: Path) -> None:
    make_french_epub(tmp_path / "pourquoi.epub")
    make_english_docx(tmp_path / "why.docx")
    (tmp_path / "notes.data").write_text(MARKDOWN, encoding="utf-8")
    (tmp_path / "manifest.toml").write_text(
        f'[[work]]\nslug = "{WORK}"\n\n[[work.version]]\nlang = "fr"\nrole = "original"\n'
        'file = "pourquoi.epub"\n\n[[work.version]]\nlang = "en"\nrole = "translation"\n'
        'translation_of = "fr"\nfile = "why.docx"\n\n[[work.version]]\nlang = "en"\n'
        'label = "en-notes"\nrole = "translation"\nfile = "notes.data"\nformat = "markdown"\n',
        encoding="utf-8",
    )
    result = sqlite_cli.ok("import", tmp_path)
    assert result.stdout.count("imported 1") == 3
    assert kinds_and_headings(sqlite_cli, "en-notes")[1] == ["Why We Quit the Communist Party"]
    assert kinds_and_headings(sqlite_cli, "fr")[1] == [introduction("fr").title]


# --------------------------------------------------------------------------------------------
# Bad files: one line, nothing stored
# --------------------------------------------------------------------------------------------


def _zip_bomb(folder: Path) -> Path:
    import zipfile

    made = make_docx(known_text(), folder / "made.docx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                data = data.replace(b"</w:body>", b" " * (200 * 2**20) + b"</w:body>")
            z.writestr(name, data)
    path = folder / "bomb.docx"
    path.write_bytes(buffer.getvalue())
    return path


def _drm_epub(folder: Path) -> Path:
    import zipfile

    made = make_epub(known_text(), folder / "made.epub")
    path = folder / "locked.epub"
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("META-INF/rights.xml", b"<adept:rights xmlns:adept='x'/>")
    return path


def _truncated_docx(folder: Path) -> Path:
    data = make_docx(known_text(), folder / "made.docx").read_bytes()
    path = folder / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _scanned_pdf(folder: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).text((50, 50), "A page that was scanned", fill="black")
    image.save(folder / "scan.pdf")
    return folder / "scan.pdf"


BAD: dict[str, tuple[Callable[[Path], Path], str]] = {
    "zip bomb": (_zip_bomb, "zip bomb"),
    "DRM": (_drm_epub, "DRM-protected"),
    "truncated": (_truncated_docx, "cut.docx: "),
    "scan": (_scanned_pdf, "OCR it first"),
    "no paragraphs": (
        _bytes_maker(
            lambda: b"<html><body><nav><a href='/'>home</a></nav></body></html>", "e.html"
        ),
        "no paragraphs",
    ),
    "unknown binary": (_bytes_maker(lambda: bytes(range(256)) * 8, "x.bin"), "binary file"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_files_are_one_line_and_store_nothing(cli: Cli, tmp_path: Path, case: str) -> None:
    make, message = BAD[case]
    path = make(tmp_path)
    cli.ok("import", _text_maker(ONE_PARAGRAPH_A_LINE, "ok.txt")(tmp_path), "--work", "ok",
           "--lang", "en")  # fmt: skip
    before = database_dump(cli.db_url)
    result = cli("import", path, "--work", WORK, "--lang", "en")
    assert_one_line_error(result, message)
    assert database_dump(cli.db_url) == before


def test_start_and_end_are_for_plain_text(sqlite_cli: Cli, tmp_path: Path) -> None:
    docx = make_english_docx(tmp_path / "why.docx")
    (tmp_path / "manifest.toml").write_text(
        f'[[work]]\nslug = "{WORK}"\n\n[[work.version]]\nlang = "en"\nrole = "original"\n'
        'file = "why.docx"\nstart = "Why We Quit the Communist Party"\n',
        encoding="utf-8",
    )
    result = sqlite_cli("import", tmp_path)
    assert_one_line_error(result, f"{docx.name}: start and end pick lines of a plain-text file")
    with Database(sqlite_cli.db_url) as db, db.session() as session:
        assert not session.scalars(select(Version)).all()


def test_show_raw_of_a_binary_document_on_a_terminal_says_what_it_is(
    sqlite_cli: Cli, tmp_path: Path
) -> None:
    docx = make_english_docx(tmp_path / "why.docx")
    sqlite_cli.ok("import", docx, "--work", WORK, "--lang", "en")
    command = [sys.executable, "-m", "aligner", "--db", sqlite_cli.db_url]
    shown = _on_a_terminal([*command, "show", WORK, "--lang", "en", "--raw"])
    assert f"why.docx: a DOCX document of {docx.stat().st_size:,} bytes" in shown
    assert "PK" not in shown
    piped = subprocess.run(
        [*command, "show", WORK, "--lang", "en", "--raw"], capture_output=True, check=True
    )
    assert piped.stdout == docx.read_bytes()


def _on_a_terminal(command: list[str]) -> str:
    """What ``command`` writes when its output is a terminal (a pseudo-terminal)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_document_in_another_language_than_given_is_said(sqlite_cli: Cli, tmp_path: Path) -> None:
    epub = make_french_epub(tmp_path / "pourquoi.epub")
    result = sqlite_cli.ok("import", epub, "--work", WORK, "--lang", "de")
    assert result.stderr == (
        f"Warning: {epub}: the document says its language is 'fr'; imported as 'de'\n"
    )
    again = sqlite_cli.ok("import", epub, "--work", "other", "--lang", "fr-CA")
    assert again.stderr == ""


def test_align_files_takes_documents(sqlite_cli: Cli, tmp_path: Path) -> None:
    epub = make_french_epub(tmp_path / "pourquoi.epub")
    docx = make_english_docx(tmp_path / "why.docx")
    args = ("align-files", epub, docx, "--src-lang", "fr", "--tgt-lang", "en", "--format", "tsv")
    rows = [line.split("\t") for line in sqlite_cli.ok(*args).stdout.splitlines()]
    assert rows[0][:2] == [introduction("fr").title, introduction("en").title]
    english = introduction("en")
    assert " ".join(r[1] for r in rows if r[1]) == " ".join([english.title, *english.paragraphs])


def test_a_text_imported_before_layouts_were_read_is_unchanged(
    sqlite_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database written when every plain text was cut at blank lines only: the same file
    imported again keeps that reading (and its offsets) instead of making a new revision."""
    path = _text_maker(ONE_PARAGRAPH_A_LINE, "why.txt")(tmp_path)
    with monkeypatch.context() as earlier:
        earlier.setattr("aligner.formats.monolingual.needs_structure", lambda text: False)
        sqlite_cli.ok("import", path, "--work", WORK, "--lang", "en")
    assert [k for k, _, _ in stored_segments(sqlite_cli, "en")] == ["sentence"] * 4
    before = database_dump(sqlite_cli.db_url)
    again = sqlite_cli.ok("import", path, "--work", WORK, "--lang", "en")
    assert again.stdout.strip() == f"{WORK}/en: unchanged (revision 1)"
    assert database_dump(sqlite_cli.db_url) == before


def test_the_same_bytes_read_another_way_are_refused(sqlite_cli: Cli, tmp_path: Path) -> None:
    path = _text_maker(MARKDOWN, "notes.md")(tmp_path)
    sqlite_cli.ok("import", path, "--work", WORK, "--lang", "en")
    before = database_dump(sqlite_cli.db_url)
    result = sqlite_cli("import", path, "--work", "other", "--lang", "en", "--format", "text")
    assert_one_line_error(result, "notes.md: these bytes were imported before (notes.md)")
    assert database_dump(sqlite_cli.db_url) == before
