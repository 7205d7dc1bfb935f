"""The command line: help with examples, fast start-up, exit codes, the demo acceptance path."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from themeqa.cli.main import COMMANDS, cli, main


def run(*args: str) -> int:
    return main(list(args))


def _all_commands():
    import click

    ctx = click.Context(cli)
    for name in COMMANDS:
        cmd = cli.get_command(ctx, name)
        yield (name,), cmd
        if isinstance(cmd, click.Group):
            for sub in cmd.list_commands(ctx):
                yield (name, sub), cmd.get_command(ctx, sub)


@pytest.mark.parametrize("path,cmd", list(_all_commands()), ids=lambda x: " ".join(x)
                         if isinstance(x, tuple) else "")
def test_every_command_has_help_with_an_example(path, cmd, capsys):
    assert run(*path, "--help") == 0
    out = capsys.readouterr().out
    assert "Example" in out, f"themeqa {' '.join(path)} --help has no example"
    assert "themeqa " in out.split("Example", 1)[1]


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys\n"
        "from themeqa.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('spacy', 'pandas', 'sqlmodel', 'sqlalchemy', 'textual', 'numpy')"
        " if m in sys.modules]\n"
        "print('HEAVY:' + ','.join(heavy))\n"
    )
    lines = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    heavy = next(line for line in lines if line.startswith("HEAVY:"))
    assert heavy == "HEAVY:", f"themeqa --help imported {heavy[6:]}"


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert run("init", str(tmp_path / "p")) == 0
    capsys.readouterr()
    missing = tmp_path / "nope.txt"
    assert run("--project", str(tmp_path / "p"), "import", str(missing)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_missing_project_says_how_to_create_one(tmp_path, capsys):
    assert run("--project", str(tmp_path / "none"), "documents") == 2
    assert "themeqa init" in capsys.readouterr().err


def test_unknown_option_is_exit_2(capsys):
    assert run("documents", "--bogus") == 2


def test_demo_show_export_reimport_identical(tmp_path, capsys):
    """Acceptance of the foundation issue, through the CLI only."""
    demo = tmp_path / "demo"
    assert run("demo", "--no-tui", str(demo)) == 0
    assert run("--project", str(demo), "codebook", "show") == 0
    shown = capsys.readouterr().out
    assert "Fear of compassion" in shown and "Others are unreliable" in shown

    first = tmp_path / "first.csv"
    assert run("--project", str(demo), "codings", "export", str(first)) == 0
    assert run("--project", str(demo), "documents", "--json") == 0
    capsys.readouterr()

    # a second project with the same documents but no codings: import, then export again
    from themeqa.services.demo import demo_data_dir

    data = demo_data_dir()
    import yaml

    manifest = yaml.safe_load((data / "manifest.yaml").read_text(encoding="utf-8"))
    other = tmp_path / "other"
    assert run("init", str(other)) == 0
    assert run("--project", str(other), "participants", "import",
               str(data / manifest["participants"])) == 0
    for cb in manifest["codebooks"]:
        assert run("--project", str(other), "codebook", "import", str(data / cb)) == 0
    for entry in manifest["documents"]:
        args = ["--project", str(other), "import", str(data / entry["file"])]
        for key in ("session", "timepoint", "kind"):
            if entry.get(key):
                args += [f"--{key}", entry[key]]
        assert run(*args) == 0
    assert run("--project", str(other), "codings", "import", str(first)) == 0
    second = tmp_path / "second.csv"
    assert run("--project", str(other), "codings", "export", str(second)) == 0
    a = first.read_text(encoding="utf-8")
    assert a == second.read_text(encoding="utf-8")
    assert len(a.splitlines()) > 100


def test_json_output_parses(demo_dir, capsys):
    assert run("--project", str(demo_dir), "participants", "list", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 20
    assert {r["condition"] for r in rows} == {"M", "I"}


def test_participants_list_sorts_ids_naturally(project, tmp_path, capsys):
    """Issue 22: the list ran P01, P10…P19, P02 (string order); people read P2 before P10."""
    f = tmp_path / "participants.csv"
    f.write_text("id,condition\nP10,M\nP2,I\nP01,M\nP19,I\nP03,M\np11,I\n", encoding="utf-8")
    assert run("--project", str(project.directory), "participants", "import", str(f)) == 0
    capsys.readouterr()
    assert run("--project", str(project.directory), "participants", "list", "--json") == 0
    ids = [r["pid"] for r in json.loads(capsys.readouterr().out)]
    assert ids == ["P01", "P2", "P03", "P10", "p11", "P19"]
