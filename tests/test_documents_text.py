"""Plain text conventions, Project Gutenberg, Markdown, SRT/WebVTT, the format registry and the
segmentation of documents."""

from __future__ import annotations

import datetime
import re
import textwrap

import pytest

from aligner.core.segmentation import clean_text
from aligner.errors import InputError
from aligner.formats.document import Document
from aligner.formats.documents import detect_format, read_document
from aligner.formats.documents.lines import line_join
from aligner.formats.documents.plaintext import GUTENBERG_HEADER, LICENCE
from aligner.formats.documents.segmentation import document_segmentation
from tests.conftest import SHARED, requires_shared
from tests.document_makers import CORPUS, corpus_paragraphs, known_text

MANIFESTO = "workers-group-manifesto-1923/manifesto-of-the-workers-group.en.txt"


def body(document: Document, lang: str = "en") -> list[str]:
    segmentation = document_segmentation(document, lang, unit="paragraph")
    return [s.text for s in segmentation.segments if s.kind == "paragraph"]


@requires_shared
def test_bilinguator_one_paragraph_per_line_with_author_and_tagged_headings() -> None:
    path = SHARED / "data/bilinguator/nos/nos_ru.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    document = read_document(path.read_bytes(), path.name)
    assert document.metadata["paragraphs"] == "line"
    assert document.metadata["author"] == lines[0] == "Николай Васильевич Гоголь"
    assert [(b.kind, b.label) for b in document.blocks[:1]] == [("note", "author")]
    assert document.texts("heading") == ["Нос", "I", "II", "III"]
    # <delimiter> is a line break inside the paragraph, <i>…</i> italics: markup, not text
    expected = [clean_text(re.sub("</?i>|<delimiter>", " ", line)) for line in lines[1:]]
    assert body(document, "ru") == [line for line in expected if not line.startswith("<h1>")]
    assert len(body(document, "ru")) == 233


def test_one_paragraph_per_line() -> None:
    paragraphs = corpus_paragraphs(MANIFESTO)
    document = read_document("\n".join(paragraphs).encode(), "manifesto.txt")
    assert document.metadata["paragraphs"] == "line"
    assert body(document) == paragraphs


def test_hard_wrapped_lines_with_blank_lines_between_paragraphs() -> None:
    paragraphs = corpus_paragraphs(MANIFESTO)
    raw = "\n\n".join(textwrap.fill(p, 72) for p in paragraphs)
    document = read_document(raw.encode(), "manifesto.txt")
    assert document.metadata["paragraphs"] == "wrapped"
    assert body(document) == paragraphs


def test_hard_wrapped_lines_with_indented_first_lines_and_no_blank_lines() -> None:
    paragraphs = corpus_paragraphs(MANIFESTO)
    raw = "\n".join(textwrap.fill(p, 70, initial_indent="    ") for p in paragraphs)
    document = read_document(raw.encode(), "manifesto.txt")
    assert document.metadata["paragraphs"] == "wrapped"
    assert body(document) == paragraphs


def test_blank_line_text_keeps_the_plain_text_importers_structure() -> None:
    path = CORPUS / "trotsky-1935-internationalists/internationalists-need-our-help.en.txt"
    document = read_document(path.read_bytes(), path.name)
    assert document.metadata["paragraphs"] == "blank"
    assert [b.label for b in document.blocks if b.kind == "note"] == [
        "Written", "First Published", "Transcribed & marked up", "Copyleft", "navigation",
        "Last updated on",
    ]  # fmt: skip
    assert document.metadata["written"] == "7 September 1935"
    assert body(document) == corpus_paragraphs(path.relative_to(CORPUS).as_posix())


GUTENBERG_HEAD = """The Project Gutenberg eBook of The Workers' Group Manifesto

This ebook is for the use of anyone anywhere in the United States and
most other parts of the world at no cost and with almost no restrictions
whatsoever.

Title: Manifesto of the Workers' Group

Author: Gavril Miasnikov

Translator: Unknown

Release date: May 1, 2024 [eBook #99999]

Language: English

*** START OF THE PROJECT GUTENBERG EBOOK MANIFESTO OF THE WORKERS' GROUP ***
"""
GUTENBERG_TAIL = """
*** END OF THE PROJECT GUTENBERG EBOOK MANIFESTO OF THE WORKERS' GROUP ***

Updated editions will replace the previous one--the old editions will
be renamed.

START: FULL LICENSE

THE FULL PROJECT GUTENBERG LICENSE
"""


def test_project_gutenberg_header_and_licence_are_notes() -> None:
    paragraphs = corpus_paragraphs(MANIFESTO)
    text = "\n\n".join(textwrap.fill(p, 70) for p in paragraphs)
    document = read_document(
        (GUTENBERG_HEAD + "\n" + text + "\n" + GUTENBERG_TAIL).encode(), "g.txt"
    )
    notes = [b for b in document.blocks if b.kind == "note"]
    assert [b.label for b in notes] == [GUTENBERG_HEADER, LICENCE]
    assert document.block_text(notes[1]).endswith("THE FULL PROJECT GUTENBERG LICENSE")
    assert body(document) == paragraphs
    assert {k: document.metadata[k] for k in ("title", "author", "translator", "date")} == {
        "title": "Manifesto of the Workers' Group", "author": "Gavril Miasnikov",
        "translator": "Unknown", "date": "May 1, 2024 [eBook #99999]",
    }  # fmt: skip
    assert document.metadata["language"] == "English"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("Café déjà vu.".encode("latin-1"), r"t\.txt: not valid UTF-8: byte 0xe9 at offset 3"),
        (b"\xff\xfe\x00\x00a\x00\x00\x00", "UTF-32 is not supported"),
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "unknown binary file"),
        (b"   \n\n  \n", "no paragraphs found in the text document"),
    ],
)
def test_bad_text_is_one_line(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        read_document(raw, "t.txt")
    assert "\n" not in str(info.value)


def test_markdown_round_trip_with_front_matter_and_footnotes() -> None:
    text = known_text()
    lines = ["---", f"title: {text.title}", "author: The New International", "lang: en", "---"]
    lines += ["", f"# {text.title}"]
    for number, (heading, paragraphs) in enumerate(text.chapters, start=1):
        first, rest = paragraphs[0].split(" ", 1)
        lines += ["", f"## {heading}", "", f"{first}[^{number}] {rest}"]
        lines += [line for p in paragraphs[1:] for line in ("", textwrap.fill(p, 80))]
    lines += ["", "There is no supreme savior,  ", "No God, no Caesar, no Tribune,", ""]
    lines += [f"[^{n}]: {note}" for n, note in enumerate(text.footnotes, start=1)]
    document = read_document("\n".join(lines).encode(), "quit.md")
    assert document.format == "markdown"
    assert document.texts("heading") == text.headings
    assert [b.level for b in document.blocks if b.kind == "heading"] == [1, 2, 2]
    assert body(document) == [
        *text.paragraphs,
        "There is no supreme savior, No God, no Caesar, no Tribune,",
    ]
    assert "There is no supreme savior,\nNo God" in document.text
    assert document.texts("footnote") == text.footnotes
    assert [m.number for m in document.markers] == ["1", "2"]
    assert document.metadata == {
        "title": text.title,
        "author": "The New International",
        "language": "en",
    }


def subtitle_lines() -> list[str]:
    return [p.split(". ")[0] + "." for p in corpus_paragraphs(MANIFESTO)[:5]]


def test_srt_cues_are_whole_units_with_their_timings() -> None:
    import srt

    second = datetime.timedelta(seconds=1)
    cues = [
        srt.Subtitle(i + 1, 3 * i * second, (3 * i + 2.5) * second, textwrap.fill(line, 42))
        for i, line in enumerate(subtitle_lines())
    ]
    document = read_document(srt.compose(cues).encode(), "manifesto.srt")
    assert document.format == "srt"
    assert [b.label for b in document.blocks][:2] == [
        "00:00:00,000 --> 00:00:02,500", "00:00:03,000 --> 00:00:05,500",
    ]  # fmt: skip
    segmentation = document_segmentation(document, "en")
    assert [s.text for s in segmentation.segments] == subtitle_lines()
    assert {s.kind for s in segmentation.segments} == {"sentence"}
    assert [s.label for s in segmentation.segments] == [b.label for b in document.blocks]


def test_webvtt_cues_are_whole_units_with_their_timings() -> None:
    import webvtt

    vtt = webvtt.WebVTT()
    for i, line in enumerate(subtitle_lines()):
        vtt.captions.append(
            webvtt.Caption(f"00:00:{3 * i:02d}.000", f"00:00:{3 * i + 2:02d}.500", line)
        )
    document = read_document(vtt.content.encode(), "manifesto.vtt")
    assert document.format == "vtt"
    assert document.blocks[1].label == "00:00:03.000 --> 00:00:05.500"
    assert [s.text for s in document_segmentation(document, "en").segments] == subtitle_lines()


def test_broken_srt_is_one_line() -> None:
    raw = b"1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:0X,000 --> nonsense\nBye\n"
    with pytest.raises(InputError, match=r"bad\.srt: not a valid SRT file") as info:
        read_document(raw, "bad.srt")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("raw", "name", "expected"),
    [
        (b"%PDF-1.7\n...", "a.bin", "pdf"),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n", "a.txt", "vtt"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nHi\n", "a.txt", "srt"),
        (b"<!DOCTYPE html><html><body><p>Hi</p></body></html>", "a.txt", "html"),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"/>', "a", "html"),
        (b"# Title\n\nText.\n", "a.md", "markdown"),
        (b"# Title\n\nText.\n", "a.txt", "text"),
        (b"Plain words.\n", "a.html", "html"),
    ],
)
def test_format_is_sniffed_from_content_then_extension(
    raw: bytes, name: str, expected: str
) -> None:
    assert detect_format(raw, name) == expected


def test_format_can_be_forced() -> None:
    raw = b"# Title\n\nText [^1].\n"
    assert read_document(raw, "a.txt", format="markdown").texts("heading") == ["Title"]
    assert read_document(raw, "a.txt").texts("heading") == ["# Title"]
    with pytest.raises(InputError, match="unknown document format 'rtf'"):
        read_document(raw, "a.txt", format="rtf")


def test_pdf_line_end_hyphens() -> None:
    vocabulary = frozenset({"frame", "ups", "framework", "deep", "going", "deep-going"})
    assert line_join("the frame-", "work of", vocabulary) == "unhyphenate"
    assert line_join("a deep-", "going revolution", vocabulary) == ""
    assert line_join("a trans-", "lation", vocabulary) == "unhyphenate"
    assert line_join("the anti-", "Stalinists", vocabulary) == ""
    assert line_join("in 1921-", "22 it", vocabulary) == ""
    assert line_join("the end.", "Next", vocabulary) == " "


def test_segmentation_offsets_point_into_the_extracted_text() -> None:
    path = CORPUS / "new-international-1938-05/why-we-quit-the-communist-party.en.txt"
    document = read_document(path.read_bytes(), path.name)
    segmentation = document_segmentation(document, "en")
    marked = {m.start for m in segmentation.footnote_markers}
    sentences = [s for s in segmentation.segments if s.kind == "sentence"]
    assert len(sentences) > len(document.texts("paragraph"))
    for segment in segmentation.segments:
        covered = document.text[segment.start : segment.end]
        if not any(segment.start <= m < segment.end for m in marked):
            assert clean_text(covered) == segment.text
    assert [s.label for s in segmentation.segments if s.kind == "footnote"] == ["1"]
    assert segmentation.settings["structure"] == "document"
    assert segmentation == document_segmentation(read_document(path.read_bytes(), "x.txt"), "en")
