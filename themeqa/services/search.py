"""Project-wide search (words, phrases, word forms, regular expressions) and code-from-search.

Why it is built this way: a hit is only useful to a qualitative researcher with its context —
who said it (participant, condition), where (document, session, timepoint) — and with filters
that mirror the study design, so every hit is located in its turn once, then filtered.
Tokens and lemmas come from ``ingest.lexicon`` (cached per document text); matching is in
``core.textsearch``.

Only current documents are searched (``services.versions``): after de-identification the
original of a transcript is kept until it is purged, and searching it would show every hit
twice and bring back the names just removed. ``SearchFilters.include_superseded`` searches
the originals too, for the lead checking what a de-identification replaced; their hits carry
``superseded_by`` and cannot be coded (a coding there would count nowhere).
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field

from sqlmodel import select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.codebooks import code_and_descendants, resolve_code
from themeqa.services.lookup import get_or_create_coder
from themeqa.services.project import ProjectHandle
from themeqa.services.versions import current_versions, is_current
from themeqa.store.models import (
    Coder,
    Coding,
    Document,
    Memo,
    Participant,
    Sentence,
    StudySession,
    Timepoint,
    Turn,
)

__all__ = [
    "CorpusDoc",
    "SearchFilters",
    "SearchHit",
    "code_from_search",
    "forget_token_cache",
    "load_corpus",
    "search",
    "token_cache",
]

MODES = ("lemma", "exact", "regex")
SCOPES = ("word", "sentence", "turn")

_CACHES: dict[str, object] = {}


def token_cache(project: ProjectHandle):
    """The project's token cache (one per project per process; files under the project)."""
    from themeqa.ingest.lexicon import TokenCache

    cache = _CACHES.get(project.url)
    if cache is None:
        directory = (
            project.directory / ".themeqa-cache" / "tokens" if project.directory else None
        )
        cache = _CACHES[project.url] = TokenCache(directory)
    return cache


def forget_token_cache(project: ProjectHandle) -> None:
    """Drop this process's token tables of ``project`` (after a purge of identifiable text,
    the words of the old texts must not linger in memory; the next search re-reads)."""
    _CACHES.pop(project.url, None)


@dataclass(frozen=True)
class SearchFilters:
    """Restrict hits by the study design; every field None/empty means "any"."""

    condition: str | None = None
    timepoint: str | None = None
    session: str | None = None
    speaker: str | None = None  # a participant id or a speaker label, case-insensitive
    kind: str | None = None  # transcript | written
    participants_only: bool = False  # leave out facilitators and unknown speakers
    inside_code: str | None = None
    outside_code: str | None = None
    coder: str | None = None  # whose codings count for inside/outside (None: anyone's)
    #: also search superseded originals (e.g. of de-identified documents) -- see the module
    include_superseded: bool = False


@dataclass(frozen=True)
class SearchHit:
    document: str
    start: int
    end: int
    left: str
    match: str
    right: str
    participant: str | None
    condition: str | None
    session: str | None
    timepoint: str | None
    speaker: str | None
    #: the current version's name when the hit is in a superseded original
    superseded_by: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CorpusTurn:
    start: int
    content_start: int
    end: int
    speaker: str | None
    role: str
    participant: str | None
    condition: str | None


@dataclass
class CorpusDoc:
    """A document with what search and word counts need to place a hit in the study design."""

    id: int
    name: str
    kind: str
    text: str
    sha256: str
    language: str
    session: str | None
    session_condition: str | None
    timepoint: str | None
    participant: str | None  # written responses
    participant_condition: str | None
    turns: list[CorpusTurn] = field(default_factory=list)
    #: the current version's name when this document is a superseded original
    superseded_by: str | None = None
    _starts: list[int] = field(default_factory=list)

    def turn_at(self, offset: int) -> CorpusTurn | None:
        if not self._starts:
            self._starts = [t.start for t in self.turns]
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self.turns[i].end:
            return self.turns[i]
        return None

    def speaker_of(self, offset: int) -> tuple[str | None, str | None, str | None, str]:
        """(participant, condition, speaker, role) of the text at ``offset``."""
        if self.kind == "written":
            return (self.participant, self.participant_condition, self.participant,
                    "participant")
        t = self.turn_at(offset)
        if t is None:
            return None, self.session_condition, None, "unknown"
        return t.participant, t.condition or self.session_condition, t.speaker, t.role


def load_corpus(project: ProjectHandle, filters: SearchFilters | None = None) -> list[CorpusDoc]:
    """Current documents (filtered by kind/session/timepoint) with their turns, in name order.

    Superseded originals only with ``filters.include_superseded`` (see the module docstring);
    word counts, suggestions and theme extracts read this too, so none of them counts an
    original beside its new version.
    """
    f = filters or SearchFilters()
    with project.reading() as s:
        sessions = {x.id: (x.label, x.condition) for x in s.exec(select(StudySession)).all()}
        tps = {x.id: x.label for x in s.exec(select(Timepoint)).all()}
        parts = {
            x.id: (x.pid, x.condition, x.session_id) for x in s.exec(select(Participant)).all()
        }
        q = select(Document).order_by(Document.name)
        if f.kind:
            q = q.where(Document.kind == f.kind)
        newest: dict[int, int] = {}
        names: dict[int, str] = {}
        if f.include_superseded:
            newest = current_versions(s)
            if newest:
                names = dict(s.exec(select(Document.id, Document.name)
                                    .where(Document.id.in_(set(newest.values())))).all())
        else:
            q = q.where(is_current())
        docs: dict[int, CorpusDoc] = {}
        for d in s.exec(q).all():
            part = parts.get(d.participant_id, (None, None, None))
            sid = d.session_id if d.session_id is not None else part[2]
            sess = sessions.get(sid, (None, None))
            doc = CorpusDoc(
                d.id, d.name, d.kind, d.text, d.sha256, d.language or "en", sess[0], sess[1],
                tps.get(d.timepoint_id), part[0], part[1],
                superseded_by=names.get(newest[d.id]) if d.id in newest else None,
            )
            if f.session and (doc.session or "").lower() != f.session.lower():
                continue
            if f.timepoint and (doc.timepoint or "").lower() != f.timepoint.lower():
                continue
            docs[d.id] = doc
        if docs:
            for t in s.exec(select(Turn).order_by(Turn.document_id, Turn.start)).all():
                doc = docs.get(t.document_id)
                if doc is None:
                    continue
                part = parts.get(t.participant_id, (None, None, None))
                doc.turns.append(CorpusTurn(t.start, t.content_start, t.end, t.speaker, t.role,
                                            part[0], part[1]))
    return list(docs.values())


def _code_spans(
    project: ProjectHandle, reference: str, coder: str | None
) -> dict[int, list[tuple[int, int]]]:
    """Spans of codings of a code or any of its descendants, per document id."""
    with project.reading() as s:
        ids = code_and_descendants(s, resolve_code(s, reference))
        q = select(Coding.document_id, Coding.start, Coding.end).where(Coding.code_id.in_(ids))
        if coder:
            row = s.exec(select(Coder).where(Coder.name == coder)).first()
            if row is None:
                raise NotFoundError(f"no coder named {coder!r}")
            q = q.where(Coding.coder_id == row.id)
        out: dict[int, list[tuple[int, int]]] = {}
        for did, a, b in s.exec(q).all():
            out.setdefault(did, []).append((a, b))
    return out


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in spans)


def _keep(doc: CorpusDoc, start: int, f: SearchFilters) -> tuple[bool, tuple]:
    who = doc.speaker_of(start)
    participant, condition, speaker, role = who
    if f.participants_only and role != "participant":
        return False, who
    if f.condition and (condition or "").lower() != f.condition.lower():
        return False, who
    if f.speaker:
        wanted = f.speaker.lower()
        if wanted not in {(participant or "").lower(), (speaker or "").lower()}:
            return False, who
    return True, who


def search(
    project: ProjectHandle,
    query: str,
    *,
    mode: str = "lemma",
    derived: bool = True,
    filters: SearchFilters | None = None,
    context: int = 40,
    limit: int | None = None,
) -> list[SearchHit]:
    """Every hit of ``query`` in the project, in document order, with keyword-in-context.

    ``mode``: ``lemma`` (word forms: "relax" finds relaxed, relaxing and, with ``derived``,
    relaxation), ``exact`` (the words as typed, case-insensitive) or ``regex``.
    """
    from themeqa.core.textsearch import (
        QueryError,
        compile_phrases,
        kwic,
        match_compiled,
        parse_query,
        regex_spans,
    )
    from themeqa.ingest.lexicon import lemmatize_words

    if mode not in MODES:
        raise InputError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    f = filters or SearchFilters()
    docs = load_corpus(project, f)
    inside = _code_spans(project, f.inside_code, f.coder) if f.inside_code else None
    outside = _code_spans(project, f.outside_code, f.coder) if f.outside_code else None
    try:
        if mode == "regex":
            regex_spans("", query)  # validate once
            phrases = []
        else:
            phrases = parse_query(query)
    except QueryError as exc:
        raise InputError(str(exc)) from None

    per_doc: dict[int, list[tuple[int, int]]] = {}
    if mode == "regex":
        for doc in docs:
            per_doc[doc.id] = regex_spans(doc.text, query)
    else:
        cache = token_cache(project)
        tables = cache.get_many([(d.sha256, d.language, d.text) for d in docs])
        compiled_by_lang: dict[str, list] = {}
        for doc, table in zip(docs, tables, strict=True):
            compiled = compiled_by_lang.get(doc.language)
            if compiled is None:
                if mode == "lemma":
                    words = [tuple(lemmatize_words(p, doc.language)) for p in phrases]
                else:
                    words = phrases
                compiled = compiled_by_lang[doc.language] = compile_phrases(
                    cache.vocab, words, derived=derived and mode == "lemma"
                )
            field_name = "lemma" if mode == "lemma" else "norm"
            per_doc[doc.id] = match_compiled(table, compiled, field=field_name)

    hits: list[SearchHit] = []
    for doc in docs:
        for a, b in per_doc.get(doc.id, []):
            turn = doc.turn_at(a)
            if turn is not None and a < turn.content_start:
                continue  # a speaker label is not something anyone said
            ok, (participant, condition, speaker, _role) = _keep(doc, a, f)
            if not ok:
                continue
            if inside is not None and not _overlaps(inside.get(doc.id, []), a, b):
                continue
            if outside is not None and _overlaps(outside.get(doc.id, []), a, b):
                continue
            k = kwic(doc.text, a, b, context)
            hits.append(SearchHit(doc.name, a, b, k.left, k.match, k.right, participant,
                                  condition, doc.session, doc.timepoint, speaker,
                                  doc.superseded_by))
            if limit is not None and len(hits) >= limit:
                return hits
    return hits


def _scope_span(s, doc: Document, hit: SearchHit, scope: str) -> tuple[int, int]:
    if scope == "word":
        return hit.start, hit.end
    if scope == "sentence":
        row = s.exec(
            select(Sentence.start, Sentence.end)
            .where(Sentence.document_id == doc.id, Sentence.start <= hit.start,
                   Sentence.end >= hit.end)
            .order_by(Sentence.start.desc())
        ).first()
        return (row[0], row[1]) if row else (hit.start, hit.end)
    row = s.exec(
        select(Turn.content_start, Turn.end)
        .where(Turn.document_id == doc.id, Turn.start <= hit.start, Turn.end >= hit.end)
        .order_by(Turn.start.desc())
    ).first()
    return (row[0], row[1]) if row and row[1] > row[0] else (hit.start, hit.end)


def code_from_search(
    project: ProjectHandle,
    hits: list[SearchHit],
    code: str,
    *,
    coder: str,
    scope: str = "sentence",
    query: str = "",
) -> list[int]:
    """Code the word, sentence or turn around each hit: one transaction, one undo step.

    Spans already coded with this code by this coder, and spans repeated by several hits
    (two hits in one sentence), are coded once. Each new coding gets a memo recording the
    query, so a reader of the coding knows it came from a search. Returns the new ids.
    Hits in a superseded original are refused: a coding there counts nowhere.
    """
    if scope not in SCOPES:
        raise InputError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    if not hits:
        raise InputError("no hits to code")
    from themeqa.services.changes import Recorder, snapshot

    note = f"Coded from search: {query!r} ({scope})" if query else f"Coded from search ({scope})"
    created: list[int] = []
    rec = Recorder(coder, "code search hits")
    with project.transaction() as s:
        code_id = resolve_code(s, code)
        c = get_or_create_coder(s, coder)
        docs = {
            d.name: d
            for d in s.exec(
                select(Document).where(Document.name.in_({h.document for h in hits}))
            ).all()
        }
        replaced = current_versions(s)
        old = sorted(name for name, d in docs.items() if d.id in replaced)
        if old:
            raise InputError(f"{old[0]} has been replaced by a newer version; code the "
                             "current one (search without the originals)")
        seen: set[tuple[int, int, int]] = set()
        for hit in hits:
            doc = docs.get(hit.document)
            if doc is None:
                raise NotFoundError(f"no document named {hit.document!r}")
            a, b = _scope_span(s, doc, hit, scope)
            key = (doc.id, a, b)
            if key in seen:
                continue
            seen.add(key)
            exists = s.exec(
                select(Coding.id).where(
                    Coding.document_id == doc.id, Coding.code_id == code_id,
                    Coding.coder_id == c.id, Coding.layer == "coder",
                    Coding.start == a, Coding.end == b,
                )
            ).first()
            if exists is not None:
                continue
            row = Coding(document_id=doc.id, code_id=code_id, coder_id=c.id, layer="coder",
                         start=a, end=b)
            s.add(row)
            s.flush()
            memo = Memo(text=note, author_id=c.id, coding_id=row.id)
            s.add(memo)
            s.flush()
            rec.create("coding", snapshot("coding", row))
            rec.create("memo", snapshot("memo", memo))
            created.append(row.id)
        if created:
            rec.summary = f"code {len(created)} search hit(s) as {code}"
            rec.write(s)
    return created
