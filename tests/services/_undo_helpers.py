"""Helpers shared by the undo, coding-edit and codebook-edit tests: whole-table snapshots."""

from __future__ import annotations

from sqlalchemy import select

from themeqa.store.models import AuditEvent, Code, Coding, Memo

#: ``Code.version`` is an edit counter that undo moves forward on purpose (never back: an
#: optimistic-concurrency counter that went backwards would let a stale client overwrite a
#: newer edit), so "the same codebook" means every other column equal.
IGNORED = {"code": {"version"}}


def table_rows(project, model, *, ignore: set[str] = frozenset()) -> list[dict]:
    """Every row of ``model``'s table, all columns but ``ignore``, ordered by id."""
    table = model.__table__
    with project.reading() as s:
        rows = s.execute(select(table).order_by(table.c.id)).mappings().all()
    return [{k: v for k, v in r.items() if k not in ignore} for r in rows]


def state(project) -> dict[str, list[dict]]:
    """codings, codes and memos, as undo must restore them."""
    return {
        "coding": table_rows(project, Coding),
        "code": table_rows(project, Code, ignore=IGNORED["code"]),
        "memo": table_rows(project, Memo),
    }


def n_events(project) -> int:
    with project.reading() as s:
        return len(s.execute(select(AuditEvent.id)).all())


def build_small_study(directory, files) -> None:
    """The tiny study of ``study_files`` with four codings and a memo, in ``directory``."""
    from themeqa.services.codebooks import import_codebook
    from themeqa.services.codings import add_coding, set_coding_memo
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants
    from themeqa.services.project import open_project

    p = open_project(directory, create=True, actor="tester")
    try:
        import_participants(p, files["participants"])
        import_codebook(p, files["codebook"])
        import_files(p, [files["S1"]], session="S1", timepoint="initial")
        a = add_coding(p, document="S1.txt", start=60, end=72, code="2a", coder="ann")
        add_coding(p, document="S1.txt", start=50, end=90, code="2", coder="ann")
        add_coding(p, document="S1.txt", start=10, end=20, code="1", coder="bo")
        add_coding(p, document="S1.txt", start=62, end=80, code="2a", coder="bo")
        set_coding_memo(p, a, "gran's kitchen", actor="ann")
    finally:
        p.close()


def copy_study(src, dest):
    """A private copy of a closed project directory, opened as ``tester``."""
    import shutil

    from themeqa.services.project import open_project

    shutil.copytree(src, dest)
    return open_project(dest, actor="tester")


_BUILT: dict[str, object] = {}


def small_study_dir(study_files, tmp_path_factory):
    """``build_small_study`` once per test session (spaCy makes each import take seconds)."""
    if "dir" not in _BUILT:
        d = tmp_path_factory.mktemp("small-study") / "study"
        build_small_study(d, study_files)
        _BUILT["dir"] = d
    return _BUILT["dir"]
