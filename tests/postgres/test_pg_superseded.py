"""The current-version filter (``services.versions``) on PostgreSQL.

Why a test of its own: ``is_current`` is an uncorrelated ``NOT IN`` sub-select on an alias of
``document``, used inside queries on ``document`` itself and on ``coding``; the SQL has to
mean the same on both dialects.
"""

from __future__ import annotations

from themeqa.services.codings import add_coding, list_codings
from themeqa.services.deidentify import apply_review, propose, write_review
from themeqa.services.documents import list_documents
from themeqa.services.search import SearchFilters, search

TEXT = "P01: Ken drove me home. It was calm.\n"


def test_superseded_originals_are_left_out_on_postgres(pg_project, study_files, tmp_path):
    from themeqa.services.codebooks import import_codebook
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants
    from themeqa.services.tally import load_frames

    import_participants(pg_project, study_files["participants"])
    import_codebook(pg_project, study_files["codebook"])
    f = tmp_path / "S7.txt"
    f.write_text(TEXT, encoding="utf-8")
    import_files(pg_project, [f])
    calm = TEXT.index("It was calm.")
    add_coding(pg_project, document="S7.txt", start=calm, end=calm + 12, code="1",
               coder="amira")
    proposals, _ = propose(pg_project, names=["Ken"], dates=False, use_ner=False)
    apply_review(pg_project, write_review(proposals, tmp_path / "r.csv"),
                 mapping_file=tmp_path / "key.csv")
    assert [d.name for d in list_documents(pg_project)] == ["S7.deid.txt"]
    assert [c.document for c in list_codings(pg_project)] == ["S7.deid.txt"]
    assert search(pg_project, "Ken", mode="exact") == []
    everything = SearchFilters(include_superseded=True)
    assert [h.superseded_by for h in search(pg_project, "Ken", mode="exact",
                                            filters=everything)] == ["S7.deid.txt"]
    frames = load_frames(pg_project)
    assert list(frames.documents["name"]) == ["S7.deid.txt"] and len(frames.codings) == 1
