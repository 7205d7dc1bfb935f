"""Undo and redo of coding, codebook and measures edits, driven by the audit log.

Why the log and not an in-memory stack: the log is already the single record of every
change (DESIGN.md), it is per actor, and it survives closing the app. The model:

* One user action = one batch of ``create``/``update``/``delete`` events holding whole-row
  snapshots (``services.changes``) plus a ``note`` with a one-line summary.
* ``undo(actor)`` takes the actor's latest batch whose events are not ``undone``, reverts its
  events in reverse order (re-inserting deleted rows with their original ids, so later
  events still point at them), marks them undone and logs an ``undo`` event naming the batch.
* ``redo(actor)`` re-applies the batch of the actor's latest ``undo`` that is still undone —
  but only undos made after the actor's last new action: a new action clears the redo chain
  (the usual editor rule), without writing anything, because "last new action" is read from
  the log.
* Before touching a row, its current content must equal what the log says it should be
  (ids, foreign keys, text; timestamps excluded). If someone else changed or deleted it since,
  or a deletion would take rows added since with it, a ``ConflictError`` names who did it and
  nothing is written. A batch mixing in events this module cannot revert (another service's
  tables) is not part of the undo history.
* Rows are found by their key (``EntitySpec.key``): ``id`` for most tables, (variable,
  participant) for a measure value, whose events name the variable in ``entity_id``.
* ``Code.version`` is an optimistic-concurrency counter, so it never runs backwards: undoing
  an edit restores the content with a *new* version (a client holding the version it saw
  after the edit must reload). Everything else is restored exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from themeqa.errors import ConflictError
from themeqa.services.audit import record
from themeqa.services.changes import (
    CHUNK,
    NOTE,
    NOTE_ENTITIES,
    ROW_ACTIONS,
    UNDOABLE,
    from_json,
    key_clauses,
    load_keyed,
    load_rows,
)
from themeqa.services.project import ProjectHandle
from themeqa.store.models import (
    AuditEvent,
    Code,
    Coding,
    MeasureValue,
    MeasureVariable,
    Memo,
    Participant,
    utcnow,
)

__all__ = ["UndoResult", "can_redo", "can_undo", "redo", "redo_action", "undo", "undo_action"]

UNDO, REDO = "undo", "redo"
#: how many non-undoable batches to step over when looking for the latest undoable one
_MAX_SKIPPED = 200


# ------------------------------------------------------------------------------- the history


def _kind(e: Any) -> str:
    if e.entity_id is not None and e.action in ROW_ACTIONS and e.entity in UNDOABLE:
        return "row"
    if e.entity_id is None and e.entity in NOTE_ENTITIES and e.action not in (UNDO, REDO):
        return "note"
    return "other"


@dataclass
class _Batch:
    """The events of one action: plain rows (not ORM objects; an import has 20,000)."""

    batch: str
    events: list[Any]
    kinds: list[str]

    @property
    def summary(self) -> str:
        for e in self.events:
            if e.entity == NOTE and isinstance(e.after, dict) and e.after.get("summary"):
                return str(e.after["summary"])
        n = self.kinds.count("row")
        return f"{n} change{'s' if n != 1 else ''}"


def _load_batch(s: Session, batch: str, actor: str, undone: bool) -> _Batch | None:
    """The batch if it can be undone (undone=False) or redone (undone=True) by ``actor``."""
    table = AuditEvent.__table__
    events = s.execute(select(table).where(table.c.batch == batch)
                       .order_by(table.c.id)).all()
    kinds = [_kind(e) for e in events]
    if ("row" not in kinds or "other" in kinds
            or any(e.actor != actor or bool(e.undone) != undone for e in events)):
        return None
    return _Batch(batch, events, kinds)


def _undo_target(s: Session, actor: str) -> _Batch | None:
    skipped: list[str] = []
    for _ in range(_MAX_SKIPPED):
        q = (select(AuditEvent.batch)
             .where(AuditEvent.actor == actor, AuditEvent.undone.is_(False),
                    AuditEvent.action.in_(ROW_ACTIONS), AuditEvent.entity.in_(list(UNDOABLE)),
                    AuditEvent.batch.is_not(None))
             .order_by(AuditEvent.id.desc()).limit(1))
        if skipped:
            q = q.where(AuditEvent.batch.not_in(skipped))
        batch = s.exec(q).first()
        if batch is None:
            return None
        found = _load_batch(s, batch, actor, undone=False)
        if found is not None:
            return found
        skipped.append(batch)
    return None


def _redo_target(s: Session, actor: str) -> _Batch | None:
    last_new = s.exec(
        select(AuditEvent.id)
        .where(AuditEvent.actor == actor, AuditEvent.action.not_in((UNDO, REDO)))
        .order_by(AuditEvent.id.desc()).limit(1)
    ).first() or 0
    headers = s.exec(
        select(AuditEvent.after)
        .where(AuditEvent.actor == actor, AuditEvent.action == UNDO,
               AuditEvent.entity == NOTE, AuditEvent.id > last_new)
        .order_by(AuditEvent.id.desc())
    )
    seen: set[str] = set()
    for after in headers:
        batch = (after or {}).get("batch") if isinstance(after, dict) else None
        if not batch or batch in seen:
            continue
        seen.add(batch)
        found = _load_batch(s, batch, actor, undone=True)
        if found is not None:
            return found
    return None


# ------------------------------------------------------------------------------ applying it


@dataclass
class _Step:
    """One row to change: ``key`` finds it (``EntitySpec.key``), ``id`` is the event's
    ``entity_id`` (the row id, or a measure value's variable id)."""

    entity: str
    id: int
    key: tuple
    expect: dict[str, Any] | None
    target: dict[str, Any] | None

    @property
    def kind(self) -> str:
        if self.expect is None:
            return "insert"
        if self.target is None:
            return "delete"
        return "update"


def _steps(b: _Batch, direction: str) -> list[_Step]:
    pairs = list(zip(b.events, b.kinds, strict=True))
    steps = []
    for e, kind in reversed(pairs) if direction == UNDO else pairs:
        if kind != "row":
            continue
        before = e.before if isinstance(e.before, dict) else None
        after = e.after if isinstance(e.after, dict) else None
        if e.action == "create":
            before = None
        elif e.action == "delete":
            after = None
        expect, target = (after, before) if direction == UNDO else (before, after)
        spec = UNDOABLE[e.entity]
        # events logged before whole-row snapshots lack the id: the entity_id is the key
        key = (int(e.entity_id),) if spec.by_id else spec.key_of(expect or target or {})
        steps.append(_Step(e.entity, int(e.entity_id), key, expect, target))
    return steps


def _groups(steps: list[_Step]) -> Iterator[list[_Step]]:
    """Consecutive steps on one table with one kind of change (applied set-wise)."""
    group: list[_Step] = []
    for st in steps:
        if group and (group[0].entity, group[0].kind) != (st.entity, st.kind):
            yield group
            group = []
        group.append(st)
    if group:
        yield group


class _Conflict(Exception):
    """``text`` has a ``{by}`` slot for the actor of the latest event on (entity, row_id);
    ``key``: the row's whole key where ``row_id`` alone does not name it (a measure value)."""

    def __init__(self, text: str, entity: str, row_id: int, key: tuple | None = None):
        super().__init__(text)
        self.text, self.entity, self.row_id, self.key = text, entity, row_id, key


def _name(s: Session, entity: str, row_id: int, row: dict[str, Any] | None) -> str:
    """The row as a person knows it: ``code 2a``, ``variable scs_1``, ``the scs_1 value of
    P03`` (falling back on ids when the names are gone)."""
    row = row or {}
    if entity == "code" and row.get("label"):
        return f"code {row['label']}"
    if entity == "measure_variable":
        return f"variable {row.get('name') or row_id}"
    if entity == "measure_value":
        var_id, part_id = row.get("variable_id", row_id), row.get("participant_id")
        var = s.exec(select(MeasureVariable.name).where(MeasureVariable.id == var_id)).first()
        pid = s.exec(select(Participant.pid).where(Participant.id == part_id)).first()
        return (f"the {var or f'variable {var_id}'} value of "
                f"{pid or f'participant {part_id}'}")
    return f"{entity} {row_id}"


def _who(s: Session, entity: str, row_id: int, b: _Batch,
         key: tuple | None = None) -> str | None:
    """Who changed the row after the batch, by the log (None if nobody did through themeqa:
    an event from before the batch cannot be what is in its way).

    A measure value's events name only its variable, so with a ``key`` the variable's events
    are read newest first until one whose snapshot is that participant's value.
    """
    q = (select(AuditEvent.actor, AuditEvent.before, AuditEvent.after)
         .where(AuditEvent.entity == entity, AuditEvent.entity_id == row_id,
                AuditEvent.batch != b.batch, AuditEvent.id > b.events[-1].id)
         .order_by(AuditEvent.id.desc()))
    spec = UNDOABLE.get(entity)
    if key is None or spec is None or spec.by_id:
        first = s.exec(q.limit(1)).first()
        return None if first is None else first[0]
    for actor, before, after in s.exec(q):
        for snap in (after, before):
            if isinstance(snap, dict) and tuple(snap.get(c) for c in spec.key) == key:
                return actor
    return None


#: how a conflict message names a row it did not expect ("variable scs_1 has a value
#: added since")
_DEPENDENT_NOUN = {"measure_value": "value"}


def _check_dependents(s: Session, entity: str, ids: list[int]) -> None:
    """Refuse a delete that would cascade to rows this batch did not create.

    ``dep_id`` is the column an audit event about the dependent row names (its ``entity_id``),
    so the message can say who added it.
    """
    checks: list[tuple[str, Any, Any]] = []
    if entity == "coding":
        checks = [("memo", Memo.id, Memo.coding_id)]
    elif entity == "code":
        checks = [("coding", Coding.id, Coding.code_id), ("code", Code.id, Code.parent_id),
                  ("memo", Memo.id, Memo.code_id)]
    elif entity == "document":  # its turns, sentences, codings go in their own steps first
        checks = [("coding", Coding.id, Coding.document_id), ("memo", Memo.id, Memo.document_id)]
    elif entity == "measure_variable":  # its values are deleted before it, in their own step
        checks = [("measure_value", MeasureValue.variable_id, MeasureValue.variable_id)]
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        for dep, dep_id, fk in checks:
            spec = UNDOABLE[dep]
            q = select(fk, dep_id, *(spec.table.c[c] for c in spec.key)).where(fk.in_(chunk))
            if dep == entity:  # a subcode deleted in the same step is no obstacle
                q = q.where(dep_id.not_in(ids))
            found = s.exec(q.limit(1)).first()
            if found is not None:
                owner = load_rows(s, entity, [found[0]]).get(found[0])
                noun = _DEPENDENT_NOUN.get(dep, dep)
                raise _Conflict(
                    f"{_name(s, entity, found[0], owner)} has a {noun} added since{{by}}",
                    dep, found[1], None if spec.by_id else tuple(found[2:]))


def _apply_group(s: Session, group: list[_Step]) -> None:
    entity, kind = group[0].entity, group[0].kind
    spec = UNDOABLE[entity]
    table = spec.table
    keys = [st.key for st in group]
    current = load_keyed(s, entity, keys)
    if kind == "insert":
        for st in group:
            if st.key in current:
                what = (f"{entity} {st.id}" if spec.by_id
                        else _name(s, entity, st.id, st.target))
                raise _Conflict(
                    f"{what} cannot come back: its {'id' if spec.by_id else 'place'} was "
                    f"taken by a newer {_DEPENDENT_NOUN.get(entity, entity)}{{by}}",
                    entity, st.id, st.key)
        now = utcnow()
        values = []
        for st in group:
            v = {**from_json(entity, st.target or {}),
                 **dict(zip(spec.key, st.key, strict=True))}
            for t in spec.times:
                v.setdefault(t, now)
            values.append(v)
        for i in range(0, len(values), CHUNK):
            s.execute(insert(table), values[i : i + CHUNK])
        return
    for st in group:
        cur = current.get(st.key)
        if cur is None:
            raise _Conflict(f"{_name(s, entity, st.id, st.expect)} was deleted{{by}}", entity,
                            st.id, st.key)
        if any(c in st.expect and cur[c] != st.expect[c] for c in spec.compared):
            raise _Conflict(f"{_name(s, entity, st.id, st.expect)} was changed{{by}}", entity,
                            st.id, st.key)
    if kind == "delete":
        if spec.by_id:
            _check_dependents(s, entity, [k[0] for k in keys])
        for where in key_clauses(spec, keys):
            s.execute(delete(table).where(where))
        return
    by_cols: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for st in group:
        v = from_json(entity, st.target or {})
        for c in spec.key:
            v.pop(c, None)
        if spec.versioned:
            old, new = (st.expect or {}).get("version"), (st.target or {}).get("version")
            cur_version = current[st.key]["version"] or 0
            v["version"] = cur_version + 1 if old != new else cur_version
        v.update({f"b_{c}": k for c, k in zip(spec.key, st.key, strict=True)})
        by_cols.setdefault(tuple(sorted(v)), []).append(v)
    binds = {f"b_{c}" for c in spec.key}
    where = and_(*(table.c[c] == bindparam(f"b_{c}") for c in spec.key))
    for cols, params in by_cols.items():
        stmt = update(table).where(where).values(
            {k: bindparam(k) for k in cols if k not in binds})
        s.execute(stmt.execution_options(synchronize_session=False), params)


def _cycle(s: Session, code_ids: set[int]) -> int | None:
    """A code among ``code_ids`` that is now its own ancestor, if any."""
    parents = dict(s.exec(select(Code.id, Code.parent_id)).all())
    for cid in code_ids:
        seen = {cid}
        p = parents.get(cid)
        while p is not None:
            if p in seen:
                return cid
            seen.add(p)
            p = parents.get(p)
    return None


def _codebook_errors(s: Session) -> set[str]:
    from themeqa.core.codebook import validate_many
    from themeqa.services.codebooks import load_core_codebooks

    s.expire_all()
    return {p.message for p in validate_many(load_core_codebooks(s)) if p.is_error}


def _integrity_reason(exc: IntegrityError) -> str:
    """A database constraint message in the user's words (SQLite and PostgreSQL)."""
    text = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    low = text.lower()
    if "label" in low:
        return "another code took the same label"
    if "sibling" in low or "code.name" in low or "coalesce" in low:
        return "another code took the same name at that place"
    if "foreign key" in low:
        return "something it refers to was deleted"
    return f"a later change is in the way ({text})"


@dataclass(frozen=True)
class UndoResult:
    """What an undo or redo did: its summary and the rows it put back, changed or removed.

    Why the ids: a screen showing one document can patch just those codings instead of
    re-reading all of them (issue 4: undo repaints in under 50 ms on 2,000 codings).
    """

    summary: str
    #: entity ("coding", "code", "memo", "measure_variable", "measure_value") -> row ids
    #: (a measure value has no id of its own: its variable's id stands for it)
    changed: dict[str, frozenset[int]]


def _purged_on(b: _Batch) -> str | None:
    """The date an event of the batch had identifiable text purged from it, if any.

    Such an event no longer holds the row as it was (``services.deid_purge`` replaced the
    text with a marker), so neither the check nor the restore would be true to it.
    """
    from themeqa.services.deid_purge import PURGED_KEY

    for e in b.events:
        for snap in (e.before, e.after):
            if isinstance(snap, dict) and PURGED_KEY in snap:
                return str(snap[PURGED_KEY])
    return None


def _apply(s: Session, b: _Batch, direction: str, actor: str) -> UndoResult:
    verb = "undo" if direction == UNDO else "redo"
    purged = _purged_on(b)
    if purged is not None:
        # refuse rather than skip: skipping would silently undo an older action instead
        raise ConflictError(f'cannot {verb} "{b.summary}": its record was purged of '
                            f"identifiable text on {purged}; change it by hand")
    steps = _steps(b, direction)
    touches_codes = any(st.entity == "code" for st in steps)
    if touches_codes:
        # as every codebook edit does: serialise with other tree changes (PostgreSQL row
        # lock; SQLite's write lock is held already) so the loop check below stays true
        from themeqa.services.codebook_edit import lock_codebooks

        lock_codebooks(s)
    errors_before = _codebook_errors(s) if touches_codes else set()
    try:
        for group in _groups(steps):
            _apply_group(s, group)
        s.flush()
    except _Conflict as c:
        who = _who(s, c.entity, c.row_id, b, c.key)
        text = c.text.format(by=f" by {who}" if who else "")
        raise ConflictError(f'cannot {verb} "{b.summary}": {text}; reload') from None
    except IntegrityError as exc:
        raise ConflictError(
            f'cannot {verb} "{b.summary}": {_integrity_reason(exc)} since; reload'
        ) from None
    if touches_codes:
        moved = {st.id for st in steps if st.entity == "code" and st.target is not None}
        looped = _cycle(s, moved)
        if looped is not None:
            raise ConflictError(
                f'cannot {verb} "{b.summary}": code {looped} would end up inside itself '
                "(the codebook was rearranged since)")
        new_errors = _codebook_errors(s) - errors_before
        if new_errors:
            raise ConflictError(
                f'cannot {verb} "{b.summary}": {sorted(new_errors)[0]} (changed since)')
    s.execute(update(AuditEvent).where(AuditEvent.batch == b.batch)
              .values(undone=direction == UNDO).execution_options(synchronize_session=False))
    record(s, actor, direction, NOTE, None,
           after={"batch": b.batch, "summary": b.summary,
                  "events": b.kinds.count("row")})
    changed: dict[str, set[int]] = {}
    for st in steps:
        changed.setdefault(st.entity, set()).add(st.id)
    return UndoResult(b.summary, {k: frozenset(v) for k, v in changed.items()})


# ---------------------------------------------------------------------------------- services


def undo_action(project: ProjectHandle, actor: str) -> UndoResult | None:
    """Revert ``actor``'s latest action (None if there is nothing to undo).

    Raises ``ConflictError`` (and changes nothing) when the rows have changed since.
    """
    with project.transaction() as s:
        target = _undo_target(s, actor)
        return None if target is None else _apply(s, target, UNDO, actor)


def redo_action(project: ProjectHandle, actor: str) -> UndoResult | None:
    """Re-apply ``actor``'s most recently undone action (None if there is nothing to redo)."""
    with project.transaction() as s:
        target = _redo_target(s, actor)
        return None if target is None else _apply(s, target, REDO, actor)


def undo(project: ProjectHandle, actor: str) -> str | None:
    """Revert ``actor``'s latest action; returns its one-line summary, None if nothing to undo.

    Raises ``ConflictError`` (and changes nothing) when the rows have changed since.
    """
    done = undo_action(project, actor)
    return None if done is None else done.summary


def redo(project: ProjectHandle, actor: str) -> str | None:
    """Re-apply ``actor``'s most recently undone action; its summary, or None."""
    done = redo_action(project, actor)
    return None if done is None else done.summary


def can_undo(project: ProjectHandle, actor: str) -> bool:
    with project.reading() as s:
        return _undo_target(s, actor) is not None


def can_redo(project: ProjectHandle, actor: str) -> bool:
    with project.reading() as s:
        return _redo_target(s, actor) is not None
