"""Hostile and broken archives are refused with a clear message before anything is used."""

from __future__ import annotations

import zipfile

import pytest

from tests.interop.refi_fixtures import S1, project_xml, selection, write_qdpx
from themeqa.interop.refi import RefiError, read_qdc, read_qdpx
from themeqa.interop.refi.archive import SafeArchive


def _good(tmp_path):
    xml = project_xml(origin="qc", selections=selection(0, 5, name="hello"))
    return write_qdpx(tmp_path / "good.qdpx", xml, {f"{S1}.txt": b"hello world"})


def test_zip_slip_entry_is_refused(tmp_path):
    f = _good(tmp_path)
    with zipfile.ZipFile(f, "a") as zf:
        zf.writestr("sources/../../evil.txt", b"x")
    with pytest.raises(RefiError, match="outside the archive"):
        read_qdpx(f)


@pytest.mark.parametrize("name", ["/etc/passwd", "C:/Windows/evil.txt", "..\\evil.txt"])
def test_absolute_and_backslash_names_are_refused(tmp_path, name):
    f = _good(tmp_path)
    with zipfile.ZipFile(f, "a") as zf:
        zf.writestr(name, b"x")
    with pytest.raises(RefiError, match="outside the archive"):
        read_qdpx(f)


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    f = _good(tmp_path)
    with zipfile.ZipFile(f, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"sources/{S1}-big.txt", b"\0" * (20 * 1024**2))  # ~1000:1
    with pytest.raises(RefiError, match="zip bomb"):
        read_qdpx(f)


def test_total_size_and_entry_count_caps(tmp_path):
    f = _good(tmp_path)
    with pytest.raises(Exception, match="zip bomb"):
        SafeArchive.open(f, max_total=10)
    with pytest.raises(Exception, match="more than 1"):
        SafeArchive.open(f, max_entries=1)


def test_entry_that_lies_about_its_size_is_cut_off(tmp_path):
    f = _good(tmp_path)
    ar = SafeArchive.open(f)
    try:
        with pytest.raises(Exception, match="larger than 3"):
            ar.read(ar.find(f"sources/{S1}.txt"), limit=3)
    finally:
        ar.close()


def test_xxe_external_entity_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    xml = project_xml(origin="evil", selections="").replace(
        '<?xml version="1.0" encoding="utf-8"?>\n',
        f'<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY xxe SYSTEM "file://{secret}">]>\n',
    ).replace('name="fixture"', 'name="&xxe;"')
    f = write_qdpx(tmp_path / "xxe.qdpx", xml, {f"{S1}.txt": b"hi"})
    with pytest.raises(RefiError, match="entities"):
        read_qdpx(f)


def test_billion_laughs_in_a_codebook_is_refused(tmp_path):
    f = tmp_path / "lol.qdc"
    f.write_text('<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                 '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                 '<Code guid="22222222-2222-4222-8222-222222222222" name="&b;" isCodable="true"/>'
                 "</Codes></CodeBook>", encoding="utf-8")
    with pytest.raises(RefiError, match="entities"):
        read_qdc(f)


def test_truncated_archive_is_a_clear_error(tmp_path):
    f = _good(tmp_path)
    data = f.read_bytes()
    cut = tmp_path / "cut.qdpx"
    cut.write_bytes(data[: len(data) * 6 // 10])
    with pytest.raises(RefiError, match="corrupt or truncated"):
        read_qdpx(cut)


def test_not_a_zip_and_no_qde(tmp_path):
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"not a zip at all" * 10)
    with pytest.raises(RefiError, match="not a readable zip"):
        read_qdpx(junk)
    empty = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("readme.txt", b"hi")
    with pytest.raises(RefiError, match=r"no project XML"):
        read_qdpx(empty)


def test_malformed_xml_and_missing_source_text(tmp_path):
    f = write_qdpx(tmp_path / "bad.qdpx", "<Project name='x'><Users>", {})
    with pytest.raises(RefiError, match="not well-formed"):
        read_qdpx(f)
    xml = project_xml(origin="ATLAS.ti Mac", selections="")
    f = write_qdpx(tmp_path / "nosrc.qdpx", xml, {})
    with pytest.raises(RefiError, match="is not in the archive"):
        read_qdpx(f)
