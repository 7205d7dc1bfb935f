"""Code suggestions for a passage, from what a coder has already coded (hints only).

The model (``core.suggest``): TF-IDF over lemmas (stop words left out), idf from all
participant turns of the project, one profile per code from this coder's codings; codes are
ranked by cosine similarity. Nothing is ever coded from here: the TUI shows the ranking and a
key press applies one.

Like the word counts, the model reads the current documents only (``search.load_corpus``):
the original of a de-identified transcript repeats its text and its coder's codings, and
would weigh them twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from themeqa.errors import NotFoundError
from themeqa.services.project import ProjectHandle
from themeqa.services.search import load_corpus, token_cache
from themeqa.services.versions import replacement_of
from themeqa.store.models import Code, Codebook, Coder, Coding

__all__ = ["Suggestion", "evaluate_suggestions", "suggest_codes"]


@dataclass(frozen=True)
class Suggestion:
    code: str  # codebook::label
    name: str
    score: float


def _lemmas(table, a: int, b: int) -> list[str]:
    from themeqa.core.wordfreq import tokens_in_spans

    keep = tokens_in_spans(table, [(a, b)]) & table.is_word & ~table.is_stop
    words = table.vocab.words
    return [words[i] for i in table.lemma[keep].tolist()]


def _training(project: ProjectHandle, coder: str):
    """(reference passages, [(lemmas, code id)], code names, tables by doc name)."""
    docs = load_corpus(project)
    tables = token_cache(project).get_many([(d.sha256, d.language, d.text) for d in docs])
    by_id = {d.id: (d, t) for d, t in zip(docs, tables, strict=True)}
    reference = []
    for d, t in by_id.values():
        if d.kind == "written":
            reference.append(_lemmas(t, 0, len(d.text)))
        else:
            reference.extend(
                _lemmas(t, x.content_start, x.end) for x in d.turns if x.role == "participant"
            )
    with project.reading() as s:
        row = s.exec(select(Coder).where(Coder.name == coder)).first()
        if row is None:
            raise NotFoundError(f"no coder named {coder!r}")
        names = {
            cid: (f"{key}::{label}", name)
            for cid, key, label, name in s.exec(
                select(Code.id, Codebook.key, Code.label, Code.name).join(Codebook)
            ).all()
        }
        codings = s.exec(
            select(Coding.document_id, Coding.start, Coding.end, Coding.code_id)
            .where(Coding.coder_id == row.id, Coding.layer == "coder")
            .order_by(Coding.id)
        ).all()
    coded = []
    for did, a, b, cid in codings:
        if did in by_id:
            lemmas = _lemmas(by_id[did][1], a, b)
            if lemmas:
                coded.append((lemmas, cid))
    return reference, coded, names, {d.name: (d, t) for d, t in by_id.values()}


def suggest_codes(
    project: ProjectHandle, document: str, start: int, end: int, *, coder: str, k: int = 3
) -> list[Suggestion]:
    """The ``k`` codes whose codings by ``coder`` most resemble ``document[start:end]``."""
    from themeqa.core.suggest import build_model

    reference, coded, names, tables = _training(project, coder)
    if document not in tables:
        with project.reading() as s:
            newer = replacement_of(s, document)
        if newer is not None:
            raise NotFoundError(f"{document!r} has been replaced by {newer!r}; suggest on that")
        raise NotFoundError(f"no document named {document!r}")
    model = build_model(reference, coded)
    lemmas = _lemmas(tables[document][1], start, end)
    return [Suggestion(*names[c], score) for c, score in model.rank(lemmas, k)]


def evaluate_suggestions(project: ProjectHandle, *, coder: str, k: int = 3) -> tuple[int, int]:
    """Leave-one-out: (hits, trials) — how often a coding's own code is in the top ``k``."""
    from themeqa.core.suggest import leave_one_out_topk

    reference, coded, _names, _tables = _training(project, coder)
    return leave_one_out_topk(reference, coded, k)
