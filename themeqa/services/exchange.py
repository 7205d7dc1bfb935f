"""Exchange with NVivo, ATLAS.ti, MAXQDA and other tools through REFI-QDA (QDA-XML 1.0).

Why this shape: the whole project goes out as one standard .qdpx that other tools open
(coders as users, each codebook as a non-codable top-level code over its themes, documents as
text sources, each distinct coded span as a selection carrying one coding per coder, memos as
notes, participants as cases with variables, sessions and timepoints as sets). Every code
leaves under its name exactly as stored (never "label name": that renamed every code on a trip
through another tool); a label goes into the description (``Label: 2a``) only where the name
and position would not give it back (``interop.refi.conventions``). What REFI has no element
for (labels, codebook keys, document kinds, the consensus layer, quote flags) rides in one
project note, "themeqa exchange data", whose JSON text is a file in ``sources/``: the archive
holds ``project.qde`` and ``sources/`` only, so themeqa -> themeqa is lossless while the XML
alone still carries names, definitions and the consensus layer (a user "amira (consensus)").
Archives from before (a ``themeqa.json`` at the root) are still read. GUIDs are derived from
the project and row ids (uuid5), so exporting the same project twice gives the same GUIDs.
Import lives in ``exchange_import``.

Only current documents go out (``services.versions``): the original of a de-identified
transcript stays in the project until it is purged, but an exchange file is for someone
else, who must get the de-identified text only -- and REFI has no notion of versions, so a
receiving tool (themeqa included) would see two documents and count their codings twice. A
memo on such an original is attached to its new version; its codings are not exported (their
copies on the new version are). For the same reason, once a project holds de-identified
documents the participants' speaker labels (``Dana`` -> ``P01``: a name and who it is) stay
out of the exchange data; the report says so.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlmodel import select

from themeqa import __version__
from themeqa.errors import InputError, NotFoundError
from themeqa.services.audit import new_batch, record
from themeqa.services.exchange_import import (
    ProjectImport,
    codebook_from_refi,
    import_project,
    insert_codebook,
)
from themeqa.services.project import ProjectHandle
from themeqa.services.versions import current_versions, is_current
from themeqa.store.models import (
    Code,
    Codebook,
    Coder,
    Coding,
    Document,
    Memo,
    Participant,
    ParticipantTimepoint,
    SpeakerLabel,
    StudySession,
    Timepoint,
)

__all__ = [
    "CONSENSUS_SUFFIX",
    "ExportReport",
    "ProjectImport",
    "export_codebook_qdc",
    "export_project",
    "import_codebook_qdc",
    "import_project",
]

ORIGIN = f"themeqa {__version__}"
#: a coder's consensus-layer codings are written by a user named "<coder> (consensus)"
CONSENSUS_SUFFIX = " (consensus)"
_NAME_CHARS = 100


@dataclass
class ExportReport:
    path: str
    users: int = 0
    codebooks: int = 0
    codes: int = 0
    sources: int = 0
    selections: int = 0
    codings: int = 0
    notes: int = 0
    cases: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class _Guids:
    """Stable GUIDs: a uuid5 of the project's identity and the row's kind, whose last 48 bits
    are replaced by the row id (unique per kind, and ~10x cheaper than hashing every row)."""

    def __init__(self, seed: str) -> None:
        self.ns = uuid.uuid5(uuid.NAMESPACE_URL, f"themeqa:{seed}")
        self.prefix: dict[str, str] = {}

    def __call__(self, kind: str, key: object) -> str:
        if isinstance(key, int) and 0 <= key < 16**12:
            pre = self.prefix.get(kind)
            if pre is None:
                pre = self.prefix[kind] = str(uuid.uuid5(self.ns, kind))[:24]
            return f"{pre}{key:012x}"
        return str(uuid.uuid5(self.ns, f"{kind}:{key}"))


def _snippet(text: str) -> str:
    """A selection's name: its text, shortened like ATLAS.ti does (lets importers verify it)."""
    head = text[: _NAME_CHARS * 2]
    t = " ".join(head.split())
    if len(t) <= _NAME_CHARS and len(head) == len(text):
        return t
    return t[:_NAME_CHARS].rstrip() + "…"


def _code_tree(s, guid, refi) -> tuple[list, dict, dict]:
    """REFI codes (one root per codebook), the exchange data entries, and code id -> guid.

    Each code leaves under its name exactly as stored (issue 23); its label travels in the
    exchange data, and as a ``Label:`` line of the description only where importing the XML
    alone would not give it back (``conventions.labels_to_write``). One codebook is written as
    the top-level codes (so an NVivo project comes back to NVivo with its own tree); several
    each under a non-codable code named after the codebook.
    """
    books = s.exec(select(Codebook).order_by(Codebook.position, Codebook.id)).all()
    codes = s.exec(select(Code).order_by(Code.position, Code.id)).all()
    children: dict[int | None, list[Code]] = defaultdict(list)
    for c in codes:
        children[c.parent_id].append(c)
    ids: dict[int, str] = {}
    side_books: dict[str, dict] = {}
    side_codes: dict[str, dict] = {}
    rows: dict[str, Code] = {}

    def build(c: Code):
        g = guid("code", c.id)
        ids[c.id] = g
        rows[g] = c
        side_codes[g] = {"label": c.label, "definition": c.definition,
                         "include": c.include, "exclude": c.exclude,
                         "examples": list(c.examples or [])}
        return refi.Code(guid=g, name=c.name, colour=c.colour,
                         children=[build(x) for x in children.get(c.id, [])])

    forest = []
    for b in books:
        themes = [build(c) for c in children.get(None, []) if c.codebook_id == b.id]
        if len(books) == 1:  # its themes are the top-level codes, as in any other tool
            forest = themes
            return _describe(forest, rows), {"codebook": {"key": b.key, "title": b.title,
                             "description": b.description}, "codes": side_codes}, ids
        g = guid("codebook", b.id)
        side_books[g] = {"key": b.key, "title": b.title, "description": b.description}
        forest.append(refi.Code(guid=g, name=b.title or b.key, codable=False,
                                description=b.description, children=themes))
    return _describe(forest, rows), {"codebooks": side_books, "codes": side_codes}, ids


def _describe(forest: list, rows: dict) -> list:
    """Fill the description of each REFI code that is a theme (``rows``: guid -> theme-like),
    with a ``Label:`` line where deriving labels over ``forest`` would not give its label."""
    from themeqa.interop.refi.conventions import compose_description, labels_to_write

    explicit = labels_to_write(forest, {g: t.label for g, t in rows.items()})
    for root in forest:
        for c, _ in root.walk():
            t = rows.get(c.guid)
            if t is not None:
                c.description = compose_description(t.definition, t.include, t.exclude,
                                                    list(t.examples or []),
                                                    explicit.get(c.guid, ""))
    return forest


def _variables(refi, guid, participants, extras_keys) -> list:
    """Case variables: the typed participant fields, then every ``extra`` key."""
    out = [refi.Variable(guid("variable", n), n, t) for n, t in
           (("condition", "Text"), ("session", "Text"), ("timepoints", "Text"),
            ("age", "Integer"), ("gender", "Text"))]
    for key in extras_keys:
        values = [p.extra.get(key) for p in participants if p.extra.get(key) not in (None, "")]
        if values and all(isinstance(v, bool) for v in values):
            t = "Boolean"
        elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            t = "Integer"
        elif values and all(isinstance(v, int | float) and not isinstance(v, bool)
                            for v in values):
            t = "Float"
        else:
            t = "Text"
        out.append(refi.Variable(guid("variable", f"extra:{key}"), key, t))
    return out


def build_refi_project(project: ProjectHandle):
    """The whole project as an ``interop.refi.Project`` (no file written)."""
    from themeqa.interop import refi

    info = project.info()
    guid = _Guids(f"{info.name}:{info.created_at.isoformat()}")
    with project.reading() as s:
        coders = s.exec(select(Coder).order_by(Coder.id)).all()
        codes, side, code_guid = _code_tree(s, guid, refi)
        docs = s.exec(select(Document).where(is_current()).order_by(Document.id)).all()
        newest = current_versions(s)
        # plain rows, not ORM objects: a study has tens of thousands of codings
        codings = s.exec(select(Coding.id, Coding.document_id, Coding.code_id, Coding.coder_id,
                                Coding.layer, Coding.start, Coding.end, Coding.quote,
                                Coding.created_at, Coding.updated_at)
                         .where(is_current(Coding.document_id))
                         .order_by(Coding.document_id, Coding.start, Coding.end, Coding.id)).all()
        memos = s.exec(select(Memo).order_by(Memo.id)).all()
        parts = s.exec(select(Participant).order_by(Participant.pid)).all()
        sessions = {x.id: x for x in s.exec(select(StudySession)).all()}
        timepoints = {x.id: x for x in s.exec(select(Timepoint)).all()}
        p_tps: dict[int, list[str]] = defaultdict(list)
        for link in s.exec(select(ParticipantTimepoint)).all():
            p_tps[link.participant_id].append(timepoints[link.timepoint_id].label)
        labels: dict[int, list[str]] = defaultdict(list)
        if not newest:  # after de-identification they are the key to the names
            for lab in s.exec(select(SpeakerLabel)).all():
                if lab.participant_id is not None:  # facilitator labels name nobody
                    labels[lab.participant_id].append(lab.label)

    user = {c.id: guid("coder", c.id) for c in coders}
    consensus_users = {c.coder_id for c in codings if c.layer == "consensus"}
    users = [refi.User(user[c.id], c.name) for c in coders]
    users += [refi.User(guid("consensus", c.id), c.name + CONSENSUS_SUFFIX)
              for c in coders if c.id in consensus_users]
    notes_by: dict[tuple[str, int | None], list[str]] = defaultdict(list)
    notes = []
    for m in memos:
        g = guid("memo", m.id)
        first = m.text.strip().split("\n", 1)[0]
        notes.append(refi.Note(g, first[:60] + ("…" if len(first) > 60 else ""), m.text,
                               creating_user=user.get(m.author_id), created=m.created_at,
                               modified=m.updated_at))
        if m.coding_id is not None:
            notes_by[("coding", m.coding_id)].append(g)
        elif m.code_id is not None:
            notes_by[("code", m.code_id)].append(g)
        elif m.document_id is not None:
            notes_by[("document", newest.get(m.document_id, m.document_id))].append(g)
        else:
            notes_by[("project", None)].append(g)
    for c in (x for root in codes for x, _ in root.walk()):
        cid = next((k for k, v in code_guid.items() if v == c.guid), None)
        if cid is not None:
            c.note_refs = notes_by.get(("code", cid), [])

    # the hot part (one pass per coding): plain tuples, GUIDs formatted from a cached prefix
    by_doc: dict[int, list[tuple]] = defaultdict(list)
    for row in codings:
        by_doc[row[1]].append(tuple(row))
    coding_pre, span_pre = guid("coding", 0)[:24], guid("span", 0)[:24]
    writer_of = {cid: guid("consensus", cid) for cid in user}
    side_docs, side_codings = {}, {}
    sources = []
    pid_of = {p.id: p.pid for p in parts}
    for d in docs:
        g = guid("document", d.id)
        side_docs[g] = {"kind": d.kind, "format": d.format, "language": d.language,
                        "session": sessions[d.session_id].label if d.session_id else None,
                        "timepoint": timepoints[d.timepoint_id].label if d.timepoint_id else None,
                        "participant": pid_of.get(d.participant_id), "question": d.question}
        spans: dict[tuple[int, int], list[tuple]] = defaultdict(list)
        for row in by_doc.get(d.id, ()):
            spans[(row[5], row[6])].append(row)
        sels = []
        text = d.text
        for (a, b), group in spans.items():
            first = group[0]
            codes_out = []
            for cid, _, code_id, coder_id, layer, _, _, quote, created, _ in group:
                cg = f"{coding_pre}{cid:012x}"
                who = writer_of[coder_id] if layer == "consensus" else user[coder_id]
                codes_out.append(refi.Coding(cg, code_guid[code_id], who, created,
                                             notes_by.get(("coding", cid), [])))
                if quote:  # the layer is in the user; only quotes need the exchange data
                    side_codings[cg] = {"quote": True}
            sels.append(refi.Selection(
                guid=f"{span_pre}{first[0]:012x}", start=a, end=b, name=_snippet(text[a:b]),
                creating_user=codes_out[0].creating_user, created=first[8],
                modified=max(row[9] for row in group), codings=codes_out,
            ))
        sources.append(refi.Source(g, d.name, d.text, created=d.imported_at, selections=sels,
                                   note_refs=notes_by.get(("document", d.id), [])))

    extra_keys = sorted({k for p in parts for k in (p.extra or {})})
    variables = _variables(refi, guid, parts, extra_keys) if parts else []
    var = {v.name: v.guid for v in variables}
    cases, side_parts = [], {}
    doc_guid = {d.id: guid("document", d.id) for d in docs}
    for p in parts:
        g = guid("participant", p.id)
        values = {var["condition"]: p.condition,
                  var["session"]: sessions[p.session_id].label if p.session_id else None,
                  var["timepoints"]: ";".join(p_tps.get(p.id, [])) or None,
                  var["age"]: p.age, var["gender"]: p.gender}
        for k in extra_keys:
            values[var[k]] = (p.extra or {}).get(k)
        cases.append(refi.Case(g, p.pid, values=values,
                               source_refs=[doc_guid[d.id] for d in docs
                                            if d.participant_id == p.id]))
        side_parts[g] = {"pid": p.pid, "condition": p.condition, "age": p.age,
                         "gender": p.gender, "extra": p.extra or {},
                         "session": sessions[p.session_id].label if p.session_id else None,
                         "timepoints": p_tps.get(p.id, []), "speaker_labels": labels.get(p.id, [])}
    sets = []
    for kind, rows, attr in (("session", sessions, "session_id"),
                             ("timepoint", timepoints, "timepoint_id")):
        for rid, row in sorted(rows.items(), key=lambda kv: kv[1].label):
            members = [doc_guid[d.id] for d in docs if getattr(d, attr) == rid]
            if members:
                sets.append(refi.RefiSet(guid(kind, rid), f"{kind} {row.label}", sources=members))
    extras = {
        "format": "themeqa-refi", "version": 1, **side,
        "documents": side_docs, "codings": side_codings, "participants": side_parts,
        "sessions": {x.label: x.condition for x in sessions.values()},
        "coders": {user[c.id]: {"name": c.name, "role": c.role} for c in coders},
        "consensus_users": {guid("consensus", cid): next(c.name for c in coders if c.id == cid)
                            for cid in consensus_users},
    }
    return refi.Project(
        name=info.name, origin=ORIGIN, description=info.description, created=info.created_at,
        users=users, codes=codes, variables=variables, cases=cases, sources=sources,
        notes=notes, sets=sets, note_refs=notes_by.get(("project", None), []), extras=extras,
    )


def export_project(project: ProjectHandle, out: Path | str) -> ExportReport:
    """Write the whole project to ``out`` as a REFI-QDA .qdpx (atomically)."""
    from themeqa.interop.refi import write_qdpx

    out = Path(out)
    if not out.parent.is_dir():
        raise InputError(f"{out.parent}: no such directory")
    p = build_refi_project(project)
    with project.reading() as s:
        replaced = len(current_versions(s))
        n_labels = len(s.exec(select(SpeakerLabel.id)).all()) if replaced else 0
    warnings = []
    if replaced:
        warnings.append(
            f"{replaced} original{'s' if replaced != 1 else ''} of de-identified documents left "
            "out (their de-identified versions are exported)"
            + (f"; {n_labels} speaker label{'s' if n_labels != 1 else ''} left out" if n_labels
               else ""))
    try:
        write_qdpx(p, out)
    except OSError as exc:
        raise InputError(f"{out}: cannot write ({exc.strerror or exc})") from exc
    n_sel = sum(len(s.selections) for s in p.sources)
    from themeqa.services.export_log import log_export

    log_export(project, "project", out, format="qdpx", sources=len(p.sources),
               selections=n_sel)
    return ExportReport(
        path=str(out), users=len(p.users), codebooks=len(p.codes),
        codes=sum(1 for _ in p.all_codes()) - len(p.codes), sources=len(p.sources),
        selections=n_sel, codings=sum(len(x.codings) for s in p.sources for x in s.selections),
        notes=len(p.notes), cases=len(p.cases), warnings=warnings,
    )


# ------------------------------------------------------------------------------------------
# codebooks alone (.qdc)


def export_codebook_qdc(project: ProjectHandle, out: Path | str, key: str | None = None) -> int:
    """Write one codebook (``key``, or the only one) as a REFI-QDA .qdc; returns its codes."""
    from themeqa.interop import refi
    from themeqa.services.codebooks import export_codebook

    cb = export_codebook(project, key)
    info = project.info()
    guid = _Guids(f"{info.name}:{info.created_at.isoformat()}:codebook:{cb.key}")
    rows: dict[str, object] = {}

    def build(t):
        g = guid("code", t.label)
        rows[g] = t
        return refi.Code(g, t.name, colour=t.colour, children=[build(c) for c in t.children])

    qdc = refi.CodebookFile(origin=ORIGIN, codes=[build(t) for t in cb.themes])
    _describe(qdc.codes, rows)
    if not qdc.codes:
        raise InputError(f"codebook {cb.key!r} has no codes; a .qdc needs at least one")
    try:
        refi.write_qdc(qdc, out)
    except OSError as exc:
        raise InputError(f"{out}: cannot write ({exc.strerror or exc})") from exc
    return sum(1 for _ in qdc.all_codes())


def import_codebook_qdc(
    project: ProjectHandle, path: Path | str, key: str | None = None, title: str | None = None
):
    """Import a .qdc as a new codebook (``key`` defaults to the file name); all or nothing.

    Names are kept as they are; labels come from a ``Label:`` line (themeqa's own export),
    else from the number a name begins with when no other code claims it, else from the
    position (``conventions.derive_labels``; each fallback is a warning). A key already in the
    project is an error (codebooks are never merged silently).
    """
    from themeqa.core.codebook import validate, validate_many
    from themeqa.interop.refi import RefiError, read_qdc
    from themeqa.services.codebooks import CodebookImport, load_core_codebooks

    path = Path(path)
    try:
        qdc = read_qdc(path)
    except RefiError as exc:
        raise InputError(str(exc)) from exc
    if not qdc.codes:
        raise InputError(f"{path.name}: the codebook has no codes")
    key = key or _key_from(path.stem)
    cb, notices, _ = codebook_from_refi(qdc.codes, key=key, title=title or path.stem,
                                     description=f"imported from {path.name}"
                                     + (f" ({qdc.origin})" if qdc.origin else ""))
    errors = [p.message for p in validate(cb) if p.is_error]
    if errors:
        raise InputError(f"{path.name}: " + "; ".join(errors[:5]))
    batch = new_batch()
    with project.transaction() as s:
        if s.exec(select(Codebook).where(Codebook.key == key)).first() is not None:
            raise InputError(f"{path.name}: a codebook with key {key!r} already exists "
                             "(choose another with --key)")
        shared = [p.labels[0] for p in validate_many([*load_core_codebooks(s), cb])
                  if p.kind == "label-collision" and p.labels]
        warnings = list(notices)
        if qdc.sets:
            warnings.append(f"{len(qdc.sets)} code sets not imported (themeqa has none): "
                            + ", ".join(st.name for st in qdc.sets[:5]))
        if shared:
            warnings.append(
                f"{len(shared)} labels are also used in other codebooks "
                f"({', '.join(shared[:8])}{', …' if len(shared) > 8 else ''}); qualify "
                f"references, e.g. {key}::{shared[0]}")
        row, n = insert_codebook(s, cb)
        record(s, project.actor, "import", "codebook", row.id,
               after={"key": key, "codes": n, "file": path.name, "format": "qdc"}, batch=batch)
    return CodebookImport(key=key, codes=n, warnings=tuple(warnings))


def _key_from(stem: str) -> str:
    key = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem.strip()).strip("-")
    if not key:
        raise NotFoundError("cannot derive a codebook key from the file name; give --key")
    return key
