"""Bilingual exports for translators and reviewers: plain values in, file bytes out.

* DOCX (python-docx): a side-by-side table, original | translation | score/status, the
  paragraphs of a right-to-left language set right-to-left (``w:bidi``, ``w:rtl``);
* XLSX (openpyxl): one row per bead, as LF Aligner's spreadsheet: the two texts side by side,
  then the score and the status; a header row with the language tags;
* HTML: one standalone page (no script, no external resource) with the same table, each cell
  carrying its ``lang`` and ``dir``.

Which beads become rows (status, score, run) is the caller's choice, the same filters as the
TMX export; these writers only lay out what they are given.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree
from lxml.html import builder as E

from aligner.core.languages import language_info


@dataclass(frozen=True)
class BilingualRow:
    """One bead: its source and target texts (sentences joined by a space), score, status."""

    source: str
    target: str
    score: float | None = None
    status: str | None = None


@dataclass(frozen=True)
class BilingualTable:
    title: str
    src_lang: str
    tgt_lang: str
    rows: Sequence[BilingualRow]


def is_rtl(lang: str) -> bool:
    """Whether ``lang`` (a BCP 47 tag the caller has checked) is written right to left."""
    return language_info(lang).direction == "rtl"


def score_status(row: BilingualRow) -> str:
    """``0.87 · confirmed``, ``0.87``, ``confirmed`` or empty."""
    parts = [f"{row.score:.2f}" if row.score is not None else "", row.status or ""]
    return " · ".join(part for part in parts if part)


def write_docx(table: BilingualTable) -> bytes:
    import docx
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.title = table.title
    document.add_heading(table.title, 1)
    grid = document.add_table(rows=1, cols=3)
    grid.style = "Table Grid"
    header = grid.rows[0].cells
    for cell, text in zip(header, (table.src_lang, table.tgt_lang, "score / status"), strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    rtl = (is_rtl(table.src_lang), is_rtl(table.tgt_lang))
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, text, right_to_left in (
            (cells[0], row.source, rtl[0]), (cells[1], row.target, rtl[1]),
            (cells[2], score_status(row), False),
        ):  # fmt: skip
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            run.font.size = Pt(10)
            if right_to_left:
                paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
                run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_xlsx(table: BilingualTable) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "alignment"
    sheet.append([table.src_lang, table.tgt_lang, "score", "status"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    rtl = (is_rtl(table.src_lang), is_rtl(table.tgt_lang))
    for row in table.rows:
        sheet.append([_cell_text(row.source), _cell_text(row.target), row.score, row.status])
        for column, right_to_left in ((0, rtl[0]), (1, rtl[1])):
            sheet.cell(sheet.max_row, column + 1).alignment = Alignment(
                wrap_text=True, vertical="top", readingOrder=2 if right_to_left else 1
            )
    for letter, width in (("A", 60), ("B", 60), ("C", 8), ("D", 12)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_text(text: str) -> str:
    """Text a spreadsheet keeps as text: a leading ``=`` would be read as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


_STYLE = """
body { font-family: serif; margin: 2em; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 1px solid #bbb; padding: 0.3em 0.5em; vertical-align: top; }
td.score { white-space: nowrap; color: #555; font-family: sans-serif; font-size: 85%; }
"""


def write_html(table: BilingualTable) -> bytes:
    directions = ["rtl" if is_rtl(table.src_lang) else "ltr",
                  "rtl" if is_rtl(table.tgt_lang) else "ltr"]  # fmt: skip
    rows = [
        E.TR(
            E.TD(row.source, lang=table.src_lang, dir=directions[0]),
            E.TD(row.target, lang=table.tgt_lang, dir=directions[1]),
            E.TD(E.CLASS("score"), score_status(row)),
        )
        for row in table.rows
    ]
    page = E.HTML(
        E.HEAD(E.META(charset="utf-8"), E.TITLE(table.title), E.STYLE(_STYLE)),
        E.BODY(
            E.H1(table.title),
            E.TABLE(
                E.TR(E.TH(table.src_lang), E.TH(table.tgt_lang), E.TH("score / status")),
                *rows,
            ),
        ),
    )
    return etree.tostring(page, method="html", encoding="utf-8", doctype="<!DOCTYPE html>")
