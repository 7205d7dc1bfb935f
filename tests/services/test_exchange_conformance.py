"""Real exports from the big three (and qc) imported into fresh projects, file by file.

Expected counts are the files' own element counts (``grep -o '<Coding '``); a file that
cannot be imported must fail with a message naming the missing part.
"""

from __future__ import annotations

import pytest

from tests.conftest import CONFORMANCE
from themeqa.errors import InputError
from themeqa.services.exchange import import_project

SAMPLES = CONFORMANCE / "refi" / "samples"
pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/conformance/refi is absent"),
]

# file: (documents, codings, codes, coders)
FAST = {
    "atlasti-win-23.2.3_blank.qdpx": (0, 0, 0, []),
    "atlasti-win-23.2.3_target.qdpx": (0, 0, 3, []),
    "maxqda-24.7.0_icls-themes.qdpx": (10, 0, 307, []),
    "nvivo-mac-15.0.0_qc-project.qdpx": (0, 0, 262, []),  # both sources are empty ("\n")
    "qc-1.7.8_p07-emoji.qdpx": (1, 11, 9, ["alice", "bob"]),
    "qc-1.2.0_demo.qdpx": (3, 213, 112, ["chris"]),
}
SLOW = {  # NVivo projects with two 600 000-character sources: sentence splitting takes time
    "nvivo-win-12.6_oltas.qdpx": (1, 97, 60, None),
    "nvivo-mac-12.7.0_oltas-17june.qdpx": (2, 297, 152, None),
}


def _check(name, tmp_path, expected):
    docs, codings, codes, coders = expected
    report = import_project(SAMPLES / name, tmp_path / "p")
    if name.startswith("maxqda"):  # MAXQDA's document sets are reported, not dropped silently
        assert "2 sets not imported" in " ".join(report.notices)
    assert report.documents == docs
    assert report.codings == codings
    assert report.codes == codes
    assert report.skipped_mismatches == []
    if coders is not None:
        assert report.coders == coders


@pytest.mark.parametrize("name", sorted(FAST))
def test_real_project_imports(name, tmp_path):
    _check(name, tmp_path, FAST[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW))
def test_real_nvivo_project_imports(name, tmp_path):
    _check(name, tmp_path, SLOW[name])


def test_atlas_mac_export_without_sources_is_refused_and_writes_nothing(tmp_path):
    with pytest.raises(InputError, match="not in the archive"):
        import_project(SAMPLES / "atlasti-mac-8.4.0_standard-project.qdpx", tmp_path / "p")
    assert not (tmp_path / "p").exists()


def test_p07_codings_land_on_whole_lines(tmp_path):
    from sqlmodel import select

    from themeqa.services.project import open_project
    from themeqa.store.models import Coding, Document

    import_project(SAMPLES / "qc-1.7.8_p07-emoji.qdpx", tmp_path / "p")
    p = open_project(tmp_path / "p")
    try:
        with p.reading() as s:
            doc = s.exec(select(Document)).one()
            spans = {doc.text[c.start:c.end] for c in s.exec(select(Coding)).all()}
    finally:
        p.close()
    assert "P07: I managed ten full minutes. Felt proud 💪, then tired.\n" in spans
    assert all(t.endswith("\n") for t in spans)


@pytest.mark.parametrize("name,codes", [
    ("atlasti-win-23.4.0_codebook.qdc", 1),
    ("maxqda-24.7.0_codebook-ns-0-4.qdc", 343),
    ("taguette-1.5.2_codebook.qdc", 3),
])
def test_real_codebooks_import_as_new_codebooks(name, codes, project):
    from themeqa.services.exchange import import_codebook_qdc

    result = import_codebook_qdc(project, SAMPLES / name, key="imported")
    assert (result.key, result.codes) == ("imported", codes)
    if name.startswith("atlasti"):  # its one code group is named, not silently dropped
        assert result.warnings == ("1 code sets not imported (themeqa has none): code group 1",)


def test_atlas_mac_export_without_sources_imports_the_rest_on_request(tmp_path):
    """The file's 12 sources: 6 text sources whose text files are missing (7 codings on
    them) and 6 media sources (9 codings); its 14 codes come in, 12 under their own names and
    the two ATLAS.ti-style "Coke::…" names with '::' (reserved for codebook::label) changed."""
    report = import_project(SAMPLES / "atlasti-mac-8.4.0_standard-project.qdpx", tmp_path / "p",
                            skip_missing_sources=True)
    assert (report.sources_in_file, report.documents, len(report.skipped)) == (12, 0, 12)
    assert (report.codes_in_file, report.codes) == (14, 14)
    assert (report.codings_in_file, report.codings) == (16, 0)
    missing = [x for x in report.skipped if x["reason"] == "its text is not in the archive"]
    assert (len(missing), sum(x["codings"] for x in missing)) == (6, 7)
    assert report.codes_renamed == ["'Coke::full-fat Coke' -> 'Coke: full-fat Coke'",
                                    "'Coke::diet Coke' -> 'Coke: diet Coke'"]
