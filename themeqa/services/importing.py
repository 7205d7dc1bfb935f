"""Import transcripts and written responses: read every file, then write all or nothing.

Why this order: reading (decoding, parsing turns, sentence boundaries) happens before the
database is touched, and the whole batch is inserted in one transaction, so a bad file in a
batch of fifty leaves the project exactly as it was (DESIGN.md: nothing half-imported).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, select

from themeqa.core.text import sha256_text
from themeqa.core.turns import is_facilitator_label, sentences_without_labels, unrecognised_labels
from themeqa.errors import InputError
from themeqa.services.attribution import attribute_written, unattributed_documents
from themeqa.services.audit import new_batch, record
from themeqa.services.changes import Recorder, snapshot
from themeqa.services.lookup import (
    facilitator_keys,
    get_or_create_session,
    get_or_create_timepoint,
    normalise_label,
    speaker_map,
)
from themeqa.services.project import ProjectHandle
from themeqa.store.models import Document, Participant, SourceFile, SpeakerLabel, Turn

__all__ = ["ImportReport", "Progress", "import_files", "link_speakers", "turn_role"]

#: progress(stage, done, total): called as files are read and written.
Progress = Callable[[str, int, int], None]

KINDS = ("transcript", "written")


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    turns: int = 0
    sentences: int = 0
    unmapped_speakers: dict[str, list[str]] = field(default_factory=dict)
    #: label-shaped line starts not taken as speakers (a name used once, a typo), per
    #: document: their words count as the previous speaker's until mapped
    #: (``themeqa participants map LABEL ID|--facilitator``)
    unrecognised_labels: dict[str, list[str]] = field(default_factory=dict)
    #: documents with text attributed to nobody -> how many such turns (written: 1)
    unattributed: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def turn_role(label: str | None, participant_id: int | None,
          facilitators: frozenset[str] | set[str] = frozenset()) -> str:
    """A turn's role: its participant's, else facilitator for a role word (``Interviewer2 2``,
    ``INT``) or a label mapped with ``--facilitator``, else unknown."""
    if participant_id is not None:
        return "participant"
    if label and (is_facilitator_label(label) or normalise_label(label) in facilitators):
        return "facilitator"
    return "unknown"


def _read_all(
    paths: Sequence[Path], kind: str | None, progress: Progress | None, labels: Sequence[str]
) -> list:
    from themeqa.ingest.model import IngestError
    from themeqa.ingest.readers import read_source

    sources = []
    for i, path in enumerate(paths):
        path = Path(path)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        try:
            sources.append(read_source(path, kind=kind, extra_labels=labels))
        except IngestError as exc:
            raise InputError(str(exc)) from exc
        except OSError as exc:
            raise InputError(f"{path.name}: cannot read ({exc.strerror or exc})") from exc
        if progress:
            progress("read", i + 1, len(paths))
    return sources


def _with_language(src, language: str | None):
    """The source with its documents' language set (given, or guessed once per file)."""
    from dataclasses import replace

    from themeqa.ingest.language import detect_language

    lang = language or detect_language(" ".join(d.text for d in src.documents[:200]))
    if all(d.language == lang for d in src.documents):
        return src
    return replace(src, documents=tuple(replace(d, language=lang) for d in src.documents))


def _with_writers(src, participant: str | None, speakers: dict[str, int],
                  pids: dict[str, str]):
    """The source with written answers attributed (``services.attribution``)."""
    from dataclasses import replace

    if participant is not None and any(d.kind == "transcript" for d in src.documents):
        raise InputError(f"{src.filename}: --participant names the writer of written answers "
                         "(import transcripts without it, or add --kind written)")
    docs = tuple(attribute_written(d, participant=participant, speakers=speakers, pids=pids)
                 for d in src.documents)
    return src if docs == src.documents else replace(src, documents=docs)


def _check_duplicates(s: Session, sources: list) -> None:
    seen: dict[str, str] = {}
    names: dict[str, str] = {}
    for src in sources:
        if src.sha256 in seen:
            raise InputError(
                f"{src.filename}: same content as {seen[src.sha256]} in this batch; "
                "nothing was imported"
            )
        seen[src.sha256] = src.filename
        old = s.exec(select(SourceFile).where(SourceFile.sha256 == src.sha256)).first()
        if old is not None:
            raise InputError(
                f"{src.filename}: already imported (as {old.filename} on "
                f"{old.imported_at:%Y-%m-%d}); nothing was imported"
            )
        for doc in src.documents:
            if doc.name in names:
                raise InputError(f"{src.filename}: two documents named {doc.name!r} in this batch")
            names[doc.name] = src.filename
    if names:
        existing = s.exec(select(Document.name).where(Document.name.in_(list(names)))).all()
        if existing:
            raise InputError(
                f"{names[existing[0]]}: a document named {existing[0]!r} already exists "
                "(rename the file to import a new version); nothing was imported"
            )


def _sentences(docs: list) -> list[list[tuple[int, int]]]:
    from themeqa.ingest.sentences import sentence_spans

    spans: list[list[tuple[int, int]] | None] = [None] * len(docs)
    by_lang: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        by_lang.setdefault(d.language or "en", []).append(i)
    for lang, idx in by_lang.items():
        for i, sp in zip(idx, sentence_spans([docs[i].text for i in idx], language=lang), strict=True):
            spans[i] = sp
    return [sp or [] for sp in spans]


def import_files(
    project: ProjectHandle,
    paths: Sequence[Path | str],
    *,
    session: str | None = None,
    timepoint: str | None = None,
    kind: str | None = None,
    progress: Progress | None = None,
    language: str | None = None,
    participant: str | None = None,
) -> ImportReport:
    """Import ``paths`` as one batch; raise ``InputError`` (and write nothing) on any problem.

    ``language`` (a spaCy code such as ``en``, ``fr``) applies to every file; by default each
    file's language is guessed from its text (``ingest.language``), which picks the sentence
    splitter and the lemmas used by search. ``participant`` names the writer of written
    answers read from single-text files; without it the writer comes from a leading ``ID:``
    label or the file name (``services.attribution``).
    """
    from themeqa.store.models import Sentence

    if kind is not None and kind not in KINDS:
        raise InputError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not paths:
        raise InputError("no files given")
    with project.reading() as s:
        # participants' ids and extra labels are speakers even if they speak only once
        labels = [*s.exec(select(Participant.pid)).all(), *s.exec(select(SpeakerLabel.label)).all()]
        known = speaker_map(s)
        pids = {normalise_label(p): p for p in s.exec(select(Participant.pid)).all()}
    if participant is not None and normalise_label(participant) not in pids:
        raise InputError(f"--participant {participant}: no such participant "
                         "(themeqa participants import first)")
    sources = _read_all([Path(p) for p in paths], kind, progress, labels)
    sources = [_with_writers(_with_language(src, language), participant, known, pids)
               for src in sources]
    docs = [d for src in sources for d in src.documents]
    with project.reading() as s:
        _check_duplicates(s, sources)
    spans = _sentences(docs)
    report = ImportReport()
    batch = new_batch()
    with project.transaction() as s:
        _check_duplicates(s, sources)  # again inside the write, against a concurrent import
        speakers = speaker_map(s)
        facilitators = facilitator_keys(s)
        sess = get_or_create_session(s, session)
        turn_rows: list[dict] = []
        sentence_rows: list[dict] = []
        k = 0
        for n_src, src in enumerate(sources):
            sf = SourceFile(
                filename=src.filename,
                sha256=src.sha256,
                format=src.format,
                encoding=src.encoding,
                size=src.size,
                imported_by=project.actor,
            )
            s.add(sf)
            s.flush()
            for doc in src.documents:
                tp = get_or_create_timepoint(s, doc.timepoint or timepoint)
                participant_id = (
                    speakers.get(normalise_label(doc.participant)) if doc.participant else None
                )
                row = Document(
                    name=doc.name,
                    kind=doc.kind,
                    source_file_id=sf.id,
                    format=doc.format,
                    language=doc.language or "en",
                    text=doc.text,
                    sha256=sha256_text(doc.text),
                    n_chars=len(doc.text),
                    n_words=len(doc.text.split()),
                    timepoint_id=tp.id if tp else None,
                    session_id=sess.id if sess else None,
                    participant_id=participant_id,
                    question=doc.question,
                )
                s.add(row)
                s.flush()
                unmapped: set[str] = set()
                for t in doc.turns:
                    label = t.speaker if t.speaker is not None else doc.participant
                    pid = speakers.get(normalise_label(label)) if label else None
                    role = turn_role(label, pid, facilitators)
                    if role == "unknown" and label:
                        unmapped.add(label)
                    turn_rows.append(
                        {
                            "document_id": row.id,
                            "start": t.start,
                            "content_start": t.content_start,
                            "end": t.end,
                            "speaker": label,
                            "role": role,
                            "participant_id": pid,
                        }
                    )
                sentence_rows.extend(
                    {"document_id": row.id, "start": a, "end": b}
                    for a, b in sentences_without_labels(spans[k], doc.turns, doc.text)
                )
                k += 1
                if unmapped:
                    report.unmapped_speakers[doc.name] = sorted(unmapped)
                if doc.kind == "transcript":
                    loose = unrecognised_labels(doc.text, labels)
                    if loose:
                        report.unrecognised_labels[doc.name] = list(loose)
                report.documents.append(doc.name)
            report.files.append(src.filename)
            record(
                s,
                project.actor,
                "import",
                "source_file",
                sf.id,
                after={"filename": src.filename, "sha256": src.sha256,
                       "documents": [d.name for d in src.documents]},
                batch=batch,
            )
            if progress:
                progress("write", n_src + 1, len(sources))
        if turn_rows:
            s.execute(insert(Turn), turn_rows)
        if sentence_rows:
            s.execute(insert(Sentence), sentence_rows)
        report.turns = len(turn_rows)
        report.sentences = len(sentence_rows)
        s.flush()
        nobody = unattributed_documents(s)
        report.unattributed = {d: nobody[d] for d in report.documents if d in nobody}
    return report


def link_speakers(s: Session, recorder: Recorder | None = None) -> int:
    """Re-link every turn and written document to participants after the map changed.

    Returns how many turns changed. Called after a participants import or a label edit, so
    importing transcripts before participants loses nothing. With a ``recorder`` every
    changed turn and document is logged as an undoable update (``services.changes``).
    """
    speakers = speaker_map(s)
    facilitators = facilitator_keys(s)
    changed = 0
    for turn in s.exec(select(Turn)).all():
        pid = speakers.get(normalise_label(turn.speaker)) if turn.speaker else None
        role = turn_role(turn.speaker, pid, facilitators)
        if pid != turn.participant_id or role != turn.role:
            before = snapshot("turn", turn) if recorder is not None else None
            turn.participant_id = pid
            turn.role = role
            s.add(turn)
            if recorder is not None and before is not None:
                recorder.update("turn", before, snapshot("turn", turn))
            changed += 1
    for doc in s.exec(select(Document).where(Document.kind == "written")).all():
        first = s.exec(select(Turn).where(Turn.document_id == doc.id)).first()
        if first is not None and first.participant_id != doc.participant_id:
            before = snapshot("document", doc) if recorder is not None else None
            doc.participant_id = first.participant_id
            s.add(doc)
            if recorder is not None and before is not None:
                recorder.update("document", before, snapshot("document", doc))
    return changed
