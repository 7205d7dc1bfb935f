"""Questionnaire scoring: hand-computed rows, key validation, splits and SCS conformance data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from themeqa.core.scales import (
    SCS26,
    SCS_SF,
    ScaleError,
    ScaleKey,
    ScaleKeyError,
    detect_item_columns,
    get_key,
    score_scale,
    split_groups,
)

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
SCS_DIR = CONFORMANCE / "scs"
needs_scs = pytest.mark.skipif(
    not SCS_DIR.is_dir(), reason=f"conformance data not present at {SCS_DIR}"
)

SCS_COLUMNS = [
    "self_kindness",
    "self_judgment",
    "common_humanity",
    "isolation",
    "mindfulness",
    "over_identification",
    "total",
]
NAN = np.nan


def scs_row(**items: float) -> list[float]:
    """26 item values, all 3 unless given as i<k>=value."""
    row = [3.0] * 26
    for name, value in items.items():
        row[int(name[1:]) - 1] = value
    return row


def hand_rows() -> pd.DataFrame:
    # Row "mixed" (hand computation):
    #   SK 5,12,19,23,26 = 4,4,5,3,4         -> 20/5 = 4.0
    #   SJ 1,8,11,16,21  = 2,3,2,NaN,1       -> raw (2+3+2+1)/4 = 2.0 (prorated), reversed 4.0
    #   CH 3,7,10,15     = 3,4,4,5           -> 16/4 = 4.0
    #   IS 4,13,18,25    = 2,2,3,1           -> raw 8/4 = 2.0, reversed 4.0
    #   MI 9,14,17,22    = 5,4,4,5           -> 18/4 = 4.5
    #   OI 2,6,20,24     = 1,2,2,1           -> raw 6/4 = 1.5, reversed 4.5
    #   total = (4 + 4 + 4 + 4 + 4.5 + 4.5) / 6 = 25/6
    mixed = scs_row(
        i5=4, i12=4, i19=5, i23=3, i26=4,
        i1=2, i8=3, i11=2, i16=NAN, i21=1,
        i3=3, i7=4, i10=4, i15=5,
        i4=2, i13=2, i18=3, i25=1,
        i9=5, i14=4, i17=4, i22=5,
        i2=1, i6=2, i20=2, i24=1,
    )  # fmt: skip
    positive_max = [1.0 if i in SCS26.reversed_items else 5.0 for i in range(1, 27)]
    two_missing = scs_row(i4=NAN, i13=NAN)  # isolation loses 2 of 4 items
    rows = [scs_row(), positive_max, mixed, two_missing]
    cols = [f"scs_{i}" for i in range(1, 27)]
    return pd.DataFrame(rows, columns=cols, index=["P01", "P02", "P03", "P04"])


def test_scs26_hand_computed_rows():
    got = score_scale(hand_rows(), "scs26")
    assert list(got.columns) == SCS_COLUMNS
    assert list(got.index) == ["P01", "P02", "P03", "P04"]
    expected = pd.DataFrame(
        [
            [3, 3, 3, 3, 3, 3, 3],
            # all negative items answered 1: raw negative means 1, reversed 5, total 5
            [5, 1, 5, 1, 5, 1, 5],
            [4.0, 2.0, 4.0, 2.0, 4.5, 1.5, 25 / 6],
            # isolation has 2 of 4 items missing -> NaN, and so the total
            [3, 3, 3, NAN, 3, 3, NAN],
        ],
        columns=SCS_COLUMNS,
        index=got.index,
        dtype=float,
    )
    pd.testing.assert_frame_equal(got, expected)


def test_negative_subscales_are_reported_raw_but_reversed_in_total():
    got = score_scale(hand_rows(), SCS26).loc["P03"]
    keyed = [got.self_kindness, 6 - got.self_judgment, got.common_humanity]
    keyed += [6 - got.isolation, got.mindfulness, 6 - got.over_identification]
    assert got.total == pytest.approx(np.mean(keyed))


def test_item_detection_variants_and_order():
    base = hand_rows()
    for fmt in ("SCS{}", "item{:02d}", "scs_{}"):
        df = base.copy()
        df.columns = [fmt.format(i) for i in range(1, 27)]
        df = df[list(reversed(df.columns))]  # shuffled order: 26 first
        df["age"] = 30
        df["scs_total_raw"] = 1
        pd.testing.assert_frame_equal(score_scale(df, "scs26"), score_scale(base, "scs26"))


def test_item_1_never_matches_item_11():
    # the whole trailing number is read: x_11 is item 11, so x_{1,2,3,11} is not items 1..3
    with pytest.raises(ScaleError, match="4 numbered columns"):
        detect_item_columns(["x_11", "x_1", "x_3", "x_2"], 3)
    cols = [f"x_{i}" for i in (11, 1, 12, 3, 2, 10, 4, 5, 6, 7, 8, 9)]
    assert detect_item_columns(cols, 12) == [f"x_{i}" for i in range(1, 13)]


def test_item_detection_errors():
    with pytest.raises(ScaleError, match="could not find item columns"):
        detect_item_columns(["a", "b"], 12)
    with pytest.raises(ScaleError, match="several column sets"):
        detect_item_columns([f"a{i}" for i in range(1, 4)] + [f"b{i}" for i in range(1, 4)], 3)


def test_detect_exact_range_with_11():
    cols = [f"q{i}" for i in range(1, 13)]
    assert detect_item_columns(list(reversed(cols)), 12) == cols


def test_explicit_items_list():
    df = hand_rows()
    df.columns = [f"c{i}" for i in range(26)]
    got = score_scale(df, "scs26", items=[f"c{i}" for i in range(26)])
    pd.testing.assert_frame_equal(got, score_scale(hand_rows(), "scs26"))
    with pytest.raises(ScaleError, match="26 items"):
        score_scale(df, "scs26", items=["c0"])


def test_out_of_range_value_names_row_and_column():
    df = hand_rows()
    df.loc["P02", "scs_4"] = 6
    with pytest.raises(ScaleError) as err:
        score_scale(df, "scs26")
    assert err.value.row == "P02" and err.value.column == "scs_4"
    assert "'P02'" in str(err.value) and "'scs_4'" in str(err.value)


def test_non_numeric_value_names_row_and_column():
    df = hand_rows().astype(object)
    df.loc["P03", "scs_7"] = "often"
    with pytest.raises(ScaleError, match=r"row 'P03', column 'scs_7'"):
        score_scale(df, "scs26")


def test_numeric_strings_and_blanks_are_accepted():
    df = hand_rows().astype(object)
    df.loc["P01", "scs_7"] = " 3 "
    df.loc["P01", "scs_8"] = ""
    got = score_scale(df, "scs26").loc["P01"]
    assert got.common_humanity == 3.0 and got.self_judgment == 3.0  # blank = missing, prorated


def test_scs_sf_hand_row():
    # items 1..12 = 2,4,4,2,3,5,4,1,2,3,2,1; reversed 1,4,8,9,11,12 -> 4,4,5,4,4,5
    # keyed = 4,4,4,4,3,5,4,5,4,3,4,5 -> total 49/12
    row = [2, 4, 4, 2, 3, 5, 4, 1, 2, 3, 2, 1]
    df = pd.DataFrame([row], columns=[f"scssf_{i}" for i in range(1, 13)], index=[7])
    got = score_scale(df, "scs_sf")
    assert list(got.index) == [7]
    assert got.loc[7].to_dict() == pytest.approx(
        {
            "self_kindness": 4.5,  # items 2, 6
            "self_judgment": 1.5,  # raw items 11, 12
            "common_humanity": 3.0,  # items 5, 10
            "isolation": 1.5,  # raw items 4, 8
            "mindfulness": 4.0,  # items 3, 7
            "over_identification": 2.0,  # raw items 1, 9
            "total": 49 / 12,
        }
    )


def test_user_key_sum_of_items_prorated():
    key = ScaleKey("mini", n_items=4, min_value=0, max_value=3, reversed_items=(2,),
                   total="sum_of_items")  # fmt: skip
    df = pd.DataFrame(
        {"m1": [3, 3, 1], "m2": [0, 0, NAN], "m3": [2, 2, NAN], "m4": [1, NAN, 0]},
        index=["a", "b", "c"],
    )
    got = score_scale(df, key)
    assert list(got.columns) == ["total"]
    # a: keyed 3,3,2,1 = 9; b: keyed 3,3,2 -> mean 8/3 * 4 items; c: two missing -> NaN
    assert got.total.iloc[0] == 9
    assert got.total.iloc[1] == pytest.approx(32 / 3)
    assert np.isnan(got.total.iloc[2])


def test_user_key_mean_of_items_with_subscales():
    key = ScaleKey(
        "k",
        n_items=4,
        min_value=1,
        max_value=7,
        reversed_items=(4,),
        subscales={"a": (1, 2), "b": (3, 4)},
        total="mean_of_items",
    )
    df = pd.DataFrame([[1, 2, 3, 7], [1, NAN, 3, 5]], columns=["i1", "i2", "i3", "i4"])
    got = score_scale(df, key)
    # row 0: keyed 1,2,3,1 -> a 1.5, b 2.0 (mixed subscale uses reversed items), total 7/4
    # row 1: a prorated = 1, b = (3 + 3)/2 = 3, total = mean(1, 3, 3) = 7/3
    np.testing.assert_allclose(got.to_numpy(), [[1.5, 2.0, 1.75], [1.0, 3.0, 7 / 3]])


def test_scale_key_validation_names_the_field():
    cases = [
        (dict(reversed_items=(0,)), "reversed"),
        (dict(subscales={"a": (1, 2), "b": (2, 3)}), "subscales.b"),
        (dict(subscales={"a": (1, 9)}), "subscales.a"),
        (dict(total="median"), "total"),
        (dict(total="mean_of_subscales"), "total"),
        (dict(subscales={"a": (1, 2)}, raw_subscales=("a",), reversed_items=(1,)),
         "raw_subscales"),
        (dict(min_value=5, max_value=1), "range"),
        (dict(n_items=0), "items"),
    ]  # fmt: skip
    for overrides, field in cases:
        kwargs = dict(name="k", n_items=4, min_value=1, max_value=5) | overrides
        with pytest.raises(ScaleKeyError) as err:
            ScaleKey(**kwargs)
        assert err.value.field == field, overrides


def test_keys_are_frozen_and_hashable():
    assert hash(SCS26) == hash(get_key("SCS26"))
    with pytest.raises(AttributeError):
        SCS26.n_items = 3  # type: ignore[misc]
    assert SCS26.output_columns == SCS_COLUMNS
    with pytest.raises(ScaleError, match="unknown scale"):
        get_key("bdi")


def test_split_groups_median_tie_goes_high():
    s = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, NAN], index=list("abcdef"), name="total")
    got = split_groups(s)
    assert got.attrs["threshold"] == 3.0
    assert got.iloc[:5].tolist() == ["Low", "Low", "High", "High", "High"]
    assert pd.isna(got["f"])
    assert list(got.index) == list("abcdef") and got.name == "total"


def test_split_groups_cut_and_labels():
    got = split_groups([2.84, 2.85, 2.86], cut=2.85, labels=("lo", "hi"))
    assert got.tolist() == ["lo", "hi", "hi"]
    assert got.attrs["threshold"] == 2.85
    with pytest.raises(ValueError):
        split_groups([1, 2], method="cut")
    with pytest.raises(ValueError):
        split_groups([1, 2], method="tertile")


# --- conformance: real SCS data (ccaudek/rescue_workers_assessment) ---------------------------

N_ITEMS = {"self_kindness": 5, "self_judgment": 5, "common_humanity": 4, "isolation": 4,
           "mindfulness": 4, "over_identification": 4}  # fmt: skip
AUTHORS_RAW_NEG = {"self_judgment": "sj", "isolation": "is", "over_identification": "oi"}


@needs_scs
def test_scs26_matches_authors_scores():
    """The authors report subscale *sums*, not means, and (unlike Neff) their columns
    ``self_judgment``, ``isolation``, ``over_identification`` are sums of the *reversed* items;
    ``sj``, ``is``, ``oi`` are the raw sums. So for every row:

    * positive subscales: our mean x n_items == authors' sum;
    * negative subscales: our (raw) mean x n == ``sj``/``is``/``oi`` and
      (6 - our mean) x n == ``self_judgment``/``isolation``/``over_identification``;
    * our total == mean of the six authors' (reversed) sums divided by their item counts.
    """
    items = pd.read_csv(SCS_DIR / "scs26_items.csv", index_col="participant")
    authors = pd.read_csv(SCS_DIR / "scs26_authors_scores.csv", index_col="participant")
    assert list(items.index) == list(authors.index)
    ours = score_scale(items, "scs26")
    assert not ours.isna().any().any()
    for name, n in N_ITEMS.items():
        if name in AUTHORS_RAW_NEG:
            np.testing.assert_allclose(ours[name] * n, authors[AUTHORS_RAW_NEG[name]])
            np.testing.assert_allclose((6 - ours[name]) * n, authors[name])
        else:
            np.testing.assert_allclose(ours[name] * n, authors[name])
    expected_total = sum(authors[name] / n for name, n in N_ITEMS.items()) / 6
    np.testing.assert_allclose(ours["total"], expected_total)


@needs_scs
def test_authors_ts_sc_is_not_neffs_total():
    """Surprise in the authors' file: ``ts_sc = pos_sc + neg_sc`` where ``neg_sc`` is the sum of
    the *unreversed* negative items, i.e. the plain sum of all 26 raw responses. Neff's total
    (as a sum) is ``pos_self_compassion + neg_self_compassion`` (negatives reversed). We check
    the relation and that ``ts_sc`` is not a function of our total."""
    items = pd.read_csv(SCS_DIR / "scs26_items.csv", index_col="participant")
    authors = pd.read_csv(SCS_DIR / "scs26_authors_scores.csv", index_col="participant")
    ours = score_scale(items, "scs26")
    raw_sum = sum(ours[name] * n for name, n in N_ITEMS.items())
    np.testing.assert_allclose(authors["ts_sc"], raw_sum)
    np.testing.assert_allclose(
        authors["ts_sc"], items[[f"scs_{i}" for i in range(1, 27)]].sum(axis=1)
    )
    neff_sum = authors["pos_self_compassion"] + authors["neg_self_compassion"]
    np.testing.assert_allclose(
        neff_sum, items[[f"scs_{i}" for i in range(1, 27)]].sum(axis=1)
        + 6 * len(SCS26.reversed_items) - 2 * items[
            [f"scs_{i}" for i in SCS26.reversed_items]].sum(axis=1),
    )  # fmt: skip
    assert (authors["ts_sc"] != neff_sum).mean() > 0.9


@needs_scs
def test_scs_sf_derived_scores_without_error():
    sf = pd.read_csv(SCS_DIR / "scs_sf_items_derived.csv", index_col="participant")
    ours = score_scale(sf, "scs_sf")
    assert len(ours) == len(sf) and not ours.isna().any().any()
    assert ours["total"].between(1, 5).all()


@needs_scs
def test_scs_sf_key_is_long_form_key_through_item_correspondence():
    """Raes et al. (2011): short-form item k is long-form item CORR[k-1]. The SF subscales and
    reversals must be the SCS-26 ones carried through that correspondence, and the derived
    file's items must equal the long-form items."""
    corr = [6, 26, 14, 13, 15, 12, 9, 25, 2, 10, 1, 11]
    long_sub = {i: name for name, its in SCS26.subscale_map.items() for i in its}
    for name, its in SCS_SF.subscale_map.items():
        assert all(long_sub[corr[k - 1]] == name for k in its)
    assert {corr[k - 1] for k in SCS_SF.reversed_items} <= set(SCS26.reversed_items)
    assert len(SCS_SF.reversed_items) == sum(c in SCS26.reversed_items for c in corr)
    items = pd.read_csv(SCS_DIR / "scs26_items.csv", index_col="participant")
    sf = pd.read_csv(SCS_DIR / "scs_sf_items_derived.csv", index_col="participant")
    for k, c in enumerate(corr, start=1):
        assert (sf[f"scssf_{k}"] == items[f"scs_{c}"]).all()
