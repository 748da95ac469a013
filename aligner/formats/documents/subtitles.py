"""Subtitles: SRT (the ``srt`` library) and WebVTT (``webvtt-py``).

Each cue is one block kept whole (never cut into sentences), labelled with its timing as the
format writes it (``00:01:02,500 --> 00:01:04,000`` in SRT, ``00:01:02.500 --> 00:01:04.000``
in WebVTT); its lines stay line breaks, formatting tags (``<i>``, ``{\\an8}``) are dropped.
"""

from __future__ import annotations

import re

from aligner.errors import InputError
from aligner.formats.document import Document, DocumentBuilder
from aligner.formats.documents.textcodec import decode_text

_TAGS = re.compile(r"</?[A-Za-z][^>]*>|\{\\[^}]*\}")


def read_srt(raw: bytes, name: str) -> Document:
    import srt

    text = decode_text(raw, name)
    builder = DocumentBuilder("srt")
    try:
        cues = list(srt.parse(text))
    except srt.SRTParseError as exc:
        raise InputError(f"{name}: not a valid SRT file: {_first_line(str(exc))}") from exc
    for cue in cues:
        timing = (
            f"{srt.timedelta_to_srt_timestamp(cue.start)} --> "
            f"{srt.timedelta_to_srt_timestamp(cue.end)}"
        )
        builder.add("paragraph", _TAGS.sub("", cue.content), label=timing, whole=True)
    return builder.build()


def read_vtt(raw: bytes, name: str) -> Document:
    import webvtt
    from webvtt.errors import MalformedFileError

    text = decode_text(raw, name)
    builder = DocumentBuilder("vtt")
    try:
        captions = webvtt.WebVTT.from_string(text).captions
    except (MalformedFileError, ValueError) as exc:
        raise InputError(f"{name}: not a valid WebVTT file: {_first_line(str(exc))}") from exc
    for caption in captions:
        timing = f"{caption.start} --> {caption.end}"
        builder.add("paragraph", _TAGS.sub("", caption.raw_text), label=timing, whole=True)
    return builder.build()


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unreadable"
