"""Every reader and parser, fed hostile files: a one-line error of its own kind, or success.

Why: a study's files come from transcription services, spreadsheets and other tools; a
truncated download or a file saved in the wrong encoding must give the user one line that
says what is wrong, never a traceback (an unexpected exception type here is a crash of the
CLI). Each parser gets random bytes and damaged versions of a valid file of its format
(``fuzz_inputs.broken``); the numbers of examples are in ``N``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given

from tests.hostile import fuzz_inputs as fx
from tests.hostile.fuzz_inputs import broken, fuzz

pytestmark = pytest.mark.fuzz  # `make fuzz` runs these with 1,000 inputs per reader

N = 150  # examples per parser and seed format (derandomized: the same files every run)
_counter = itertools.count()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / f"{next(_counter)}" / name
    p.parent.mkdir()
    p.write_bytes(data)
    return p


def _one_line(exc: BaseException) -> None:
    msg = str(exc)
    assert msg.strip(), f"{type(exc).__name__} with an empty message"
    assert "\n" not in msg.strip(), f"a multi-line message: {msg!r}"
    assert "Traceback" not in msg


TRANSCRIPT_SEEDS = [
    ("t.txt", fx.TRANSCRIPT), ("t.md", fx.TRANSCRIPT), ("t.vtt", fx.VTT), ("t.srt", fx.SRT),
    ("t.docx", fx.DOCX), ("w.csv", fx.WRITTEN_CSV), ("w.xlsx", fx.WRITTEN_XLSX),
]


@pytest.mark.parametrize("name,seed", TRANSCRIPT_SEEDS, ids=[n for n, _ in TRANSCRIPT_SEEDS])
def test_read_source_on_hostile_files(tmp_path, name, seed, tally):
    count = tally(f"read_source .{name.split('.')[-1]}")
    from themeqa.ingest.model import IngestError
    from themeqa.ingest.readers import read_source

    @fuzz(N)
    @given(data=broken(seed))
    def check(data):
        count()
        try:
            src = read_source(_write(tmp_path, name, data), extra_labels=["Dana"])
        except IngestError as exc:
            _one_line(exc)
        else:
            for doc in src.documents:
                assert isinstance(doc.text, str)

    check()


def test_codebook_yaml_on_hostile_files(tmp_path, tally):
    count = tally("codebook YAML")
    from themeqa.interop.codebook_yaml import CodebookFormatError, load_codebook_yaml

    @fuzz(2 * N)
    @given(data=broken(fx.CODEBOOK_YAML))
    def check(data):
        count()
        try:
            load_codebook_yaml(_write(tmp_path, "cb.yaml", data), validate=True)
        except CodebookFormatError as exc:
            _one_line(exc)

    check()


@pytest.mark.parametrize("name,seed", [("p.csv", fx.PARTICIPANTS_CSV),
                                       ("p.xlsx", fx.PARTICIPANTS_XLSX)], ids=["csv", "xlsx"])
def test_participants_on_hostile_files(tmp_path, name, seed, tally):
    count = tally(f"participants .{name.split('.')[-1]}")
    from themeqa.ingest.participants import ParticipantsError, read_participants

    @fuzz(N)
    @given(data=broken(seed))
    def check(data):
        count()
        try:
            read_participants(_write(tmp_path, name, data))
        except ParticipantsError as exc:
            _one_line(exc)

    check()


def test_codings_csv_on_hostile_files(tmp_path, tally):
    count = tally("codings CSV")
    from themeqa.interop.codings_csv import CodingsFormatError, read_codings_csv

    @fuzz(2 * N)
    @given(data=broken(fx.CODINGS_CSV))
    def check(data):
        count()
        try:
            rows = read_codings_csv(_write(tmp_path, "c.csv", data))
        except CodingsFormatError as exc:
            _one_line(exc)
        else:
            assert all(0 <= r.start < r.end for r in rows)

    check()


@pytest.mark.parametrize("name,seed", [("rr.txt", fx.RR_TEXT), ("rr.csv", fx.RR_CSV),
                                       ("rr.hrm", fx.RR_HRM)], ids=["txt", "csv", "hrm"])
def test_rr_files_on_hostile_files(tmp_path, name, seed, tally):
    count = tally(f"RR .{name.split('.')[-1]}")
    import numpy as np

    from themeqa.ingest.rr import RRFormatError, read_rr

    @fuzz(N)
    @given(data=broken(seed))
    def check(data):
        count()
        try:
            rec = read_rr(_write(tmp_path, name, data))
        except RRFormatError as exc:
            _one_line(exc)
        else:
            assert np.all(np.isfinite(rec.rr)) and np.all(rec.rr > 0)

    check()


def test_scale_keys_on_hostile_files(tmp_path, tally):
    count = tally("scale key YAML")
    from themeqa.ingest.scale_key import ScaleKeyFileError, load_scale_key

    @fuzz(2 * N)
    @given(data=broken(fx.SCALE_KEY))
    def check(data):
        count()
        try:
            load_scale_key(_write(tmp_path, "key.yaml", data))
        except ScaleKeyFileError as exc:
            _one_line(exc)

    check()


@pytest.mark.parametrize("name,seed", [("m.csv", fx.MEASURES_CSV), ("m.xlsx", fx.MEASURES_XLSX)],
                         ids=["csv", "xlsx"])
def test_measures_on_hostile_files(tmp_path, name, seed, tally):
    count = tally(f"measures .{name.split('.')[-1]}")
    from themeqa.ingest.measures import MeasuresError, read_measures

    @fuzz(N)
    @given(data=broken(seed))
    def check(data):
        count()
        try:
            read_measures(_write(tmp_path, name, data))
        except MeasuresError as exc:
            _one_line(exc)

    check()


def test_yaml_readers_use_the_safe_loader(tmp_path):
    """A Python-object tag must be refused, not executed, by both YAML readers."""
    from themeqa.ingest.scale_key import ScaleKeyFileError, load_scale_key
    from themeqa.interop.codebook_yaml import CodebookFormatError, load_codebook_yaml

    marker = tmp_path / "pwned"
    evil = (f"codebook: !!python/object/apply:os.system ['touch {marker}']\n"
            "themes: []\n").encode()
    with pytest.raises(CodebookFormatError):
        load_codebook_yaml(_write(tmp_path, "cb.yaml", evil))
    with pytest.raises(ScaleKeyFileError):
        load_scale_key(_write(tmp_path, "k.yaml", evil.replace(b"codebook", b"name")))
    assert not marker.exists()


def test_deidentify_review_files_on_hostile_files(tmp_path, tally):
    count = tally("de-identification review CSV")
    from themeqa.errors import InputError
    from themeqa.services.deidentify import read_review

    seed = (b"document,start,end,kind,original,replacement,accept,source\n"
            b"S1.txt,5,9,speaker,Dana,P01,yes,speaker-label\n"
            b"S1.txt,20,33,date,12 March 2024,[DATE],no,date-pattern\n")

    @fuzz(N)
    @given(data=broken(seed))
    def check(data):
        count()
        try:
            rows = read_review(_write(tmp_path, "review.csv", data))
        except InputError as exc:
            _one_line(exc)
        else:
            assert all(r.replacement.strip() for r in rows if r.accept)

    check()


def test_sav_measures_on_hostile_files(tmp_path, tally):
    """A valid .sav (themeqa's own writer) damaged: read in a child, so even a segfault of
    ReadStat is one line (tests/ingest/test_sav_isolation.py has the known crashes)."""
    from tests.hostile.hostile_files import valid_sav
    from themeqa.ingest.measures import MeasuresError, read_measures

    count = tally("measures .sav")
    seed = valid_sav(tmp_path / "seed.sav").read_bytes()

    @fuzz(N // 5)
    @given(data=broken(seed))
    def check(data):
        count()
        try:
            read_measures(_write(tmp_path, "m.sav", data))
        except MeasuresError as exc:
            _one_line(exc)

    check()


@pytest.mark.parametrize("part", ["archive", "project.qde", "source text"])
def test_qdpx_on_hostile_files(tmp_path, part, tally):
    from themeqa.interop.refi import RefiError, read_qdpx

    count = tally(".qdpx")
    seed = {"archive": fx.QDPX, "project.qde": fx.QDE, "source text": fx.QDE_TEXT}[part]

    @fuzz(N)
    @given(data=broken(seed))
    def check(data):
        count()
        archive = {"archive": data, "project.qde": fx.qdpx(data),
                   "source text": fx.qdpx(fx.QDE, data)}[part]
        try:
            read_qdpx(_write(tmp_path, "p.qdpx", archive))
        except RefiError as exc:
            _one_line(exc)

    check()


def test_qdc_on_hostile_files(tmp_path, tally):
    from themeqa.interop.refi import RefiError, read_qdc

    count = tally(".qdc")

    @fuzz(2 * N)
    @given(data=broken(fx.QDC))
    def check(data):
        count()
        try:
            read_qdc(_write(tmp_path, "c.qdc", data))
        except RefiError as exc:
            _one_line(exc)

    check()


@pytest.mark.parametrize("what", ["ecg", "events"])
def test_ecg_files_on_hostile_files(tmp_path, what, tally):
    from themeqa.core.ecg import ECGError
    from themeqa.ingest.ecg import read_ecg, read_events

    count = tally(f"ECG {what}")
    seed = (b"time,ecg\n" + b"".join(b"%.3f,%.4f\n" % (i / 250, ((i * 37) % 100) / 100)
                                     for i in range(300))
            if what == "ecg" else b"participant,onset,label\nP01,10,start\nP01,30.5,end\nP02,4,x\n")
    read = read_ecg if what == "ecg" else read_events

    @fuzz(N)
    @given(data=broken(seed))
    def check(data):
        count()
        try:
            read(_write(tmp_path, f"{what}.csv", data))
        except ECGError as exc:
            _one_line(exc)

    check()


def test_qdpx_with_a_damaged_deflate_stream_is_one_line(tmp_path):
    """Found by ``make fuzz``: bytes changed inside project.qde's compressed data raised
    zlib.error ("invalid distance too far back") out of the archive reader."""
    import zipfile

    from themeqa.interop.refi import RefiError, read_qdpx

    data = fx.QDPX
    info = zipfile.ZipFile(__import__("io").BytesIO(data)).getinfo("project.qde")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    kinds = set()
    for at in range(start, start + info.compress_size, 7):
        damaged = data[:at] + bytes([data[at] ^ 0xA5]) + data[at + 1:]
        try:
            read_qdpx(_write(tmp_path, "p.qdpx", damaged))
        except RefiError as exc:
            _one_line(exc)
            kinds.add(str(exc).split("(")[0])
    assert kinds, "no damaged stream was refused"
