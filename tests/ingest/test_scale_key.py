"""Scale keys from YAML: a valid key, the built-in keys written as YAML, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from themeqa.core.scales import SCS26, SCS_SF, ScaleKey, score_scale
from themeqa.ingest.scale_key import ScaleKeyFileError, load_scale_key, scale_key_from_mapping

VALID = """\
name: mini_resilience
items: 6
range: {min: 1, max: 5}
reversed: [2, 4, 6]
subscales:
  bounce_back: [1, 3, 5]
  struggle: [2, 4, 6]
raw_subscales: [struggle]
total: mean_of_items
citation: "made up for a test"
"""

SCS26_YAML = """\
items: 26
range: [1, 5]
reversed: [1, 2, 4, 6, 8, 11, 13, 16, 18, 20, 21, 24, 25]
subscales:
  self_kindness: [5, 12, 19, 23, 26]
  self_judgment: [1, 8, 11, 16, 21]
  common_humanity: [3, 7, 10, 15]
  isolation: [4, 13, 18, 25]
  mindfulness: [9, 14, 17, 22]
  over_identification: [2, 6, 20, 24]
raw_subscales: [self_judgment, isolation, over_identification]
total: mean_of_subscales
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_load_valid_key_and_score(tmp_path):
    key = load_scale_key(write(tmp_path, "mini.yaml", VALID))
    assert isinstance(key, ScaleKey)
    assert key.name == "mini_resilience" and key.n_items == 6
    assert (key.min_value, key.max_value) == (1, 5)
    assert key.reversed_items == (2, 4, 6)
    assert key.subscale_map == {"bounce_back": (1, 3, 5), "struggle": (2, 4, 6)}
    assert key.total == "mean_of_items" and key.citation == "made up for a test"
    df = pd.DataFrame([[5, 1, 4, 2, 5, 1]], columns=[f"br{i}" for i in range(1, 7)])
    got = score_scale(df, key).iloc[0]
    assert got.bounce_back == pytest.approx(14 / 3)
    assert got.struggle == pytest.approx(4 / 3)  # raw mean
    assert got.total == pytest.approx((5 + 5 + 4 + 4 + 5 + 5) / 6)


def test_builtin_scs26_as_yaml_equals_builtin(tmp_path):
    key = load_scale_key(write(tmp_path, "scs26.yml", SCS26_YAML))
    assert key.name == "scs26"  # defaults to the file name
    assert key == SCS26


def test_scs_sf_from_mapping_equals_builtin():
    data = {
        "name": "scs_sf",
        "items": 12,
        "range": {"min": 1, "max": 5},
        "reversed": [1, 4, 8, 9, 11, 12],
        "subscales": dict(SCS_SF.subscale_map.items()),
        "raw_subscales": ["self_judgment", "isolation", "over_identification"],
        "total": "mean_of_items",
    }
    data["subscales"] = {k: list(v) for k, v in data["subscales"].items()}
    assert scale_key_from_mapping(data) == SCS_SF


def test_total_defaults():
    base = {"name": "k", "items": 2, "range": [0, 4]}
    assert scale_key_from_mapping(base).total == "mean_of_items"
    with_sub = base | {"subscales": {"a": [1, 2]}}
    assert scale_key_from_mapping(with_sub).total == "mean_of_subscales"


@pytest.mark.parametrize(
    ("patch", "field", "pattern"),
    [
        ({"reverse": [1]}, "reverse", "unknown field"),
        ({"items": None}, "items", "whole number"),
        ({"items": "six"}, "items", "whole number"),
        ({"range": {"min": 1}}, "range", "min and max"),
        ({"range": {"min": 5, "max": 1}}, "range", "must be below"),
        ({"range": {"min": "a", "max": 5}}, "range.min", "number"),
        ({"reversed": [2, 9]}, "reversed", "outside 1..6"),
        ({"reversed": "2,4"}, "reversed", "list of item numbers"),
        ({"subscales": {"a": [1, 2], "b": [2, 3]}}, "subscales.b", "already in subscale"),
        ({"subscales": {"a": [1, 7]}}, "subscales.a", "outside 1..6"),
        ({"subscales": [1, 2]}, "subscales", "must map"),
        ({"total": "median"}, "total", "must be one of"),
        ({"raw_subscales": ["bounce_back"]}, "raw_subscales", "not reverse-scored"),
        ({"raw_subscales": ["nope"]}, "raw_subscales", "not a defined subscale"),
        ({"max_missing_per_subscale": -1}, "max_missing_per_subscale", ">= 0"),
        ({"name": ""}, "name", "non-empty"),
    ],
)
def test_errors_name_file_and_field(tmp_path, patch, field, pattern):
    import yaml

    data = yaml.safe_load(VALID)
    if "items" in patch and patch["items"] is None:
        del data["items"]
        patch = {}
        pattern = "is required"
    data.update(patch)
    p = write(tmp_path, "bad.yaml", yaml.safe_dump(data))
    with pytest.raises(ScaleKeyFileError, match=pattern) as err:
        load_scale_key(p)
    assert isinstance(err.value, ValueError)
    assert err.value.field == field
    assert str(p) in str(err.value) and repr(field) in str(err.value)


def test_invalid_yaml_and_non_mapping(tmp_path):
    with pytest.raises(
        ScaleKeyFileError, match=r"invalid YAML \(line 3, column 1\): expected ',' or ']'"
    ):
        load_scale_key(write(tmp_path, "a.yaml", "items: 3\nrange: [1, 5\n"))
    with pytest.raises(ScaleKeyFileError, match="expected a mapping"):
        load_scale_key(write(tmp_path, "b.yaml", "- 1\n- 2\n"))
    with pytest.raises(ScaleKeyFileError, match="cannot read file"):
        load_scale_key(tmp_path / "missing.yaml")


def test_yaml_tags_are_not_executed(tmp_path):
    evil = "!!python/object/apply:os.system ['echo hi']\n"
    with pytest.raises(ScaleKeyFileError, match="invalid YAML"):
        load_scale_key(write(tmp_path, "evil.yaml", evil))
