"""Write report tables (and optional text) to DOCX, XLSX, CSV or Markdown.

Why one entry point: every report (Table 1, Table 2, co-occurrence, later agreement and
statistics tables) is a list of :class:`~themeqa.reports.table.ReportTable`, and the user
picks the format by the file name. The DOCX output follows the APA 7 table style (APA
Publication Manual, 7th ed., §7.8–7.21): a bold table number line, an italic title, horizontal
rules only (above and below the header, below the last row), a "Note." line under the table;
it uses real Word tables whose header row repeats on each page, and a landscape section when
a table is too wide for a portrait page. Cells of CSV and XLSX files are escaped against
formula injection (:func:`themeqa.reports.escape.escape_formula`).

A table title may carry its number on a first line: ``"Table 2\\nParticipants …"``; the
writers print that line in bold and the rest in italics.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

from themeqa.reports.escape import escape_formula
from themeqa.reports.table import ReportTable

__all__ = ["FORMATS", "is_wide", "write_tables"]

FORMATS = ("docx", "xlsx", "csv", "md")
_SUFFIX_FORMATS = {".docx": "docx", ".xlsx": "xlsx", ".csv": "csv", ".md": "md", ".markdown": "md"}

#: A table with more columns than this, or longer rows (in characters), goes landscape.
WIDE_COLUMNS = 7
WIDE_CHARS = 95

FONT_NAME = "Times New Roman"
FONT_SIZE_PT = 11


def write_tables(
    tables: Sequence[ReportTable],
    path: str | Path,
    fmt: str | None = None,
    *,
    paragraphs: Sequence[str] | None = None,
) -> Path:
    """Write ``tables`` (and ``paragraphs`` of text, if any) to ``path`` in format ``fmt``.

    ``fmt`` defaults to the file suffix (``.docx .xlsx .csv .md``). CSV holds one table per
    file: with several tables (or text) each goes to ``<stem>_<key>.csv`` beside ``path`` and
    the folder is returned; otherwise the written file is returned. Text paragraphs go before
    the tables in DOCX/Markdown, and to a sheet/CSV file named ``text`` in XLSX/CSV.
    Raises ``ValueError`` for an unknown format (services turn it into an ``InputError``).
    """
    path = Path(path)
    fmt = (fmt or _SUFFIX_FORMATS.get(path.suffix.lower(), "")).lower()
    if fmt == "markdown":
        fmt = "md"
    if fmt not in FORMATS:
        raise ValueError(
            f"cannot tell the report format of {path.name!r}: use one of "
            f"{', '.join('.' + f for f in FORMATS)} or give the format"
        )
    tables = list(tables)
    paragraphs = [p for p in (paragraphs or []) if p is not None]
    if not tables and not paragraphs:
        raise ValueError("nothing to write: no tables and no text")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "docx":
        _write_docx(tables, path, paragraphs)
        return path
    if fmt == "md":
        path.write_text(render_markdown(tables, paragraphs), encoding="utf-8")
        return path
    if paragraphs:
        tables = [ReportTable("text", "Text", ["text"], [[p] for p in paragraphs]), *tables]
    if fmt == "xlsx":
        _write_xlsx(tables, path)
        return path
    if len(tables) == 1:
        _write_csv(tables[0], path)
        return path
    stem = path.stem if path.suffix else path.name
    folder = path.parent
    for table in tables:
        _write_csv(table, folder / f"{stem}_{_safe_name(table.key)}.csv")
    return folder


def is_wide(table: ReportTable) -> bool:
    """Whether ``table`` needs a landscape page: many columns or long rows of text."""
    if len(table.columns) > WIDE_COLUMNS:
        return True
    widths = [len(str(c)) for c in table.columns]
    for row in table.rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(table.cell_text(value)) if i else 0)
    # the first column wraps (theme names); the others should not, so count them in full
    return sum(widths[1:]) + min(widths[0], 40) > WIDE_CHARS


def _title_lines(title: str) -> tuple[str | None, str]:
    lines = title.split("\n", 1)
    if len(lines) == 2:
        return lines[0], lines[1]
    return None, title


def _safe_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", key).strip("_") or "table"


# ----------------------------------------------------------------------------- CSV
def _write_csv(table: ReportTable, path: Path) -> None:
    # utf-8-sig: Excel reads a BOM-less UTF-8 CSV as the local code page and mangles names.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([escape_formula(c) for c in table.columns])
        for row in table.rows:
            writer.writerow(["" if v is None else escape_formula(v) for v in row])


# ----------------------------------------------------------------------------- Markdown
def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def render_markdown(tables: Sequence[ReportTable], paragraphs: Sequence[str] = ()) -> str:
    """Markdown text of ``paragraphs`` then ``tables`` (pipe tables, indentation as &emsp;)."""
    out: list[str] = [p.strip() + "\n" for p in paragraphs]
    for table in tables:
        number, title = _title_lines(table.title)
        if number:
            out.append(f"**{number}**\n")
        out.append(f"*{title}*\n")
        out.append("| " + " | ".join(_md_cell(str(c)) for c in table.columns) + " |")
        out.append("|" + "|".join([" --- "] + [" :---: "] * (len(table.columns) - 1)) + "|")
        for i, row in enumerate(table.rows):
            cells = [_md_cell(table.cell_text(v)) for v in row]
            if cells:
                cells[0] = "&emsp;" * table.row_indent(i) + cells[0]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
        for j, note in enumerate(table.notes):
            out.append(("*Note.* " if j == 0 else "") + note + "\n")
    return "\n".join(out).rstrip() + "\n"


# ----------------------------------------------------------------------------- XLSX
def _sheet_title(key: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", "_", key)[:31] or "table"
    name, n = base, 2
    while name.lower() in used:
        suffix = f"_{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _write_xlsx(tables: Sequence[ReportTable], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, Side

    def clean(value: object) -> object:
        value = escape_formula(value)
        if isinstance(value, str):
            return ILLEGAL_CHARACTERS_RE.sub("", value)
        return value

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    rule = Side(style="thin")
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.key, used))
        number, title = _title_lines(table.title)
        sheet.append([clean(number + ". " + title if number else title)])
        sheet["A1"].font = Font(bold=True)
        header_row = 2
        sheet.append([clean(c) for c in table.columns])
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
            cell.border = Border(top=rule, bottom=rule)
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        for i, row in enumerate(table.rows):
            sheet.append([clean(v) for v in row])
            level = table.row_indent(i)
            if level:
                sheet.cell(row=header_row + 1 + i, column=1).alignment = Alignment(indent=2 * level)
        last = header_row + len(table.rows)
        if table.rows:
            for cell in sheet[last]:
                cell.border = Border(bottom=rule)
        for j, note in enumerate(table.notes):
            sheet.cell(row=last + 2 + j, column=1, value=clean(("Note. " if j == 0 else "") + note))
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
        for col, header in enumerate(table.columns, start=1):
            width = max(
                [len(str(header))] + [len(table.cell_text(r[col - 1])) for r in table.rows[:500]]
            )
            letter = sheet.cell(row=header_row, column=col).column_letter
            sheet.column_dimensions[letter].width = min(max(8, width + 2), 60)
    book.save(path)


# ----------------------------------------------------------------------------- DOCX
def _border_element(tag: str, edges: dict[str, bool]):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if edge not in edges:
            continue
        side = OxmlElement(f"w:{edge}")
        if edges[edge]:
            side.set(qn("w:val"), "single")
            side.set(qn("w:sz"), "8")  # eighths of a point: a 1 pt rule
            side.set(qn("w:space"), "0")
            side.set(qn("w:color"), "000000")
        else:
            side.set(qn("w:val"), "nil")
        el.append(side)
    return el


def _set_table_rules(table) -> None:
    """APA rules: a line above and below the table, no vertical or inner lines."""
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    borders = _border_element(
        "w:tblBorders",
        {
            "top": True,
            "bottom": True,
            "left": False,
            "right": False,
            "insideH": False,
            "insideV": False,
        },
    )
    # CT_TblPr is a sequence: tblBorders must precede shd/tblLayout/tblCellMar/tblLook, or
    # Word reports the file as damaged.
    later = {
        qn(f"w:{t}")
        for t in ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription")
    }
    for child in tbl_pr:
        if child.tag in later:
            child.addprevious(borders)
            return
    tbl_pr.append(borders)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RULE = '<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
INDENT_TWIPS = 283  # 0.5 cm per indentation level


def _runs_xml(text: str) -> str:
    """WordprocessingML runs for ``text``: line breaks and tabs as w:br / w:tab."""
    from xml.sax.saxutils import escape

    text = _XML_ILLEGAL.sub("", text)
    parts = []
    for k, line in enumerate(text.split("\n")):
        if k:
            parts.append("<w:br/>")
        for m, chunk in enumerate(line.split("\t")):
            if m:
                parts.append("<w:tab/>")
            if chunk:
                parts.append(f'<w:t xml:space="preserve">{escape(chunk)}</w:t>')
    return f"<w:r>{''.join(parts)}</w:r>" if parts else ""


def column_widths(rt: ReportTable, total: int) -> list[int]:
    """Split ``total`` twips between columns by the text they hold.

    Each column weighs its longest cell (capped at 60 characters, since long text wraps) or
    its header's longest word, at least 9 (20 for the first, the row labels); so a quote
    column gets room and "n (%)" columns stay narrow but readable.
    """
    weights = []
    for j, header in enumerate(rt.columns):
        longest = max([len(w) for w in str(header).split()] or [0])
        for row in rt.rows[:500]:
            longest = max(longest, len(rt.cell_text(row[j])))
        weights.append(min(max(longest, 20 if j == 0 else 9), 60))
    scale = total / max(sum(weights), 1)
    return [int(w * scale) for w in weights]


def _append_rows(table, rt: ReportTable, usable_twips: int | None = None) -> None:
    """Add the header and body rows as one parsed XML fragment.

    Why not ``cell.text`` per cell: python-docx runs an XPath query per property access, so a
    120-row Table 2 took seconds; building the rows' XML directly is ~50x faster and gives
    the same elements (a header row that repeats on each page and is never split, a rule under
    it, centred numbers, indented subordinate themes).
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    grid = table._tbl.find(qn("w:tblGrid"))
    cols = grid.findall(qn("w:gridCol"))
    widths = column_widths(rt, usable_twips or sum(int(c.get(qn("w:w"))) for c in cols))
    for col, width in zip(cols, widths, strict=True):
        col.set(qn("w:w"), str(width))

    def row_xml(values: list[str], *, header: bool, level: int = 0) -> str:
        cells = []
        for j, (text, width) in enumerate(zip(values, widths, strict=True)):
            borders = f"<w:tcBorders>{_RULE}</w:tcBorders>" if header else ""
            ppr = []
            if j == 0 and level:
                ppr.append(f'<w:ind w:left="{INDENT_TWIPS * level}"/>')
            if j:
                ppr.append('<w:jc w:val="center"/>')
            cells.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{borders}</w:tcPr>'
                f"<w:p><w:pPr>{''.join(ppr)}</w:pPr>{_runs_xml(text)}</w:p></w:tc>"
            )
        tr_pr = (
            '<w:trPr><w:cantSplit w:val="true"/><w:tblHeader w:val="true"/></w:trPr>'
            if header
            else ""
        )
        return f"<w:tr>{tr_pr}{''.join(cells)}</w:tr>"

    rows = [row_xml([str(c) for c in rt.columns], header=True)]
    for i, values in enumerate(rt.rows):
        rows.append(
            row_xml([rt.cell_text(v) for v in values], header=False, level=rt.row_indent(i))
        )
    fragment = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")
    for tr in list(fragment):
        table._tbl.append(tr)


def _set_orientation(section, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT

    width, height = section.page_width, section.page_height
    if landscape != (width > height):
        section.page_width, section.page_height = height, width
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT


def _write_docx(tables: Sequence[ReportTable], path: Path, paragraphs: Sequence[str]) -> None:
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT_NAME
    normal.font.size = Pt(FONT_SIZE_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_NAME)
    normal.paragraph_format.space_after = Pt(0)

    section = doc.sections[0]
    first_landscape = bool(tables) and not paragraphs and is_wide(tables[0])
    _set_orientation(section, first_landscape)
    current_landscape = first_landscape

    for text in paragraphs:
        para = doc.add_paragraph(text)
        para.paragraph_format.space_after = Pt(8)

    for t_index, rt in enumerate(tables):
        landscape = is_wide(rt)
        if landscape != current_landscape:
            section = doc.add_section(WD_SECTION.NEW_PAGE)
            _set_orientation(section, landscape)
            current_landscape = landscape
        elif t_index or paragraphs:
            doc.add_paragraph()

        number, title = _title_lines(rt.title)
        if number:
            cap = doc.add_paragraph()
            cap.add_run(number).bold = True
            cap.paragraph_format.keep_with_next = True
        cap = doc.add_paragraph()
        cap.add_run(title).italic = True
        cap.paragraph_format.keep_with_next = True
        cap.paragraph_format.space_after = Pt(6)

        table = doc.add_table(rows=0, cols=len(rt.columns))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _set_table_rules(table)
        _append_rows(
            table, rt, (section.page_width - section.left_margin - section.right_margin) // 635
        )
        for j, note in enumerate(rt.notes):
            para = doc.add_paragraph()
            if j == 0:
                para.paragraph_format.space_before = Pt(6)
                para.add_run("Note.").italic = True
                para.add_run(" " + note)
            else:
                para.add_run(note)
    doc.save(path)
