"""The wheel installs anywhere: built from this tree, installed into a new virtual environment
outside the repository, and run from a folder outside it.

Why: the demo study (transcripts, codebooks) must travel inside the wheel, and nothing may
point back into the source tree. An editable install would hide both defects, so this test
never uses it.

The new environment borrows the *dependencies* (spaCy, pandas, …) from the test environment
through a ``.pth`` line, so the test needs no network and takes seconds; themeqa itself comes
only from the wheel (checked by the paths it reports). A ``.pth`` file in a folder that a
``.pth`` line adds is not processed, so the test environment's editable install of themeqa
stays invisible. ``THEMEQA_FULL_WHEEL_TEST=1`` installs the dependencies for real from
``requirements.lock`` instead (slow; for a release check).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("pip") is None,
                       reason="pip is not installed in this environment (make test has it)"),
]


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """(the new environment's bin folder, the environment to run it with, a work folder)."""
    base = tmp_path_factory.mktemp("wheel")
    assert REPO not in base.parents, "the work folder must be outside the repository"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["HOME"] = str(base)
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist),
          str(REPO)], cwd=base, env=env)
    (wheel,) = dist.glob("themeqa-*.whl")
    target = base / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    new_python = target / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(new_python), "install", "--quiet"]
    if os.environ.get("THEMEQA_FULL_WHEEL_TEST") == "1":
        _run([*pip, "--require-hashes", "-r", str(REPO / "requirements.lock")], base, env)
    else:
        purelib = _run([str(new_python), "-c",
                        "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       cwd=base, env=env).strip()
        ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
        Path(purelib, "borrowed-deps.pth").write_text("\n".join(sorted(ours)) + "\n")
    _run([*pip, "--no-deps", str(wheel)], cwd=base, env=env)
    work = base / "work"
    work.mkdir()
    return target / "bin", env, work


def test_help_runs_from_the_wheel(installed) -> None:
    bin_dir, env, work = installed
    out = _run([str(bin_dir / "themeqa"), "--help"], cwd=work, env=env)
    assert "Usage" in out and "demo" in out


def test_nothing_points_back_into_the_source_tree(installed) -> None:
    bin_dir, env, work = installed
    probe = (
        "import json, themeqa; from themeqa.services.demo import demo_data_dir;"
        "print(json.dumps([themeqa.__file__, str(demo_data_dir())]))"
    )
    package, data = json.loads(_run([str(bin_dir / "python"), "-c", probe], cwd=work, env=env))
    root = bin_dir.parent.resolve()
    for path in (package, data):
        assert Path(path).resolve().is_relative_to(root), f"{path} is not inside the new venv"
        assert not Path(path).resolve().is_relative_to(REPO), f"{path} points into the repo"


def test_demo_and_table2_from_the_wheel(installed, demo_dir) -> None:
    """The wheel builds the same demo study as the source tree: Table 2's JSON is identical
    to the one the in-tree install computes on the session's demo project."""
    bin_dir, env, work = installed
    themeqa = str(bin_dir / "themeqa")
    _run([themeqa, "demo", "--no-tui", "study"], cwd=work, env=env)
    assert (work / "study" / "themeqa.db").is_file()
    from_wheel = _run([themeqa, "--project", "study", "report", "table2", "--json"],
                      cwd=work, env=env)
    in_tree = _run([sys.executable, "-m", "themeqa", "--project", str(demo_dir), "report",
                    "table2", "--json"], cwd=REPO, env=env)
    assert json.loads(from_wheel) == json.loads(in_tree)
    assert "Fear of compassion" in from_wheel
