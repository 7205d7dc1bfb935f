"""Destroy the identifiable originals that de-identification leaves behind.

Why: ``deidentify --apply`` writes a *new* document version and keeps the original unchanged
(documents are immutable), so after de-identification the names are still in the project: in
the superseded document's text, in the original's turn speakers, in audit-log snapshots that
quoted them (a speaker-label mapping, a memo, a search query), in the search token cache
(files keyed by the old text's sha256), in the speaker labels that map a name to a
participant id, and in every backup taken before. Ethics boards commonly require the
identifiable originals to be destroyed, or held separately, once the data are de-identified;
``purge_originals`` does that for everything the project itself stores, in one transaction
recorded in the audit log, and lists what it cannot or may not delete itself.

What it changes:

- the text of each superseded original of a de-identified document: every character the
  de-identification replaced is masked (``core.redact``), same length, so codings, turns,
  sentences, a credibility-check sample and reconciliation spans drawn on the original keep
  their offsets; its sha256 is updated (``doctor`` stays quiet) and both hashes are logged,
  so an original held elsewhere can still be verified against the log;
- the original's turn speakers that name someone (-> the participant id, else the marker);
- every audit-event text value that contains replaced text (-> ``[purged <date>]``; the
  event stays, with ``"_purged": <date>`` added, so the log still says what happened);
- with ``include_speaker_labels``, the speaker labels that name someone (the key goes to the
  mapping file, outside the database, like the rest of the key);
- stale token-cache files (no current document has their hash); then VACUUM on SQLite, so
  freed pages holding the old text are not left in the file (PostgreSQL needs no VACUUM for
  the logical purge; old row versions are reclaimed by the server's own vacuum);
- with ``include_backups``, the backup files that still hold the originals.

Which texts were replaced is found by diffing each original with its current version (the
key itself stays outside the project), plus the originals listed in the mapping file when it
can be read. The purge event's batch holds no row snapshots, so undo never treats it as an
action, and no snapshot left in the log holds the purged text, so no undo can bring it back.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlmodel import Session, col, select

from themeqa.core.formula import escape_formula, unescape_formula
from themeqa.core.redact import mask_removed, term_pattern
from themeqa.core.text import sha256_text
from themeqa.errors import InputError
from themeqa.services.audit import record
from themeqa.services.deidentify import MAPPING_FILENAME
from themeqa.services.project import ProjectHandle
from themeqa.services.versions import current_versions
from themeqa.store.engine import DB_FILENAME
from themeqa.store.models import (
    AuditEvent,
    Code,
    Document,
    Memo,
    Participant,
    Reconciliation,
    SourceFile,
    SpeakerLabel,
    Turn,
)

__all__ = [
    "PURGED_KEY",
    "PURGE_ACTION",
    "PurgeResult",
    "purge_originals",
    "unpurged_originals",
]

PURGE_ACTION = "purge_originals"
#: added to a purged audit snapshot (top level), so undo and readers can tell it was purged
PURGED_KEY = "_purged"
CACHE_DIR = ".themeqa-cache"
#: files larger than this are not read when looking for leftover copies (reported instead)
_MAX_SCAN_BYTES = 512 * 1024 * 1024
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class PurgeResult:
    """What a purge did (or, with ``dry_run``, would do), and what still holds the originals.

    Names are never put here (they would land in a terminal log or a CI job): speaker labels
    are reported by the participant id they name, mentions by row.
    """

    dry_run: bool = False
    documents: list[tuple[str, str]] = field(default_factory=list)  # (original, current)
    already_purged: int = 0
    audit_events: int = 0
    turns: int = 0
    codings_not_copied: int = 0  # left on the originals by --apply (to be recoded)
    speaker_labels: list[str] = field(default_factory=list)  # participant ids
    speaker_labels_removed: int = 0
    cache_files: int = 0
    backups: list[str] = field(default_factory=list)  # still hold the originals
    backups_deleted: list[str] = field(default_factory=list)
    files: list[dict[str, str]] = field(default_factory=list)  # {"path", "what"}
    mentions: list[str] = field(default_factory=list)  # current rows quoting replaced text
    vacuumed: bool = False
    marker: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def database_changes(self) -> bool:
        return bool(self.documents or self.audit_events or self.turns
                    or self.speaker_labels_removed)

    @property
    def pending(self) -> bool:
        """Whether running it (again) would change anything (a dry run's "is there work")."""
        return bool(self.database_changes or self.cache_files or self.backups_deleted)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ------------------------------------------------------------------------------ finding


def _originals(s: Session) -> list[tuple[Document, Document]]:
    """(original, current version) for each document superseded by a de-identified one.

    The current version is the end of the chain (a de-identified document de-identified
    again): the original is compared with what is kept now, so nothing a later round removed
    survives in it.
    """
    deid = set(s.exec(select(AuditEvent.entity_id).where(
        AuditEvent.action == "deidentify", AuditEvent.entity == "document")).all())
    # originals with a de-identified version directly after them
    deid_parents = {int(p) for p in s.exec(select(Document.previous_id).where(
        col(Document.id).in_(deid), col(Document.previous_id).is_not(None))).all()}
    newest = current_versions(s)
    return [(s.get(Document, orig_id), s.get(Document, newest[orig_id]))
            for orig_id in sorted(deid_parents)]


def unpurged_originals(project: ProjectHandle) -> list[tuple[str, str]]:
    """(original, current version) names of de-identified documents whose original still
    holds text the de-identification replaced (what ``doctor`` warns about)."""
    with project.reading() as s:
        return [(o.name, h.name) for o, h in _originals(s)
                if mask_removed(o.text, h.text)[0] != o.text]


def _codings_not_copied(s: Session, original_ids: list[int]) -> int:
    """Codings ``--apply`` could not copy to the new versions (the counts it logged): after
    the purge the words they cover on the original are masked, so recode them first."""
    children = dict(s.exec(select(Document.id, Document.previous_id).where(
        Document.previous_id.in_(original_ids))).all())
    total = 0
    for entity_id, after in s.exec(select(AuditEvent.entity_id, AuditEvent.after).where(
            AuditEvent.action == "deidentify", AuditEvent.entity == "document")).all():
        if entity_id in children and isinstance(after, dict):
            total += int(after.get("codings_left") or 0)
    return total


def _mapping_path(project: ProjectHandle, mapping_file: Path | str | None) -> Path | None:
    if mapping_file is not None:
        return Path(mapping_file)
    return project.directory / MAPPING_FILENAME if project.directory is not None else None


def _mapping_terms(path: Path | None, notes: list[str]) -> set[str]:
    """The originals listed in the de-identification key, when it can be read."""
    if path is None or not path.is_file():
        return set()
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return {unescape_formula(r.get("original") or "").strip()
                    for r in csv.DictReader(fh)} - {""}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        notes.append(f"could not read the key {path} ({exc}); replaced text is found by "
                     "comparing each original with its de-identified version only")
        return set()


def _scrub(value: Any, pattern: re.Pattern[str], marker: str) -> tuple[Any, bool]:
    """``value`` with every string (value or key) holding replaced text set to ``marker``."""
    if isinstance(value, str):
        return (marker, True) if pattern.search(value) else (value, False)
    if isinstance(value, list):
        pairs = [_scrub(v, pattern, marker) for v in value]
        return [v for v, _ in pairs], any(c for _, c in pairs)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        changed = False
        for k, v in value.items():
            nv, c = _scrub(v, pattern, marker)
            if isinstance(k, str) and pattern.search(k):
                k, c = f"{marker} {len(out) + 1}", True
            out[k] = nv
            changed |= c
        return out, changed
    return value, False


def _audit_updates(s: Session, pattern: re.Pattern[str], marker: str, date: str
                   ) -> dict[str, list[dict[str, Any]]]:
    """New before/after values of the audit events holding replaced text, by column."""
    updates: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    table = AuditEvent.__table__
    rows = s.execute(select(table.c.id, table.c.before, table.c.after)
                     .where(table.c.action != PURGE_ACTION)).all()
    for event_id, before, after in rows:
        for column, value in (("before", before), ("after", after)):
            if value is None:
                continue
            new, changed = _scrub(value, pattern, marker)
            if changed:
                if isinstance(new, dict):
                    new[PURGED_KEY] = date
                updates[column].append({"b_id": event_id, "b_value": new})
    return updates


def _mentions(s: Session, pattern: re.Pattern[str]) -> list[str]:
    """Current rows (not snapshots) that still quote replaced text: the user edits them."""
    out: list[str] = []
    for memo_id, body in s.exec(select(Memo.id, Memo.text)).all():
        if pattern.search(body or ""):
            out.append(f"memo {memo_id}")
    for code in s.exec(select(Code)).all():
        fields = [f for f in ("name", "definition", "include", "exclude")
                  if pattern.search(getattr(code, f) or "")]
        if any(pattern.search(x or "") for x in code.examples or []):
            fields.append("examples")
        if fields:
            out.append(f"code {code.label} ({', '.join(fields)})")
    for rec_id, rationale in s.exec(select(Reconciliation.id, Reconciliation.rationale)).all():
        if pattern.search(rationale or ""):
            out.append(f"reconciliation {rec_id} (rationale)")
    for doc_id, name in s.exec(select(Document.id, Document.name)).all():
        if pattern.search(name):
            out.append(f"document {doc_id} (its name)")
    for sf_id, name in s.exec(select(SourceFile.id, SourceFile.filename)).all():
        if pattern.search(name):
            out.append(f"imported file {sf_id} (its name)")
    return out


# ------------------------------------------------------------------------------ files


def _cache_files(project: ProjectHandle, current: set[str]) -> list[Path]:
    """Token-cache files keyed by a text hash no current document has (stale: an old text)."""
    if project.directory is None:
        return []
    root = project.directory / CACHE_DIR / "tokens"
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file()
                  and p.name.split(".", 1)[0] not in current)


def _text_holds(data: bytes, pattern: re.Pattern[str]) -> bool:
    return pattern.search(data.decode("utf-8", errors="replace")) is not None


def _sqlite_holds(path: Path, hashes: set[str], pattern: re.Pattern[str]) -> bool:
    """A themeqa database file holding an original: by text hash, by text, or anywhere in
    its bytes (the audit log, speaker labels, freed pages)."""
    import sqlite3

    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            for digest, body in con.execute("SELECT sha256, text FROM document"):
                if digest in hashes or pattern.search(body or ""):
                    return True
        finally:
            con.close()
    except sqlite3.Error:
        pass  # not a themeqa database (or damaged): its bytes still tell
    return _text_holds(path.read_bytes(), pattern)


def _zip_holds(path: Path, pattern: re.Pattern[str]) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return any(_text_holds(z.read(info), pattern) for info in z.infolist()
                       if not info.is_dir() and info.file_size <= _MAX_SCAN_BYTES)
    except (zipfile.BadZipFile, OSError, RuntimeError):  # RuntimeError: encrypted member
        return _text_holds(path.read_bytes(), pattern)


def _candidate_files(project: ProjectHandle, recorded: Iterable[str]) -> list[Path]:
    """Files under the project folder, and backups/exports the audit log says were written
    elsewhere (that still exist), except the live database and the token cache."""
    seen: set[Path] = set()
    out: list[Path] = []
    skip: set[Path] = set()
    if project.directory is not None:
        db = (project.directory / DB_FILENAME).resolve()
        skip = {db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal"))}
        cache = (project.directory / CACHE_DIR).resolve()
        for p in sorted(project.directory.rglob("*")):
            rp = p.resolve()
            if not p.is_file() or rp in skip or rp.is_relative_to(cache) or rp in seen:
                continue
            seen.add(rp)
            out.append(p)
    for name in recorded:
        p = Path(name)
        try:
            rp = p.resolve()
            if p.is_file() and rp not in seen and rp not in skip:
                seen.add(rp)
                out.append(p)
        except OSError:
            continue
    return out


def _leftovers(
    project: ProjectHandle, result: PurgeResult, recorded: Iterable[str],
    hashes: set[str], pattern: re.Pattern[str],
) -> None:
    """Fill ``result.backups`` (themeqa databases holding an original) and ``result.files``
    (any other file holding replaced text, e.g. the key, a review CSV, an export)."""
    for path in _candidate_files(project, recorded):
        try:
            size = path.stat().st_size
            if size > _MAX_SCAN_BYTES:
                result.notes.append(f"{path} was not checked (larger than 512 MB)")
                continue
            with path.open("rb") as fh:
                head = fh.read(len(_SQLITE_MAGIC))
            if head == _SQLITE_MAGIC:
                if _sqlite_holds(path, hashes, pattern):
                    result.backups.append(str(path))
                continue
            holds = (_zip_holds(path, pattern) if zipfile.is_zipfile(path)
                     else _text_holds(path.read_bytes(), pattern))
        except OSError as exc:
            result.notes.append(f"{path} could not be checked ({exc.strerror or exc})")
            continue
        if holds:
            what = ("the de-identification key: keep it away from the project folder"
                    if path.name == MAPPING_FILENAME else "holds replaced text")
            result.files.append({"path": str(path), "what": what})


def _delete_backup(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)


def _vacuum(project: ProjectHandle) -> str | None:
    """Rewrite the SQLite file so freed pages holding old text are gone; a note if not all of
    it could be (another connection keeps the write-ahead log open)."""
    with project.engine.connect() as conn:
        c = conn.execution_options(isolation_level="AUTOCOMMIT")
        c.exec_driver_sql("VACUUM")
        busy = c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy and busy[0]:
        return ("another program has the project open, so the write-ahead log could not be "
                "emptied: close it and run `themeqa doctor`, then the purge again")
    return None


def _append_key(path: Path, rows: list[list[str]]) -> None:
    """Append removed speaker labels to the key file (the same columns as deidentify's)."""
    new = not path.exists()
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    if new:
        w.writerow(["applied_at", "actor", "document", "new_document", "kind", "start", "end",
                    "original", "replacement"])
    w.writerows([[escape_formula(v) for v in r] for r in rows])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8", newline="") as fh:
            fh.write(buf.getvalue())
    except OSError as exc:
        raise InputError(f"cannot write the mapping file {path}: {exc.strerror or exc}") from exc


# ------------------------------------------------------------------------------ the purge


def purge_originals(
    project: ProjectHandle,
    *,
    include_backups: bool = False,
    include_speaker_labels: bool = False,
    mapping_file: Path | str | None = None,
    dry_run: bool = False,
    actor: str | None = None,
    now: datetime | None = None,
) -> PurgeResult:
    """Remove every stored copy of the text de-identification replaced (see the module doc).

    ``dry_run`` reports what would be done and changes nothing (the CLI shows it before
    asking). ``mapping_file``: the de-identification key (default ``deid-mapping.csv`` in
    the project folder): its originals are looked for too, and removed speaker labels are
    appended to it. Running it again when nothing has changed is a no-op.
    """
    actor = actor or project.actor
    now = now or datetime.now(UTC)
    date = now.date().isoformat()
    result = PurgeResult(dry_run=dry_run, marker=f"[purged {date}]")
    key = _mapping_path(project, mapping_file)
    if include_speaker_labels and key is None and not dry_run:
        raise InputError("a PostgreSQL project has no folder: name the mapping file "
                         "(--mapping FILE) that receives the removed speaker labels")
    is_sqlite = project.engine.dialect.name == "sqlite"
    with project.reading() if dry_run else project.transaction() as s:
        terms = _mapping_terms(key, result.notes)
        pairs = _originals(s)
        changes: list[tuple[Document, Document, str]] = []
        for orig, head in pairs:
            masked, removed = mask_removed(orig.text, head.text)
            terms.update(removed)
            if masked != orig.text:
                changes.append((orig, head, masked))
            else:
                result.already_purged += 1
        hashes = {o.sha256 for o, _h, _m in changes}
        for after in s.exec(select(AuditEvent.after).where(AuditEvent.action == PURGE_ACTION)):
            for d in (after or {}).get("documents", []) if isinstance(after, dict) else []:
                if isinstance(d, dict) and d.get("sha256_before"):
                    hashes.add(d["sha256_before"])
        pattern = term_pattern(terms)
        recorded = [a["file"] for a in s.exec(select(AuditEvent.after).where(
            AuditEvent.action.in_(("export", "backup")))).all()
            if isinstance(a, dict) and isinstance(a.get("file"), str) and a["file"] != "-"]
        result.documents = [(o.name, h.name) for o, h, _m in changes]
        if changes:
            result.codings_not_copied = _codings_not_copied(s, [o.id for o, _h, _m in changes])
        pids = dict(s.exec(select(Participant.id, Participant.pid)).all())
        orig_ids = [o.id for o, _h in pairs]
        turn_updates = [
            {"b_id": t.id, "b_speaker": pids.get(t.participant_id) or result.marker}
            for t in s.exec(select(Turn).where(Turn.document_id.in_(orig_ids))).all()
            if t.speaker and pattern.search(t.speaker)
        ] if orig_ids else []
        result.turns = len(turn_updates)
        audit = _audit_updates(s, pattern, result.marker, date)
        result.audit_events = len({u["b_id"] for col in audit.values() for u in col})
        labels = [lab for lab in s.exec(select(SpeakerLabel)).all()
                  if pattern.fullmatch(lab.label.strip())]
        result.speaker_labels = sorted({pids.get(lab.participant_id, "?") for lab in labels})
        result.mentions = _mentions(s, pattern)
        changed_ids = {o.id for o, _h, _m in changes}
        current = {sha for doc_id, sha in s.exec(select(Document.id, Document.sha256)).all()
                   if doc_id not in changed_ids} | {sha256_text(m) for _o, _h, m in changes}
        if include_speaker_labels:
            result.speaker_labels_removed = len(labels)

        if not dry_run and result.database_changes:
            old_hash = {o.id: o.sha256 for o, _h, _m in changes}
            for orig, _head, masked in changes:
                orig.text, orig.sha256 = masked, sha256_text(masked)
                s.add(orig)
            if turn_updates:
                tt = Turn.__table__
                s.execute(update(tt).where(tt.c.id == bindparam("b_id"))
                          .values(speaker=bindparam("b_speaker")), turn_updates)
            at = AuditEvent.__table__
            for column, rows in audit.items():
                if rows:
                    s.execute(update(at).where(at.c.id == bindparam("b_id"))
                              .values({column: bindparam("b_value", type_=at.c[column].type)}),
                              rows)
            if include_speaker_labels and labels:
                assert key is not None  # checked above
                stamp = now.isoformat(timespec="seconds")
                # Written before the commit: if the key cannot be written, nothing is purged.
                _append_key(key, [[stamp, actor, "", "", "speaker-label", "", "", lab.label,
                                   pids.get(lab.participant_id, "")] for lab in labels])
                s.execute(delete(SpeakerLabel).where(
                    SpeakerLabel.id.in_([lab.id for lab in labels])))
            s.flush()
            # Counts, names of documents and hashes only: the purged text must not come back
            # through the log. The hashes let an original held elsewhere be verified.
            # (A document name holding a replaced name is scrubbed here too.)
            summary, _ = _scrub({
                "count": len(changes),
                "documents": [{"id": o.id, "name": o.name, "current": h.name,
                               "sha256_before": old_hash[o.id], "sha256_after": o.sha256}
                              for o, h, _m in changes],
                "audit_events": result.audit_events, "turns": result.turns,
                "speaker_labels_removed": result.speaker_labels_removed,
                "include_backups": include_backups,
            }, pattern, result.marker)
            record(s, actor, PURGE_ACTION, "document", None,
                   after={**summary, "marker": result.marker})
    _after_commit(project, result, current, recorded, hashes, pattern,
                  include_backups=include_backups, is_sqlite=is_sqlite)
    return result


def _after_commit(
    project: ProjectHandle, result: PurgeResult, current: set[str], recorded: list[str],
    hashes: set[str], pattern: re.Pattern[str], *, include_backups: bool, is_sqlite: bool,
) -> None:
    """The steps files take part in, after the database has committed (files cannot be
    rolled back with it): the token cache, VACUUM, and the copies outside the database."""
    stale = _cache_files(project, current)
    result.cache_files = len(stale)
    if not result.dry_run:
        for p in stale:
            p.unlink(missing_ok=True)
        if stale or result.database_changes:
            from themeqa.services.search import forget_token_cache

            forget_token_cache(project)  # this process's copy of the old tokens
        if result.database_changes:
            if is_sqlite:
                note = _vacuum(project)
                result.vacuumed = True
                if note:
                    result.notes.append(note)
            else:
                result.notes.append(
                    "PostgreSQL: the purge is complete for every reader of the database; the "
                    "old row versions stay in the server's files until its vacuum reclaims "
                    "them (a DBA can run VACUUM FULL on document, turn, speaker_label and "
                    "audit_event now), and earlier pg_dump backups still hold the originals")
    _leftovers(project, result, recorded, hashes, pattern)
    if include_backups:
        kept = []
        for b in result.backups:
            if result.dry_run:
                result.backups_deleted.append(b)
                continue
            try:
                _delete_backup(Path(b))
                result.backups_deleted.append(b)
            except OSError as exc:
                kept.append(b)
                result.notes.append(f"could not delete {b} ({exc.strerror or exc})")
        result.backups = kept if not result.dry_run else result.backups
        if result.backups_deleted and not result.dry_run:
            result.notes.append("no backup of the project is left from before the purge: "
                                "make a fresh one now (themeqa backup)")
