"""Edit the codebook in the project: add, update, move, merge and delete codes (all undoable).

Why these rules: the same checks as ``core.codebook.validate`` (labels unique in a codebook,
names unique among siblings after case and white-space folding, well-formed labels, names and
colours) so an edited codebook still exports to valid YAML; optimistic concurrency on
``Code.version`` (bumped on every edit) so two people editing one code at once never silently
overwrite each other — the second gets a ``ConflictError`` naming the first, from the audit
log; and every edit logs whole-row snapshots in one batch (``services.changes``), so one undo
reverts it, including a deletion's codings and memos.

Concurrency (issue 20), in three layers:
- every edit first locks its codebook's row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite
  the transaction already holds the write lock, ``BEGIN IMMEDIATE``), then reads the tree, so
  the version it checks and the ancestry it checks for a cycle cannot change before it writes:
  two moves that would each be fine alone but together close a loop are serialised, and the
  second sees the first and is refused. Codebook edits are rare human actions, so one lock
  per codebook costs nothing; locking only the moved code's ancestry would need a re-read
  loop (the ancestry can change while waiting for its locks);
- the UPDATE itself carries the version: ``Code`` maps ``version`` as SQLAlchemy's version
  column, so every ORM update of a code is ``… WHERE id = :id AND version = :read`` and a
  row changed since it was read matches nothing (``StaleDataError``, turned into the same
  ``ConflictError``) — a guarantee that does not depend on the lock being taken;
- after a structural change the codebook is checked for a loop before commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, func, select

from themeqa.errors import ConflictError, InputError, NotFoundError
from themeqa.services.changes import CHUNK, Recorder, snapshot
from themeqa.services.codebooks import load_core_codebooks
from themeqa.services.project import ProjectHandle
from themeqa.store.models import AuditEvent, Code, Codebook, Coding, Memo, utcnow

__all__ = [
    "EDITABLE_FIELDS",
    "add_code",
    "code_usage",
    "codebook_stamp",
    "delete_code",
    "last_changed_by",
    "lock_codebooks",
    "merge_codes",
    "move_code",
    "update_code",
]

#: the fields ``update_code`` changes (structure changes go through move/merge/delete)
EDITABLE_FIELDS = ("label", "name", "definition", "include", "exclude", "colour", "examples")


# ----------------------------------------------------------------------------------- helpers


def last_changed_by(s: Session, entity: str, entity_id: int) -> str | None:
    """Who wrote the latest audit event about this row (None when the log has none)."""
    return s.exec(
        select(AuditEvent.actor)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()


def _code(s: Session, code_id: int | None, what: str = "code") -> Code:
    row = s.get(Code, code_id) if code_id is not None else None
    if row is None:
        raise NotFoundError(f"no {what} with id {code_id}")
    return row


def lock_codebooks(s: Session, codebook_ids: list[int] | None = None) -> None:
    """Lock codebook rows (all of them by default) until the transaction ends.

    Every change to the code tree takes this lock before reading the tree, so two changes to
    one codebook run one after the other (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
    serialises every write). Ids in order, so two lockers never deadlock.
    """
    q = select(Codebook.id).order_by(Codebook.id).with_for_update()
    if codebook_ids is not None:
        q = q.where(Codebook.id.in_(sorted(set(codebook_ids))))
    s.exec(q).all()


def _locked_code(s: Session, code_id: int | None, what: str = "code") -> Code:
    """The code, read after its codebook is locked (so what is read stays true until commit)."""
    book = s.exec(select(Code.codebook_id).where(Code.id == code_id)).first() \
        if code_id is not None else None
    if book is None:
        raise NotFoundError(f"no {what} with id {code_id}")
    lock_codebooks(s, [book])
    return _code(s, code_id, what)


def _conflict(label: str, who: str | None) -> ConflictError:
    return ConflictError(
        f"code {label} was changed by {who or 'someone'} since you opened it; reload")


def _check_version(s: Session, code: Code, expected: int | None) -> None:
    if expected is None or code.version == expected:
        return
    raise _conflict(code.label, last_changed_by(s, "code", code.id))


@contextmanager
def _stale_is_conflict(project: ProjectHandle, code_id: int) -> Iterator[None]:
    """Turn SQLAlchemy's "0 rows matched the version" into the user's conflict message.

    Reached only when a row changed between this edit's read and its write (the lock above
    normally prevents that); the last editor is read on a fresh connection, since the
    failed transaction can no longer be queried.
    """
    try:
        yield
    except StaleDataError:
        with project.reading() as s:
            who = last_changed_by(s, "code", code_id)
            label = s.exec(select(Code.label).where(Code.id == code_id)).first()
        raise _conflict(label or str(code_id), who) from None


def _check_no_cycle(s: Session, codebook_id: int) -> None:
    """Refuse (roll back) a change that left a code inside itself: the last line of defence."""
    parents = dict(s.exec(select(Code.id, Code.parent_id)
                          .where(Code.codebook_id == codebook_id)).all())
    for start in parents:
        seen, p = {start}, parents.get(start)
        while p is not None:
            if p in seen:
                label = s.exec(select(Code.label).where(Code.id == start)).first()
                raise ConflictError(f"code {label} would end up inside itself; reload")
            seen.add(p)
            p = parents.get(p)


def _siblings(s: Session, codebook_id: int, parent_id: int | None) -> list[Code]:
    q = select(Code).where(Code.codebook_id == codebook_id)
    q = q.where(Code.parent_id.is_(None)) if parent_id is None else q.where(
        Code.parent_id == parent_id)
    return list(s.exec(q.order_by(Code.position, Code.id)))


def _subtree(s: Session, root: Code) -> list[Code]:
    """``root`` and its descendants, pre-order (parents before children)."""
    children: dict[int | None, list[Code]] = {}
    for c in s.exec(select(Code).where(Code.codebook_id == root.codebook_id)
                    .order_by(Code.position, Code.id)):
        children.setdefault(c.parent_id, []).append(c)
    out: list[Code] = []
    stack = [root]
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(reversed(children.get(c.id, [])))
    return out


def _check_theme(key: str, label: str, name: str, colour: str | None) -> None:
    """The per-theme rules of ``core.codebook.validate`` (labels, names, colours)."""
    from themeqa.core.codebook import Codebook as CoreCodebook
    from themeqa.core.codebook import Theme, validate

    errors = [p.message for p in validate(
        CoreCodebook(key=key, themes=[Theme(label=label, name=name, colour=colour)]))
        if p.is_error]
    if errors:
        raise InputError(errors[0])


def _check_label_free(s: Session, codebook: Codebook, label: str, code_id: int | None) -> None:
    other = s.exec(select(Code).where(Code.codebook_id == codebook.id, Code.label == label)
                   ).first()
    if other is not None and other.id != code_id:
        raise InputError(
            f"label {label!r} is already used in codebook {codebook.key} by {other.name!r}")


def _check_name_free(siblings: list[Code], name: str, code_id: int | None, where: str) -> None:
    from themeqa.core.codebook import fold_name

    folded = fold_name(name)
    for sib in siblings:
        if sib.id != code_id and fold_name(sib.name) == folded:
            raise InputError(f"{where} already has a code named {sib.name!r} ({sib.label})")


def _where(parent: Code | None) -> str:
    return f"{parent.label} {parent.name!r}" if parent is not None else "the top level"


def _default_colour(s: Session, codebook: Codebook, parent: Code | None, label: str,
                    name: str) -> str:
    """The colour ``core.codebook.colour_palette`` would give the new theme (Okabe–Ito)."""
    from themeqa.core.codebook import Theme, colour_palette

    book = next(b for b in load_core_codebooks(s) if b.key == codebook.key)
    theme = Theme(label=label, name=name)
    if parent is None:
        book.themes.append(theme)
    else:
        target = next(t for t, _, _ in book.walk() if t.label == parent.label)
        target.children.append(theme)
    return colour_palette(book)[label]


def _bump(s: Session, rec: Recorder, code: Code, before: dict[str, Any]) -> None:
    code.version = (code.version or 0) + 1
    s.add(code)
    s.flush()
    rec.update("code", before, snapshot("code", code))


# ---------------------------------------------------------------------------------- services


def add_code(
    project: ProjectHandle,
    *,
    codebook: str,
    label: str,
    name: str,
    parent_id: int | None = None,
    definition: str = "",
    include: str = "",
    exclude: str = "",
    actor: str | None = None,
) -> int:
    """Add a code at the end of its siblings (under ``parent_id``, or at the top level)."""
    label, name = label.strip(), name.strip()
    with project.transaction() as s:
        book = s.exec(select(Codebook).where(Codebook.key == codebook)).first()
        if book is None:
            raise NotFoundError(f"no codebook {codebook!r}")
        lock_codebooks(s, [book.id])
        parent = None
        if parent_id is not None:
            parent = _code(s, parent_id, "parent code")
            if parent.codebook_id != book.id:
                raise InputError(f"parent {parent.label} is not in codebook {codebook}")
        _check_theme(book.key, label, name, None)
        _check_label_free(s, book, label, None)
        siblings = _siblings(s, book.id, parent_id)
        _check_name_free(siblings, name, None, _where(parent))
        row = Code(
            codebook_id=book.id, parent_id=parent_id, label=label, name=name,
            definition=definition, include=include, exclude=exclude, examples=[],
            colour=_default_colour(s, book, parent, label, name),
            position=max((c.position for c in siblings), default=-1) + 1, version=1,
        )
        s.add(row)
        s.flush()
        rec = Recorder(actor or project.actor, f"add code {label} {name!r}")
        rec.create("code", snapshot("code", row))
        rec.write(s)
        return row.id


def update_code(
    project: ProjectHandle,
    code_id: int,
    *,
    expected_version: int | None = None,
    actor: str | None = None,
    **fields: Any,
) -> int:
    """Change a code's label, name, definition, include/exclude notes, colour or examples.

    ``expected_version`` is the version the caller read; if the code has changed since, a
    ``ConflictError`` names who changed it. Returns the new version (unchanged when every
    field already had its value: nothing is logged then).
    """
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise InputError(
            f"cannot change {', '.join(unknown)} of a code (fields: {', '.join(EDITABLE_FIELDS)})")
    with _stale_is_conflict(project, code_id), project.transaction() as s:
        code = _locked_code(s, code_id)
        _check_version(s, code, expected_version)
        book = s.get(Codebook, code.codebook_id)
        new = {k: v for k, v in fields.items()}
        for key in ("label", "name"):
            if key in new:
                new[key] = str(new[key]).strip()
        for key in ("definition", "include", "exclude"):
            if key in new:
                new[key] = "" if new[key] is None else str(new[key])
        if "colour" in new:
            new["colour"] = new["colour"] or None
        if "examples" in new:
            ex = new["examples"]
            if isinstance(ex, str) or not all(isinstance(x, str) for x in (ex or [])):
                raise InputError("examples must be a list of texts")
            new["examples"] = list(ex or [])
        changed = {k: v for k, v in new.items() if getattr(code, k) != v}
        if not changed:
            return code.version
        label = changed.get("label", code.label)
        name = changed.get("name", code.name)
        _check_theme(book.key, label, name, changed.get("colour", code.colour))
        if "label" in changed:
            _check_label_free(s, book, label, code.id)
        if "name" in changed:
            parent = s.get(Code, code.parent_id) if code.parent_id else None
            _check_name_free(_siblings(s, code.codebook_id, code.parent_id), name, code.id,
                             _where(parent))
        before = snapshot("code", code)
        for k, v in changed.items():
            setattr(code, k, v)
        what = ", ".join(sorted(changed))
        rec = Recorder(actor or project.actor, f"edit code {before['label']} ({what})")
        _bump(s, rec, code, before)
        rec.write(s)
        return code.version


def move_code(
    project: ProjectHandle,
    code_id: int,
    *,
    parent_id: int | None,
    position: int | None = None,
    expected_version: int | None = None,
    actor: str | None = None,
) -> None:
    """Re-parent and/or reorder a code (with its subtree) within its codebook.

    ``parent_id`` None means the top level; ``position`` is the 0-based place among the new
    siblings (None: last). Moving a code under itself or one of its subcodes is refused.
    """
    if position is not None and position < 0:
        raise InputError(f"position must be 0 or more, not {position}")
    with _stale_is_conflict(project, code_id), project.transaction() as s:
        code = _locked_code(s, code_id)
        _check_version(s, code, expected_version)
        parent = None
        if parent_id is not None:
            parent = _code(s, parent_id, "parent code")
            if parent.codebook_id != code.codebook_id:
                raise InputError(
                    f"cannot move {code.label} into another codebook (parent {parent.label})")
            if parent.id in {c.id for c in _subtree(s, code)}:
                raise InputError(
                    f"cannot move {code.label} under {parent.label}: that is inside {code.label}")
        siblings = [c for c in _siblings(s, code.codebook_id, parent_id) if c.id != code.id]
        if parent_id != code.parent_id:
            _check_name_free(siblings, code.name, code.id, _where(parent))
        at = len(siblings) if position is None else min(position, len(siblings))
        order = [*siblings[:at], code, *siblings[at:]]
        if parent_id == code.parent_id and all(
                c.position == i for i, c in enumerate(order)):
            return
        summary = (f"reorder code {code.label}" if parent_id == code.parent_id
                   else f"move code {code.label} to {_where(parent)}")
        rec = Recorder(actor or project.actor, summary)
        for i, c in enumerate(order):
            if c is code or c.position == i:
                continue
            before = snapshot("code", c)
            c.position = i
            s.add(c)
            s.flush()
            rec.update("code", before, snapshot("code", c))
        before = snapshot("code", code)
        code.parent_id = parent_id
        code.position = order.index(code)
        _bump(s, rec, code, before)
        _check_no_cycle(s, code.codebook_id)
        rec.write(s)


def merge_codes(
    project: ProjectHandle, source_id: int, target_id: int, *, actor: str | None = None
) -> int:
    """Merge ``source`` into ``target``: its codings and memos are re-pointed to the target,
    its subcodes move under the target, and the source is removed. Returns codings moved.

    Both codes must be in one codebook, and the target must not lie inside the source.
    Codings are kept as they are (a coder who had coded one span with both codes keeps two
    codings of the target).
    """
    with _stale_is_conflict(project, source_id), project.transaction() as s:
        source = _locked_code(s, source_id, "source code")
        target = _locked_code(s, target_id, "target code")
        if source.id == target.id:
            raise InputError(f"cannot merge {source.label} into itself")
        if source.codebook_id != target.codebook_id:
            raise InputError(
                f"cannot merge {source.label} and {target.label}: they are in different "
                "codebooks")
        if target.id in {c.id for c in _subtree(s, source)}:
            raise InputError(
                f"cannot merge {source.label} into {target.label}: {target.label} is inside it")
        children = _siblings(s, source.codebook_id, source.id)
        target_children = _siblings(s, target.codebook_id, target.id)
        for ch in children:
            _check_name_free(target_children, ch.name, None, _where(target))
        rec = Recorder(actor or project.actor,
                       f"merge code {source.label} {source.name!r} into {target.label} "
                       f"{target.name!r}")
        start = max((c.position for c in target_children), default=-1) + 1
        for i, ch in enumerate(children):
            before = snapshot("code", ch)
            ch.parent_id = target.id
            ch.position = start + i
            _bump(s, rec, ch, before)
        codings = list(s.exec(select(Coding).where(Coding.code_id == source.id)
                              .order_by(Coding.id)))
        now = utcnow()
        befores = [snapshot("coding", c) for c in codings]
        if codings:
            s.execute(update(Coding).where(Coding.code_id == source.id)
                      .values(code_id=target.id, updated_at=now))
        for b in befores:
            rec.update("coding", b, {**b, "code_id": target.id, "updated_at": now.isoformat()})
        for m in s.exec(select(Memo).where(Memo.code_id == source.id).order_by(Memo.id)):
            before = snapshot("memo", m)
            m.code_id = target.id
            m.updated_at = now
            s.add(m)
            s.flush()
            rec.update("memo", before, snapshot("memo", m))
        _bump(s, rec, target, snapshot("code", target))
        s.expire_all()
        source = s.get(Code, source_id)
        rec.delete("code", snapshot("code", source))
        s.delete(source)
        s.flush()
        _check_no_cycle(s, target.codebook_id)
        rec.summary += f" ({len(codings)} codings)"
        rec.write(s)
        return len(codings)


def code_usage(project: ProjectHandle, code_id: int) -> int:
    """How many codings (any coder, any layer) use this code or one of its subcodes."""
    with project.reading() as s:
        ids = [c.id for c in _subtree(s, _code(s, code_id))]
        return sum(
            s.exec(select(func.count()).select_from(Coding)
                   .where(Coding.code_id.in_(ids[i : i + CHUNK]))).one()
            for i in range(0, len(ids), CHUNK)
        )


def delete_code(project: ProjectHandle, code_id: int, *, actor: str | None = None) -> int:
    """Delete a code with its subcodes, their codings and memos; returns codings deleted.

    Everything removed is logged row by row, so one undo brings the subtree back with the
    same ids, codings and memos.
    """
    with project.transaction() as s:
        root = _locked_code(s, code_id)
        codes = _subtree(s, root)
        ids = [c.id for c in codes]
        codings: list[Coding] = []
        code_memos: list[Memo] = []
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            codings.extend(s.exec(select(Coding).where(Coding.code_id.in_(chunk))
                                  .order_by(Coding.id)))
            code_memos.extend(s.exec(select(Memo).where(Memo.code_id.in_(chunk))
                                     .order_by(Memo.id)))
        coding_ids = [c.id for c in codings]
        coding_memos: list[Memo] = []
        for i in range(0, len(coding_ids), CHUNK):
            coding_memos.extend(s.exec(select(Memo).where(
                Memo.coding_id.in_(coding_ids[i : i + CHUNK])).order_by(Memo.id)))
        extra = []
        if len(codes) > 1:
            extra.append(f"{len(codes) - 1} subcodes")
        extra.append(f"{len(codings)} codings")
        rec = Recorder(actor or project.actor,
                       f"delete code {root.label} {root.name!r} ({', '.join(extra)})")
        memo_ids = list(dict.fromkeys(m.id for m in [*coding_memos, *code_memos]))
        seen: set[int] = set()
        for m in [*coding_memos, *code_memos]:
            if m.id not in seen:
                seen.add(m.id)
                rec.delete("memo", snapshot("memo", m))
        for c in codings:
            rec.delete("coding", snapshot("coding", c))
        for c in reversed(codes):  # children before parents
            rec.delete("code", snapshot("code", c))
        for table, row_ids in ((Memo, memo_ids), (Coding, coding_ids)):
            for i in range(0, len(row_ids), CHUNK):
                s.execute(delete(table).where(table.id.in_(row_ids[i : i + CHUNK])))
        for c in reversed(codes):
            s.execute(delete(Code).where(Code.id == c.id))
        s.expire_all()
        rec.write(s)
        return len(codings)


def codebook_stamp(project: ProjectHandle) -> tuple:
    """A value that changes whenever anyone edits any code (the TUI polls it to refresh).

    (number of codebooks, number of codes, a hash of every code's (id, version)). Every edit
    bumps the version of the code it changes, and undo/redo never set a version back except
    when re-inserting a deleted row exactly as it was (``services.undo``), so equal stamps
    mean an identical codebook. Reading it is one small query (no scan of the audit log).
    """
    with project.reading() as s:
        n_books = s.exec(select(func.count()).select_from(Codebook)).one()
        pairs = tuple(s.exec(select(Code.id, Code.version).order_by(Code.id)).all())
    return (int(n_books), len(pairs), hash(pairs))
