"""Agreement tables on the demo study, cross-checked against counts made by hand with sets.

ben double-coded sessions S2 and S5; amira coded everything. Without a check, the comparison
runs on the documents both coded (the two transcripts). Every number below is recomputed from
the raw codings with plain Python sets and textbook formulas (Cohen 1960 for kappa; the
``krippendorff`` package for alpha), independently of ``core.agreement_units``.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from themeqa.core.agreement import bootstrap_ci, cohen_kappa, is_na
from themeqa.services.check import agreement_table, span_table
from themeqa.services.codebooks import codebook_tree
from themeqa.services.codings import list_codings
from themeqa.services.documents import get_document
from themeqa.services.project import open_project

DOCS = ("S2_focus_group.txt", "S5_focus_group.txt")


@pytest.fixture
def demo(demo_dir):
    handle = open_project(demo_dir)
    yield handle
    handle.close()


def _codings(project, code_labels: set[str]):
    """{coder: [(document, start, end)]} of the codes, coder layer, on S2 and S5."""
    out: dict[str, list] = {"amira": [], "ben": []}
    for c in list_codings(project, layer="coder"):
        if c.document in DOCS and c.code_label in code_labels and c.coder in out:
            out[c.coder].append((c.document, c.start, c.end))
    return out


def _turn_sets(project, code_labels: set[str], facilitator: bool = False):
    """Hand count on turns: the set of (document, turn start) each coder's codings touch.

    Participant speech only (facilitator turns left out) unless ``facilitator``."""
    turns = [(d, t.start, t.end) for d in DOCS for t in get_document(project, d).turns
             if facilitator or t.role != "facilitator"]
    codings = _codings(project, code_labels)
    touched = {
        coder: {(d, ts) for d, ts, te in turns for cd, s, e in spans
                if cd == d and s < te and e > ts}
        for coder, spans in codings.items()
    }
    return turns, touched["amira"], touched["ben"]


def _kappa_by_hand(both: int, only_a: int, only_b: int, neither: int) -> float:
    """Cohen (1960): (p_o - p_e) / (1 - p_e) with p_e from the marginal proportions."""
    n = both + only_a + only_b + neither
    p_o = (both + neither) / n
    p_a, p_b = (both + only_a) / n, (both + only_b) / n
    p_e = p_a * p_b + (1 - p_a) * (1 - p_b)
    return (p_o - p_e) / (1 - p_e)


def _row(table, label):
    return next(r for r in table.rows if r.label == label)


@pytest.mark.parametrize("label,family", [("E4", {"E4"}), ("3c", {"3c"}),
                                          ("2", {"2", "2a", "2b", "2c", "2d"})])
def test_turn_table_matches_sets_and_krippendorff(demo, label, family):
    table = agreement_table(demo, coders=("amira", "ben"), unit="turn", seed=3, n_boot=200)
    assert table.documents == list(DOCS)
    turns, a, b = _turn_sets(demo, family)  # "2" rolls up its subordinate themes
    keys = [(d, ts) for d, ts, _ in turns]
    both, only_a, only_b = len(a & b), len(a - b), len(b - a)
    neither = len(keys) - both - only_a - only_b
    row = _row(table, label)
    assert (row.units, row.both, row.only_a, row.only_b, row.neither) == (
        len(keys), both, only_a, only_b, neither)
    assert row.kappa == pytest.approx(_kappa_by_hand(both, only_a, only_b, neither))
    data = [[int(k in a) for k in keys], [int(k in b) for k in keys]]
    assert row.alpha == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    assert row.percent == pytest.approx((both + neither) / len(keys))
    assert row.pabak == pytest.approx(2 * (both + neither) / len(keys) - 1)


@pytest.mark.parametrize("facilitator", [False, True])
def test_pooled_row_sums_the_codes_as_applied(demo, facilitator):
    table = agreement_table(demo, coders=("amira", "ben"), unit="turn", seed=3, n_boot=100,
                            include_facilitator=facilitator)
    assert table.include_facilitator is facilitator
    totals = np.zeros(4, dtype=int)
    for node in codebook_tree(demo):
        turns, a, b = _turn_sets(demo, {node.label}, facilitator)  # no roll-up when pooled
        n = len(turns)
        totals += [len(a & b), len(a - b), len(b - a), n - len(a | b)]
    p = table.pooled
    assert [p.both, p.only_a, p.only_b, p.neither] == totals.tolist()
    assert p.kappa == pytest.approx(_kappa_by_hand(*totals.tolist()))


def test_unused_code_is_typed_na_not_zero(demo):
    table = agreement_table(demo, coders=("amira", "ben"), unit="turn", n_boot=50)
    unused = _row(table, "5")  # "Lack of distress": nobody coded it in S2/S5
    assert unused.both + unused.only_a + unused.only_b == 0
    assert all(is_na(v) for v in (unused.kappa, unused.alpha, unused.ac1, unused.ci_low))
    assert unused.percent == 1.0
    assert unused.to_dict()["kappa"] == "n/a"


def test_document_participant_and_character_units_by_hand(demo):
    family = {"E4"}
    codings = _codings(demo, family)
    # document unit: did the coder use the code anywhere in the document?
    doc = agreement_table(demo, coders=("amira", "ben"), unit="document", code="E4",
                          n_boot=50)
    a = {d for d, _, _ in codings["amira"]}
    b = {d for d, _, _ in codings["ben"]}
    r = _row(doc, "E4")
    assert (r.both, r.only_a, r.only_b, r.neither) == (
        len(a & b), len(a - b), len(b - a), len(DOCS) - len(a | b))
    # character unit: sets of (document, offset)
    chars = {coder: {(d, i) for d, s, e in spans for i in range(s, e)}
             for coder, spans in codings.items()}
    total = sum(len(get_document(demo, d).text) for d in DOCS)
    ch = _row(agreement_table(demo, coders=("amira", "ben"), unit="character", code="E4",
                              n_boot=50), "E4")
    ca, cb = chars["amira"], chars["ben"]
    assert (ch.both, ch.only_a, ch.only_b, ch.units) == (
        len(ca & cb), len(ca - cb), len(cb - ca), total)
    assert ch.kappa == pytest.approx(_kappa_by_hand(ch.both, ch.only_a, ch.only_b, ch.neither))
    # participant unit: participants whose turns a coding touches
    turns = [(d, t.start, t.end, t.participant) for d in DOCS
             for t in get_document(demo, d).turns if t.participant]
    who = {coder: {p for d, ts, te, p in turns for cd, s, e in spans
                   if cd == d and s < te and e > ts} for coder, spans in codings.items()}
    people = {p for *_, p in turns}
    pr = _row(agreement_table(demo, coders=("amira", "ben"), unit="participant", code="E4",
                              n_boot=50), "E4")
    pa, pb = who["amira"], who["ben"]
    assert (pr.both, pr.only_a, pr.only_b, pr.neither) == (
        len(pa & pb), len(pa - pb), len(pb - pa), len(people - pa - pb))


def test_bootstrap_ci_reproducible_and_equal_to_generic_document_bootstrap(demo):
    t1 = agreement_table(demo, coders=("amira", "ben"), unit="turn", code="2", seed=11,
                         n_boot=300)
    t2 = agreement_table(demo, coders=("amira", "ben"), unit="turn", code="2", seed=11,
                         n_boot=300)
    r1, r2 = _row(t1, "2"), _row(t2, "2")
    assert (r1.ci_low, r1.ci_high) == (r2.ci_low, r2.ci_high)
    # the same interval from the slow generic bootstrap over per-document label lists
    turns, a, b = _turn_sets(demo, {"2", "2a", "2b", "2c", "2d"})
    groups = []
    for d in DOCS:
        keys = [(dd, ts) for dd, ts, _ in turns if dd == d]
        groups.append(([k in a for k in keys], [k in b for k in keys]))
    ci = bootstrap_ci(groups, cohen_kappa, n_boot=300, seed=11)
    assert r1.ci_low == pytest.approx(ci.low)
    assert r1.ci_high == pytest.approx(ci.high)


def test_span_matching_counts_by_hand(demo):
    table = span_table(demo, coders=("amira", "ben"), code="E4", threshold=0.5)
    spans = _codings(demo, {"E4"})
    a, b = sorted(set(spans["amira"])), sorted(set(spans["ben"]))
    # greedy one-to-one by shared length, written out with plain loops
    cands = sorted(
        ((-(min(ea, eb) - max(sa, sb)), i, j)
         for i, (da, sa, ea) in enumerate(a) for j, (db, sb, eb) in enumerate(b)
         if da == db and min(ea, eb) - max(sa, sb) >= 0.5 * min(ea - sa, eb - sb)
         and min(ea, eb) > max(sa, sb)))
    used_a, used_b = set(), set()
    for _, i, j in cands:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
    row = _row(table, "E4")
    assert (row.a_codings, row.b_codings, row.matched) == (len(a), len(b), len(used_a))
    assert (row.only_a, row.only_b) == (len(a) - len(used_a), len(b) - len(used_b))
    stricter = _row(span_table(demo, coders=("amira", "ben"), code="E4", threshold=1.0), "E4")
    assert stricter.matched <= row.matched


def test_swapping_coders_swaps_only_the_one_sided_counts(demo):
    ab = agreement_table(demo, coders=("amira", "ben"), unit="sentence", n_boot=50, seed=2)
    ba = agreement_table(demo, coders=("ben", "amira"), unit="sentence", n_boot=50, seed=2)
    for x, y in zip([*ab.rows, ab.pooled], [*ba.rows, ba.pooled], strict=True):
        assert (x.both, x.only_a, x.only_b, x.neither) == (y.both, y.only_b, y.only_a,
                                                           y.neither)
        for name in ("kappa", "alpha", "ac1", "pabak"):
            u, v = getattr(x, name), getattr(y, name)
            assert (is_na(u) and is_na(v)) or u == pytest.approx(v)
