"""Reading the participants table (CSV and XLSX)."""

from __future__ import annotations

import pytest

from themeqa.ingest.participants import ParticipantRow, ParticipantsError, read_participants

GOOD = (
    "ID,Condition,Session,Timepoints,Age,Gender,Speaker labels,Occupation\n"
    "P01,M,S1,initial;follow-up,34,F,Sarah; Sarah K,nurse\n"
    " P02 ,I,S2,initial,,,,\n"
    "\n"
    "P03,M,S1, initial ; ,41.0,M,,café owner\n"
)


def write(tmp_path, text: str, name: str = "participants.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_of(path) -> ParticipantsError:
    with pytest.raises(ParticipantsError) as info:
        read_participants(path)
    return info.value


def test_reads_a_good_table(tmp_path):
    rows = read_participants(write(tmp_path, GOOD))
    assert rows == [
        ParticipantRow(
            id="P01",
            condition="M",
            session="S1",
            timepoints=("initial", "follow-up"),
            age=34,
            gender="F",
            speaker_labels=("Sarah", "Sarah K"),
            extra={"Occupation": "nurse"},
        ),
        ParticipantRow("P02", "I", "S2", ("initial",), None, None, (), {"Occupation": ""}),
        ParticipantRow("P03", "M", "S1", ("initial",), 41, "M", (), {"Occupation": "café owner"}),
    ]
    assert rows[0].all_speaker_labels == ("P01", "Sarah", "Sarah K")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings(tmp_path, encoding):
    rows = read_participants(write(tmp_path, GOOD, encoding=encoding))
    assert rows[2].extra["Occupation"] == "café owner"
    assert rows[0].id == "P01"  # no BOM left in the header or the first id


@pytest.mark.parametrize(
    "header", ["participant", "Participant_ID", "participant id", "PARTICIPANT-ID"]
)
def test_id_column_aliases(tmp_path, header):
    rows = read_participants(write(tmp_path, f"{header},condition\nP01,M\n"))
    assert rows[0].id == "P01"


def test_semicolon_delimited_excel_export(tmp_path):
    rows = read_participants(
        write(tmp_path, 'id;condition;timepoints\nP01;M;"initial;follow-up"\n')
    )
    assert rows[0].timepoints == ("initial", "follow-up")


def test_bad_rows_are_reported_together_and_nothing_is_returned(tmp_path):
    text = (
        "id,condition,age\n"  # row 1
        "P03,M,30\n"  # row 2
        "P04,I,\n"  # row 3
        "P03,I,22\n"  # row 4: duplicate
        ",M,20\n"  # row 5: missing id
        "P06,,20\n"  # row 6: missing condition
        "P07,M,forty\n"  # row 7: not a number
        "P08,M,130\n"  # row 8: out of range
        "P09,M,33.5\n"  # row 9: not whole
    )
    error = error_of(write(tmp_path, text))
    assert error.problems == [
        (4, "duplicate id 'P03' (first on row 2)"),
        (5, "missing id"),
        (6, "missing condition"),
        (7, "age 'forty' is not a whole number"),
        (8, "age '130' is not between 0 and 120"),
        (9, "age '33.5' is not a whole number"),
    ]
    assert str(error).startswith(
        "participants.csv: 6 bad rows: row 4: duplicate id 'P03' (first on row 2); "
        "row 5: missing id; "
    )
    assert isinstance(error, ValueError)


def test_example_message_from_the_brief(tmp_path):
    text = "id,condition,age\nP03,M,\nP01,M,\nP03,I,\n,,\nP05,I,\nP06,M,forty\n"
    error = error_of(write(tmp_path, text))
    assert str(error) == (
        "participants.csv: 2 bad rows: row 4: duplicate id 'P03' (first on row 2); "
        "row 7: age 'forty' is not a whole number"
    )


def test_row_numbers_count_blank_lines_and_multiline_cells(tmp_path):
    text = 'id,condition,notes\nP01,M,"two\nlines"\n\nP02,,x\n'
    assert error_of(write(tmp_path, text)).problems == [(4, "missing condition")]


def test_duplicate_ids_ignore_case_and_say_so(tmp_path):
    error = error_of(write(tmp_path, "id,condition\nP01,M\np01,I\n"))
    assert error.problems == [(3, "duplicate id 'p01' (first on row 2 as 'P01')")]


def test_speaker_label_claimed_by_two_participants(tmp_path):
    text = (
        "id,condition,speaker_labels\n"
        "P01,M,Sarah\n"  # row 2
        "P02,M,sarah;P01\n"  # row 3: both labels belong to P01
        "P03,I,P04\n"  # row 4: P04 is another participant's id
        "P04,I,P04\n"  # row 5: own id as a label is fine
    )
    error = error_of(write(tmp_path, text))
    assert error.problems == [
        (3, "speaker label 'sarah' is also claimed by 'P01' (row 2)"),
        (3, "speaker label 'P01' is the id of the participant on row 2"),
        (4, "speaker label 'P04' is the id of the participant on row 5"),
    ]
    assert str(error).startswith("participants.csv: 2 bad rows: ")


def test_missing_required_column(tmp_path):
    error = error_of(write(tmp_path, "id,group\nP01,M\n"))
    assert (
        str(error) == "participants.csv: missing required column 'condition' (found 'id', 'group')"
    )


def test_duplicate_column(tmp_path):
    error = error_of(write(tmp_path, "id,participant,condition\nP01,P01,M\n"))
    assert "columns 'id' and 'participant' both give 'id'" in str(error)


def test_value_without_header_is_refused(tmp_path):
    error = error_of(write(tmp_path, "id,condition\nP01,M,oops\nP02,I,\n"))
    assert error.problems == [(2, "value in column 3, which has no header")]


def test_empty_file(tmp_path):
    assert "no header row" in str(error_of(write(tmp_path, "\n\n")))


def test_header_only_gives_no_participants(tmp_path):
    assert read_participants(write(tmp_path, "id,condition\n")) == []


def test_xls_is_refused(tmp_path):
    assert ".xlsx" in str(error_of(write(tmp_path, "x", name="p.xls")))


def test_reads_xlsx_with_typed_cells(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Participant", "Condition", "Age", "Timepoints", "Site"])
    sheet.append(["P01", "M", 34, "initial;follow-up", "Leeds"])
    sheet.append([2, "I", 29.0, None, None])
    path = tmp_path / "participants.xlsx"
    workbook.save(path)
    rows = read_participants(path)
    assert rows == [
        ParticipantRow("P01", "M", None, ("initial", "follow-up"), 34, None, (), {"Site": "Leeds"}),
        ParticipantRow("2", "I", None, (), 29, None, (), {"Site": ""}),
    ]


def test_xlsx_bad_rows_use_sheet_row_numbers(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "condition", "age"])
    sheet.append(["P01", "M", 200])
    sheet.append([None, None, None])
    sheet.append(["P01", None, "x"])
    path = tmp_path / "people.xlsx"
    workbook.save(path)
    error = error_of(path)
    assert error.problems == [
        (2, "age '200' is not between 0 and 120"),
        (4, "missing condition"),
        (4, "duplicate id 'P01' (first on row 2)"),
        (4, "age 'x' is not a whole number"),
    ]
    assert str(error).startswith("people.xlsx: 2 bad rows: row 2: ")


def test_damaged_workbook(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    assert str(error_of(path)).startswith("broken.xlsx: cannot read workbook")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_local_fallback_decoder(encoding):
    from themeqa.ingest.participants import _decode_locally

    assert _decode_locally(GOOD.encode(encoding)).removeprefix("\ufeff") == GOOD


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "participants.csv"
    path.write_bytes(b"id,condition\x00\x01\x02" * 20)
    error = error_of(path)
    assert str(error).startswith("participants.csv: not a text file")
