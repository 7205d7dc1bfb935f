"""WebVTT captions (``.vtt``): Teams/Zoom/YouTube transcripts.

Cues are read in order; ``<v Name>`` voice tags give the speaker; other tags (``<i>``, ``<c.x>``,
``<00:00:01.000>``), cue identifiers, timings and cue settings are dropped, and NOTE, STYLE and
REGION blocks are skipped. A cue without a voice tag may still start with ``Name: text`` (Zoom
writes that); otherwise it continues the previous speaker (or, before any speaker, belongs to
no turn). The stored text has one line per turn, ``Name: text``, consecutive cues of the same
speaker merged with a space.

:func:`cues_to_document` is shared with the SubRip reader.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from themeqa.core.text import normalize_text, sha256_bytes
from themeqa.core.turns import Turn, is_speaker_label, parse_turns, split_label, whole_text_turn
from themeqa.ingest.encoding import decode_bytes
from themeqa.ingest.model import IngestError, ParsedDocument, SourceFile

__all__ = ["cues_to_document", "read_vtt"]

_BLOCK_SPLIT_RE = re.compile(r"\n(?:[ \t]*\n)+")
_VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>\n]*))?>")
_TAG_RE = re.compile(r"</?[^>\n]*>")
_WS_RE = re.compile(r"\s+")


def clean_cue_text(text: str) -> str:
    """Drop markup tags, decode character references, collapse white space."""
    text = _TAG_RE.sub("", text)
    text = html.unescape(text)
    return _WS_RE.sub(" ", text).strip()


def cues_to_document(
    segments: Sequence[tuple[str | None, str]],
    name: str,
    fmt: str,
    kind: str,
    extra_labels: Iterable[str] = (),
) -> ParsedDocument:
    """Build one document from caption segments ``(voice or None, text)`` in reading order.

    A segment without a voice whose text starts with an accepted speaker label (``Jane: hi``,
    see :func:`themeqa.core.turns.is_speaker_label`) gets that speaker. Consecutive segments of
    one speaker, and segments without a speaker, join the current line with a space; a new
    speaker starts a new line ``Speaker: text``.
    """
    extra = tuple(extra_labels)
    prepared: list[tuple[str | None, str, tuple[str, str] | None]] = []
    counts: Counter[str] = Counter()
    for voice, raw in segments:
        text = _WS_RE.sub(" ", raw).strip()
        if not text:
            continue
        split = None if voice else split_label(text)
        if split:
            counts[split[0].casefold()] += 1
        prepared.append((voice, text, split))

    runs: list[tuple[str | None, list[str]]] = []
    for voice, text, split in prepared:
        speaker = _WS_RE.sub(" ", voice).strip() if voice else None
        if split and is_speaker_label(split[0], counts[split[0].casefold()], extra):
            speaker, text = split[0], split[1].strip()
        if speaker is not None and (not runs or runs[-1][0] != speaker):
            runs.append((speaker, []))
        elif not runs:
            runs.append((None, []))
        if text:
            runs[-1][1].append(text)

    pieces: list[str] = []
    turns: list[Turn] = []
    pos = 0
    for speaker, texts in runs:
        body = " ".join(texts)
        if pieces:
            pieces.append("\n")
            pos += 1
        if speaker is None:
            line = body
        else:
            prefix = f"{speaker}: " if body else f"{speaker}:"
            line = prefix + body
            turns.append(Turn(pos, pos + len(line), speaker, pos + len(prefix)))
        pieces.append(line)
        pos += len(line)
    text = "".join(pieces)
    if not text.strip():
        raise IngestError(name, "no text (no cue holds any text)")
    normalised = normalize_text(text)
    if normalised != text:  # only if a cue started with a combining mark: re-find the turns
        text = normalised
        turns = parse_turns(text, {t.speaker for t in turns if t.speaker})
    if kind == "written":
        whole = whole_text_turn(text, None)
        turns = [whole] if whole else []
    elif kind != "transcript":
        raise IngestError(name, f"unknown document kind {kind!r} (expected transcript or written)")
    return ParsedDocument(name=name, text=text, kind=kind, format=fmt, turns=tuple(turns))


def _cue_segments(payload: list[str]) -> list[tuple[str | None, str]]:
    segments: list[tuple[str | None, str]] = []
    voice: str | None = None
    for line in payload:
        pos = 0
        for m in _VOICE_RE.finditer(line):
            before = clean_cue_text(line[pos : m.start()])
            if before:
                segments.append((voice, before))
            voice = clean_cue_text(m.group(1) or "") or None
            pos = m.end()
        rest = line[pos:]
        closes = "</v>" in rest
        rest = clean_cue_text(rest)
        if rest:
            segments.append((voice, rest))
        if closes:
            voice = None
    return segments


def read_vtt(
    data: bytes,
    filename: str,
    kind: str = "transcript",
    extra_labels: Iterable[str] = (),
) -> SourceFile:
    """Read the raw bytes of a WebVTT file named ``filename``."""
    source, encoding = decode_bytes(data, filename)
    if not source.strip():
        raise IngestError(filename, "no text (the file is empty)")
    if not source.lstrip().startswith("WEBVTT"):
        raise IngestError(filename, "not a WebVTT file (it does not start with WEBVTT)")
    blocks = _BLOCK_SPLIT_RE.split(source.strip())
    header_rest = blocks[0].split("\n", 1)[1:]  # a cue glued to the header (no blank line)
    blocks = [b for b in header_rest if "-->" in b] + blocks[1:]
    segments: list[tuple[str | None, str]] = []
    for block in blocks:
        lines = block.strip("\n").split("\n")
        head = lines[0].strip()
        if head.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in head:
            continue
        timing = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing is None:
            continue  # not a cue: tolerate stray text between cues
        segments.extend(_cue_segments(lines[timing + 1 :]))
    doc = cues_to_document(segments, filename, "vtt", kind, extra_labels)
    return SourceFile(filename, sha256_bytes(data), "vtt", encoding, (doc,))
