"""Seeded sampling for a credibility check: the same seed redraws the same sample."""

from __future__ import annotations

import numpy as np
import pytest
from sqlmodel import select

from themeqa.errors import InputError
from themeqa.services.check_sample import get_check, list_checks, sample_check
from themeqa.services.documents import list_documents
from themeqa.services.project import open_project
from themeqa.store.models import AuditEvent, CheckDocument


@pytest.fixture
def demo(demo_copy):
    handle = open_project(demo_copy, actor="lead")
    yield handle
    handle.close()


def test_same_seed_same_sample_written_method(demo, demo_dir, tmp_path):
    first = sample_check(demo, coder_b="ben", coder_a="amira", sessions=3, seed=2024)
    second = sample_check(demo, coder_b="ben", coder_a="amira", sessions=3, seed=2024)
    assert first.sessions == second.sessions and first.documents == second.documents
    assert (first.name, second.name) == ("check-1", "check-2")
    # the documented method, by hand: default_rng(seed).choice over the sorted labels
    labels = sorted(["S1", "S2", "S3", "S4", "S5", "S6"])
    picks = np.random.default_rng(2024).choice(len(labels), size=3, replace=False)
    assert first.sessions == sorted(labels[i] for i in picks)
    # every document of those sessions: transcripts and their participants' written answers
    want = sorted(d.name for d in list_documents(demo) if d.session in first.sessions)
    assert first.documents == want
    assert any(n.startswith("written_") for n in want)
    # a different project with the same sessions redraws the same sample
    import shutil

    other_dir = tmp_path / "other"
    shutil.copytree(demo_dir, other_dir)
    other = open_project(other_dir)
    try:
        assert sample_check(other, coder_b="ben", sessions=3, seed=2024).sessions == \
            first.sessions
    finally:
        other.close()


def test_sample_is_logged_with_its_seed(demo):
    info = sample_check(demo, coder_b="cleo", documents=4, seed=7, name="docs")
    assert len(info.documents) == 4 and info.sample_by == "document" and info.seed == 7
    with demo.reading() as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.entity == "credibility_check")).one()
        assert event.action == "sample" and event.actor == "lead"
        assert event.after["seed"] == 7 and event.after["documents"] == info.documents
        assert "default_rng" in event.after["method"]
    assert get_check(demo, "docs").coder_b == "cleo"
    assert [c.name for c in list_checks(demo)] == ["docs"]


def test_bad_requests_write_nothing(demo):
    with pytest.raises(InputError, match="cannot draw 7 of 6"):
        sample_check(demo, coder_b="ben", sessions=7, seed=1)
    with pytest.raises(InputError, match="either"):
        sample_check(demo, coder_b="ben", seed=1)
    with pytest.raises(InputError, match="different"):
        sample_check(demo, coder_b="ben", coder_a="ben", sessions=2, seed=1)
    sample_check(demo, coder_b="ben", sessions=2, seed=1, name="x")
    with pytest.raises(InputError, match="exists already"):
        sample_check(demo, coder_b="ben", sessions=2, seed=1, name="x")
    with demo.reading() as s:
        assert len(s.exec(select(CheckDocument)).all()) == len(get_check(demo, "x").documents)
    assert len(list_checks(demo)) == 1


def test_fresh_seed_is_recorded_and_redraws(demo):
    info = sample_check(demo, coder_b="ben", sessions=2)
    again = sample_check(demo, coder_b="ben", sessions=2, seed=info.seed)
    assert again.sessions == info.sessions


def test_a_check_can_name_coders_who_have_not_coded_yet(project, study_files):
    """Issue 22: on a new project neither coder has coded; the check is drawn first."""
    from themeqa.services.check_sample import sample_check
    from themeqa.services.importing import import_files
    from themeqa.services.settings import list_coders

    import_files(project, [study_files["S1"]], session="S1", timepoint="initial")
    check = sample_check(project, coder_b="ben", coder_a="zoe", sessions=1, seed=3)
    assert check.coder_a == "zoe" and check.coder_b == "ben"
    assert {"zoe", "ben"} <= {c.name for c in list_coders(project)}
