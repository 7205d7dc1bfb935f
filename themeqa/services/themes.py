"""Theme development: analysis phases, codebook versions and their diff, the thematic map,
reviewing a theme's extracts, splitting/promoting/demoting codes, and the reflexive journal.

Why here and how stored (no extra tables): phases live in the project settings with the date
each was entered; a codebook version is an audit event (``action="version"``) holding a
snapshot of every code and its coding count — the audit log is already the project's
append-only history, and the diff needs the merges recorded between two versions anyway;
journal entries are project memos (a memo with no document, code or coding). Every edit goes
through ``services.changes.Recorder``, so it is one undo step like any other.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.audit import record
from themeqa.services.changes import NOTE, Recorder, snapshot
from themeqa.services.codebooks import code_and_descendants, resolve_code
from themeqa.services.project import ProjectHandle
from themeqa.services.versions import is_current
from themeqa.store.models import (
    AuditEvent,
    Code,
    Codebook,
    Coder,
    Coding,
    Memo,
    ProjectInfo,
)

__all__ = [
    "PHASES",
    "Extract",
    "JournalEntry",
    "PhaseEntry",
    "VersionInfo",
    "add_journal",
    "current_phase",
    "demote_code",
    "diff_versions",
    "export_history",
    "export_journal",
    "journal",
    "list_versions",
    "phases",
    "promote_code",
    "review_extracts",
    "save_version",
    "set_phase",
    "set_theme_memo",
    "split_code",
    "thematic_map",
    "theme_memo",
]

#: Braun & Clarke's (2006; 2021) six phases of reflexive thematic analysis.
PHASES = (
    "familiarisation",
    "initial coding",
    "searching for themes",
    "reviewing themes",
    "defining and naming themes",
    "writing up",
)


# ------------------------------------------------------------------------------ phases


@dataclass(frozen=True)
class PhaseEntry:
    phase: str
    entered_at: str  # ISO date-time, UTC
    by: str

    def to_dict(self) -> dict:
        return asdict(self)


def _info(s) -> ProjectInfo:
    info = s.exec(select(ProjectInfo)).first()
    if info is None:  # pragma: no cover - created by open_project
        raise NotFoundError("project has no metadata row")
    return info


def phases(project: ProjectHandle) -> list[PhaseEntry]:
    """Every phase entered, oldest first (a phase may be re-entered: analysis is recursive)."""
    with project.reading() as s:
        raw = (_info(s).settings or {}).get("phases", [])
    return [PhaseEntry(p["phase"], p["entered_at"], p.get("by", "")) for p in raw]


def current_phase(project: ProjectHandle) -> PhaseEntry | None:
    entries = phases(project)
    return entries[-1] if entries else None


def set_phase(project: ProjectHandle, phase: str, *, actor: str | None = None) -> PhaseEntry:
    """Enter ``phase`` (a name from ``PHASES``, or its number 1–6) now."""
    name = phase.strip().lower()
    if name.isdigit() and 1 <= int(name) <= len(PHASES):
        name = PHASES[int(name) - 1]
    matches = [p for p in PHASES if p == name or p.startswith(name)] if name else []
    if len(matches) != 1:
        raise InputError(f"unknown phase {phase!r}; phases: " + "; ".join(
            f"{i} {p}" for i, p in enumerate(PHASES, 1)))
    actor = actor or project.actor
    from themeqa.store.models import utcnow

    entry = PhaseEntry(matches[0], utcnow().isoformat(timespec="seconds"), actor)
    with project.transaction() as s:
        info = _info(s)
        settings = dict(info.settings or {})
        settings["phases"] = [*settings.get("phases", []), entry.to_dict()]
        info.settings = settings
        s.add(info)
        record(s, actor, "phase", "project", info.id, after=entry.to_dict())
    return entry


# ---------------------------------------------------------------------------- versions


@dataclass(frozen=True)
class VersionInfo:
    name: str
    saved_at: str
    by: str
    codes: int
    codings: int

    def to_dict(self) -> dict:
        return asdict(self)


def _code_states(s) -> tuple[list[dict], dict[str, int]]:
    """The codes and their coding counts (current documents only, as the tallies count:
    de-identifying a transcript must not show up as new codings in a version diff)."""
    books = dict(s.exec(select(Codebook.id, Codebook.key)).all())
    codes = [
        {"id": c.id, "codebook": books[c.codebook_id], "label": c.label, "name": c.name,
         "parent_id": c.parent_id, "definition": c.definition}
        for c in s.exec(select(Code).order_by(Code.codebook_id, Code.position, Code.id)).all()
    ]
    counts = {
        str(cid): n
        for cid, n in s.exec(select(Coding.code_id, func.count())
                             .where(is_current(Coding.document_id))
                             .group_by(Coding.code_id)).all()
    }
    return codes, counts


def _version_events(s) -> list[AuditEvent]:
    return list(s.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "version", AuditEvent.entity == "codebook")
        .order_by(AuditEvent.id)
    ).all())


def save_version(project: ProjectHandle, name: str, *, actor: str | None = None) -> VersionInfo:
    """Save the codebooks as they are now under ``name`` (unique)."""
    name = name.strip()
    if not name or name == "current":
        raise InputError("a version needs a name (and 'current' means the live codebook)")
    actor = actor or project.actor
    with project.transaction() as s:
        if any(e.after.get("name") == name for e in _version_events(s)):
            raise InputError(f"there is already a codebook version named {name!r}")
        codes, counts = _code_states(s)
        ev = record(s, actor, "version", "codebook", None,
                    after={"name": name, "codes": codes, "counts": counts})
        s.flush()
        return VersionInfo(name, ev.at.isoformat(timespec="seconds"), actor, len(codes),
                           sum(counts.values()))


def list_versions(project: ProjectHandle) -> list[VersionInfo]:
    with project.reading() as s:
        return [
            VersionInfo(e.after["name"], e.at.isoformat(timespec="seconds"), e.actor,
                        len(e.after["codes"]), sum(e.after["counts"].values()))
            for e in _version_events(s)
        ]


def _merges_between(s, first_id: int, last_id: int | None) -> list[tuple[int, int]]:
    """(source, target) of every merge logged between two events, in order, not undone."""
    q = select(AuditEvent).where(AuditEvent.id > first_id, AuditEvent.undone == False)  # noqa: E712
    if last_id is not None:
        q = q.where(AuditEvent.id < last_id)
    batches: dict[str, list[AuditEvent]] = {}
    for e in s.exec(q.order_by(AuditEvent.id)).all():
        if e.batch:
            batches.setdefault(e.batch, []).append(e)
    out = []
    for events in batches.values():
        summary = next((e.after or {}).get("summary", "") for e in events
                       if e.entity == NOTE) if any(e.entity == NOTE for e in events) else ""
        if not summary.startswith("merge code"):
            continue
        deleted = [e.entity_id for e in events if e.entity == "code" and e.action == "delete"]
        if len(deleted) != 1:
            continue
        source = deleted[0]
        targets = [
            e.entity_id for e in events
            if e.entity == "code" and e.action == "update" and e.entity_id != source
            and (e.before or {}).get("parent_id") != source
        ]
        if targets:
            out.append((source, targets[-1]))
    return out


def diff_versions(project: ProjectHandle, old: str, new: str = "current") -> list:
    """Changes (``core.codebook_diff.Change``) from version ``old`` to ``new`` ("current":
    the live codebook)."""
    from themeqa.core.codebook_diff import CodeState, diff_codebooks

    with project.reading() as s:
        events = {e.after["name"]: e for e in _version_events(s)}
        for n in (old, new):
            if n != "current" and n not in events:
                known = ", ".join(events) or "none saved yet"
                raise NotFoundError(f"no codebook version {n!r} (versions: {known})")
        a = events[old] if old != "current" else None
        if a is None:
            raise InputError("the older side of a diff must be a saved version")
        if new == "current":
            codes_b, counts_b = _code_states(s)
            last = None
        else:
            codes_b, counts_b = events[new].after["codes"], events[new].after["counts"]
            last = events[new].id
        if last is not None and last < a.id:
            raise InputError(f"version {old!r} is newer than {new!r}; give the older one first")
        merges = _merges_between(s, a.id, last)
    return diff_codebooks(
        [CodeState.from_dict(c) for c in a.after["codes"]],
        [CodeState.from_dict(c) for c in codes_b],
        old_counts={int(k): v for k, v in a.after["counts"].items()},
        new_counts={int(k): v for k, v in counts_b.items()},
        merges=merges,
    )


def export_history(project: ProjectHandle, path: str | Path) -> Path:
    """The versions and the changes between consecutive ones (and to now), for an appendix."""
    from themeqa.reports.table import ReportTable
    from themeqa.reports.writers import write_tables

    versions = list_versions(project)
    if not versions:
        raise InputError("no codebook version saved yet (themeqa versions save NAME)")
    tables = [ReportTable(
        key="versions", title="Codebook versions",
        columns=["version", "saved (UTC)", "by", "codes", "codings"],
        rows=[[v.name, v.saved_at.replace("T", " ")[:16], v.by, v.codes, v.codings]
              for v in versions],
    )]
    from themeqa.services.export_log import log_export

    names = [v.name for v in versions] + ["current"]
    for i, (a, b) in enumerate(itertools.pairwise(names), 1):
        changes = diff_versions(project, a, b)
        tables.append(ReportTable(
            key=f"changes{i}", title=f"Changes from {a} to {b}",
            columns=["change", "codebook", "theme", "detail", "codings"],
            rows=[[c.kind, c.codebook, f"{c.label} {c.name}", c.detail, c.codings]
                  for c in changes] or [["none", "", "", "", 0]],
            notes=["Codings: codings of the theme when the change was recorded."],
        ))
    out = write_tables(tables, path)
    log_export(project, "codebook_history", out, versions=len(versions))
    return out


# ------------------------------------------------------------------------ code edits


def split_code(
    project: ProjectHandle,
    code: str,
    coding_ids: list[int],
    *,
    label: str,
    name: str,
    actor: str | None = None,
) -> int:
    """Move the chosen codings of ``code`` to a new sibling code (one undo step); new id."""
    from themeqa.services import codebook_edit as ce

    if not coding_ids:
        raise InputError("choose at least one coding to move to the new code")
    label, name = label.strip(), name.strip()
    actor = actor or project.actor
    with project.transaction() as s:
        source = s.get(Code, resolve_code(s, code))
        book = s.get(Codebook, source.codebook_id)
        rows = list(s.exec(select(Coding).where(Coding.id.in_(coding_ids))).all())
        missing = sorted(set(coding_ids) - {r.id for r in rows})
        if missing:
            raise NotFoundError(f"no coding {missing[0]}")
        wrong = [r.id for r in rows if r.code_id != source.id]
        if wrong:
            raise InputError(f"coding {wrong[0]} is not coded {source.label}")
        ce._check_theme(book.key, label, name, None)
        ce._check_label_free(s, book, label, None)
        parent = s.get(Code, source.parent_id) if source.parent_id else None
        siblings = ce._siblings(s, book.id, source.parent_id)
        ce._check_name_free(siblings, name, None, ce._where(parent))
        rec = Recorder(actor, f"split {len(rows)} codings of {source.label} into new code "
                              f"{label} {name!r}")
        for sib in siblings:  # the new code goes right after the one it was split from
            if sib.position > source.position:
                before = snapshot("code", sib)
                sib.position += 1
                s.add(sib)
                s.flush()
                rec.update("code", before, snapshot("code", sib))
        new = Code(codebook_id=book.id, parent_id=source.parent_id, label=label, name=name,
                   definition="", include="", exclude="", examples=[],
                   colour=ce._default_colour(s, book, parent, label, name),
                   position=source.position + 1, version=1)
        s.add(new)
        s.flush()
        rec.create("code", snapshot("code", new))
        for r in rows:
            before = snapshot("coding", r)
            r.code_id = new.id
            s.add(r)
            s.flush()
            rec.update("coding", before, snapshot("coding", r))
        rec.write(s)
        return new.id


def promote_code(project: ProjectHandle, code: str, *, actor: str | None = None) -> None:
    """A subordinate theme becomes a sibling of its parent (placed right after it)."""
    from themeqa.services.codebook_edit import move_code

    with project.reading() as s:
        c = s.get(Code, resolve_code(s, code))
        if c.parent_id is None:
            raise InputError(f"{c.label} is already a superordinate theme")
        parent = s.get(Code, c.parent_id)
        siblings = s.exec(select(Code).where(
            Code.codebook_id == c.codebook_id,
            Code.parent_id == parent.parent_id if parent.parent_id is not None
            else Code.parent_id.is_(None),
        ).order_by(Code.position, Code.id)).all()
        at = [x.id for x in siblings].index(parent.id) + 1
    move_code(project, c.id, parent_id=parent.parent_id, position=at, actor=actor)


def demote_code(project: ProjectHandle, code: str, *, actor: str | None = None) -> None:
    """A theme becomes the last subordinate theme of the sibling just above it."""
    from themeqa.services.codebook_edit import move_code

    with project.reading() as s:
        c = s.get(Code, resolve_code(s, code))
        siblings = s.exec(select(Code).where(
            Code.codebook_id == c.codebook_id,
            Code.parent_id == c.parent_id if c.parent_id is not None
            else Code.parent_id.is_(None),
        ).order_by(Code.position, Code.id)).all()
        i = [x.id for x in siblings].index(c.id)
        if i == 0:
            raise InputError(f"{c.label} has no theme above it to go under")
        new_parent = siblings[i - 1].id
    move_code(project, c.id, parent_id=new_parent, actor=actor)


# ---------------------------------------------------------------------------- review


@dataclass(frozen=True)
class Extract:
    """A coded extract of a theme, with who said it."""

    coding_id: int
    document: str
    start: int
    end: int
    text: str
    code: str
    coder: str
    layer: str
    participant: str | None
    condition: str | None
    session: str | None

    def to_dict(self) -> dict:
        return asdict(self)


def review_extracts(
    project: ProjectHandle, code: str, *, layer: str = "auto", rollup: bool = True
) -> list[Extract]:
    """Every coded extract of a theme (and its subordinate themes with ``rollup``), in
    document order, from the chosen layer — the same layer rule as the tallies
    (``services.layer_rule``: ``auto``, ``consensus``, ``union`` or ``coder:NAME``), so
    the extracts reviewed are the ones the counts come from."""
    from themeqa.services.search import load_corpus
    from themeqa.services.tally import load_frames

    with project.reading() as s:
        root = resolve_code(s, code)
        ids = set(code_and_descendants(s, root) if rollup else [root])
        labels = dict(s.exec(select(Code.id, Code.label)).all())
    chosen, _ = load_frames(project).select(layer)
    chosen = chosen[chosen["code"].isin(ids)]
    docs = {d.id: d for d in load_corpus(project)}
    out = []
    for c in chosen.itertuples():
        d = docs.get(c.document)
        if d is None:
            continue
        start, end = int(c.start), int(c.end)
        participant, condition, _speaker, _role = d.speaker_of(start)
        if participant is None:  # a coding starting in a facilitator's question
            t = d.turn_at(end - 1)
            if t is not None and t.participant:
                participant, condition = t.participant, t.condition
        out.append(Extract(int(c.id), d.name, start, end, d.text[start:end],
                           labels.get(int(c.code), ""), c.coder, c.layer, participant,
                           condition, d.session))
    return sorted(out, key=lambda e: (e.document, e.start, e.end, e.coding_id))


def theme_memo(project: ProjectHandle, code: str) -> str:
    with project.reading() as s:
        cid = resolve_code(s, code)
        m = s.exec(select(Memo).where(Memo.code_id == cid).order_by(Memo.id)).first()
        return m.text if m else ""


def set_theme_memo(project: ProjectHandle, code: str, text: str, *,
                   actor: str | None = None) -> None:
    """The review decision for a theme (one memo per theme; empty text removes it)."""
    from themeqa.services.lookup import get_or_create_coder

    actor = actor or project.actor
    with project.transaction() as s:
        cid = resolve_code(s, code)
        label = s.get(Code, cid).label
        m = s.exec(select(Memo).where(Memo.code_id == cid).order_by(Memo.id)).first()
        rec = Recorder(actor, f"memo on theme {label}")
        text = text.strip()
        if not text:
            if m is None:
                return
            rec.delete("memo", snapshot("memo", m))
            s.delete(m)
        elif m is None:
            author = get_or_create_coder(s, actor)
            m = Memo(text=text, code_id=cid, author_id=author.id)
            s.add(m)
            s.flush()
            rec.create("memo", snapshot("memo", m))
        else:
            before = snapshot("memo", m)
            m.text = text
            s.add(m)
            s.flush()
            rec.update("memo", before, snapshot("memo", m))
        rec.write(s)


# --------------------------------------------------------------------------- journal


@dataclass(frozen=True)
class JournalEntry:
    id: int
    written_at: str
    author: str
    text: str

    def to_dict(self) -> dict:
        return asdict(self)


def add_journal(project: ProjectHandle, text: str, *, actor: str | None = None) -> int:
    """A dated reflexive-journal entry (a project memo); undoable."""
    from themeqa.services.lookup import get_or_create_coder

    text = text.strip()
    if not text:
        raise InputError("a journal entry needs some text")
    actor = actor or project.actor
    with project.transaction() as s:
        author = get_or_create_coder(s, actor)
        m = Memo(text=text, author_id=author.id)
        s.add(m)
        s.flush()
        rec = Recorder(actor, "journal entry")
        rec.create("memo", snapshot("memo", m))
        rec.write(s)
        return m.id


def journal(project: ProjectHandle) -> list[JournalEntry]:
    """Project memos, oldest first."""
    with project.reading() as s:
        names = dict(s.exec(select(Coder.id, Coder.name)).all())
        rows = s.exec(select(Memo).where(
            Memo.document_id.is_(None), Memo.code_id.is_(None), Memo.coding_id.is_(None),
        ).order_by(Memo.created_at, Memo.id)).all()
        return [JournalEntry(m.id, _iso(m.created_at), names.get(m.author_id, ""), m.text)
                for m in rows]


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def export_journal(project: ProjectHandle, path: str | Path) -> Path:
    from themeqa.reports.table import ReportTable
    from themeqa.reports.writers import write_tables
    from themeqa.services.export_log import log_export

    entries = journal(project)
    out = write_tables([ReportTable(
        key="journal", title="Reflexive journal",
        columns=["date (UTC)", "author", "entry"],
        rows=[[e.written_at.replace("T", " ")[:16], e.author, e.text] for e in entries],
    )], path)
    log_export(project, "journal", out, entries=len(entries))
    return out


# ------------------------------------------------------------------------------ map


def thematic_map(
    project: ProjectHandle,
    *,
    codebook: str | None = None,
    layer: str = "auto",
    min_participants: int = 3,
) -> list:
    """The codebook trees as ``core.thematic_map.MapNode``s with participants (roll-up),
    sessions and codings per theme, flagged (few participants, one session)."""
    from themeqa.core.thematic_map import MapNode, flag
    from themeqa.services.tally import tally_report

    report = tally_report(project, layer=layer, codebook=codebook, by=("session",),
                          quotes=False)
    result = report.result
    codes = report.frames.codes
    chosen, _ = report.frames.select(layer)
    per_code = chosen.groupby("code").size().to_dict()
    counts = result.counts_frame()
    session_cols = [c for c in counts.columns if c != "total"]
    nodes: dict[int, MapNode] = {}
    roots: dict[str, MapNode] = {}
    for row in codes.itertuples():
        book = roots.get(row.codebook)
        if book is None:
            title = report.frames.codebooks.get(row.codebook, row.codebook)
            book = roots[row.codebook] = MapNode(
                f"codebook:{row.codebook}", "", title, kind="codebook")
        n = MapNode(
            f"{row.codebook}::{row.label}", row.label, row.name,
            participants=int(counts.loc[row.code, "total"]),
            sessions=int((counts.loc[row.code, session_cols] > 0).sum()),
            codings=int(per_code.get(row.code, 0)),
        )
        nodes[row.code] = n
        parent = nodes.get(row.parent) if row.parent is not None else None
        (parent.children if parent is not None else book.children).append(n)
    out = list(roots.values())
    flag(out, min_participants=min_participants)
    return out
