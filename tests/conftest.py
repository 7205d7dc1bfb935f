"""Shared fixtures: a small hand-made study, and the demo study built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFORMANCE = REPO.parent / "shared" / "conformance"


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """The demo study, built once; tests that change it copy it first (see ``demo_copy``)."""
    from themeqa.services.demo import build_demo

    d = tmp_path_factory.mktemp("demo")
    build_demo(d).close()
    return d


@pytest.fixture
def demo_copy(demo_dir, tmp_path) -> Path:
    dest = tmp_path / "demo"
    shutil.copytree(demo_dir, dest)
    return dest


@pytest.fixture
def project(tmp_path):
    from themeqa.services.project import open_project

    handle = open_project(tmp_path / "study", create=True, actor="tester")
    yield handle
    handle.close()


@pytest.fixture
def study_files(tmp_path) -> dict[str, Path]:
    """A tiny study written in the test: two participants, one transcript, written answers."""
    files = tmp_path / "files"
    files.mkdir()
    (files / "participants.csv").write_text(
        "id,condition,session,timepoints,age,gender,speaker_labels,occupation\n"
        "P01,M,S1,initial;follow-up,34,woman,Dana,teacher\n"
        "P02,M,S1,initial,51,man,,nurse\n",
        encoding="utf-8",
    )
    (files / "S1.txt").write_text(
        "Session S1\n\n"
        "Facilitator: How did the exercise feel?\n"
        "P01: It felt warm. I could see my gran's kitchen.\n"
        "Dana: Sorry, that was me again. It was calm.\n"
        "P2: I found it hard to picture anything at all.\n",
        encoding="utf-8",
    )
    (files / "written.csv").write_text(
        "participant,q1,q2\nP01,It was lovely.,Nothing got in the way.\nP02,Hard to picture.,\n",
        encoding="utf-8",
    )
    (files / "codebook.yaml").write_text(
        "codebook: inhibitors\ntitle: Inhibitors\ndescription: test\nthemes:\n"
        "  - label: '1'\n    name: Weak imagery ability\n    definition: Cannot form images.\n"
        "  - label: '2'\n    name: Fear of compassion\n    definition: Fear.\n"
        "    children:\n"
        "      - label: 2a\n        name: Others are unreliable\n        definition: Unreliable.\n",
        encoding="utf-8",
    )
    return {p.stem: p for p in files.iterdir()}
