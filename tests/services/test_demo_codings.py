"""End to end: every demo coding, once imported, covers exactly the text its author chose."""

from __future__ import annotations

from collections import Counter

import yaml

from themeqa.services.codings import list_codings
from themeqa.services.demo import demo_data_dir
from themeqa.services.documents import get_document, list_documents
from themeqa.services.project import open_project


def test_imported_demo_codings_cover_their_anchor_texts(demo_dir):
    anchors = []
    for path in sorted((demo_data_dir() / "codings").glob("anchors_*.yaml")):
        anchors.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    project = open_project(demo_dir)
    try:
        texts = {d.name: get_document(project, d.name).text for d in list_documents(project)}
        got = Counter(
            (c.document, c.coder, c.code_label, texts[c.document][c.start:c.end])
            for c in list_codings(project)
        )
    finally:
        project.close()
    want = Counter((a["document"], a["coder"], str(a["code"]), a["text"]) for a in anchors)
    assert got == want
    assert sum(want.values()) > 400


def test_demo_study_shape(demo_dir):
    project = open_project(demo_dir)
    try:
        docs = list_documents(project)
        transcripts = [d for d in docs if d.kind == "transcript"]
        assert [d.session for d in transcripts] == ["S1", "S2", "S3", "S4", "S5", "S6"]
        assert [d.condition for d in transcripts] == ["M", "I", "M", "I", "M", "I"]
        assert all(1500 <= d.words <= 3100 for d in transcripts)
        # every participant turn in a transcript is mapped to a participant of that session
        for d in transcripts:
            doc = get_document(project, d.name)
            roles = Counter(t.role for t in doc.turns)
            assert roles["unknown"] == 0, d.name
        written = [d for d in docs if d.kind == "written"]
        assert {d.timepoint for d in written} == {"initial", "follow-up"}
        assert all(d.participant for d in written)
        ben = {c.document for c in list_codings(project, coder="ben")}
        assert ben == {"S2_focus_group.txt", "S5_focus_group.txt"}
    finally:
        project.close()
