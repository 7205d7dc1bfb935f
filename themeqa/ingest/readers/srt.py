"""SubRip subtitles (``.srt``).

Sequence numbers and timings are dropped; markup (``<i>``, ``<font ...>``, ``{\\an8}``) is
stripped. A cue line starting with ``Name: text`` (or ``- Name: text``) names its speaker when
:func:`themeqa.core.turns.is_speaker_label` accepts the label; other lines continue the current
speaker. The stored text has one line per turn (``Name: text``); without any speaker labels the
cues are joined with spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from themeqa.core.text import sha256_bytes
from themeqa.ingest.encoding import decode_bytes
from themeqa.ingest.model import IngestError, SourceFile
from themeqa.ingest.readers.vtt import clean_cue_text, cues_to_document

__all__ = ["read_srt"]

_TIMING_RE = re.compile(
    r"^[ \t]*\d{1,2}:\d{1,2}:\d{1,2}(?:[,.]\d{1,3})?[ \t]*-->[ \t]*\d{1,2}:\d{1,2}:\d{1,2}"
)
_INDEX_RE = re.compile(r"^[ \t]*\d+[ \t]*$")
_ASS_RE = re.compile(r"\{\\[^}\n]*\}")
_DASH_RE = re.compile(r"^[ \t]*[-–—][ \t]+")


def read_srt(
    data: bytes,
    filename: str,
    kind: str = "transcript",
    extra_labels: Iterable[str] = (),
) -> SourceFile:
    """Read the raw bytes of a SubRip file named ``filename``."""
    source, encoding = decode_bytes(data, filename)
    if not source.strip():
        raise IngestError(filename, "no text (the file is empty)")
    cues: list[list[str]] = []
    current: list[str] | None = None
    for line in source.split("\n"):
        if _TIMING_RE.match(line):
            if current is not None:
                # the previous cue's last non-blank line may be this cue's sequence number
                while current and not current[-1].strip():
                    current.pop()
                if current and _INDEX_RE.match(current[-1]):
                    current.pop()
            current = []
            cues.append(current)
        elif current is not None:
            current.append(line)
    if not cues:
        raise IngestError(filename, "not a SubRip file (no cue timings like 00:00:01,000 --> …)")
    segments: list[tuple[str | None, str]] = []
    for cue in cues:
        for line in cue:
            text = clean_cue_text(_ASS_RE.sub("", _DASH_RE.sub("", line)))
            if text:
                segments.append((None, text))
    doc = cues_to_document(segments, filename, "srt", kind, extra_labels)
    return SourceFile(filename, sha256_bytes(data), "srt", encoding, (doc,))
