"""themeqa.limits and ingest.xlsx: each limit refuses what is over it, in milliseconds, and
lets through what a study holds.

The numbers in the assertions are the limits' own (docs/safety.md); each hostile input is
paired with a harmless one just inside the limit, so a limit set too tight fails too.
"""

from __future__ import annotations

import io
import time

import pytest
import yaml

from tests.hostile import hostile_files as hf
from themeqa import limits
from themeqa.limits import LimitError, csv_rows, load_yaml, parse_count, short


def test_whole_numbers_up_to_18_digits_and_no_further():
    assert parse_count(" 007 ") == 7
    assert parse_count("9" * 18) == 10**18 - 1
    assert parse_count("0" * 5000 + "12") == 12  # leading zeros are not digits that count
    assert parse_count("1e3") is None and parse_count("-1") is None and parse_count("") is None
    started = time.perf_counter()
    with pytest.raises(LimitError, match=r"has 5,000 digits \(at most 18\)"):
        parse_count("9" * 5000)
    assert time.perf_counter() - started < 0.1


def test_short_keeps_messages_short():
    assert short("P01") == "'P01'"
    cut = short("9" * 100_000)
    assert len(cut) < 70 and cut.endswith("(100,000 characters)")


def test_csv_fields_up_to_the_limit_and_a_clear_error_beyond():
    field = "x" * limits.MAX_CSV_FIELD
    assert csv_rows(f"a,b\n1,{field}\n")[1][1] == field
    with pytest.raises(LimitError, match=r"^row 2: a field longer than 1,048,576 characters"):
        csv_rows(f"a,b\n1,{field}x\n")
    with pytest.raises(LimitError, match="quote that is never closed"):
        csv_rows('a,b\n1,"' + "y" * (limits.MAX_CSV_FIELD + 10))


def test_csv_cell_count_is_bounded(monkeypatch):
    monkeypatch.setattr(limits, "MAX_TABLE_CELLS", 10)
    assert len(csv_rows("a,b\n" * 5)) == 5
    with pytest.raises(LimitError, match="more than 10 cells"):
        csv_rows("a,b\n" * 6)


def test_yaml_aliases_within_the_limits_are_read():
    doc = load_yaml("base: &b {x: 1}\nuses: [*b, *b]\n")
    assert doc == {"base": {"x": 1}, "uses": [{"x": 1}, {"x": 1}]}
    many = "a: &a 1\nb: [" + ", ".join(["*a"] * limits.MAX_YAML_ALIASES) + "]\n"
    assert len(load_yaml(many)["b"]) == limits.MAX_YAML_ALIASES


@pytest.mark.parametrize("source,problem", [
    (hf.yaml_alias_bomb().decode(), "more than 250,000 values once aliases are expanded"),
    ("a: &a 1\nb: [" + ", ".join(["*a"] * 101) + "]\n", "more than 100 aliases"),
    (hf.yaml_cycle().decode(), "alias *t refers to a value that contains it (a cycle)"),
    (hf.yaml_deep().decode(), "nested more than 100 levels deep"),
    ("x:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(150)), "nested more than 100"),
], ids=["bomb", "aliases", "cycle", "flow-depth", "block-depth"])
def test_yaml_bombs_cycles_and_depth_are_refused_fast(source, problem):
    started = time.perf_counter()
    with pytest.raises(yaml.YAMLError) as caught:
        load_yaml(source)
    assert problem in str(caught.value)
    assert time.perf_counter() - started < 1.0


def test_yaml_loader_stays_safe():
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']\n")
    with pytest.raises(TypeError):
        load_yaml("a: 1", yaml.UnsafeLoader)


def test_document_limit_is_configurable(monkeypatch):
    assert limits.document_limit() == 10 * 2**20
    monkeypatch.setenv(limits.DOCUMENT_LIMIT_ENV, "0.5")
    assert limits.document_limit() == 2**19
    with pytest.raises(LimitError, match=r"is 1.0 MB; documents of up to 0 MB"):
        limits.check_document_size(2**20)
    monkeypatch.setenv(limits.DOCUMENT_LIMIT_ENV, "lots")
    assert limits.document_limit() == 10 * 2**20


def test_a_big_transcript_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from themeqa.ingest.model import IngestError
    from themeqa.ingest.readers import read_source

    monkeypatch.setenv(limits.DOCUMENT_LIMIT_ENV, "1")
    path = tmp_path / "S1.txt"
    path.write_bytes(hf.big_transcript(2**20 + 1000))
    with pytest.raises(IngestError, match=r"^S1.txt: the file is 1.0 MB; documents of up to 1 MB"):
        read_source(path)
    small = tmp_path / "S2.txt"
    small.write_bytes(hf.big_transcript(2**20)[: 2**20 - 200])
    assert len(read_source(small).documents[0].text) < 2**20


# --- xlsx ----------------------------------------------------------------------------------

def _xlsx(cells: dict[str, object]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    for ref, value in cells.items():
        wb.active[ref] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_rows_are_sparse_and_keep_their_numbers():
    from themeqa.ingest.xlsx import xlsx_rows

    rows = xlsx_rows(_xlsx({"A1": "id", "B1": "x", "A3": "P01", "B3": 2.5, "D5": "far"}))
    assert rows == [(1, ["id", "x"]), (3, ["P01", 2.5]), (5, [None, None, None, "far"])]


def test_a_far_cell_costs_milliseconds_not_a_million_rows():
    from themeqa.ingest.xlsx import xlsx_rows

    started = time.perf_counter()
    rows = xlsx_rows(hf.xlsx_far_participants())
    assert time.perf_counter() - started < 2.0
    assert [number for number, _ in rows] == [1, 2, 1_048_576]
    assert len(rows[-1][1]) == 16_384 and rows[-1][1][-1] == "far"


def test_a_table_made_too_wide_by_a_far_cell_is_refused(monkeypatch):
    from themeqa.ingest import xlsx

    monkeypatch.setattr(xlsx, "MAX_TABLE_CELLS", 1000)
    cells = {f"A{i}": f"P{i}" for i in range(1, 200)}
    cells["XFD1048576"] = "far"
    with pytest.raises(LimitError, match=r"a value in cell XFD1048576 makes the table 16,384"):
        xlsx.xlsx_rows(_xlsx(cells))
