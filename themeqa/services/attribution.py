"""Who wrote a written answer imported from a single-text file, and what is attributed to nobody.

Why (issue 19): a written answer that is stored without a participant is counted for nobody --
its codings silently vanish from every tally. The spreadsheet reader knows the writer from its
``participant`` column; a ``.txt``, ``.md``, ``.docx``, ``.vtt`` or ``.srt`` answer does not.
So the import looks, in this order, at:

1. ``themeqa import --participant ID`` (the user said so);
2. a leading label naming a known speaker: ``P05: I did not feel worthy…`` (the label is then
   not part of the answer: the turn's content starts after it, as in a transcript);
3. the file name, when it contains exactly one known participant id as a word
   (``P05-followup.txt``; ``P05_P06.txt`` names two and decides nothing).

What is still unattributed -- written answers without a writer, transcript turns whose
speaker maps to no participant and is not a facilitator -- is counted and reported by the
import, listed by ``documents`` and ``doctor``, and noted under every tally.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePath

from sqlmodel import Session, col, func, select

from themeqa.services.lookup import normalise_label
from themeqa.services.versions import is_current
from themeqa.store.models import Document, Turn

__all__ = ["attribute_written", "unattributed_documents"]

#: a leading ``Label:`` (at most 40 characters, on the first line)
_LEADING = re.compile(r"\A\s*([^\s:][^:\n]{0,39}?)\s*:[ \t]*")
#: words of a file name that may be ids: ``P05``, ``p 5``, ``X12``, ``007``
_WORDS = re.compile(r"[A-Za-z]+\s?\d+|[A-Za-z0-9]+")


def _from_name(name: str, pids: dict[str, str]) -> str | None:
    stem = PurePath(name).stem
    found = {pids[k] for w in _WORDS.findall(stem) if (k := normalise_label(w)) in pids}
    return found.pop() if len(found) == 1 else None


def attribute_written(doc, *, participant: str | None, speakers: dict[str, int],
                      pids: dict[str, str]):
    """The parsed document with its writer filled in (module docstring), or as it was.

    ``speakers``: normalised label -> participant row id (``lookup.speaker_map``);
    ``pids``: normalised participant id -> participant id. Transcripts and documents that
    already name a participant (spreadsheet rows) are returned unchanged.
    """
    if doc.kind != "written" or doc.participant:
        return doc
    if participant:
        return replace(doc, participant=participant)
    m = _LEADING.match(doc.text)
    if m and normalise_label(m.group(1)) in speakers:
        turns = tuple(
            replace(t, content_start=min(max(t.content_start, m.end()), t.end))
            if t.start <= m.start(1) < t.end else t
            for t in doc.turns
        )
        return replace(doc, participant=m.group(1).strip(), turns=turns)
    found = _from_name(doc.name, pids)
    return replace(doc, participant=found) if found else doc


def unattributed_documents(s: Session) -> dict[str, int]:
    """Current documents holding text attributed to nobody: name -> turns without a
    participant that are not a facilitator's (a written answer without a writer counts 1)."""
    rows = s.exec(
        select(Document.name, Document.kind, Document.participant_id, func.count(col(Turn.id)))
        .join(Turn, Turn.document_id == Document.id, isouter=True)
        .where(is_current(), (col(Turn.id).is_(None)) | (
            col(Turn.participant_id).is_(None) & (Turn.role != "facilitator")))
        .group_by(Document.id, Document.name, Document.kind, Document.participant_id)
        .order_by(Document.name)
    ).all()
    out: dict[str, int] = {}
    for name, kind, writer, n in rows:
        if kind == "written":
            if writer is None:
                out[name] = max(int(n), 1)
        elif n:
            out[name] = int(n)
    return out
