"""Documents: the list a coder starts from, and one document with its turns and sentences.

Progress is the share of a document's participant turns that this coder has coded at least
once: what a coder needs to know to find where they stopped.

The list holds the current documents only (``services.versions``): once a transcript is
de-identified, its new version is the one to code and the original is not offered beside it.
``include_superseded`` lists the originals too (``themeqa documents --include-originals``),
for finding codings de-identification could not copy; a document asked for by name is always
returned, original or not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import and_, func
from sqlmodel import select

from themeqa.errors import NotFoundError
from themeqa.services.project import ProjectHandle
from themeqa.services.versions import current_versions, is_current
from themeqa.store.models import (
    Coder,
    Coding,
    Document,
    Participant,
    Sentence,
    StudySession,
    Timepoint,
    Turn,
)

__all__ = ["DocumentSummary", "DocumentText", "TurnInfo", "get_document", "list_documents"]


@dataclass(frozen=True)
class DocumentSummary:
    id: int
    name: str
    kind: str
    session: str | None
    condition: str | None
    timepoint: str | None
    participant: str | None
    words: int
    turns: int
    codings: int
    progress: float  # share of participant turns with a coding by the chosen coder
    superseded_by: str | None = None  # the newer version's name, for a superseded original
    #: turns attributed to nobody (no participant, not a facilitator); a written answer
    #: without a writer counts 1 -- its codings count for no participant (issue 19)
    unattributed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TurnInfo:
    start: int
    content_start: int
    end: int
    speaker: str | None
    role: str
    participant: str | None


@dataclass(frozen=True)
class DocumentText:
    id: int
    name: str
    kind: str
    text: str
    sha256: str
    turns: tuple[TurnInfo, ...]
    sentences: tuple[tuple[int, int], ...]


def list_documents(
    project: ProjectHandle, *, coder: str | None = None, include_superseded: bool = False
) -> list[DocumentSummary]:
    """The current documents (and the superseded originals with ``include_superseded``) in
    session/timepoint/name order, with per-coder progress."""
    with project.reading() as s:
        coder_id = None
        if coder is not None:
            row = s.exec(select(Coder).where(Coder.name == coder)).first()
            coder_id = row.id if row else -1
        # columns, not ORM objects: building an object per participant was a fifth of the
        # time on a 2,000-document project (issue 4: the list in under 1 s)
        sessions = {i: (label, cond) for i, label, cond in s.exec(
            select(StudySession.id, StudySession.label, StudySession.condition))}
        tps = {i: (pos, label) for i, pos, label in s.exec(
            select(Timepoint.id, Timepoint.position, Timepoint.label))}
        pids = {i: (pid, cond, sid) for i, pid, cond, sid in s.exec(
            select(Participant.id, Participant.pid, Participant.condition,
                   Participant.session_id))}
        turn_counts = dict(
            s.exec(
                select(Turn.document_id, func.count())
                .where(Turn.role == "participant")
                .group_by(Turn.document_id)
            ).all()
        )
        nobody = dict(
            s.exec(
                select(Turn.document_id, func.count())
                .where(Turn.participant_id.is_(None), Turn.role != "facilitator")
                .group_by(Turn.document_id)
            ).all()
        )
        cq = select(Coding.document_id, func.count()).group_by(Coding.document_id)
        if coder_id is not None:
            cq = cq.where(Coding.coder_id == coder_id, Coding.layer == "coder")
        coding_counts = dict(s.exec(cq).all())
        # participant turns touched by at least one coding (of this coder)
        join_on = and_(
            Coding.document_id == Turn.document_id,
            Coding.start < Turn.end,
            Coding.end > Turn.content_start,
        )
        if coder_id is not None:
            join_on = and_(join_on, Coding.coder_id == coder_id, Coding.layer == "coder")
        coded = dict(
            s.exec(
                select(Turn.document_id, func.count(func.distinct(Turn.id)))
                .join(Coding, join_on)
                .where(Turn.role == "participant")
                .group_by(Turn.document_id)
            ).all()
        )
        dq = select(Document.id, Document.name, Document.kind, Document.session_id,
                    Document.timepoint_id, Document.participant_id, Document.n_words)
        newest: dict[int, int] = {}
        if include_superseded:
            newest = current_versions(s)
        else:
            dq = dq.where(is_current())
        docs = s.exec(dq).all()
    name_of = {d[0]: d[1] for d in docs}
    out = []
    for did, name, kind, sid, tid, pid, words in docs:
        part = pids.get(pid, (None, None, None))
        # a written response belongs to its participant's session
        sess = sessions.get(sid if sid is not None else part[2], (None, None))
        n_turns = turn_counts.get(did, 0)
        out.append(
            DocumentSummary(
                id=did, name=name, kind=kind, session=sess[0],
                condition=sess[1] or part[1], timepoint=tps.get(tid, (0, None))[1],
                participant=part[0], words=words, turns=n_turns,
                codings=coding_counts.get(did, 0),
                progress=(coded.get(did, 0) / n_turns) if n_turns else 0.0,
                superseded_by=name_of.get(newest[did]) if did in newest else None,
                unattributed=(max(nobody.get(did, 0), 1) if pid is None else 0)
                if kind == "written" else nobody.get(did, 0),
            )
        )
    label_pos = {lbl: pos for pos, lbl in tps.values()}
    return sorted(
        out,
        key=lambda d: (label_pos.get(d.timepoint, 99), d.kind != "transcript",
                       d.session or "", d.name),
    )


def get_document(project: ProjectHandle, name: str) -> DocumentText:
    with project.reading() as s:
        doc = s.exec(select(Document).where(Document.name == name)).first()
        if doc is None:
            raise NotFoundError(f"no document named {name!r}")
        # plain columns, not ORM rows: a long transcript has thousands of turns and this
        # read is on the way to the coding screen's first paint
        pids = dict(s.exec(select(Participant.id, Participant.pid)).all())
        turns = tuple(
            TurnInfo(start, content_start, end, speaker, role, pids.get(participant_id))
            for start, content_start, end, speaker, role, participant_id in s.exec(
                select(Turn.start, Turn.content_start, Turn.end, Turn.speaker, Turn.role,
                       Turn.participant_id)
                .where(Turn.document_id == doc.id).order_by(Turn.start))
        )
        sentences = tuple(
            (a, b)
            for a, b in s.exec(
                select(Sentence.start, Sentence.end)
                .where(Sentence.document_id == doc.id)
                .order_by(Sentence.start)
            )
        )
        return DocumentText(doc.id, doc.name, doc.kind, doc.text, doc.sha256, turns, sentences)
