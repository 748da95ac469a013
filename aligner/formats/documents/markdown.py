"""Markdown (markdown-it-py, CommonMark, with the footnote and front-matter plugins).

Headings with their level, paragraphs, block quotes and list items as paragraphs, hard line
breaks kept, footnotes (``[^1]`` and ``[^1]: …``) labelled with their label, YAML front matter's
``title``, ``author``, ``translator``, ``lang``/``language`` and ``date`` as metadata.  Code
blocks are not text to align and are left out.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from aligner.formats.document import Document, DocumentBuilder, Inline, Marker
from aligner.formats.documents.textcodec import decode_text

_FRONT_MATTER_LINE = re.compile(r"([A-Za-z_-]+)\s*:\s*(.+)")
_FRONT_MATTER_KEYS = {"title": "title", "author": "author", "translator": "translator",
                      "lang": "language", "language": "language", "date": "date"}  # fmt: skip


def read(raw: bytes, name: str) -> Document:
    text = decode_text(raw, name)
    parser = MarkdownIt("commonmark").use(footnote_plugin).use(front_matter_plugin)
    builder = DocumentBuilder("markdown")
    heading: int | None = None
    footnote: str | None = None
    for token in parser.parse(text):
        if token.type == "front_matter":
            _front_matter(builder, token.content)
        elif token.type == "heading_open":
            heading = int(token.tag[1:])
        elif token.type == "heading_close":
            heading = None
        elif token.type == "footnote_open":
            footnote = str(token.meta.get("label", token.meta.get("id", "")))
        elif token.type == "footnote_close":
            footnote = None
        elif token.type == "inline":
            runs = _inline(token.children or [])
            if footnote is not None:
                builder.add("footnote", runs, label=footnote)
            elif heading is not None:
                builder.add("heading", runs, level=heading)
            else:
                builder.add("paragraph", runs)
    return builder.build()


def _inline(children: list[Token]) -> list[Inline]:
    runs: list[Inline] = []
    for child in children:
        if child.type in ("text", "code_inline", "html_inline"):
            runs.append(child.content if child.type != "html_inline" else " ")
        elif child.type == "softbreak":
            runs.append(" ")
        elif child.type == "hardbreak":
            runs.append("\n")
        elif child.type == "footnote_ref":
            runs.append(Marker(str(child.meta.get("label", child.meta.get("id", "")))))
        elif child.type == "image":
            runs.append(child.content)
    return runs


def _front_matter(builder: DocumentBuilder, content: str) -> None:
    for line in content.splitlines():
        match = _FRONT_MATTER_LINE.fullmatch(line.strip())
        if match and match.group(1).lower() in _FRONT_MATTER_KEYS:
            value = match.group(2).strip().strip("\"'")
            builder.set_metadata(_FRONT_MATTER_KEYS[match.group(1).lower()], value)
