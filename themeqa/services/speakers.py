"""Map a transcript speaker label to a participant or to the facilitator side, and re-cut
the turns of the documents that use it.

Why re-cut: a label used once (``Anna:``) or mistyped (``Intervewer 2 2:``) that the parser
did not take as a speaker left its words inside the previous speaker's turn, so they counted
as that person's. Mapping it makes it a speaker: every line starting with it becomes its own
turn (``core.turns.split_at_label``), exactly as if it had been known at import.

Why this is safe: codings are offsets into the immutable text; only the turn table (and the
sentences the label starts, which lose the label) change. The whole mapping — the label row,
every turn cut, shortened or re-linked, every sentence trimmed — is one undoable action
(``services.changes``), so ``themeqa undo`` puts the turns back exactly.

Unmapping (``pid`` None and not ``facilitator``) removes the label row and re-links: a turn
it cut stays a turn (speaker unknown) — undo the mapping to join it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from themeqa.core.turns import Turn as CoreTurn
from themeqa.core.turns import clean_label, split_at_label
from themeqa.errors import InputError, NotFoundError
from themeqa.services.changes import Recorder, snapshot
from themeqa.services.importing import link_speakers, turn_role
from themeqa.services.lookup import facilitator_keys, normalise_label, speaker_map
from themeqa.services.project import ProjectHandle
from themeqa.store.models import Document, Participant, Sentence, SpeakerLabel, Turn

__all__ = ["MapResult", "map_label"]


@dataclass
class MapResult:
    """What a mapping changed: turns re-linked, turns cut, documents re-cut."""

    label: str
    target: str  # the participant id, "facilitator" or "(none)"
    relinked: int = 0
    new_turns: int = 0
    documents: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"label": self.label, "target": self.target, "relinked": self.relinked,
                "new_turns": self.new_turns, "documents": self.documents}


def _set_label(s: Session, rec: Recorder, label: str, pid: str | None,
               facilitator: bool) -> str:
    key = normalise_label(label)
    current = next((x for x in s.exec(select(SpeakerLabel)).all()
                    if normalise_label(x.label) == key), None)
    participant_id = None
    if pid is not None:
        p = s.exec(select(Participant).where(Participant.pid == pid)).first()
        if p is None:
            raise NotFoundError(f"no participant with id {pid!r}")
        if normalise_label(p.pid) == key:
            raise InputError(f"{label!r} is participant {p.pid}'s own id: nothing to map")
        participant_id = p.id
    if current is not None:
        before = snapshot("speaker_label", current)
        if pid is None and not facilitator:
            s.delete(current)
            rec.delete("speaker_label", before)
        else:
            current.role = "facilitator" if facilitator else "participant"
            current.participant_id = participant_id
            s.add(current)
            s.flush()
            rec.update("speaker_label", before, snapshot("speaker_label", current))
    elif pid is not None or facilitator:
        row = SpeakerLabel(label=label.strip(), participant_id=participant_id,
                           role="facilitator" if facilitator else "participant")
        s.add(row)
        s.flush()
        rec.create("speaker_label", snapshot("speaker_label", row))
    s.flush()
    return "facilitator" if facilitator else (pid or "(none)")


def _trim_sentences(s: Session, rec: Recorder, doc: Document, cut: list[CoreTurn]) -> None:
    """Sentences starting inside a new turn's label start after it (or go, if only label)."""
    rows = s.exec(select(Sentence).where(Sentence.document_id == doc.id)).all()
    for sent in rows:
        for t in cut:
            if t.start <= sent.start < t.content_start:
                before = snapshot("sentence", sent)
                a = t.content_start
                while a < sent.end and doc.text[a].isspace():
                    a += 1
                if a >= sent.end:
                    s.delete(sent)
                    rec.delete("sentence", before)
                else:
                    sent.start = a
                    s.add(sent)
                    s.flush()
                    rec.update("sentence", before, snapshot("sentence", sent))
                break


def _recut(s: Session, rec: Recorder, label: str) -> tuple[int, list[str]]:
    """Split the turns of every transcript where ``label`` starts a line but no turn."""
    needle = clean_label(label).casefold()
    speakers, facilitators = speaker_map(s), facilitator_keys(s)
    n_new, names = 0, []
    docs = s.exec(select(Document).where(Document.kind == "transcript")).all()
    for doc in docs:
        if needle not in doc.text.casefold():
            continue
        rows = s.exec(select(Turn).where(Turn.document_id == doc.id)
                      .order_by(Turn.start)).all()
        old = [CoreTurn(t.start, t.end, t.speaker, t.content_start) for t in rows]
        new = split_at_label(doc.text, old, label)
        if new == old:
            continue
        by_start = {t.start: t for t in rows}
        cut = []
        for t in new:
            row = by_start.get(t.start)
            if row is not None:
                if row.end != t.end:
                    before = snapshot("turn", row)
                    row.end = t.end
                    s.add(row)
                    s.flush()
                    rec.update("turn", before, snapshot("turn", row))
                continue
            pid = speakers.get(normalise_label(t.speaker)) if t.speaker else None
            row = Turn(document_id=doc.id, start=t.start, content_start=t.content_start,
                       end=t.end, speaker=t.speaker, participant_id=pid,
                       role=turn_role(t.speaker, pid, facilitators))
            s.add(row)
            s.flush()
            rec.create("turn", snapshot("turn", row))
            cut.append(t)
        _trim_sentences(s, rec, doc, cut)
        n_new += len(cut)
        names.append(doc.name)
    return n_new, sorted(names)


def map_label(
    project: ProjectHandle, label: str, pid: str | None = None, *, facilitator: bool = False
) -> MapResult:
    """Map ``label`` to participant ``pid`` or (``facilitator``) the facilitator side, or
    with neither remove its mapping; re-cut and re-link turns (module docstring). One
    undoable action."""
    label = " ".join(label.split())
    if not clean_label(label):
        raise InputError("give the speaker label as it appears in the transcript, e.g. 'Anna'")
    if pid is not None and facilitator:
        raise InputError("map a label to a participant or to --facilitator, not both")
    target = "facilitator" if facilitator else (pid or "(none)")
    rec = Recorder(project.actor, f"map speaker {label!r} to {target}")
    with project.transaction() as s:
        target = _set_label(s, rec, label, pid, facilitator)
        result = MapResult(label, target)
        if pid is not None or facilitator:
            result.new_turns, result.documents = _recut(s, rec, label)
        s.flush()
        result.relinked = link_speakers(s, rec)
        rec.note("map_speaker", "speaker_label",
                 {"label": label, "target": target, "documents": result.documents,
                  "new_turns": result.new_turns})
        rec.write(s)
    return result
