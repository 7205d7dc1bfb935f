"""Report writers: DOCX structure (real tables, header repeat, rules, landscape), XLSX sheets,
CSV files, Markdown, and formula-injection escaping in the files users open."""

from __future__ import annotations

import csv

import pytest

from themeqa.reports.escape import escape_formula
from themeqa.reports.table import ReportTable
from themeqa.reports.writers import is_wide, render_markdown, write_tables

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _table2() -> ReportTable:
    return ReportTable(
        key="table2",
        title="Table 2\nParticipants reporting each theme",
        columns=["Theme", "Total n", "M n (%)", "I n (%)"],
        rows=[
            ["1 Weak imagery", 3, "1 (50.0)", "2 (66.7)"],
            ["1a Blurry", 2, "0 (0.0)", "2 (66.7)"],
            ['=HYPERLINK("x")', None, "-", "+1"],
        ],
        notes=["Counts are participants.", "Layer: consensus."],
        indent=[0, 1, 0],
    )


def test_table_rejects_ragged_rows_and_bad_indent():
    with pytest.raises(ValueError, match="row 1 has 1 cells"):
        ReportTable("k", "t", ["a", "b"], [["x"]])
    with pytest.raises(ValueError, match="indent"):
        ReportTable("k", "t", ["a"], [["x"]], indent=[0, 1])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+44 20", "'+44 20"),
        ("-- not a minus", "'-- not a minus"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("plain", "plain"),
        ("", ""),
        (-1.5, -1.5),
        (3, 3),
        (None, None),
    ],
)
def test_escape_formula(value, expected):
    assert escape_formula(value) == expected


def test_docx_has_real_table_with_header_repeat_rules_and_notes(tmp_path):
    import docx

    out = write_tables([_table2()], tmp_path / "t.docx", paragraphs=["Three participants."])
    doc = docx.Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "Three participants."
    assert "Table 2" in texts and "Participants reporting each theme" in texts
    assert "Note. Counts are participants." in texts and "Layer: consensus." in texts
    (table,) = doc.tables
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["Theme", "Total n", "M n (%)", "I n (%)"]
    assert cells[1] == ["1 Weak imagery", "3", "1 (50.0)", "2 (66.7)"]
    # DOCX is not a spreadsheet: no escaping, text kept as written; None is blank
    assert cells[3] == ['=HYPERLINK("x")', "", "-", "+1"]
    header_tr = table.rows[0]._tr
    assert header_tr.find(f"{W}trPr/{W}tblHeader") is not None
    assert table.rows[1]._tr.find(f"{W}trPr/{W}tblHeader") is None
    borders = table._tbl.tblPr.find(f"{W}tblBorders")
    assert borders.find(f"{W}top").get(f"{W}val") == "single"
    assert borders.find(f"{W}bottom").get(f"{W}val") == "single"
    assert borders.find(f"{W}insideV").get(f"{W}val") == "nil"
    # tblBorders sits before tblLook (schema order), or Word calls the file damaged
    tags = [child.tag for child in table._tbl.tblPr]
    if f"{W}tblLook" in tags:
        assert tags.index(f"{W}tblBorders") < tags.index(f"{W}tblLook")
    # subordinate row indented, superordinate not
    assert table.rows[2].cells[0].paragraphs[0].paragraph_format.left_indent > 0
    assert table.rows[1].cells[0].paragraphs[0].paragraph_format.left_indent is None
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Normal"].font.size.pt == 11
    section = doc.sections[0]
    assert section.page_width < section.page_height  # four columns fit portrait


def test_docx_wide_table_gets_landscape_section(tmp_path):
    import docx
    from docx.enum.section import WD_ORIENT

    narrow = _table2()
    wide = ReportTable("wide", "Wide", [f"c{i}" for i in range(10)], [list(range(10))])
    assert is_wide(wide) and not is_wide(narrow)
    doc = docx.Document(str(write_tables([narrow, wide], tmp_path / "w.docx")))
    assert [s.orientation for s in doc.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    assert doc.sections[1].page_width > doc.sections[1].page_height
    assert len(doc.tables) == 2


def test_xlsx_one_sheet_per_table_escaped(tmp_path):
    import openpyxl

    other = ReportTable("table1", "Table 1\nCharacteristics", ["Group", "n"], [["All", 20]])
    out = write_tables([_table2(), other], tmp_path / "t.xlsx", paragraphs=["=evil text"])
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["text", "table2", "table1"]
    sheet = book["table2"]
    assert sheet["A1"].value == "Table 2. Participants reporting each theme"
    assert [c.value for c in sheet[2]] == ["Theme", "Total n", "M n (%)", "I n (%)"]
    assert [c.value for c in sheet[3]] == ["1 Weak imagery", 3, "1 (50.0)", "2 (66.7)"]
    assert [c.value for c in sheet[5]] == ['\'=HYPERLINK("x")', None, "'-", "'+1"]
    assert sheet["A4"].alignment.indent == 2
    assert sheet["A7"].value == "Note. Counts are participants."
    assert book["text"]["A3"].value == "'=evil text"
    assert book["table1"]["B3"].value == 20  # numbers stay numbers


def test_csv_single_and_several_tables(tmp_path):
    out = write_tables([_table2()], tmp_path / "one.csv")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Theme", "Total n", "M n (%)", "I n (%)"]
    assert rows[1] == ["1 Weak imagery", "3", "1 (50.0)", "2 (66.7)"]
    assert rows[3] == ['\'=HYPERLINK("x")', "", "'-", "'+1"]

    other = ReportTable("table 1/x", "T", ["a"], [["@me"]])
    folder = write_tables([_table2(), other], tmp_path / "many.csv")
    assert folder == tmp_path
    assert (tmp_path / "many_table2.csv").exists()
    assert (tmp_path / "many_table_1_x.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "a",
        "'@me",
    ]


def test_markdown(tmp_path):
    text = render_markdown([_table2()], ["Intro."])
    lines = text.splitlines()
    assert lines[0] == "Intro."
    assert "**Table 2**" in lines and "*Participants reporting each theme*" in lines
    assert "| Theme | Total n | M n (%) | I n (%) |" in lines
    assert "| &emsp;1a Blurry | 2 | 0 (0.0) | 2 (66.7) |" in lines
    assert "*Note.* Counts are participants." in lines
    out = write_tables([ReportTable("p", "Pipes", ["a|b"], [["x\ny"]])], tmp_path / "t.md")
    assert "| a\\|b |" in out.read_text() and "| x<br>y |" in out.read_text()


def test_unknown_format_and_empty_input(tmp_path):
    with pytest.raises(ValueError, match="format"):
        write_tables([_table2()], tmp_path / "t.pdf")
    with pytest.raises(ValueError, match="nothing to write"):
        write_tables([], tmp_path / "t.md")
    assert write_tables([_table2()], tmp_path / "t.out", "markdown").read_text().startswith("**")


def test_docx_column_widths_follow_content(tmp_path):
    import docx
    from docx.oxml.ns import qn

    table = ReportTable(
        "q",
        "Quotes",
        ["Theme", "n", "Quote"],
        [["1 Weak imagery ability", 3, "x" * 200]],
    )
    doc = docx.Document(str(write_tables([table], tmp_path / "q.docx")))
    grid = doc.tables[0]._tbl.find(qn("w:tblGrid"))
    widths = [int(c.get(qn("w:w"))) for c in grid.findall(qn("w:gridCol"))]
    section = doc.sections[0]
    usable = (section.page_width - section.left_margin - section.right_margin) // 635
    # weights: theme 22 chars, n at least 9, quote capped at 60 -> 22 : 9 : 60 of the width
    assert widths == [int(w * usable / 91) for w in (22, 9, 60)]


def test_by_phrase_reads_naturally() -> None:
    """Issue 22: the Table 2 caption read "by condition and by condition and timepoint"."""
    from themeqa.reports.tallies import by_phrase

    assert by_phrase([]) == ""
    assert by_phrase(["condition"]) == "by condition"
    assert by_phrase(["condition", "gender"]) == "by condition and by gender"
    assert by_phrase(["condition", "condition and timepoint"]) == (
        "by condition, and by condition and timepoint")
    assert by_phrase(["a", "b", "c"]) == "by a, by b, and by c"
