"""Shared fixtures: a small hand-made study, and the demo study built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]

# `make fuzz` sets HYPOTHESIS_PROFILE=fuzz: property tests marked `fuzz` then run many examples
# (they read settings.get_current_profile_name()); `make test` keeps hypothesis' defaults.
settings.register_profile(
    "fuzz", max_examples=300, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
CONFORMANCE = REPO.parent / "shared" / "conformance"


# Files in the demo directory that may come and go while it is only read: SQLite's WAL side
# files (present while a connection is open) and the search token cache.
_DEMO_VOLATILE = {"themeqa.db-wal", "themeqa.db-shm", ".themeqa-cache"}


def demo_fingerprint(directory: Path) -> tuple:
    """What a read-only test must leave as it found it: every file under ``directory`` (name
    and size; the database by its content) and every row of every table.

    Read with a separate ``sqlite3`` connection, which also sees committed writes that are
    still in the WAL. About 30 ms on the demo.
    """
    import hashlib
    import sqlite3

    files = []
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory)
        if rel.parts[0] in _DEMO_VOLATILE or not path.is_file():
            continue
        files.append((rel.as_posix(), None if rel.name == "themeqa.db" else path.stat().st_size))
    digest = hashlib.sha256()
    db = directory / "themeqa.db"
    if not db.is_file():
        return tuple(files), "no database"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            digest.update(table.encode())
            for row in con.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(row).encode())
    finally:
        con.close()
    return tuple(files), digest.hexdigest()


def _describe_change(directory: Path, before: tuple, after: tuple) -> str:
    files_before, files_after = dict(before[0]), dict(after[0])
    changed = sorted(f for f in files_before.keys() | files_after.keys()
                     if files_before.get(f, "gone") != files_after.get(f, "gone"))
    what = [f"files added, removed or resized: {', '.join(changed)}"] if changed else []
    if before[1] != after[1]:
        what.append("the database content changed")
    return (f"the shared, read-only demo project {directory} was changed ({'; '.join(what)}); "
            "a test that writes to the project (codings, settings, reports under the project, "
            "exports, which log an audit event) must use `demo_copy` instead of `demo_dir`")


@pytest.fixture(scope="session")
def _demo_baseline() -> dict:
    """The demo's last known fingerprint, shared by the per-test and the session check."""
    return {}


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory, _demo_baseline) -> Path:
    """The demo study, built once per session (per xdist worker) and only read: tests that
    change it copy it first (see ``demo_copy``).

    Guarded twice: ``_demo_dir_untouched`` fails the test that changed it, and this fixture's
    teardown fails if it changed anyway (e.g. in a module-scoped fixture).
    """
    from themeqa.services.demo import build_demo

    d = tmp_path_factory.mktemp("demo")
    build_demo(d).close()
    _demo_baseline["fingerprint"] = demo_fingerprint(d)
    yield d
    after = demo_fingerprint(d)
    if after != _demo_baseline["fingerprint"]:
        pytest.fail(_describe_change(d, _demo_baseline["fingerprint"], after), pytrace=False)


@pytest.fixture(autouse=True)
def _demo_dir_untouched(request, _demo_baseline):
    """Fail a test that uses ``demo_dir`` (directly or through another fixture) and changes it."""
    if "demo_dir" not in request.fixturenames:
        yield
        return
    d = request.getfixturevalue("demo_dir")
    yield
    before, after = _demo_baseline["fingerprint"], demo_fingerprint(d)
    if after != before:
        _demo_baseline["fingerprint"] = after  # report it once, not again for every later test
        pytest.fail(_describe_change(d, before, after), pytrace=False)


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


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    reason = reason.removeprefix("Skipped: ")
    if "conformance" in reason or "shared" in reason:
        return "../shared/conformance is absent (real-world files from other tools)"
    return reason


def pytest_terminal_summary(terminalreporter) -> None:
    """Skipped tests as one line per reason (addopts shows only failures and errors): without
    ``../shared`` beside the repository, every conformance test is one line, not sixty."""
    from collections import Counter

    reasons = Counter(_skip_reason(r) for r in terminalreporter.stats.get("skipped", ()))
    for reason, n in sorted(reasons.items()):
        terminalreporter.write_line(f"skipped {n}: {reason}")
