"""Two coders at once: no lost inserts, and stale codebook edits are refused.

Why: in team mode several coders write to one database at the same moment. Codings are
inserts, so two sessions coding together must both keep every coding they were told was
saved; a codebook edit made against an old version of a code must fail with a clear
"changed by X, reload" (``ConflictError``) instead of silently overwriting the other edit.
Each coder gets their own ``ProjectHandle`` (own engine, own connections), as on two machines.
"""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from themeqa.services.codings import add_coding, list_codings
from themeqa.services.documents import list_documents
from themeqa.services.project import open_project
from themeqa.store.models import Coding

N_EACH = 40


def _code_together(url: str, coders: list[str], doc: str) -> dict[str, list[int]]:
    """Each coder adds N_EACH codings from its own thread and connection, all at once."""
    handles = {c: open_project(db_url=url, actor=c) for c in coders}
    barrier = threading.Barrier(len(coders))
    ids: dict[str, list[int]] = {c: [] for c in coders}
    errors: list[BaseException] = []

    def work(coder: str) -> None:
        try:
            barrier.wait()
            for i in range(N_EACH):
                ids[coder].append(add_coding(
                    handles[coder], document=doc, start=i, end=i + 3,
                    code="inhibitors::1", coder=coder))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in coders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for h in handles.values():
        h.close()
    assert not errors, errors
    return ids


def _check_nothing_lost(project, ids: dict[str, list[int]], before: int) -> None:
    with project.reading() as s:
        rows = {c.id: c for c in s.exec(select(Coding)).all()}
    all_ids = [i for v in ids.values() for i in v]
    assert len(set(all_ids)) == len(all_ids) == N_EACH * len(ids)
    assert set(all_ids) <= set(rows)
    assert len(rows) == before + len(all_ids)
    for coder, mine in ids.items():
        got = sorted((c.start, c.end) for c in list_codings(project, coder=coder)
                     if c.id in set(mine))
        assert got == [(i, i + 3) for i in range(N_EACH)], coder


def test_two_coders_at_once_lose_nothing_on_postgres(pg_demo):
    doc = list_documents(pg_demo)[0].name
    before = len(list_codings(pg_demo))
    ids = _code_together(pg_demo.url, ["amira", "ben"], doc)
    _check_nothing_lost(pg_demo, ids, before)


def test_two_coders_at_once_lose_nothing_on_sqlite(demo_copy):
    main = open_project(demo_copy, actor="lead")
    try:
        doc = list_documents(main)[0].name
        before = len(list_codings(main))
        ids = _code_together(main.url, ["amira", "ben"], doc)
        _check_nothing_lost(main, ids, before)
    finally:
        main.close()


def test_stale_codebook_edit_is_a_conflict_on_postgres(pg_demo):
    """Ben and Amira both load code 1 at version v; Amira saves first, Ben's save is refused."""
    edit = pytest.importorskip(
        "themeqa.services.codebook_edit",
        reason="codebook_edit (issue 4) has not landed yet")
    from themeqa.errors import ConflictError
    from themeqa.services.codebooks import codebook_tree

    amira = open_project(db_url=pg_demo.url, actor="amira")
    ben = open_project(db_url=pg_demo.url, actor="ben")
    try:
        node = next(n for n in codebook_tree(amira) if n.codebook == "inhibitors"
                    and n.label == "1")
        from themeqa.store.models import Code

        with amira.reading() as s:
            version = s.get(Code, node.id).version
        edit.update_code(amira, node.id, expected_version=version, actor="amira",
                         definition="Amira's wording")
        with pytest.raises(ConflictError) as info:
            edit.update_code(ben, node.id, expected_version=version, actor="ben",
                             definition="Ben's wording")
        assert "reload" in str(info.value)
        with ben.reading() as s:
            row = s.get(Code, node.id)
            assert row.definition == "Amira's wording"
            assert row.version == version + 1
        # After reloading, Ben's edit goes through.
        edit.update_code(ben, node.id, expected_version=version + 1, actor="ben",
                         definition="Ben's wording")
    finally:
        amira.close()
        ben.close()


def test_layer_permissions_hold_on_postgres(pg_demo):
    """Team mode: once there is a lead, a coder changes only their own layer and only a lead
    writes the consensus layer, with each coder on their own connection."""
    from themeqa.errors import PermissionDeniedError
    from themeqa.services.codings import delete_coding
    from themeqa.services.settings import set_coder_role

    set_coder_role(pg_demo, "amira", "lead", actor="amira")
    doc = list_documents(pg_demo)[0].name
    ben = open_project(db_url=pg_demo.url, actor="ben")
    amira = open_project(db_url=pg_demo.url, actor="amira")
    try:
        mine = add_coding(ben, document=doc, start=0, end=4, code="inhibitors::1", coder="ben")
        theirs = next(c.id for c in list_codings(ben, coder="amira"))
        with pytest.raises(PermissionDeniedError, match="only their own layer"):
            delete_coding(ben, theirs, actor="ben")
        with pytest.raises(PermissionDeniedError, match="only a lead"):
            add_coding(ben, document=doc, start=0, end=4, code="inhibitors::1", coder="ben",
                       layer="consensus")
        with pytest.raises(PermissionDeniedError, match="only a lead"):
            set_coder_role(ben, "ben", "lead", actor="ben")
        delete_coding(ben, mine, actor="ben")
        cid = add_coding(amira, document=doc, start=0, end=4, code="inhibitors::1",
                         coder="amira", layer="consensus")
        assert [c.layer for c in list_codings(ben, layer="consensus") if c.id == cid] == [
            "consensus"]
        assert theirs in {c.id for c in list_codings(amira, coder="amira")}
    finally:
        ben.close()
        amira.close()
