"""Import a REFI-QDA project (.qdpx) into a new or empty themeqa project, all or nothing.

Why the two phases: everything is read, converted and checked in memory first (positions in
our convention, every coding's code and coder resolved, selection texts verified); only when
nothing is wrong is the project created and written in one transaction. If that write fails
too, a project created for the import is removed again, so a failed import leaves nothing.
A selection whose text does not match (``Project.mismatches``) refuses the import unless the
caller asks to skip such codings, and each skipped one is listed in the report.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, func, select

from themeqa.core.text import sha256_text
from themeqa.errors import InputError
from themeqa.services.audit import new_batch, record
from themeqa.services.lookup import normalise_label
from themeqa.services.project import ProjectHandle
from themeqa.store.models import (
    Code,
    Codebook,
    Coder,
    Coding,
    Document,
    Memo,
    Participant,
    ParticipantTimepoint,
    Sentence,
    SpeakerLabel,
    Turn,
    utcnow,
)

__all__ = ["ON_MISMATCH", "ProjectImport", "codebook_from_refi", "import_project",
           "insert_codebook"]

ON_MISMATCH = ("refuse", "skip")
_LISTED = 5


@dataclass
class ProjectImport:
    """What an import found in the file and what it made of it (``import-project`` prints it).

    ``skipped`` lists everything of the file that is not in the project, each with its reason
    (``{"what": "source"|"selection", "name", "kind", "reason", "codings"}``): media and blank
    sources, sources without their text (``--skip-missing-sources``), empty selections,
    selections whose text does not match (``--skip-mismatched``; also in
    ``skipped_mismatches``).
    """

    directory: str | None
    origin: str
    sources_in_file: int = 0
    documents: int = 0
    codebooks: list[str] = field(default_factory=list)
    codes_in_file: int = 0
    codes: int = 0
    codes_renamed: list[str] = field(default_factory=list)
    users_in_file: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    codings_in_file: int = 0
    codings: int = 0
    memos: int = 0
    participants: int = 0
    notices: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    skipped_mismatches: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def skip(self, what: str, name: str, reason: str, codings: int = 0, kind: str = "") -> None:
        self.skipped.append({"what": what, "name": name, "kind": kind, "reason": reason,
                             "codings": codings})

    def summary(self, file: str) -> list[str]:
        """The lines ``import-project`` prints: what was in the file, what came in, what not."""
        books = len(self.codebooks)
        users = ", ".join(self.users_in_file) or "none"
        lines = [
            f"imported {file} ({self.origin or 'unknown tool'})",
            f"  sources:  {self.sources_in_file} in the file, {self.documents} imported as "
            f"documents" + (f", {self.sources_in_file - self.documents} skipped"
                            if self.sources_in_file > self.documents else ""),
            f"  codes:    {self.codes_in_file} in the file, {self.codes} imported in {books} "
            f"codebook{'s' if books != 1 else ''}, "
            + (f"{len(self.codes_renamed)} renamed (listed in the notes)" if self.codes_renamed
               else "names unchanged"),
            f"  codings:  {self.codings_in_file} in the file, {self.codings} imported",
            f"  users:    {len(self.users_in_file)} in the file ({users}); coders: "
            + (", ".join(self.coders) or "none"),
            f"  memos:    {self.memos}; participants: {self.participants}",
        ]
        if self.skipped:
            lines.append(f"skipped ({len(self.skipped)}):")
            lines.extend(
                f"  {x['what']} {x['name']!r}" + (f" ({x['kind']})" if x["kind"] else "")
                + f": {x['reason']}"
                + (f"; {x['codings']} coding{'s' if x['codings'] != 1 else ''} with it"
                   if x["codings"] else "") for x in self.skipped)
        else:
            lines.append("skipped: nothing")
        return lines


# ------------------------------------------------------------------------------------------
# codebooks


def codebook_from_refi(codes, *, key: str, title: str, description: str = "",
                       side: dict | None = None):
    """A core ``Codebook`` from REFI codes; returns (codebook, notices, guid -> label).

    Names are the file's, unchanged (issue 23); the only exceptions are what a themeqa
    codebook cannot hold, each with a notice: ``::`` in a name and two siblings of one name.
    Labels are derived (``interop.refi.conventions.derive_labels``): themeqa's own from its
    exchange data or a ``Label:`` line of the description, else the number the name begins
    with when unique in the codebook, else the position in the tree.
    """
    from themeqa.core.codebook import QUALIFIER, Codebook, Theme, fold_name
    from themeqa.interop.refi.conventions import derive_labels, parse_description

    side = side or {}
    notices: list[str] = []
    explicit: dict[str, str] = {}
    fields: dict[str, tuple[str, dict]] = {}
    for root in codes:
        for code, _ in root.walk():
            meta = side.get(code.guid)
            if meta:  # themeqa's exchange data (old archives also carry the bare name)
                desc = {k: meta.get(k) or ("" if k != "examples" else []) for k in
                        ("definition", "include", "exclude", "examples")}
                label, name = meta.get("label"), meta.get("name") or code.name
            else:
                desc = parse_description(code.description)
                label, name = desc["label"], code.name
            if label:
                explicit[code.guid] = str(label)
            fields[code.guid] = (name, desc)
    labels, label_notices = derive_labels(codes, explicit)
    notices.extend(label_notices)

    def build(code, siblings: set[str]) -> Theme:
        name, desc = fields[code.guid]
        if QUALIFIER in name:
            notices.append(f"code {name!r}: '{QUALIFIER}' replaced by ': ' (themeqa reserves "
                           f"'{QUALIFIER}' for codebook references)")
            name = name.replace(QUALIFIER, ": ")
        folded, n = fold_name(name), 2
        base = name
        while folded in siblings:
            name = f"{base} ({n})"
            folded, n = fold_name(name), n + 1
        if name != base:
            notices.append(f"code {base!r} appears twice among its siblings; renamed {name!r}")
        siblings.add(folded)
        kids: set[str] = set()
        return Theme(label=labels[code.guid], name=name or "(unnamed)",
                     definition=desc["definition"], include=desc["include"],
                     exclude=desc["exclude"], examples=tuple(desc["examples"]),
                     colour=code.colour, children=[build(c, kids) for c in code.children])

    tops: set[str] = set()
    themes = [build(c, tops) for c in codes]
    return Codebook(key=key, title=title, description=description, themes=themes), notices, labels


def insert_codebook(s: Session, cb) -> tuple[Codebook, int]:
    """Write a core codebook as rows (after the caller validated it); returns (row, codes)."""
    from themeqa.core.codebook import colour_palette

    colours = colour_palette(cb)
    position = s.exec(select(func.count()).select_from(Codebook)).one()
    row = Codebook(key=cb.key, title=cb.title, description=cb.description, position=position)
    s.add(row)
    s.flush()
    n = 0

    def add(themes, parent_id):
        nonlocal n
        for i, t in enumerate(themes):
            code = Code(codebook_id=row.id, parent_id=parent_id, label=t.label, name=t.name,
                        definition=t.definition, include=t.include, exclude=t.exclude,
                        examples=list(t.examples), colour=colours.get(t.label, t.colour),
                        position=i)
            s.add(code)
            s.flush()
            n += 1
            add(t.children, code.id)

    add(cb.themes, None)
    return row, n


# ------------------------------------------------------------------------------------------
# plan: everything decided in memory


@dataclass
class _Plan:
    codebooks: list = field(default_factory=list)  # core Codebook
    code_ref: dict[str, tuple[str, str]] = field(default_factory=dict)  # guid -> (key, label)
    coders: dict[str, str] = field(default_factory=dict)  # name -> role
    participants: list[dict] = field(default_factory=list)
    sessions: dict[str, str | None] = field(default_factory=dict)
    documents: list[dict] = field(default_factory=list)
    codings: list[dict] = field(default_factory=list)
    memos: list[dict] = field(default_factory=list)


def _slug(text: str) -> str:
    key = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text.strip()).strip("-")
    return key or "imported"


def _plan_codebooks(p, plan: _Plan, report: ProjectImport, fallback_key: str) -> None:
    from themeqa.core.codebook import validate

    side_books = p.extras.get("codebooks") or {}
    side_codes = p.extras.get("codes") or {}
    single = p.extras.get("codebook")  # one codebook: its themes are the top-level codes
    ours = [c for c in p.codes if c.guid in side_books]
    foreign = [c for c in p.codes if c.guid not in side_books]
    books = []
    if single is not None:
        books.append((foreign, single.get("key") or fallback_key, single.get("title") or "",
                      single.get("description") or ""))
        foreign = []
    for root in ours:
        meta = side_books[root.guid]
        books.append((root.children, meta.get("key") or _slug(root.name),
                      meta.get("title") or "", meta.get("description") or ""))
    if foreign:
        key = fallback_key
        while any(b[1] == key for b in books):
            key += "-2"
        books.append((foreign, key, p.name, f"imported from {p.origin or 'a REFI-QDA file'}"))
    for codes, key, title, desc in books:
        cb, notices, labels = codebook_from_refi(codes, key=key, title=title, description=desc,
                                                 side=side_codes)
        report.codes_renamed.extend(_renamed(codes, cb.themes, side_codes))
        report.codes_in_file += sum(1 for c in codes for _ in c.walk())
        errors = [x.message for x in validate(cb) if x.is_error]
        if errors:
            raise InputError(f"codebook {key!r}: " + "; ".join(errors[:_LISTED]))
        report.notices.extend(notices)
        plan.codebooks.append(cb)
        for g, label in labels.items():
            plan.code_ref[g] = (key, label)


def _renamed(codes, themes, side: dict) -> list[str]:
    """``'old' -> 'new'`` for each code whose name the import had to change (same tree)."""
    out = []
    for code, theme in zip(codes, themes, strict=True):
        meta = side.get(code.guid) or {}
        before = meta.get("name") or code.name
        if theme.name != before:
            out.append(f"{before!r} -> {theme.name!r}")
        out.extend(_renamed(code.children, theme.children, side))
    return out


def _plan_coders(p, plan: _Plan) -> dict[str, tuple[str, str]]:
    """user guid -> (coder name, layer)."""
    consensus = p.extras.get("consensus_users") or {}
    roles = {g: v.get("role", "coder") for g, v in (p.extras.get("coders") or {}).items()
             if isinstance(v, dict)}
    out = {}
    for u in p.users:
        if u.guid in consensus:
            out[u.guid] = (consensus[u.guid], "consensus")
        elif u.name.endswith(" (consensus)"):
            out[u.guid] = (u.name[: -len(" (consensus)")], "consensus")
        else:
            out[u.guid] = (u.name, "coder")
        plan.coders.setdefault(out[u.guid][0], roles.get(u.guid, "coder"))
    return out


def _plan_participants(p, plan: _Plan) -> None:
    side = p.extras.get("participants") or {}
    plan.sessions.update({k: v for k, v in (p.extras.get("sessions") or {}).items()})
    var_name = {v.guid: v.name for v in p.variables}
    seen: set[str] = set()
    for case in p.cases:
        meta = side.get(case.guid)
        if meta:
            row = dict(meta)
        else:
            row = {"pid": case.name or case.guid[:8], "condition": "", "age": None,
                   "gender": None, "extra": {}, "session": None, "timepoints": [],
                   "speaker_labels": []}
            for g, value in case.values.items():
                name = var_name.get(g, g)
                k = name.strip().lower()
                if k in ("condition", "gender", "session") and value is not None:
                    row[k] = str(value)
                elif k == "age" and isinstance(value, int | float):
                    row["age"] = int(value)
                elif k == "timepoints" and value:
                    row["timepoints"] = [t.strip() for t in str(value).split(";") if t.strip()]
                else:
                    row["extra"][name] = value
        if normalise_label(row["pid"]) in seen:
            raise InputError(f"two cases are both participant {row['pid']!r}")
        seen.add(normalise_label(row["pid"]))
        if row.get("session"):
            plan.sessions.setdefault(row["session"], None)
        plan.participants.append(row)
    if not (p.extras.get("sessions")):
        conds: dict[str, set] = defaultdict(set)
        for r in plan.participants:
            if r.get("session"):
                conds[r["session"]].add(r.get("condition"))
        for sess, cs in conds.items():
            plan.sessions[sess] = next(iter(cs)) if len(cs) == 1 else None


def _plan_documents(p, plan: _Plan, users, report: ProjectImport, on_mismatch: str) -> None:
    side_docs = p.extras.get("documents") or {}
    side_codings = p.extras.get("codings") or {}
    bad = {(m.source, m.selection) for m in p.mismatches}
    problems: list[str] = []
    names: set[str] = set()
    set_of: dict[str, dict[str, str]] = defaultdict(dict)
    other_sets = []
    for st in p.sets:
        kind = next((k for k in ("session", "timepoint") if st.name.startswith(k + " ")), None)
        if kind is None:
            other_sets.append(st.name)
            continue
        for g in st.sources:
            set_of[g][kind] = st.name[len(kind) + 1:]
    if other_sets:
        report.notices.append(f"{len(other_sets)} sets not imported (themeqa has sessions and "
                              f"timepoints, not free sets): {', '.join(other_sets[:_LISTED])}")
    default_user = p.creating_user

    def coder_for(*guids):
        for g in guids:
            if g and g in users:
                return users[g]
        for g in guids:
            if g:
                name = f"user-{g[:8]}"
                plan.coders.setdefault(name, "coder")
                report.notices.append(f"user {g} is not in the project's users; coder {name!r}")
                users[g] = (name, "coder")
                return users[g]
        plan.coders.setdefault("imported", "coder")
        return ("imported", "coder")

    for src in p.sources:
        if not src.text.strip():
            n = sum(len(x.codings) for x in src.selections) + len(src.codings)
            report.skip("source", src.name, "blank: the source has no text", n)
            continue
        name, n = src.name, 2
        while name in names:
            name, n = f"{src.name} ({n})", n + 1
        if name != src.name:
            report.notices.append(f"two sources named {src.name!r}; the second is {name!r}")
        names.add(name)
        meta = side_docs.get(src.guid) or {}
        doc = {"guid": src.guid, "name": name, "text": src.text,
               "kind": meta.get("kind") if meta.get("kind") in ("transcript", "written")
               else "transcript",
               "format": meta.get("format") or "refi", "language": meta.get("language") or "en",
               "session": meta.get("session") or set_of[src.guid].get("session"),
               "timepoint": meta.get("timepoint") or set_of[src.guid].get("timepoint"),
               "participant": meta.get("participant"), "question": meta.get("question"),
               "created": src.created}
        if doc["session"]:
            plan.sessions.setdefault(doc["session"], None)
        plan.documents.append(doc)
        spans = [(sel, sel.start, sel.end, sel.codings, sel.created) for sel in src.selections]
        if src.codings:
            spans.append((None, 0, len(src.text), src.codings, src.created))
        for sel, a, b, codings, created in spans:
            if sel is not None and (src.name, sel.guid) in bad:
                if on_mismatch == "skip":
                    report.skipped_mismatches.append(f"{src.name}: selection {sel.guid} "
                                                     f"({len(codings)} codings)")
                    report.skip("selection", f"{src.name}: {sel.guid}",
                                "its text does not match the source", len(codings))
                continue
            if b <= a:
                report.skip("selection", f"{src.name}: {sel.guid if sel else ''}",
                            f"empty [{a}:{b}]", len(codings))
                continue
            for i, c in enumerate(codings):
                ref = plan.code_ref.get(c.code_guid)
                if ref is None:
                    problems.append(f"{src.name}: a coding refers to code {c.code_guid}, "
                                    "which is not in the codebook")
                    continue
                coder, layer = coder_for(c.creating_user, sel.creating_user if sel else None,
                                         src.creating_user, default_user)
                extra = side_codings.get(c.guid) or {}
                if extra.get("layer") in ("coder", "consensus"):
                    layer = extra["layer"]
                notes = list(c.note_refs) + (list(sel.note_refs) if sel is not None and i == 0
                                             else [])
                plan.codings.append({"document": name, "start": a, "end": b, "code": ref,
                                     "coder": coder, "layer": layer,
                                     "quote": bool(extra.get("quote")),
                                     "created": c.created or created, "notes": notes})
    if p.mismatches and on_mismatch == "refuse":
        listed = "; ".join(str(m) for m in p.mismatches[:_LISTED])
        more = f" (and {len(p.mismatches) - _LISTED} more)" if len(p.mismatches) > _LISTED else ""
        raise InputError(f"{len(p.mismatches)} coded selections do not match their text: "
                         f"{listed}{more}; nothing was imported (skip them with "
                         "--skip-mismatched)")
    if problems:
        raise InputError("; ".join(problems[:_LISTED]) + "; nothing was imported")


def _plan_memos(p, plan: _Plan, users) -> None:
    targets: dict[str, tuple[str, object]] = {}
    for g in p.note_refs:
        targets[g] = ("project", None)
    for code, _ in p.all_codes():
        for g in code.note_refs:
            targets[g] = ("code", code.guid)
    for src in p.sources:
        for g in src.note_refs:
            targets[g] = ("document", src.guid)
    coded = {}
    for i, c in enumerate(plan.codings):
        for g in c["notes"]:
            coded.setdefault(g, i)
    for n in p.notes:
        text = n.text
        title = n.name.strip().rstrip("…")
        if title and not text.lstrip().startswith(title):
            text = f"{n.name}\n\n{text}" if text.strip() else n.name
        if not text.strip():
            continue
        author = users.get(n.creating_user or "", (None, None))[0]
        if n.guid in coded:
            target = ("coding", coded[n.guid])
        else:
            target = targets.get(n.guid, ("project", None))
        plan.memos.append({"text": text, "author": author, "target": target,
                           "created": n.created, "modified": n.modified})


# ------------------------------------------------------------------------------------------
# write


def _turns_and_sentences(plan: _Plan):
    from themeqa.core.turns import parse_turns, sentences_without_labels, whole_text_turn
    from themeqa.ingest.sentences import sentence_spans

    labels = [r["pid"] for r in plan.participants]
    labels += [lab for r in plan.participants for lab in r.get("speaker_labels") or []]
    turns = []
    for d in plan.documents:
        if d["kind"] == "written":
            t = whole_text_turn(d["text"], d["participant"])
            turns.append([t] if t else [])
        else:
            turns.append(parse_turns(d["text"], labels))
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(plan.documents):
        by_lang[d["language"]].append(i)
    sentences: list[list] = [[] for _ in plan.documents]
    for lang, idx in by_lang.items():
        spans = sentence_spans([plan.documents[i]["text"] for i in idx], language=lang)
        for i, sp in zip(idx, spans, strict=True):
            sentences[i] = sentences_without_labels(sp, turns[i], plan.documents[i]["text"])
    return turns, sentences


def _is_empty(s: Session) -> str | None:
    for model, what in ((Document, "documents"), (Codebook, "codebooks"),
                        (Participant, "participants"), (Coding, "codings")):
        if s.exec(select(func.count()).select_from(model)).one():
            return what
    return None


def _write(project: ProjectHandle, plan: _Plan, report: ProjectImport, source: str) -> None:
    from themeqa.services.lookup import get_or_create_session, get_or_create_timepoint

    turns, sentences = _turns_and_sentences(plan)
    batch = new_batch()
    with project.transaction() as s:
        what = _is_empty(s)
        if what:
            raise InputError(f"the target project already has {what}; import into a new or "
                             "empty project")
        for label, cond in plan.sessions.items():
            row = get_or_create_session(s, label)
            row.condition = cond
            s.add(row)
        coders = {}
        for name, role in plan.coders.items():
            row = Coder(name=name, role=role)
            s.add(row)
            s.flush()
            coders[name] = row.id
        pids: dict[str, int] = {}
        for r in plan.participants:
            sess = get_or_create_session(s, r.get("session"))
            row = Participant(pid=r["pid"], condition=r.get("condition") or "",
                              session_id=sess.id if sess else None, age=r.get("age"),
                              gender=r.get("gender"), extra=dict(r.get("extra") or {}))
            s.add(row)
            s.flush()
            pids[normalise_label(r["pid"])] = row.id
            for tp in r.get("timepoints") or []:
                s.add(ParticipantTimepoint(participant_id=row.id,
                                           timepoint_id=get_or_create_timepoint(s, tp).id))
            for lab in r.get("speaker_labels") or []:
                s.add(SpeakerLabel(label=lab, participant_id=row.id))
                pids[normalise_label(lab)] = row.id
        code_ids: dict[tuple[str, str], int] = {}
        for cb in plan.codebooks:
            row, n = insert_codebook(s, cb)
            report.codebooks.append(cb.key)
            report.codes += n
            for cid, label in s.exec(select(Code.id, Code.label).where(
                    Code.codebook_id == row.id)).all():
                code_ids[(cb.key, label)] = cid
        doc_ids: dict[str, int] = {}
        guid_doc: dict[str, int] = {}
        turn_rows, sentence_rows = [], []
        for d, ts, ss in zip(plan.documents, turns, sentences, strict=True):
            sess = get_or_create_session(s, d["session"])
            tp = get_or_create_timepoint(s, d["timepoint"])
            row = Document(
                name=d["name"], kind=d["kind"], format=d["format"], language=d["language"],
                text=d["text"], sha256=sha256_text(d["text"]), n_chars=len(d["text"]),
                n_words=len(d["text"].split()), timepoint_id=tp.id if tp else None,
                session_id=sess.id if sess else None,
                participant_id=pids.get(normalise_label(d["participant"]))
                if d["participant"] else None,
                question=d["question"], imported_at=d["created"] or utcnow(),
            )
            s.add(row)
            s.flush()
            doc_ids[d["name"]] = row.id
            guid_doc[d["guid"]] = row.id
            for t in ts:
                pid = pids.get(normalise_label(t.speaker)) if t.speaker else None
                role = "participant" if pid else ("facilitator" if t.speaker and
                                                 _facilitator(t.speaker) else "unknown")
                turn_rows.append({"document_id": row.id, "start": t.start,
                                  "content_start": t.content_start, "end": t.end,
                                  "speaker": t.speaker, "role": role, "participant_id": pid})
            sentence_rows.extend({"document_id": row.id, "start": a, "end": b} for a, b in ss)
        if turn_rows:
            s.execute(insert(Turn), turn_rows)
        if sentence_rows:
            s.execute(insert(Sentence), sentence_rows)
        now = utcnow()
        bulk, coding_ids = [], {}
        for i, c in enumerate(plan.codings):
            values = {"document_id": doc_ids[c["document"]], "code_id": code_ids[c["code"]],
                      "coder_id": coders[c["coder"]], "layer": c["layer"], "start": c["start"],
                      "end": c["end"], "quote": c["quote"], "created_at": c["created"] or now,
                      "updated_at": c["created"] or now}
            if c["notes"]:
                row = Coding(**values)
                s.add(row)
                s.flush()
                coding_ids[i] = row.id
            else:
                bulk.append(values)
        if bulk:
            s.execute(insert(Coding), bulk)
        code_by_guid = {}
        for g, ref in plan.code_ref.items():
            code_by_guid[g] = code_ids.get(ref)
        for m in plan.memos:
            kind, ref = m["target"]
            row = Memo(text=m["text"], author_id=coders.get(m["author"]) if m["author"] else None,
                       created_at=m["created"] or now, updated_at=m["modified"] or now)
            if kind == "coding":
                row.coding_id = coding_ids.get(ref)
            elif kind == "code":
                row.code_id = code_by_guid.get(ref)
            elif kind == "document":
                row.document_id = guid_doc.get(ref)
            s.add(row)
        record(s, project.actor, "import", "project", None, batch=batch,
               after={"file": source, "origin": report.origin,
                      "documents": len(plan.documents), "codings": len(plan.codings),
                      "skipped_mismatches": len(report.skipped_mismatches)})
    report.documents = len(plan.documents)
    report.codings = len(plan.codings)
    report.memos = len(plan.memos)
    report.participants = len(plan.participants)
    report.coders = sorted(plan.coders)


def _facilitator(label: str) -> bool:
    from themeqa.core.turns import is_facilitator_label

    return is_facilitator_label(label)


def import_project(
    path: Path | str,
    directory: Path | str | None = None,
    *,
    db_url: str | None = None,
    actor: str | None = None,
    units: str = "auto",
    on_mismatch: str = "refuse",
    skip_missing_sources: bool = False,
) -> ProjectImport:
    """Import the .qdpx at ``path`` into the project in ``directory`` (created if absent).

    ``units``: ``auto``, ``codepoint`` or ``utf16`` (see ``interop.refi.read_qdpx``);
    ``on_mismatch``: ``refuse`` (default) or ``skip`` codings whose text does not match;
    ``skip_missing_sources``: leave out (and list) text sources whose text is not in the
    archive instead of refusing the file.
    Raises ``InputError`` and writes nothing when anything is wrong.
    """
    from themeqa.interop.refi import RefiError, read_qdpx
    from themeqa.services.project import open_project
    from themeqa.store.engine import DB_FILENAME

    if on_mismatch not in ON_MISMATCH:
        raise InputError(f"on_mismatch must be one of {', '.join(ON_MISMATCH)}")
    if units not in ("auto", "codepoint", "utf16"):
        raise InputError(f"--units must be auto, codepoint or utf16, not {units!r}")
    path = Path(path)
    try:
        p = read_qdpx(path, units=units, skip_missing=skip_missing_sources)
    except RefiError as exc:
        raise InputError(str(exc)) from exc
    report = ProjectImport(directory=str(directory) if directory else None, origin=p.origin,
                           notices=list(p.notices),
                           sources_in_file=len(p.sources) + len(p.skipped),
                           users_in_file=[u.name for u in p.users],
                           codings_in_file=sum(len(x.codings) for src in p.sources
                                               for x in src.selections)
                           + sum(len(src.codings) for src in p.sources))
    for name, kind, reason, n in p.skipped:
        report.skip("source", name, reason, n, kind)
        report.codings_in_file += n
    plan = _Plan()
    try:
        _plan_codebooks(p, plan, report, _slug(p.name if p.name else path.stem))
        users = _plan_coders(p, plan)
        _plan_participants(p, plan)
        _plan_documents(p, plan, users, report, on_mismatch)
        _plan_memos(p, plan, users)
    except (KeyError, TypeError, AttributeError) as exc:
        if not p.extras:
            raise
        # only themeqa's exchange data is trusted for structure; a damaged one is bad input
        raise InputError(f"{path.name}: {p.extras_from or 'themeqa.json'} does not fit the "
                         f"project ({exc!r}); nothing was imported") from exc
    used = {c["coder"] for c in plan.codings} | {m["author"] for m in plan.memos if m["author"]}
    plan.coders = {k: v for k, v in plan.coders.items() if k in used}

    directory = Path(directory) if directory is not None else Path.cwd()
    created_dir = db_url is None and not directory.exists()
    db_file = directory / DB_FILENAME
    created_db = db_url is None and not db_file.exists()
    if created_dir:
        directory.mkdir(parents=True)
    project = None
    try:
        project = open_project(directory, db_url, create=True, name=p.name or path.stem,
                               actor=actor)
        _write(project, plan, report, path.name)
    except BaseException:
        if project is not None:
            project.close()
            project = None
        if created_db:
            for suffix in ("", "-wal", "-shm", "-journal"):
                (directory / f"{DB_FILENAME}{suffix}").unlink(missing_ok=True)
        if created_dir:
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise
    finally:
        if project is not None:
            project.close()
    return report
