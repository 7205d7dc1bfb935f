"""read_source and the format readers, on small fixtures built in tmp_path."""

from __future__ import annotations

import codecs
import io
import random
import zipfile
from pathlib import Path

import pytest

from themeqa.core.text import sha256_bytes
from themeqa.core.turns import Turn
from themeqa.ingest.model import IngestError, ParsedDocument, SourceFile
from themeqa.ingest.readers import read_source


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def only_doc(source: SourceFile) -> ParsedDocument:
    assert len(source.documents) == 1
    return source.documents[0]


def speakers(doc: ParsedDocument) -> list[str | None]:
    return [t.speaker for t in doc.turns]


def content(doc: ParsedDocument, turn: Turn) -> str:
    return doc.text[turn.content_start : turn.end]


# --- plain text and markdown ---------------------------------------------------------------------


def test_txt_transcript(tmp_path: Path) -> None:
    raw = "Session S1\n\nFacilitator: Welcome.\nP01: Thanks.\nIt was hard.\n"
    path = write(tmp_path, "S1_focus_group.txt", raw)
    source = read_source(path)
    assert source.filename == "S1_focus_group.txt"
    assert source.format == "txt"
    assert source.encoding == "utf-8"
    assert source.sha256 == sha256_bytes(raw.encode())
    doc = only_doc(source)
    assert doc.name == "S1_focus_group.txt"
    assert doc.kind == "transcript"
    assert doc.text == raw
    assert doc.turns == (
        Turn(start=12, end=33, speaker="Facilitator", content_start=25),
        Turn(start=34, end=59, speaker="P01", content_start=39),
    )
    assert doc.participant is None and doc.language == "en"


def test_utf16_le_bom_crlf_offsets(tmp_path: Path) -> None:
    text = "Interviewer: Hoe gaat het?\nP01: Goed, dank je. Één ding…\n"
    raw = codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le")
    source = read_source(write(tmp_path, "int.txt", raw))
    doc = only_doc(source)
    assert source.encoding == "utf-16-le"
    assert doc.text == text
    assert doc.turns == (Turn(0, 26, "Interviewer", 13), Turn(27, 56, "P01", 32))
    assert content(doc, doc.turns[1]) == "Goed, dank je. Één ding…"


def test_utf8_bom_offsets(tmp_path: Path) -> None:
    raw = codecs.BOM_UTF8 + "P01: naïve\nP02: ok".encode()
    doc = only_doc(read_source(write(tmp_path, "a.txt", raw)))
    assert doc.text == "P01: naïve\nP02: ok"
    assert doc.turns == (Turn(0, 10, "P01", 5), Turn(11, 18, "P02", 16))


def test_cp1252_crlf(tmp_path: Path) -> None:
    text = "Moderator: C’est “bien” – café?\r\nP02: Oui, très.\r\n"
    source = read_source(write(tmp_path, "fr.txt", text.encode("cp1252")))
    doc = only_doc(source)
    assert source.encoding == "cp1252"
    assert doc.text == text.replace("\r\n", "\n")
    assert speakers(doc) == ["Moderator", "P02"]
    assert content(doc, doc.turns[0]) == "C’est “bien” – café?"


def test_markdown_keeps_markers_and_headings_are_text(tmp_path: Path) -> None:
    raw = "# Focus group 1\n\n## Notes:\nRecorded in March.\n\n**P01**: I felt *safe*.\n**Facilitator:** Why?\n"
    source = read_source(write(tmp_path, "fg.MD", raw))
    doc = only_doc(source)
    assert source.format == "md"
    assert doc.text == raw
    assert speakers(doc) == ["P01", "Facilitator"]
    assert content(doc, doc.turns[0]) == "I felt *safe*."
    assert doc.turns[0].start == raw.index("**P01**")


def test_written_single_text_file(tmp_path: Path) -> None:
    raw = "\nI noticed my breathing slowed.\n\n"
    doc = only_doc(read_source(write(tmp_path, "P03_reflection.txt", raw), kind="written"))
    assert doc.kind == "written"
    assert doc.turns == (Turn(1, 31, None, 1),)


def test_extra_labels_passed_to_parser(tmp_path: Path) -> None:
    raw = "Alice: hello\nP02: hi"
    doc = only_doc(read_source(write(tmp_path, "a.txt", raw), extra_labels=["Alice"]))
    assert speakers(doc) == ["Alice", "P02"]


@pytest.mark.parametrize("raw", [b"", b"   \n\t\r\n", codecs.BOM_UTF8])
def test_empty_text_file(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(IngestError, match=r"^empty\.txt: no text"):
        read_source(write(tmp_path, "empty.txt", raw))


def test_nul_filled_txt(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"^nul\.txt: not a text file"):
        read_source(write(tmp_path, "nul.txt", b"\x00" * 4096))


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"^notes\.pdf: unsupported file type"):
        read_source(write(tmp_path, "notes.pdf", b"%PDF-1.4"))
    with pytest.raises(IngestError, match=r"^missing\.txt: cannot read"):
        read_source(tmp_path / "missing.txt")
    with pytest.raises(IngestError, match="unknown document kind"):
        read_source(write(tmp_path, "a.txt", "P01: x"), kind="interview")


# --- docx ----------------------------------------------------------------------------------------


def make_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("Session S2 transcript")
    p = d.add_paragraph()
    p.add_run("Facilitator:").bold = True
    p.add_run(" What came up for you?")
    p = d.add_paragraph()
    p.add_run("P04: ").bold = True
    p.add_run("Mostly ")
    p.add_run("doubt").italic = True
    p.add_run(".")
    d.add_paragraph("It faded later.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "P05: from a table"
    table.cell(0, 1).text = "second cell"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "merged once"
    d.add_paragraph("Facilitator: Thank you.")
    d.save(str(path))
    return path


def test_docx_bold_labels_and_tables(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "S2.docx")
    source = read_source(path)
    doc = only_doc(source)
    assert source.format == "docx"
    assert source.encoding is None
    assert doc.text == (
        "Session S2 transcript\n"
        "Facilitator: What came up for you?\n"
        "P04: Mostly doubt.\n"
        "It faded later.\n"
        "P05: from a table\n"
        "second cell\n"
        "merged once\n"
        "Facilitator: Thank you."
    )
    assert speakers(doc) == ["Facilitator", "P04", "P05", "Facilitator"]
    assert doc.turns[0] == Turn(22, 56, "Facilitator", 35)
    assert content(doc, doc.turns[1]) == "Mostly doubt.\nIt faded later."


def test_docx_random_bytes(tmp_path: Path) -> None:
    data = random.Random(7).randbytes(4096)
    with pytest.raises(IngestError, match=r"^r\.docx: not a \.docx \(not a zip archive\)"):
        read_source(write(tmp_path, "r.docx", b"xx" + data))


def test_docx_zip_that_is_not_docx(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("README.md", "# hello")
    with pytest.raises(IngestError, match=r"zip archive but not a \.docx"):
        read_source(write(tmp_path, "z.docx", buf.getvalue()))


def test_docx_truncated(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "full.docx").read_bytes()
    with pytest.raises(IngestError, match=r"^cut\.docx: corrupt or truncated \.docx"):
        read_source(write(tmp_path, "cut.docx", data[: len(data) * 6 // 10]))


def test_docx_damaged_xml(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types")
        zf.writestr("word/document.xml", "<w:document")
    with pytest.raises(IngestError, match=r"^bad\.docx: not a readable \.docx"):
        read_source(write(tmp_path, "bad.docx", buf.getvalue()))


def test_docx_legacy_ole(tmp_path: Path) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    with pytest.raises(IngestError, match="old binary Office file"):
        read_source(write(tmp_path, "old.docx", data))


def test_docx_zip_bomb_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b" " * (11 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 100_000
    with pytest.raises(IngestError, match="zip bomb"):
        read_source(write(tmp_path, "bomb.docx", data))


def test_docx_part_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from themeqa.ingest.readers import docx as docx_reader

    path = make_docx(tmp_path / "big.docx")
    monkeypatch.setattr(docx_reader, "MAX_PART_BYTES", 100)
    with pytest.raises(IngestError, match=r"^big\.docx: refused: .* would unpack to \d+ bytes"):
        read_source(path)


def test_docx_empty(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(IngestError, match=r"^blank\.docx: no text"):
        read_source(path)
    with pytest.raises(IngestError, match="no text"):
        read_source(write(tmp_path, "zero.docx", b""))


# --- WebVTT --------------------------------------------------------------------------------------

VTT = """WEBVTT - focus group

NOTE
This is a comment
spanning lines

STYLE
::cue { color: red }

intro
00:00:01.000 --> 00:00:03.000 align:start position:10%
<v Facilitator>Welcome <b>everyone</b>.</v>

00:00:03.500 --> 00:00:05.000
<v.loud Facilitator>Shall we begin?

00:00:05.000 --> 00:00:08.000
<v P01>I&apos;ll go &amp; start.</v>
<i>laughs</i>

00:00:08.000 --> 00:00:09.000
<c.yellow>and carry on</c> <00:00:08.500>here

00:00:09.000 --> 00:00:10.000
P02: Zoom-style label.
"""


def test_vtt_voices_tags_and_merging(tmp_path: Path) -> None:
    source = read_source(write(tmp_path, "s.vtt", VTT))
    doc = only_doc(source)
    assert source.format == "vtt"
    assert doc.text == (
        "Facilitator: Welcome everyone. Shall we begin?\n"
        "P01: I'll go & start. laughs and carry on here\n"
        "P02: Zoom-style label."
    )
    assert doc.turns == (
        Turn(0, 46, "Facilitator", 13),
        Turn(47, 93, "P01", 52),
        Turn(94, 116, "P02", 99),
    )


def test_vtt_without_voices_has_no_speaker(tmp_path: Path) -> None:
    raw = "WEBVTT\n\n00:01.000 --> 00:02.000\nHello there\n\n00:02.000 --> 00:03.000\nagain\n"
    doc = only_doc(read_source(write(tmp_path, "n.vtt", raw)))
    assert doc.text == "Hello there again"
    assert doc.turns == ()


def test_vtt_requires_header(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="not a WebVTT file"):
        read_source(write(tmp_path, "x.vtt", "00:01.000 --> 00:02.000\nHi\n"))


def test_vtt_only_notes_is_no_text(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no text"):
        read_source(write(tmp_path, "x.vtt", "WEBVTT\n\nNOTE nothing here\n"))


# --- SubRip --------------------------------------------------------------------------------------

SRT = (
    "1\r\n00:00:01,000 --> 00:00:02,500\r\nFacilitator: Hello, <i>everyone</i>.\r\n\r\n"
    "2\r\n00:00:02,600 --> 00:00:04,000\r\nHow are you?\r\n\r\n"
    "3\r\n00:00:04,000 --> 00:00:06,000\r\n{\\an8}P01: Fine,\r\nthanks.\r\n\r\n"
    "4\r\n00:00:06,000 --> 00:00:07,000\r\n- Jane Doe: Me too.\r\n- Facilitator: Good.\r\n\r\n"
    "5\r\n00:00:07,000 --> 00:00:08,000\r\n42\r\n\r\n"
)


def test_srt_labels_inside_cues(tmp_path: Path) -> None:
    source = read_source(write(tmp_path, "s.srt", SRT))
    doc = only_doc(source)
    assert source.format == "srt"
    # "Jane Doe" occurs once and carries no timestamp: not a speaker, her line continues P01.
    assert doc.text == (
        "Facilitator: Hello, everyone. How are you?\n"
        "P01: Fine, thanks. Jane Doe: Me too.\n"
        "Facilitator: Good. 42"
    )
    assert doc.turns == (
        Turn(0, 42, "Facilitator", 13),
        Turn(43, 79, "P01", 48),
        Turn(80, 101, "Facilitator", 93),
    )


def test_srt_without_speakers_is_joined(tmp_path: Path) -> None:
    raw = "1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:02,000 --> 00:00:03,000\nworld.\n"
    doc = only_doc(read_source(write(tmp_path, "n.srt", raw)))
    assert doc.text == "Hello world."
    assert doc.turns == ()


def test_srt_without_timings_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="not a SubRip file"):
        read_source(write(tmp_path, "x.srt", "just some text\n"))


# --- tables of written responses -----------------------------------------------------------------


def check_written(source: SourceFile, filename: str) -> None:
    names = [d.name for d in source.documents]
    assert names == [
        f"{filename}#P01/q1_experience",
        f"{filename}#P01/q2_barriers",
        f"{filename}#P03/q1_experience",
    ]
    first = source.documents[0]
    assert first.kind == "written"
    assert first.participant == "P01"
    assert first.question == "q1_experience"
    assert first.timepoint == "initial"
    assert first.text == "I felt warm, then “unsafe”."
    assert first.turns == (Turn(0, len(first.text), "P01", 0),)
    third = source.documents[2]
    assert third.text == "Line one\nline two  "
    assert third.turns == (Turn(0, 17, "P03", 0),)
    assert third.timepoint is None


def test_csv_written_responses(tmp_path: Path) -> None:
    raw = (
        "Participant_ID,timepoint,q1_experience,q2_barriers\r\n"
        'P01,initial,"I felt warm, then “unsafe”.",Nothing much\r\n'
        "P02,initial,,   \r\n"
        ",,,\r\n"
        'P03,,"Line one\r\nline two  ",\r\n'
    )
    source = read_source(write(tmp_path, "written_initial.csv", raw))
    assert source.format == "csv"
    assert source.encoding == "utf-8"
    check_written(source, "written_initial.csv")
    assert source.documents[1].text == "Nothing much"


def test_csv_semicolon_cp1252(tmp_path: Path) -> None:
    raw = "id;q1\r\nP01;Très “bien”, merci\r\n"
    source = read_source(write(tmp_path, "w.csv", raw.encode("cp1252")))
    (doc,) = source.documents
    assert doc.name == "w.csv#P01/q1"
    assert doc.text == "Très “bien”, merci"


def test_csv_id_column_given_and_missing(tmp_path: Path) -> None:
    raw = "code,answer\nP09,yes please\n"
    with pytest.raises(IngestError, match="no participant id column"):
        read_source(write(tmp_path, "w.csv", raw))
    (doc,) = read_source(tmp_path / "w.csv", id_column="Code").documents
    assert doc.name == "w.csv#P09/answer"
    assert doc.turns[0].speaker == "P09"


def test_csv_problems(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no text"):
        read_source(write(tmp_path, "e.csv", "id,q1\nP01,\n"))
    with pytest.raises(IngestError, match="no participant id"):
        read_source(write(tmp_path, "n.csv", "id,q1\n,an answer\n"))
    with pytest.raises(IngestError, match="appears in rows"):
        read_source(write(tmp_path, "d.csv", "id,q1\nP01,a\nP01,b\n"))
    with pytest.raises(IngestError, match="cannot be imported as 'transcript'"):
        read_source(write(tmp_path, "t.csv", "id,q1\nP01,a\n"), kind="transcript")


def test_xlsx_written_responses(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ID", "Timepoint", "q1_experience", "q2_barriers"])
    ws.append(["P01", "initial", "I felt warm, then “unsafe”.", "Nothing much"])
    ws.append(["P02", "initial", None, "   "])
    ws.append([None, None, None, None])
    ws.append(["P03", None, "Line one\nline two  ", None])
    path = tmp_path / "written_initial.xlsx"
    wb.save(path)
    source = read_source(path)
    assert source.format == "xlsx"
    assert source.encoding is None
    check_written(source, "written_initial.xlsx")


def test_xlsx_numbers_as_ids(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["participant", "q1"])
    ws.append([7, "seven"])
    path = tmp_path / "n.xlsx"
    wb.save(path)
    (doc,) = read_source(path).documents
    assert doc.name == "n.xlsx#7/q1"


def test_xlsx_broken(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"^b\.xlsx: not a \.xlsx"):
        read_source(write(tmp_path, "b.xlsx", b"not a workbook at all"))
    data = make_docx(tmp_path / "x.docx").read_bytes()
    with pytest.raises(IngestError, match=r"a zip archive but not a \.xlsx"):
        read_source(write(tmp_path, "d.xlsx", data))
