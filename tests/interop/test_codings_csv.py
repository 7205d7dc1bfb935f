"""The codings CSV exchange format: reading, validation of every row, writing, round trip."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from themeqa.interop.codings_csv import (
    CodingRow,
    CodingsFormatError,
    read_codings_csv,
    write_codings_csv,
)

HEADER = "document,start,end,code,coder,layer,quote\n"


def read_text(text: str, name: str = "codings.csv") -> list[CodingRow]:
    stream = io.StringIO(text)
    stream.name = name  # type: ignore[attr-defined]
    return read_codings_csv(stream)


def error_of(text: str) -> CodingsFormatError:
    with pytest.raises(CodingsFormatError) as info:
        read_text(text)
    return info.value


def test_reads_rows_with_row_numbers(tmp_path):
    path = tmp_path / "codings.csv"
    path.write_bytes(
        (
            "\ufeffDocument,Start,End,Code,Coder,Layer,Quote,extra\n"
            "S1_focus_group.txt,0,12,2a,alice,coder,1,ignored\n"
            "\n"
            "written_initial.csv#P03/q1_experience, 5 ,9, inhibitors::2 ,bob,Consensus,no,\n"
        ).encode()
    )
    rows = read_codings_csv(path)
    assert rows == [
        CodingRow("S1_focus_group.txt", 0, 12, "2a", "alice", "coder", True),
        CodingRow(
            "written_initial.csv#P03/q1_experience", 5, 9, "inhibitors::2", "bob", "consensus"
        ),
    ]
    assert [row.row for row in rows] == [2, 4]
    assert rows[1].memo is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1", True),
        ("0", False),
        ("", False),
        ("TRUE", True),
        ("false", False),
        ("Yes", True),
        ("no", False),
    ],
)
def test_quote_values(cell, expected):
    assert read_text(HEADER + f"d,0,1,c,a,coder,{cell}\n")[0].quote is expected


def test_missing_quote_cell_in_short_row_is_zero():
    assert read_text(HEADER + "d,0,1,c,a,coder\n")[0].quote is False


def test_every_bad_row_is_reported_and_nothing_returned():
    text = (
        HEADER  # row 1
        + "d,0,5,2a,alice,coder,1\n"  # row 2 fine
        + "d,-1,5,2a,alice,coder,0\n"  # row 3
        + "d,7,3,2a,alice,coder,0\n"  # row 4
        + "d,4,4,2a,,coder,0\n"  # row 5
        + "d,1.5,x,2a,bob,final,maybe\n"  # row 6
        + ",1,2,,bob,coder,0\n"  # row 7
    )
    error = error_of(text)
    assert error.problems == [
        (3, "start '-1' is not a non-negative whole number"),
        (4, "start 7 is not before end 3"),
        (5, "coder is empty"),
        (5, "start 4 is not before end 4"),
        (6, "start '1.5' is not a non-negative whole number"),
        (6, "end 'x' is not a non-negative whole number"),
        (6, "layer 'final' is not 'coder' or 'consensus'"),
        (6, "quote 'maybe' is not 1/0, true/false or yes/no"),
        (7, "document is empty"),
        (7, "code is empty"),
    ]
    assert str(error).startswith(
        "codings.csv: 5 bad rows: row 3: start '-1' is not a non-negative whole number; "
        "row 4: start 7 is not before end 3; "
    )
    assert isinstance(error, ValueError)


def test_missing_columns():
    error = error_of("document,start,end,code\nd,0,1,c\n")
    assert str(error) == (
        "codings.csv: missing required columns 'coder', 'layer', 'quote' "
        "(found 'document', 'start', 'end', 'code'; expected document,start,end,code,coder,layer,quote)"
    )


def test_empty_file_and_duplicate_column():
    assert "no header row" in str(error_of(""))
    assert "'start' appears twice" in str(error_of("document,start,start,end\n"))


def test_not_utf8_names_the_file(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes((HEADER + "café.txt,0,1,c,a,coder,0\n").encode("cp1252"))
    with pytest.raises(CodingsFormatError, match=r"^excel\.csv: not UTF-8 \(byte 0xe9"):
        read_codings_csv(path)


def test_write_columns_and_memo_only_when_needed():
    rows = [CodingRow("d.txt", 0, 5, "2a", "alice", "coder", True)]
    out = io.StringIO()
    write_codings_csv(rows, out)
    assert out.getvalue() == HEADER + "d.txt,0,5,2a,alice,coder,1\n"

    rows.append(CodingRow("d.txt", 3, 9, "2", "bob", "consensus", False, 'why, "this"\nline 2'))
    out = io.StringIO()
    write_codings_csv(rows, out)
    assert out.getvalue() == (
        "document,start,end,code,coder,layer,quote,memo\n"
        "d.txt,0,5,2a,alice,coder,1,\n"
        'd.txt,3,9,2,bob,consensus,0,"why, ""this""\nline 2"\n'
    )


def test_formula_like_cells_are_defused_and_round_trip():
    """Spreadsheets must not run them (OWASP CSV injection), and reading gives them back."""
    rows = [CodingRow("=HYPERLINK(1)", 0, 1, "+2a", "@bob", "coder", False, "-risky")]
    out = io.StringIO()
    write_codings_csv(rows, out)
    assert "'=HYPERLINK(1),0,1,'+2a,'@bob,coder,0,'-risky" in out.getvalue()
    assert read_text(out.getvalue()) == rows
    # An apostrophe the writer did not add (not before a trigger) is kept as written.
    assert read_text("document,start,end,code,coder,layer,quote\n'd.txt,0,1,2a,o'neil,coder,0\n"
                     )[0].document == "'d.txt"


def test_round_trip_through_path_and_binary_stream(tmp_path):
    rows = [
        CodingRow(
            "S1 focus group.txt", 0, 10, "Fear of compassion/Others are unreliable", "ana", "coder"
        ),
        CodingRow("written.csv#P03/q1", 2, 3, "2a", "Zoë", "consensus", True, "memo\r\nwith CRLF"),
    ]
    path = tmp_path / "out.csv"
    write_codings_csv(rows, path)
    assert read_codings_csv(path) == rows
    binary = io.BytesIO()
    write_codings_csv(rows, binary)
    binary.seek(0)
    assert read_codings_csv(binary) == rows


def test_row_number_does_not_affect_equality():
    assert CodingRow("d", 0, 1, "c", "a", row=5) == CodingRow("d", 0, 1, "c", "a", row=0)


_identifier = st.text(
    st.characters(
        codec="utf-8", exclude_categories=("Cs", "Zs", "Cc"), exclude_characters="\u2028\u2029\x85"
    ),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() == s and s.strip())
_memo = st.none() | st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
)


@st.composite
def coding_rows(draw):
    start = draw(st.integers(0, 10_000))
    return CodingRow(
        document=draw(_identifier),
        start=start,
        end=start + draw(st.integers(1, 500)),
        code=draw(_identifier),
        coder=draw(_identifier),
        layer=draw(st.sampled_from(["coder", "consensus"])),
        quote=draw(st.booleans()),
        memo=draw(_memo),
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(coding_rows(), max_size=8))
def test_round_trip_property(rows):
    out = io.StringIO()
    write_codings_csv(rows, out)
    assert read_text(out.getvalue()) == rows
