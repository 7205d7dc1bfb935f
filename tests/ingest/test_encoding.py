"""decode_bytes: byte-order marks, UTF-8, cp1252 fallback, binary refusal, normalisation."""

from __future__ import annotations

import codecs
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from themeqa.ingest.encoding import decode_bytes
from themeqa.ingest.model import IngestError

SAMPLE = "P01: Café – “quoted” it’s fine…\nFacilitator: Ünïcödé?\n"


def test_plain_utf8_keeps_text() -> None:
    text, enc = decode_bytes(SAMPLE.encode("utf-8"), "a.txt")
    assert text == SAMPLE
    assert enc == "utf-8"


def test_utf8_bom_is_dropped() -> None:
    text, enc = decode_bytes(codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "a.txt")
    assert text == SAMPLE
    assert enc == "utf-8-sig"


def test_utf16_le_bom_crlf() -> None:
    raw = codecs.BOM_UTF16_LE + SAMPLE.replace("\n", "\r\n").encode("utf-16-le")
    text, enc = decode_bytes(raw, "a.txt")
    assert text == SAMPLE
    assert enc == "utf-16-le"


def test_utf16_be_bom() -> None:
    raw = codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be")
    text, enc = decode_bytes(raw, "a.txt")
    assert text == SAMPLE
    assert enc == "utf-16-be"


def test_cp1252_curly_quotes_and_accents() -> None:
    original = "Interviewer: Ça va? C’est “très” bien – café…\r\nP01: Oui, j’ai été là.\r\n" * 3
    text, enc = decode_bytes(original.encode("cp1252"), "fr.txt")
    assert enc == "cp1252"
    assert text == original.replace("\r\n", "\n")


def test_short_cp1252_word() -> None:
    text, enc = decode_bytes("café".encode("cp1252"), "a.txt")
    assert text == "café"
    assert enc == "cp1252"


def test_crlf_and_cr_become_lf_and_offsets_follow() -> None:
    text, _ = decode_bytes(b"P01: a\r\nP02: b\rP03: c", "a.txt")
    assert text == "P01: a\nP02: b\nP03: c"
    assert text.index("P02") == 7


def test_nfc_normalisation() -> None:
    decomposed = "Cafe\u0301"
    text, _ = decode_bytes(decomposed.encode("utf-8"), "a.txt")
    assert text == "Café"
    assert unicodedata.is_normalized("NFC", text)


def test_non_latin_legacy_encoding_is_guessed() -> None:
    russian = "Интервьюер: Расскажите, пожалуйста, о вашем опыте сострадания к себе. " * 8
    text, enc = decode_bytes(russian.encode("cp1251"), "ru.txt")
    assert text == russian
    assert enc.replace("-", "_").lower() in {"cp1251", "windows_1251"}


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00" * 64,
        b"PK\x03\x04" + bytes(range(256)) * 4,
        b"\x93NUMPY\x01\x00v\x00{'descr': '<f8'}" + b"\x00\x00\x00\x00\x00\x00\xf0?" * 20,
        bytes(range(1, 32)) * 10,
    ],
)
def test_binary_is_refused(raw: bytes) -> None:
    with pytest.raises(IngestError) as info:
        decode_bytes(raw, "data.txt")
    assert "not a text file" in str(info.value)
    assert str(info.value).startswith("data.txt: ")


def test_bad_utf16_after_bom_is_refused() -> None:
    with pytest.raises(IngestError, match="not a text file"):
        decode_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8\x41", "x.txt")  # lone surrogate, odd length


def test_empty_bytes_decode_to_empty_text() -> None:
    assert decode_bytes(b"", "e.txt") == ("", "utf-8")


def test_ingest_error_is_one_line() -> None:
    err = IngestError("f.txt", "first line\nsecond line")
    assert str(err) == "f.txt: first line second line"
    assert err.filename == "f.txt"
    assert err.reason == "first line second line"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_text_or_ingest_error(raw: bytes) -> None:
    try:
        text, enc = decode_bytes(raw, "r.bin")
    except IngestError as exc:
        assert str(exc).startswith("r.bin: ")
    else:
        assert isinstance(text, str)
        assert enc
        assert "\r" not in text
        assert not text.startswith("\ufeff")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_utf8_round_trip(original: str) -> None:
    try:
        text, _ = decode_bytes(original.encode("utf-8"), "u.txt")
    except IngestError:
        return  # control characters in the generated text
    from themeqa.core.text import normalize_text

    assert text == normalize_text(original)
