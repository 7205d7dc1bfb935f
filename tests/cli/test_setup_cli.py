"""Setting up: `init` honours --project, `demo` never destroys a project without a copy, and
`make demo` reopens the demo instead of rebuilding it (issue 18)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from themeqa.cli.main import main

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> int:
    return main(list(args))


def _codings(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("select count(*) from coding").fetchone()[0]
    finally:
        con.close()


def test_init_creates_the_project_named_by_project(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run("--project", "sub/study", "init") == 0
    assert (tmp_path / "sub" / "study" / "themeqa.db").is_file()
    assert not (tmp_path / "themeqa.db").exists()
    assert "created project in sub/study" in capsys.readouterr().out


def test_init_directory_still_works_and_may_repeat_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("init", "a") == 0
    assert (tmp_path / "a" / "themeqa.db").is_file()
    assert run("--project", "b", "init", "b") == 0
    assert (tmp_path / "b" / "themeqa.db").is_file()


def test_init_with_two_different_folders_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run("--project", "one", "init", "two") == 2
    err = capsys.readouterr().err
    assert "--project one" in err and "two" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "one").exists() and not (tmp_path / "two").exists()


def _add_coding(project: Path) -> None:
    """One new coding by hand, through the CLI's CSV import (the way a script would)."""
    csv = project.parent / "one.csv"
    doc = "S1_focus_group.txt"
    csv.write_text(f"document,start,end,code,coder,layer,quote\n{doc},0,40,E2,zoe,coder,0\n",
                   encoding="utf-8")
    assert run("--project", str(project), "codings", "import", str(csv)) == 0


@pytest.mark.slow
def test_demo_refuses_an_existing_project_and_force_keeps_a_copy(tmp_path, capsys):
    demo = tmp_path / "demo"
    assert run("demo", "--no-tui", str(demo)) == 0
    base = _codings(demo / "themeqa.db")
    _add_coding(demo)
    assert _codings(demo / "themeqa.db") == base + 1
    capsys.readouterr()

    assert run("demo", "--no-tui", str(demo)) == 2
    err = capsys.readouterr().err
    assert "already holds a project" in err and len(err.strip().splitlines()) == 1
    assert _codings(demo / "themeqa.db") == base + 1, "a refused demo must change nothing"

    assert run("demo", "--no-tui", "--force", str(demo)) == 0
    out = capsys.readouterr().out
    (kept,) = (demo / "backups").glob("before-demo-reset-*.db")
    assert str(kept) in out
    assert _codings(kept) == base + 1, "the copy holds the coding made before the reset"
    assert _codings(demo / "themeqa.db") == base, "the rebuilt demo is the stock one"


def _fake_env(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in environment for the Makefile: stamps newer than the lock files (so `make`
    installs nothing), and a `themeqa` that runs the real CLI but logs instead of opening
    the TUI."""
    venv = tmp_path / "venv"
    bin_dir = venv / "bin"
    bin_dir.mkdir(parents=True)
    log = tmp_path / "calls.log"
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "themeqa").write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{log}"\n'
        'case " $* " in *" code "*) exit 0;; esac\n'
        f'exec "{sys.executable}" -m themeqa "$@" --no-tui\n'
    )
    (bin_dir / "themeqa").chmod(0o755)
    later = time.time() + 60
    for stamp in (".runtime-installed", ".dev-installed"):
        (venv / stamp).touch()
        os.utime(venv / stamp, (later, later))
    return venv, log


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_twice_keeps_a_coding_made_between(tmp_path):
    venv, log = _fake_env(tmp_path)
    demo = tmp_path / "demo-project"
    make = ["make", "-s", "--no-print-directory", "-C", str(REPO), "demo",
            f"VENV={venv}", f"DEMO={demo}"]
    env = {**os.environ, "MAKEFLAGS": ""}
    subprocess.run(make, check=True, capture_output=True, env=env, timeout=300)
    base = _codings(demo / "themeqa.db")
    _add_coding(demo)

    second = subprocess.run(make, check=True, capture_output=True, text=True, env=env,
                            timeout=300)
    assert "opening the demo study" in second.stdout
    assert _codings(demo / "themeqa.db") == base + 1, "make demo rebuilt the demo"
    calls = log.read_text().splitlines()
    assert calls[0].startswith("demo ") and calls[-1] == f"--project {demo} code --coder amira"


def test_lock_files_pin_every_package_with_hashes():
    """`make demo`/`make test` install from the locks with --require-hashes, so every line
    must be pinned with == and carry a hash; and no registry address is written in them."""
    for name in ("requirements.lock", "requirements-dev.lock"):
        text = (REPO / name).read_text(encoding="utf-8")
        reqs = [ln for ln in text.splitlines() if ln and not ln[0].isspace() and ln[0] != "#"]
        assert reqs, name
        for line in reqs:
            assert "==" in line and line.rstrip().endswith("\\"), f"{name}: {line}"
        assert "--hash=sha256:" in text
        assert "://" not in text and "--index-url" not in text
    dev = (REPO / "requirements-dev.lock").read_text(encoding="utf-8")
    assert "\npytest==" in dev and "\nruff==" in dev
