"""De-identify transcripts: propose replacements, let a person review them, write new versions.

Why this shape (issue 9, "Privacy"): automatic de-identification is never good enough to
trust blind, so nothing is replaced until a person has accepted it. ``propose`` finds
candidates from (1) names and places the user lists, (2) the participants' speaker labels
(``Dana`` -> ``P01``, the study's own pseudonym), (3) date patterns, and (4) spaCy's named
entities *only when a trained pipeline is installed* (none is bundled; without one the
proposal says so and relies on 1-3). ``write_review`` puts them in a CSV the user edits
(``accept`` yes/no, ``replacement``); ``apply_review`` writes, per document, a **new
document version** (``Document.previous_id`` -> the original; the original text is never
changed, as documents are immutable) in one transaction.

Codings: a coding is copied to the new version only when its offsets map exactly, that is
when neither of its ends falls strictly inside a replaced span. Then both ends move by the
summed length change of the replacements before them and still delimit the same words (a
replaced name wholly inside a coded passage is simply replaced within it). A coding with an
end inside a replaced span (e.g. a coder selected half a name) has no exact counterpart and
is *not* copied: the result lists how many were left on the original, to be recoded by hand.
Turns and sentences are mapped the same way (an end inside a replacement snaps to its edge).

The mapping original -> replacement is the key that re-identifies people, so it is never
stored in the database nor in the audit log (which records only counts): it is appended to
``deid-mapping.csv`` in the project folder (or a file the caller names), which no export
reads. The review CSV also holds originals: the CLI writes it where the user says and
reminds them to delete it.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import select

from themeqa.core.formula import escape_formula, unescape_formula
from themeqa.core.text import sha256_text
from themeqa.errors import InputError, NotFoundError
from themeqa.services.audit import new_batch, record
from themeqa.services.deid_written import apply_written, carry_coding_memos, written_texts
from themeqa.services.project import ProjectHandle
from themeqa.services.versions import is_current, superseded_ids
from themeqa.store.models import (
    Coding,
    Document,
    Participant,
    Sentence,
    SpeakerLabel,
    Turn,
)

__all__ = [
    "MAPPING_FILENAME",
    "DeidResult",
    "Proposal",
    "apply_review",
    "find_dates",
    "ner_pipeline",
    "propose",
    "read_review",
    "write_review",
]

MAPPING_FILENAME = "deid-mapping.csv"
REVIEW_COLUMNS = ("document", "start", "end", "kind", "original", "replacement", "accept",
                  "source", "field")
_YES = {"yes", "y", "1", "true", "x"}
_NO = {"no", "n", "0", "false", ""}

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
#: Dates that can identify someone (a diagnosis date, a birthday); weekdays and "last
#: spring" cannot and are left alone. Month names must be capitalised and come with a day
#: or a year, so "I may go" or "march on" are not dates.
_DATE_PATTERNS = [
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"),
    re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})\b"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?(?!\w)"),
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}})?(?!\w)"),
    re.compile(rf"\b{_MONTH}\s+\d{{4}}\b"),
]
_NER_KINDS = {"PERSON": "name", "GPE": "place", "LOC": "place", "FAC": "place",
              "DATE": "date"}


@dataclass(frozen=True)
class Proposal:
    """One replacement: ``text[start:end]`` of ``document`` (``original``) -> ``replacement``."""

    document: str
    start: int
    end: int
    kind: str  # name | place | date | speaker
    original: str
    replacement: str
    accept: bool = True
    source: str = ""  # list | speaker-label | date-pattern | spacy:<model>
    #: "" for a document's text; else which written text ``document`` locates ("memo",
    #: "code name", "code example 2", "rationale"; see ``services.deid_written``)
    field: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class DeidResult:
    documents: list[tuple[str, str]] = field(default_factory=list)  # (original, new version)
    replacements: int = 0
    codings_copied: int = 0
    codings_left: int = 0
    texts_changed: int = 0  # memos, code names and fields, rationales (deid_written)
    memos_carried: int = 0  # memos on codings moved to the codings' de-identified copies
    mapping_file: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------------------------ finding


def find_dates(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that look like calendar dates (see ``_DATE_PATTERNS``)."""
    spans = sorted({(m.start(), m.end()) for p in _DATE_PATTERNS for m in p.finditer(text)},
                   key=lambda ab: (ab[0], -ab[1]))
    out: list[tuple[int, int]] = []
    for a, b in spans:  # "12 March 2024" also holds "March 2024": keep the longest
        if out and a < out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
            continue
        out.append((a, b))
    return out


def _find_words(text: str, word: str) -> list[tuple[int, int]]:
    """Whole-word occurrences of ``word`` as written, or in capitals (``DANA``)."""
    out = []
    for form in {word, word.upper()}:
        pattern = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)")
        out.extend((m.start(), m.end()) for m in pattern.finditer(text))
    return out


def ner_pipeline():
    """The first installed trained spaCy pipeline, or None (none is bundled with themeqa)."""
    try:
        import spacy
    except ImportError:  # pragma: no cover - spaCy is a dependency
        return None
    for name in sorted(spacy.util.get_installed_models()):
        try:
            return spacy.load(name, disable=["lemmatizer"])
        except Exception:  # pragma: no cover - a broken model install: try the next one
            continue
    return None


def _non_overlapping(cands: Iterable[Proposal]) -> list[Proposal]:
    """Longest first, then earliest; a candidate overlapping a kept one is dropped."""
    kept: list[Proposal] = []
    taken: list[tuple[int, int]] = []
    for p in sorted(cands, key=lambda p: (-(p.end - p.start), p.start, p.kind)):
        if all(p.end <= a or p.start >= b for a, b in taken):
            kept.append(p)
            taken.append((p.start, p.end))
    return sorted(kept, key=lambda p: p.start)


@dataclass
class _Finder:
    """Candidates in one text; numbering of ``[PERSON n]``/``[PLACE n]`` is shared by every
    text it is called on, so a name gets the same replacement everywhere."""

    labels: dict[str, str]
    names: list[str]
    places: list[str]
    dates: bool
    nlp: object | None
    person_no: dict[str, str] = field(default_factory=dict)
    place_no: dict[str, str] = field(default_factory=dict)

    def person(self, name: str) -> str:
        no = self.person_no
        return no.setdefault(name.casefold(), f"[PERSON {len(no) + 1}]")

    def place(self, name: str) -> str:
        no = self.place_no
        return no.setdefault(name.casefold(), f"[PLACE {len(no) + 1}]")

    def __call__(self, doc_name: str, text: str, where: str = "") -> list[Proposal]:
        cands: list[Proposal] = []

        def add(a: int, b: int, kind: str, rep: str, source: str) -> None:
            cands.append(Proposal(doc_name, a, b, kind, text[a:b], rep, source=source,
                                  field=where))

        for label, pid in sorted(self.labels.items()):
            for a, b in _find_words(text, label):
                add(a, b, "speaker", pid, "speaker-label")
        for n in self.names:
            for a, b in _find_words(text, n):
                add(a, b, "name", self.person(n), "list")
        for p in self.places:
            for a, b in _find_words(text, p):
                add(a, b, "place", self.place(p), "list")
        if self.dates:
            for a, b in find_dates(text):
                add(a, b, "date", "[DATE]", "date-pattern")
        if self.nlp is not None:
            model = getattr(self.nlp, "meta", {}).get("name", "model")
            for ent in self.nlp(text).ents:
                kind = _NER_KINDS.get(ent.label_)
                if kind is None or not ent.text.strip():
                    continue
                rep = ("[DATE]" if kind == "date" else
                       self.person(ent.text) if kind == "name" else self.place(ent.text))
                cands.append(Proposal(doc_name, ent.start_char, ent.end_char, kind, ent.text,
                                      rep, source=f"spacy:{model}", field=where))
        return _non_overlapping(cands)


def propose(
    project: ProjectHandle,
    *,
    documents: Sequence[str] | None = None,
    names: Iterable[str] = (),
    places: Iterable[str] = (),
    dates: bool = True,
    nlp: object | None = None,
    use_ner: bool = True,
) -> tuple[list[Proposal], list[str]]:
    """Candidate replacements in the current (not superseded) documents; plus notes.

    ``nlp``: a spaCy pipeline to use for named entities (default: an installed trained one,
    if any; ``use_ner=False`` switches NER off). Replacements are consistent across
    documents: a speaker label becomes its participant id, other names ``[PERSON n]``,
    places ``[PLACE n]`` and dates ``[DATE]``.
    """
    notes: list[str] = []
    with project.reading() as s:
        docs = list(s.exec(select(Document).where(is_current()).order_by(Document.name)).all())
        if documents:
            wanted = set(documents)
            missing = wanted - {d.name for d in docs}
            if missing:
                raise NotFoundError(f"no current document named {sorted(missing)[0]!r}")
            docs = [d for d in docs if d.name in wanted]
        pid_of = dict(s.exec(select(Participant.id, Participant.pid)).all())
        labels = {lab: pid_of[part] for lab, part in
                  s.exec(select(SpeakerLabel.label, SpeakerLabel.participant_id)
                         .where(SpeakerLabel.participant_id.is_not(None))).all()}
        texts = [(d.name, d.text) for d in docs]
        written = written_texts(s, {d.id for d in docs} if documents else None)
    if use_ner and nlp is None:
        nlp = ner_pipeline()
        if nlp is None:
            notes.append("no trained spaCy pipeline is installed: names and places come only "
                         "from your lists and the participants' speaker labels")
    finder = _Finder(labels, [n.strip() for n in names if n and n.strip()],
                     [p.strip() for p in places if p and p.strip()], dates, nlp)
    out = [p for doc_name, text in texts for p in finder(doc_name, text)]
    # what people wrote about the data (memos, the journal, code names, rationales)
    out += [p for w in written for p in finder(w.locator, w.text, w.field)]
    return out, notes


# ------------------------------------------------------------------------------ review file


def write_review(proposals: Sequence[Proposal], path: Path | str) -> Path:
    """The review CSV: one row per proposal; the user edits ``accept`` and ``replacement``."""
    path = Path(path)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(REVIEW_COLUMNS)
    for p in proposals:
        w.writerow([escape_formula(p.document), p.start, p.end, p.kind,
                    escape_formula(p.original), escape_formula(p.replacement),
                    "yes" if p.accept else "no", p.source, p.field])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def read_review(path: Path | str) -> list[Proposal]:
    """Read an edited review CSV; InputError (one line) for any malformed row."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text") from exc
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(f"{path}: not a CSV file ({exc})") from exc
    if not rows or [h.strip().lower() for h in rows[0]][:7] != list(REVIEW_COLUMNS[:7]):
        raise InputError(f"{path}: not a de-identification review file (expected columns "
                         f"{','.join(REVIEW_COLUMNS)})")
    out = []
    for n, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        if len(r) < 7:
            raise InputError(f"{path}: row {n} has {len(r)} columns, expected 7 or more")
        try:
            start, end = int(r[1]), int(r[2])
        except ValueError as exc:
            raise InputError(f"{path}: row {n}: start and end must be whole numbers") from exc
        accept = r[6].strip().lower()
        if accept not in _YES | _NO:
            raise InputError(f"{path}: row {n}: accept must be yes or no, not {r[6]!r}")
        p = Proposal(unescape_formula(r[0]), start, end, r[3].strip(),
                     unescape_formula(r[4]), unescape_formula(r[5]),
                     accept in _YES, r[7] if len(r) > 7 else "",
                     r[8].strip() if len(r) > 8 else "")
        if p.accept and not p.replacement.strip():
            raise InputError(f"{path}: row {n}: an accepted row needs a replacement")
        out.append(p)
    return out


# ------------------------------------------------------------------------------ applying


def _shift(pos: int, edits: list[tuple[int, int, int]], *, side: str) -> int | None:
    """Map an offset of the old text to the new one. ``edits``: (start, end, new length),
    sorted and disjoint. None when ``pos`` falls strictly inside a replaced span (no exact
    counterpart), unless ``side`` is "snap", which moves it to the span's new edge."""
    delta = 0
    for a, b, n in edits:
        if pos <= a:
            break
        if pos < b:
            if side != "snap":
                return None
            return a + delta + (n if pos - a > (b - a) / 2 else 0)
        delta += n - (b - a)
    return pos + delta


def _new_name(old: str, taken: set[str]) -> str:
    stem, dot, ext = old.rpartition(".")
    base = f"{stem}.deid.{ext}" if dot and stem else f"{old}.deid"
    name, k = base, 2
    while name in taken:
        name = (f"{stem}.deid{k}.{ext}" if dot and stem else f"{old}.deid{k}")
        k += 1
    return name


def apply_review(
    project: ProjectHandle,
    review: Path | str,
    *,
    mapping_file: Path | str | None = None,
    actor: str | None = None,
) -> DeidResult:
    """Write de-identified versions of the documents with accepted rows (one transaction).

    Refuses a review that no longer matches a document's text (the original at start:end
    differs), that names a superseded or unknown document, or whose accepted rows overlap.
    """
    actor = actor or project.actor
    accepted = [p for p in read_review(review) if p.accept]
    written = [p for p in accepted if p.field not in ("", "text")]
    accepted = [p for p in accepted if p.field in ("", "text")]
    if not accepted and not written:
        raise InputError(f"{review}: no accepted rows; nothing to do")
    if mapping_file is None:
        if project.directory is None:
            raise InputError("a PostgreSQL project has no folder: name the mapping file "
                             "(--mapping FILE), kept away from the database")
        mapping_file = project.directory / MAPPING_FILENAME
    mapping_file = Path(mapping_file)
    by_doc: dict[str, list[Proposal]] = {}
    for p in accepted:
        by_doc.setdefault(p.document, []).append(p)
    result = DeidResult(mapping_file=str(mapping_file))
    mapping_rows: list[list[str]] = []
    now = datetime.now(UTC).isoformat(timespec="seconds")
    batch = new_batch()
    with project.transaction() as s:
        # Memos first: a memo on a coding is then carried to the coding's copy de-identified.
        if written:
            result.texts_changed, rows = apply_written(s, written, review, actor=actor,
                                                       batch=batch)
            mapping_rows += [[now, actor, *r] for r in rows]
        taken = set(s.exec(select(Document.name)).all())
        superseded = superseded_ids(s)
        for doc_name, props in sorted(by_doc.items()):
            old = s.exec(select(Document).where(Document.name == doc_name)).first()
            if old is None:
                raise NotFoundError(f"{review}: no document named {doc_name!r}")
            if old.id in superseded:
                raise InputError(f"{review}: {doc_name!r} already has a newer version; "
                                 "propose again on the current one")
            props = sorted(props, key=lambda p: p.start)
            for p in props:
                if not (0 <= p.start < p.end <= len(old.text)) or \
                        old.text[p.start:p.end] != p.original:
                    raise InputError(f"{review}: {doc_name!r} {p.start}-{p.end} is not "
                                     f"{p.original!r} (the review is stale; propose again)")
            for a, b in itertools.pairwise(props):
                if b.start < a.end:
                    raise InputError(f"{review}: {doc_name!r}: accepted rows at {a.start} and "
                                     f"{b.start} overlap; accept only one")
            edits = [(p.start, p.end, len(p.replacement)) for p in props]
            parts, pos = [], 0
            for p in props:
                parts += [old.text[pos:p.start], p.replacement]
                pos = p.end
            parts.append(old.text[pos:])
            new_text = "".join(parts)
            name = _new_name(old.name, taken)
            taken.add(name)
            new = Document(
                name=name, kind=old.kind, source_file_id=old.source_file_id,
                format=old.format, language=old.language, text=new_text,
                sha256=sha256_text(new_text), n_chars=len(new_text),
                n_words=len(new_text.split()), timepoint_id=old.timepoint_id,
                session_id=old.session_id, participant_id=old.participant_id,
                question=old.question, previous_id=old.id,
            )
            s.add(new)
            s.flush()
            speaker_rep = {p.original: p.replacement for p in props}
            turns = [
                {"document_id": new.id, "start": _shift(t.start, edits, side="snap"),
                 "content_start": _shift(t.content_start, edits, side="snap"),
                 "end": _shift(t.end, edits, side="snap"),
                 "speaker": speaker_rep.get(t.speaker, t.speaker) if t.speaker else t.speaker,
                 "role": t.role, "participant_id": t.participant_id}
                for t in s.exec(select(Turn).where(Turn.document_id == old.id))
            ]
            sentences = [
                {"document_id": new.id, "start": _shift(x.start, edits, side="snap"),
                 "end": _shift(x.end, edits, side="snap")}
                for x in s.exec(select(Sentence).where(Sentence.document_id == old.id))
            ]
            sentences = [x for x in sentences if x["end"] > x["start"]]
            copied, copied_from, left = [], [], 0
            for c in s.exec(select(Coding).where(Coding.document_id == old.id)
                            .order_by(Coding.id)):
                a, b = _shift(c.start, edits, side="exact"), _shift(c.end, edits, side="exact")
                if a is None or b is None or b <= a:
                    left += 1
                    continue
                copied_from.append(c.id)
                copied.append({"document_id": new.id, "code_id": c.code_id,
                               "coder_id": c.coder_id, "layer": c.layer, "start": a, "end": b,
                               "quote": c.quote, "created_at": c.created_at,
                               "updated_at": c.updated_at})
            for table, rows in ((Turn, turns), (Sentence, sentences), (Coding, copied)):
                if rows:
                    s.execute(insert(table), rows)
            carried = carry_coding_memos(s, new.id, copied_from, copied)
            result.memos_carried += carried
            result.documents.append((old.name, name))
            result.replacements += len(props)
            result.codings_copied += len(copied)
            result.codings_left += left
            # The audit log gets counts only: originals would re-identify people.
            record(s, actor, "deidentify", "document", new.id, batch=batch,
                   after={"from": old.name, "to": name, "replacements": len(props),
                          "codings_copied": len(copied), "codings_left": left,
                          "memos_carried": carried,
                          "kinds": sorted({p.kind for p in props})})
            mapping_rows += [[now, actor, old.name, name, p.kind, str(p.start), str(p.end),
                              p.original, p.replacement] for p in props]
        # Written before the commit: if the file cannot be written, nothing is committed.
        _append_mapping(mapping_file, mapping_rows)
    return result


def _append_mapping(path: Path, rows: list[list[str]]) -> None:
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("a", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            if new:
                w.writerow(["applied_at", "actor", "document", "new_document", "kind",
                            "start", "end", "original", "replacement"])
            w.writerows([[escape_formula(v) for v in r] for r in rows])
    except OSError as exc:
        raise InputError(f"cannot write the mapping file {path}: {exc.strerror or exc}") from exc

