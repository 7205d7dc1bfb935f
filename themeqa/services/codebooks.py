"""Codebooks in the project: import from YAML, export, show as a tree with counts, resolve refs.

Why the core model in between: validation and reference resolution live in the pure
``core.codebook`` (tested without a database); this module only maps it to and from rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlmodel import Session, func, select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.audit import new_batch, record
from themeqa.services.project import ProjectHandle
from themeqa.services.versions import is_current
from themeqa.store.models import Code, Codebook, Coder, Coding

__all__ = [
    "CodeNode",
    "CodebookImport",
    "code_index",
    "codebook_tree",
    "export_codebook",
    "import_codebook",
    "list_codebooks",
    "load_core_codebooks",
    "resolve_code",
    "validate_codebook_file",
]


@dataclass(frozen=True)
class CodeNode:
    """One row of the codebook tree as the CLI and TUI show it."""

    id: int
    codebook: str
    label: str
    name: str
    depth: int
    parent_id: int | None
    colour: str | None
    definition: str
    include: str
    exclude: str
    codings: int
    #: the code's version when read (an edit passes it back: ``expected_version``)
    version: int = 1

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CodebookImport:
    key: str
    codes: int
    warnings: tuple[str, ...]


def _load_yaml(path: Path):
    from themeqa.interop.codebook_yaml import CodebookFormatError, load_codebook_yaml

    try:
        return load_codebook_yaml(path)
    except CodebookFormatError as exc:
        raise InputError(str(exc)) from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def _split_problems(problems) -> tuple[list[str], list[str]]:
    """Split ``core.codebook.Problem``s by severity (near-duplicates are warnings)."""
    errors, warnings = [], []
    for p in problems:
        (errors if p.is_error else warnings).append(p.message)
    return errors, warnings


def validate_codebook_file(path: Path | str) -> tuple[str, list[str], list[str]]:
    """Validate a codebook YAML file without a project: (key, errors, warnings)."""
    from themeqa.core.codebook import validate

    cb = _load_yaml(Path(path))
    errors, warnings = _split_problems(validate(cb))
    return cb.key, errors, warnings


def import_codebook(project: ProjectHandle, path: Path | str) -> CodebookImport:
    """Add a codebook from YAML; refuse one with errors or whose key already exists."""
    from themeqa.core.codebook import colour_palette, validate, validate_many

    path = Path(path)
    cb = _load_yaml(path)
    errors, warnings = _split_problems(validate(cb))
    if errors:
        raise InputError(f"{path.name}: " + "; ".join(errors))
    colours = colour_palette(cb)
    batch = new_batch()
    with project.transaction() as s:
        if s.exec(select(Codebook).where(Codebook.key == cb.key)).first() is not None:
            raise InputError(f"{path.name}: a codebook with key {cb.key!r} already exists")
        cross = [p for p in validate_many([*load_core_codebooks(s), cb])
                 if p.kind in ("label-collision", "duplicate-key")]
        warnings.extend(p.message for p in cross)
        position = s.exec(select(func.count()).select_from(Codebook)).one()
        row = Codebook(key=cb.key, title=cb.title, description=cb.description, position=position)
        s.add(row)
        s.flush()
        n = 0

        def add(themes, parent_id):
            nonlocal n
            for i, t in enumerate(themes):
                code = Code(
                    codebook_id=row.id,
                    parent_id=parent_id,
                    label=t.label,
                    name=t.name,
                    definition=t.definition,
                    include=t.include,
                    exclude=t.exclude,
                    examples=list(t.examples),
                    colour=colours.get(t.label, t.colour),
                    position=i,
                )
                s.add(code)
                s.flush()
                n += 1
                add(t.children, code.id)

        add(cb.themes, None)
        record(s, project.actor, "import", "codebook", row.id,
               after={"key": cb.key, "codes": n, "file": path.name}, batch=batch)
    return CodebookImport(key=cb.key, codes=n, warnings=tuple(warnings))


def load_core_codebooks(s: Session) -> list:
    """The project's codebooks as ``core.codebook.Codebook`` trees, in project order."""
    from themeqa.core.codebook import Codebook as CoreCodebook
    from themeqa.core.codebook import Theme

    codes = s.exec(select(Code).order_by(Code.position, Code.id)).all()
    children: dict[int | None, list[Code]] = {}
    for c in codes:
        children.setdefault(c.parent_id, []).append(c)

    def build(c: Code) -> Theme:
        return Theme(
            label=c.label,
            name=c.name,
            definition=c.definition,
            include=c.include,
            exclude=c.exclude,
            examples=tuple(c.examples or ()),
            colour=c.colour,
            children=[build(x) for x in children.get(c.id, [])],
        )

    out = []
    for cb in s.exec(select(Codebook).order_by(Codebook.position, Codebook.id)).all():
        tops = [c for c in children.get(None, []) if c.codebook_id == cb.id]
        out.append(
            CoreCodebook(
                key=cb.key, title=cb.title, description=cb.description,
                themes=[build(c) for c in tops],
            )
        )
    return out


def code_index(s: Session) -> dict[tuple[str, str], int]:
    """(codebook key, label) -> code id."""
    rows = s.exec(select(Codebook.key, Code.label, Code.id).join(Code)).all()
    return {(k, lbl): cid for k, lbl, cid in rows}


def resolve_code(s: Session, reference: str, *, codebooks=None, index=None) -> int:
    """The id of the code named by ``reference`` (``2a``, ``inhibitors::2a``, a name path)."""
    from themeqa.core.codebook import CodebookError, resolve_reference

    if codebooks is None and index is None and "/" not in reference:
        # fast path for a label, bare or qualified (what the TUI sends on every coding):
        # one indexed query instead of building every codebook tree
        key, sep, label = reference.strip().rpartition("::")
        q = select(Code.id).join(Codebook).where(Code.label == label.strip())
        if sep:
            q = q.where(Codebook.key == key.strip())
        found = s.exec(q.limit(2)).all()
        if len(found) == 1:
            return found[0]
    codebooks = codebooks if codebooks is not None else load_core_codebooks(s)
    index = index if index is not None else code_index(s)
    try:
        key, theme = resolve_reference(reference, codebooks)
    except CodebookError as exc:
        raise NotFoundError(str(exc)) from exc
    return index[(key, theme.label)]


def code_and_descendants(s: Session, root: int) -> list[int]:
    """``root`` and the ids of every code under it (for roll-up filters: a search inside
    theme 2, the extracts of theme 2, count its subordinate themes too)."""
    children: dict[int | None, list[int]] = {}
    for cid, parent in s.exec(select(Code.id, Code.parent_id)).all():
        children.setdefault(parent, []).append(cid)
    out, stack = [], [root]
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(children.get(c, []))
    return out


def export_codebook(project: ProjectHandle, key: str | None = None):
    """The codebook ``key`` (or the only one) as a core ``Codebook``."""
    with project.reading() as s:
        books = load_core_codebooks(s)
    if not books:
        raise NotFoundError("the project has no codebook (themeqa codebook import FILE)")
    if key is None:
        if len(books) > 1:
            raise InputError(
                "the project has several codebooks; name one: "
                + ", ".join(b.key for b in books)
            )
        return books[0]
    for b in books:
        if b.key == key:
            return b
    raise NotFoundError(f"no codebook {key!r} (have: {', '.join(b.key for b in books)})")


def list_codebooks(project: ProjectHandle) -> list[tuple[str, str]]:
    with project.reading() as s:
        return [(b.key, b.title) for b in s.exec(select(Codebook).order_by(Codebook.position)).all()]


def codebook_tree(
    project: ProjectHandle, *, coder: str | None = None, layer: str | None = None
) -> list[CodeNode]:
    """Every code in tree order with its depth and coding count (for a coder/layer if given).

    Counts are of current documents only (``services.versions``: a de-identified
    transcript's original holds copies of its codings).
    """
    with project.reading() as s:
        books = {b.id: b for b in s.exec(select(Codebook)).all()}
        codes = s.exec(select(Code).order_by(Code.position, Code.id)).all()
        q = (select(Coding.code_id, func.count()).where(is_current(Coding.document_id))
             .group_by(Coding.code_id))
        if coder is not None:
            c = s.exec(select(Coder).where(Coder.name == coder)).first()
            q = q.where(Coding.coder_id == (c.id if c else -1))
        if layer is not None:
            q = q.where(Coding.layer == layer)
        counts = Counter(dict(s.exec(q).all()))
    children: dict[int | None, list[Code]] = {}
    for c in codes:
        children.setdefault(c.parent_id, []).append(c)
    out: list[CodeNode] = []

    def walk(c: Code, depth: int) -> None:
        out.append(
            CodeNode(
                id=c.id, codebook=books[c.codebook_id].key, label=c.label, name=c.name,
                depth=depth, parent_id=c.parent_id, colour=c.colour, definition=c.definition,
                include=c.include, exclude=c.exclude, codings=counts.get(c.id, 0),
                version=c.version,
            )
        )
        for ch in children.get(c.id, []):
            walk(ch, depth + 1)

    for b in sorted(books.values(), key=lambda b: (b.position, b.id)):
        for top in (x for x in children.get(None, []) if x.codebook_id == b.id):
            walk(top, 1)
    return out
