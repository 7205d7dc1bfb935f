"""Code suggestions: rank codes by how much a passage resembles what a coder already coded.

Method: TF-IDF over lemmas with the smoothed idf of scikit-learn's default,
idf(t) = ln((1 + N) / (1 + df(t))) + 1 over N reference passages (Manning, Raghavan &
Schütze 2008, ch. 6.2, with add-one smoothing), vectors L2-normalised; a code's profile is
the normalised sum (centroid direction) of the vectors of the passages coded with it; codes
are ranked by cosine similarity between the passage and each profile (Rocchio-style
classification, ibid. ch. 14.2). The idf comes from unlabeled passages (all turns), so the
leave-one-out evaluation does not leak the held-out label.

Suggestions are hints: nothing here writes a coding.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

__all__ = ["SuggestionModel", "build_model", "leave_one_out_topk"]


@dataclass
class SuggestionModel:
    vocabulary: dict[str, int]
    idf: np.ndarray
    codes: list[Hashable]
    sums: sparse.csr_matrix  # codes × vocabulary, sum of passage vectors

    def vector(self, lemmas: Sequence[str]) -> sparse.csr_matrix:
        return _vectors([lemmas], self.vocabulary, self.idf)

    def rank(self, lemmas: Sequence[str], k: int = 3) -> list[tuple[Hashable, float]]:
        """The ``k`` best codes with their cosine similarity (only codes scoring above 0)."""
        if not self.codes:
            return []
        scores = _cosine(self.sums, self.vector(lemmas))
        order = np.argsort(-scores, kind="stable")[:k]
        return [(self.codes[i], float(scores[i])) for i in order if scores[i] > 0]


def _idf(reference: Sequence[Sequence[str]]) -> tuple[dict[str, int], np.ndarray]:
    df: Counter = Counter()
    for passage in reference:
        df.update(set(passage))
    vocabulary = {t: i for i, t in enumerate(sorted(df))}
    n = len(reference)
    idf = np.array([np.log((1 + n) / (1 + df[t])) + 1 for t in sorted(df)])
    return vocabulary, idf


def _vectors(passages, vocabulary: dict[str, int], idf: np.ndarray) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for r, passage in enumerate(passages):
        tf = Counter(t for t in passage if t in vocabulary)
        for term, count in tf.items():
            j = vocabulary[term]
            rows.append(r)
            cols.append(j)
            vals.append(count * idf[j])
    m = sparse.csr_matrix((vals, (rows, cols)), shape=(len(passages), len(vocabulary)))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(m.multiply(1.0 / norms[:, None]))


def _cosine(profiles: sparse.csr_matrix, v: sparse.csr_matrix) -> np.ndarray:
    dots = np.asarray((profiles @ v.T).todense()).ravel()
    norms = np.sqrt(np.asarray(profiles.multiply(profiles).sum(axis=1)).ravel())
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(norms > 0, dots / norms, 0.0)
    return out


def build_model(
    reference: Sequence[Sequence[str]],
    coded: Sequence[tuple[Sequence[str], Hashable]],
) -> SuggestionModel:
    """A model from unlabeled ``reference`` passages (for idf) and ``(lemmas, code)`` pairs."""
    vocabulary, idf = _idf(list(reference) + [p for p, _ in coded])
    codes = sorted({c for _, c in coded}, key=str)
    index = {c: i for i, c in enumerate(codes)}
    vectors = _vectors([p for p, _ in coded], vocabulary, idf)
    assign = sparse.csr_matrix(
        (np.ones(len(coded)), ([index[c] for _, c in coded], np.arange(len(coded)))),
        shape=(len(codes), len(coded)),
    )
    return SuggestionModel(vocabulary, idf, codes, sparse.csr_matrix(assign @ vectors))


def leave_one_out_topk(
    reference: Sequence[Sequence[str]],
    coded: Sequence[tuple[Sequence[str], Hashable]],
    k: int = 3,
) -> tuple[int, int]:
    """(hits, trials): how often a passage's own code is among the top ``k`` when the model
    is built from every other coded passage. Passages whose code has no other example are
    skipped (no model could suggest a code it has never seen)."""
    model = build_model(reference, coded)
    vectors = _vectors([p for p, _ in coded], model.vocabulary, model.idf)
    index = {c: i for i, c in enumerate(model.codes)}
    sizes = Counter(c for _, c in coded)
    hits = trials = 0
    for i, (_, code) in enumerate(coded):
        if sizes[code] < 2:
            continue
        row = index[code]
        v = vectors[i]
        scores = _cosine(model.sums, v)
        held = model.sums[row] - v  # the code's profile without this passage
        held_norm = np.sqrt(held.multiply(held).sum())
        scores[row] = float((held @ v.T).sum() / held_norm) if held_norm > 0 else 0.0
        top = np.argsort(-scores, kind="stable")[:k]
        trials += 1
        hits += int(row in set(top.tolist()))
    return hits, trials
