"""Constraints the schema itself enforces, whatever code writes to it."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from themeqa.store.engine import open_engine
from themeqa.store.models import Code, Codebook, Coder, Coding, Document, Turn


@pytest.fixture
def engine(tmp_path):
    return open_engine(f"sqlite:///{tmp_path / 'p.db'}")


def _doc(s: Session) -> Document:
    d = Document(name="d.txt", kind="transcript", format="txt", text="P01: hi", sha256="x",
                 n_chars=7)
    s.add(d)
    s.flush()
    return d


def _coding_parts(s: Session) -> tuple[Document, Code, Coder]:
    """A document, a code and a coder: what every coding row needs."""
    d = _doc(s)
    cb = Codebook(key="cb")
    coder = Coder(name="ann")
    s.add_all([cb, coder])
    s.flush()
    code = Code(codebook_id=cb.id, label="1", name="A")
    s.add(code)
    s.flush()
    return d, code, coder


def test_sibling_names_are_unique_even_at_top_level(engine):
    with Session(engine) as s:
        cb = Codebook(key="cb")
        s.add(cb)
        s.flush()
        s.add(Code(codebook_id=cb.id, label="1", name="Fear"))
        s.flush()
        s.add(Code(codebook_id=cb.id, label="2", name="Fear"))
        with pytest.raises(IntegrityError):
            s.flush()


def test_same_name_under_different_parents_is_allowed(engine):
    with Session(engine) as s:
        cb = Codebook(key="cb")
        s.add(cb)
        s.flush()
        a = Code(codebook_id=cb.id, label="1", name="A")
        b = Code(codebook_id=cb.id, label="2", name="B")
        s.add_all([a, b])
        s.flush()
        s.add_all([Code(codebook_id=cb.id, parent_id=a.id, label="1a", name="Other"),
                   Code(codebook_id=cb.id, parent_id=b.id, label="2a", name="Other")])
        s.flush()


def test_deleting_a_document_cascades_to_turns_and_codings(engine):
    with Session(engine) as s:
        d, code, coder = _coding_parts(s)
        s.add(Turn(document_id=d.id, start=0, content_start=5, end=7, speaker="P01"))
        s.add(Coding(document_id=d.id, code_id=code.id, coder_id=coder.id, start=5, end=7))
        s.commit()
        s.delete(d)
        s.commit()
        assert s.exec(select(Turn)).all() == []
        assert s.exec(select(Coding)).all() == []


def test_a_coding_must_have_a_positive_span(engine):
    with Session(engine) as s:
        d, code, coder = _coding_parts(s)
        s.add(Coding(document_id=d.id, code_id=code.id, coder_id=coder.id, start=5, end=5))
        with pytest.raises(IntegrityError):
            s.flush()


def test_coding_layer_is_checked(engine):
    with Session(engine) as s:
        d, code, coder = _coding_parts(s)
        s.add(Coding(document_id=d.id, code_id=code.id, coder_id=coder.id, start=1, end=5,
                     layer="mine"))
        with pytest.raises(IntegrityError):
            s.flush()
