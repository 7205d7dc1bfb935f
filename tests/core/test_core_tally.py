"""Participant tallies on a hand-built study whose right answers are worked out below.

The study (offsets are code points, end-exclusive):

    participants  P01 M S1 initial+follow-up   P02 M S1 initial
                  P03 I S2 initial (also speaks in S1's transcript)
                  P04 I S2 follow-up only (one written response)
                  P05 I S2 initial
    d1 transcript S1 initial: Facilitator [0,20) P01 [20,60) P02 [60,100) P03 [100,140)
    d2 transcript S2 initial: Facilitator [0,30) P03 [30,70) P05 [70,120)
                              P03 cross-talk [100,105) (overlaps P05's turn)
    d3 written follow-up by P01 (turn [0,50));  d4 written follow-up by P04 (turn [0,40))
    codes 1 > 1a, 1b;  2 (nobody);  3 > 3a

Codings (amira unless said) and whom they credit:

    c0  d1 [5,15)    1a  facilitator only                  -> nobody
    c1  d1 [15,25)   1a  facilitator + P01                 -> P01
    c2  d1 [55,65)   1b  P01 + P02                         -> P01, P02
    c3  d1 [105,115) 1a  P03 in S1                         -> P03
    c4  d2 [40,50)   1a  P03 in S2 (quote flag)            -> P03 (again: still one)
    c5  d2 [106,110) 3   P05 (cross-talk ended at 105)     -> P05
    c6  d2 [101,103) 1b  P05 + P03 cross-talk              -> P05, P03
    c7  d3 [0,10)    1a  P01 written                       -> P01
    c8  d4 [45,48)   1b  P04 written, outside the turn     -> P04
    c9  d1 [40,60)   3   ends where P02 starts             -> P01 only
    c10 d1 [20,30)   3a  ben                               -> P01 (union layer only)
    c11 d1 [60,70)   2   consensus layer                   -> P02 (consensus only)

Hence, amira's layer with roll-up: 1a {P01,P03} = 2; 1b {P01..P05} = 5; 1 = 1a ∪ 1b = 5
(not 2 + 5 = 7); 2 = 0; 3 {P01,P05} = 2; 3a = 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from themeqa.core.agreement_units import participant_presence
from themeqa.core.tally import (
    TOTAL,
    ancestor_pairs,
    attribute_codings,
    choose_quotes,
    clean_quote,
    cooccurrence,
    cooccurrence_pairs,
    percent,
    presence_matrix,
    select_layer,
    tally,
)


@pytest.fixture
def study():
    participants = pd.DataFrame(
        {
            "participant": ["P01", "P02", "P03", "P04", "P05"],
            "condition": ["M", "M", "I", "I", "I"],
            "session": ["S1", "S1", "S2", "S2", "S2"],
            "timepoints": [
                ("initial", "follow-up"),
                ("initial",),
                ("initial",),
                ("follow-up",),
                ("initial",),
            ],
        }
    )
    documents = pd.DataFrame(
        {
            "document": [1, 2, 3, 4],
            "kind": ["transcript", "transcript", "written", "written"],
            "timepoint": ["initial", "initial", "follow-up", "follow-up"],
            "session": ["S1", "S2", "S1", "S2"],
            "participant": [None, None, "P01", "P04"],
        }
    )
    turns = pd.DataFrame(
        [
            (1, 0, 20, None),
            (1, 20, 60, "P01"),
            (1, 60, 100, "P02"),
            (1, 100, 140, "P03"),
            (2, 0, 30, None),
            (2, 30, 70, "P03"),
            (2, 70, 120, "P05"),
            (2, 100, 105, "P03"),
            (3, 0, 50, "P01"),
            (4, 0, 40, "P04"),
        ],
        columns=["document", "start", "end", "participant"],
    )
    codes = pd.DataFrame(
        [
            (10, "ix", "1", "Alpha", None, 1),
            (11, "ix", "1a", "Alpha a", 10, 2),
            (12, "ix", "1b", "Alpha b", 10, 2),
            (20, "ix", "2", "Beta", None, 1),
            (30, "ix", "3", "Gamma", None, 1),
            (31, "ix", "3a", "Gamma a", 30, 2),
        ],
        columns=["code", "codebook", "label", "name", "parent", "depth"],
    )
    rows = [
        (100, 1, 5, 15, 11, "amira", "coder", False),
        (101, 1, 15, 25, 11, "amira", "coder", False),
        (102, 1, 55, 65, 12, "amira", "coder", False),
        (103, 1, 105, 115, 11, "amira", "coder", False),
        (104, 2, 40, 50, 11, "amira", "coder", True),
        (105, 2, 106, 110, 30, "amira", "coder", False),
        (106, 2, 101, 103, 12, "amira", "coder", False),
        (107, 3, 0, 10, 11, "amira", "coder", False),
        (108, 4, 45, 48, 12, "amira", "coder", False),
        (109, 1, 40, 60, 30, "amira", "coder", False),
        (110, 1, 20, 30, 31, "ben", "coder", False),
        (111, 1, 60, 70, 20, "lead", "consensus", False),
    ]
    codings = pd.DataFrame(
        rows, columns=["id", "document", "start", "end", "code", "coder", "layer", "quote"]
    )
    return codings, turns, documents, participants, codes


def _run(study, **kw):
    codings, turns, documents, participants, codes = study
    return tally(codings, turns, documents, participants, codes, **kw)


def _totals(result):
    return dict(zip(result.codes["label"], result.counts[:, 0].tolist(), strict=True))


def test_attribution_per_coding(study):
    codings, turns, documents, _, _ = study
    hits = attribute_codings(codings, turns, documents)
    got = {}
    for pos, pid in zip(hits["coding"], hits["participant"], strict=True):
        got.setdefault(int(codings["id"][pos]), set()).add(pid)
    assert got == {
        101: {"P01"},
        102: {"P01", "P02"},
        103: {"P03"},
        104: {"P03"},
        105: {"P05"},
        106: {"P05", "P03"},
        107: {"P01"},
        108: {"P04"},
        109: {"P01"},
        110: {"P01"},
        111: {"P02"},
    }  # 100 (facilitator only) credits nobody
    overlap = hits.set_index(["coding", "participant"])["overlap"]
    assert overlap[(2, "P01")] == 5 and overlap[(2, "P02")] == 5  # c2: 55-60 and 60-65
    assert overlap[(1, "P01")] == 5  # c1: 20-25 of 15-25


def test_totals_rollup_and_layers(study):
    amira = _run(study, layer="coder:amira", by=())
    assert _totals(amira) == {"1": 5, "1a": 2, "1b": 5, "2": 0, "3": 2, "3a": 0}
    assert amira.layer == "coder amira"
    flat = _run(study, layer="coder:amira", by=(), rollup=False)
    # without roll-up "1" has no codings of its own
    assert _totals(flat) == {"1": 0, "1a": 2, "1b": 5, "2": 0, "3": 2, "3a": 0}
    union = _run(study, layer="union", by=())
    assert _totals(union) == {"1": 5, "1a": 2, "1b": 5, "2": 0, "3": 2, "3a": 1}
    assert union.layer == "union of coders (amira, ben)"
    # consensus: d1 was reconciled (it has a consensus coding), so d1 counts c11 only (2: P02)
    # and the other documents count the coders' layers: 1a P03 (c4) P01 (c7); 1b P05 P03 (c6)
    # P04 (c8); 3 P05 (c5)
    consensus = _run(study, layer="consensus", by=())
    assert _totals(consensus) == {"1": 4, "1a": 2, "1b": 3, "2": 1, "3": 1, "3a": 0}
    assert consensus.layer == (
        "consensus on the 1 reconciled document, union of coders (amira) elsewhere"
    )
    # auto reads consensus only on the documents the caller says are reconciled (the service
    # passes those whose credibility check is complete): a consensus coding is not enough
    assert _run(study, by=()).layer == union.layer
    assert _run(study, by=(), reconciled_documents=[1]).layer == consensus.layer
    # a reconciled document may end with no consensus coding at all (every decision "neither"):
    # d2 reconciled too leaves d1's c11 (2: P02), d3's c7 (1a: P01), d4's c8 (1b: P04)
    strict = _run(study, layer="consensus", by=(), reconciled_documents=[1, 2])
    assert _totals(strict) == {"1": 2, "1a": 1, "1b": 1, "2": 1, "3": 0, "3a": 0}


def test_auto_is_union_without_consensus(study):
    codings, *rest = study
    no_consensus = codings[codings["layer"] != "consensus"]
    result = tally(no_consensus, *rest, by=())
    assert result.layer.startswith("union")
    assert _totals(result)["3a"] == 1


def test_bad_layer_and_grouping(study):
    with pytest.raises(ValueError, match="no codings by coder 'zoe'"):
        _run(study, layer="coder:zoe")
    with pytest.raises(ValueError, match="unknown layer"):
        _run(study, layer="both")
    with pytest.raises(ValueError, match="break down"):
        _run(study, by=("gender",))


def test_by_condition(study):
    r = _run(study, layer="coder:amira", by=("condition",))
    assert r.columns == [("M",), ("I",)]
    assert r.denominators == {TOTAL: 5, ("M",): 2, ("I",): 3}
    assert r.n(11, ("M",)) == 1 and r.n(11) == 2  # codes are ids; labels are for display
    expect = {  # label: (M, I) worked out from the table in the module docstring
        "1": (2, 3),
        "1a": (1, 1),
        "1b": (2, 3),
        "2": (0, 0),
        "3": (1, 1),
        "3a": (0, 0),
    }
    got = {
        lbl: (int(r.counts[i, 1]), int(r.counts[i, 2])) for i, lbl in enumerate(r.codes["label"])
    }
    assert got == expect
    assert r.pct(12, ("I",)) == 100 and r.pct(11, ("I",)) == 33  # 1/3 -> 33
    assert r.by_condition(11) == {"M": 1, "I": 1}


def test_by_timepoint_follow_up_only_participant(study):
    r = _run(study, layer="coder:amira", by=("timepoint",))
    assert r.columns == [("initial",), ("follow-up",)]
    # initial: P01 P02 P03 P05 registered; follow-up: P01 and P04 (follow-up only)
    assert r.denominators[("initial",)] == 4 and r.denominators[("follow-up",)] == 2
    row = {lbl: i for i, lbl in enumerate(r.codes["label"])}
    # 1a initial: P01 (c1), P03 (c3, c4); follow-up: P01 (c7, written)
    assert r.counts[row["1a"], 1:].tolist() == [2, 1]
    # 1b initial: P01 P02 (c2), P03 P05 (c6); follow-up: P04 (c8)
    assert r.counts[row["1b"], 1:].tolist() == [4, 1]


def test_by_condition_and_timepoint(study):
    r = _run(study, layer="coder:amira", by=("condition", "timepoint"))
    assert r.columns == [("M", "initial"), ("M", "follow-up"), ("I", "initial"), ("I", "follow-up")]
    assert [r.denominators[c] for c in r.columns] == [2, 1, 2, 1]
    row = {lbl: i for i, lbl in enumerate(r.codes["label"])}
    assert r.counts[row["1b"], 1:].tolist() == [2, 0, 2, 1]
    assert r.counts[row["1a"], 1:].tolist() == [1, 1, 1, 0]


def test_by_session_counts_participant_once_in_own_session(study):
    r = _run(study, layer="coder:amira", by=("session",))
    assert r.columns == [("S1",), ("S2",)]
    row = {lbl: i for i, lbl in enumerate(r.codes["label"])}
    # P03 spoke in S1 and S2 but belongs to S2: 1a is P01 (S1) and P03 (S2)
    assert r.counts[row["1a"], 1:].tolist() == [1, 1]


def test_presence_and_cooccurrence(study):
    r = _run(study, layer="coder:amira", by=())
    m = presence_matrix(
        r, {c: f"ix:{lbl}" for c, lbl in zip(r.codes["code"], r.codes["label"], strict=True)}
    )
    assert m.index.tolist() == ["P01", "P02", "P03", "P04", "P05"]
    assert m["ix:1a"].tolist() == [True, False, True, False, False]
    assert m["ix:3"].tolist() == [True, False, False, False, True]
    assert not m["ix:2"].any() and m.dtypes.eq(bool).all()
    co = cooccurrence(r)
    assert co.loc[11, 30] == 1  # 1a and 3: P01
    assert co.loc[12, 30] == 2  # 1b and 3: P01, P05
    assert co.loc[12, 12] == 5 and co.loc[20, 20] == 0
    pairs = cooccurrence_pairs(r)
    as_set = {(a, b): n for a, b, n in pairs.itertuples(index=False)}
    assert (10, 11) not in as_set and (10, 12) not in as_set  # parent-child left out
    assert as_set[(11, 12)] == 2 and as_set[(12, 30)] == 2
    assert pairs["n"].is_monotonic_decreasing


def test_quotes(study):
    codings, turns, documents, _, _ = study
    chosen, _ = select_layer(codings, "coder:amira")
    chosen = chosen.reset_index(drop=True)
    hits = attribute_codings(chosen, turns, documents)
    q = choose_quotes(chosen, hits, window=(3, 12))
    assert q[11].coding == 104 and q[11].participant == "P03"  # flagged beats shorter ones
    assert q[12].coding == 108 and q[12].participant == "P04"  # shortest in the window (3)
    assert q[30].coding == 105  # 4 chars, in the window; c9 is 20
    assert 20 not in q and 10 not in q  # no own codings: no quote
    wide = choose_quotes(chosen, hits, window=(50, 60))
    assert wide[12].coding == 106  # nothing in the window: shortest overall (2 chars)
    q2 = choose_quotes(
        chosen[chosen["id"] == 102].reset_index(drop=True),
        attribute_codings(chosen[chosen["id"] == 102].reset_index(drop=True), turns, documents),
    )
    assert q2[12].participant == "P01"  # 5 chars each: tie to the first id
    assert clean_quote("  It  was\n warm.  ") == "It was warm."
    assert clean_quote("one two three four", limit=10) == "one two…"


def test_percent_rounds_half_up():
    assert percent(1, 8) == 13  # 12.5
    assert percent(5, 8) == 63  # 62.5
    assert percent(1, 3) == 33 and percent(2, 3) == 67
    assert percent(0, 5) == 0 and percent(3, 0) is None


def test_ancestor_pairs_and_cycle(study):
    *_, codes = study
    pairs = set(map(tuple, ancestor_pairs(codes).to_numpy().tolist()))
    assert {(11, 10), (12, 10), (31, 30), (10, 10)} <= pairs and (10, 11) not in pairs
    looped = codes.assign(parent=[31, 10, 10, None, 31, 30])
    with pytest.raises(ValueError, match="cycle"):
        ancestor_pairs(looped)


def test_matches_agreement_units_participant_presence():
    """Sparse attribution agrees with the dense painter of ``core.agreement_units``."""
    rng = np.random.default_rng(7)
    turn_rows, coding_rows = [], []
    for doc in range(30):
        pos = 0
        for _ in range(rng.integers(1, 12)):
            length = int(rng.integers(1, 40))
            who = None if rng.random() < 0.2 else f"P{rng.integers(1, 25):02d}"
            turn_rows.append((doc, pos, pos + length, who))
            pos += length + int(rng.integers(0, 3))
        for _ in range(rng.integers(0, 15)):
            s = int(rng.integers(0, pos + 5))
            coding_rows.append((doc, s, s + int(rng.integers(1, 60)), int(rng.integers(0, 5))))
    turns = pd.DataFrame(turn_rows, columns=["document", "start", "end", "participant"])
    codings = pd.DataFrame(coding_rows, columns=["document", "start", "end", "code"]).assign(
        coder="x", layer="coder"
    )
    documents = pd.DataFrame({"document": range(30), "kind": "transcript", "participant": None})
    hits = attribute_codings(codings, turns, documents)
    sparse = {
        (int(codings["code"][c]), p)
        for c, p in zip(hits["coding"], hits["participant"], strict=True)
    }
    dense = participant_presence(codings, turns, ["x"], list(range(5)))
    expected = {
        (code, dense.participants[j])
        for code, matrix in dense.presence.items()
        for j in np.flatnonzero(matrix[0])
    }
    assert sparse == expected and len(expected) > 20


def test_empty_layer_counts_zero_with_denominators(study):
    codings, turns, documents, participants, codes = study
    coders_only = codings[codings["layer"] == "coder"]
    r = tally(
        coders_only,
        turns,
        documents,
        participants,
        codes,
        layer="consensus",
        by=("condition", "timepoint"),
        reconciled_documents=[1, 2, 3, 4],  # all reconciled, no consensus coding kept
    )
    assert r.counts.shape == (6, 5) and not r.counts.any()
    assert r.denominators[("I", "follow-up")] == 1  # P04: denominators do not need codings
    assert not presence_matrix(r).to_numpy().any()
    assert (
        choose_quotes(
            coders_only.iloc[:0], attribute_codings(coders_only.iloc[:0], turns, documents)
        )
        == {}
    )
