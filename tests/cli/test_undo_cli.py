"""`themeqa undo/redo`, `themeqa settings blind`, `themeqa coders role` on the demo study."""

from __future__ import annotations

import json

from themeqa.cli.main import main
from themeqa.services.codebook_edit import update_code
from themeqa.services.codebooks import codebook_tree
from themeqa.services.codings import add_coding, list_codings
from themeqa.services.project import open_project


def run(*args: str) -> int:
    return main(list(args))


def test_undo_and_redo_one_coding(demo_copy, capsys):
    p = open_project(demo_copy)
    try:
        doc = list_codings(p)[0].document
        cid = add_coding(p, document=doc, start=3, end=9, code="inhibitors::1", coder="amira")
    finally:
        p.close()
    assert run("--project", str(demo_copy), "undo", "--coder", "ben") == 0
    assert capsys.readouterr().out == "nothing to undo for ben\n"
    assert run("--project", str(demo_copy), "undo", "--coder", "amira", "--json") == 0
    assert json.loads(capsys.readouterr().out) == {
        "undone": f"add coding 1 at {doc}:3-9", "coder": "amira"}
    assert run("--project", str(demo_copy), "codings", "list", "--coder", "amira",
               "--json") == 0
    assert cid not in {r["id"] for r in json.loads(capsys.readouterr().out)}
    assert run("--project", str(demo_copy), "redo", "--coder", "amira") == 0
    assert capsys.readouterr().out == f"redone: add coding 1 at {doc}:3-9\n"
    p = open_project(demo_copy)
    try:
        assert [(c.start, c.end) for c in list_codings(p) if c.id == cid] == [(3, 9)]
    finally:
        p.close()


#: the demo's undoable steps, newest first (services.demo: codings, then SCS items, scored)
DEMO_STEPS = (
    "score scs26 (20 respondents)",
    "import 26 measure variables (520 values) from measures_scs.csv",
    "import 471 codings from codings_demo.csv",
)


def _json(capsys, *args: str):
    assert run(*args) == 0
    return json.loads(capsys.readouterr().out)


def test_undo_of_the_demo_imports_and_back(demo_copy, capsys):
    project = str(demo_copy)
    n_variables = len(_json(capsys, "--project", project, "quant", "list", "--json"))
    for summary in DEMO_STEPS:
        assert run("--project", project, "undo", "--coder", "themeqa-demo") == 0
        assert capsys.readouterr().out == f"undone: {summary}\n"
    assert _json(capsys, "--project", project, "codings", "list", "--json") == []
    assert _json(capsys, "--project", project, "quant", "list", "--json") == []
    for summary in reversed(DEMO_STEPS):
        assert run("--project", project, "redo", "--coder", "themeqa-demo") == 0
        assert capsys.readouterr().out == f"redone: {summary}\n"
    assert len(_json(capsys, "--project", project, "codings", "list", "--json")) == 471
    assert len(_json(capsys, "--project", project, "quant", "list", "--json")) == n_variables


def test_a_replacing_measures_import_is_undone(demo_copy, tmp_path, capsys, monkeypatch):
    """`quant import --replace` overwrites a variable; `themeqa undo` puts every value back."""
    from themeqa.services.measures import measure_frame

    monkeypatch.setenv("LOGNAME", "amira")  # the OS user is who the CLI says acts
    project = str(demo_copy)
    p = open_project(demo_copy)
    try:
        before = measure_frame(p)
    finally:
        p.close()
    f = tmp_path / "recoded.csv"
    f.write_text("participant,scs_1\nP01,5\nP02,1\n", encoding="utf-8")
    assert run("--project", project, "quant", "import", str(f)) == 2
    assert "use --replace" in capsys.readouterr().err
    assert run("--project", project, "quant", "import", str(f), "--replace") == 0
    capsys.readouterr()
    listed = {v["name"]: v for v in _json(capsys, "--project", project, "quant", "list",
                                          "--json")}
    assert listed["scs_1"]["n"] == 2
    assert run("--project", project, "undo") == 0
    assert capsys.readouterr().out == (
        "undone: import 1 measure variable (2 values) from recoded.csv, replacing 1\n")
    p = open_project(demo_copy)
    try:
        assert measure_frame(p).equals(before)
    finally:
        p.close()
    assert run("--project", project, "redo", "--json") == 0
    assert json.loads(capsys.readouterr().out)["redone"].startswith("import 1 measure variable")


def test_a_conflicting_undo_is_one_line_and_exit_2(demo_copy, capsys):
    p = open_project(demo_copy)
    try:
        code = next(n for n in codebook_tree(p) if n.label == "2a")
        update_code(p, code.id, name="Others let me down", actor="amira")
        update_code(p, code.id, definition="Ben's wording.", actor="ben")
    finally:
        p.close()
    assert run("--project", str(demo_copy), "undo", "--coder", "amira") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot undo") and err.count("\n") == 1
    assert "code 2a was changed by ben; reload" in err


def test_roles_and_blind_mode(demo_copy, capsys):
    project = str(demo_copy)
    assert run("--project", project, "settings", "blind", "on", "--coder", "amira") == 2
    assert "only a lead" in capsys.readouterr().err
    assert run("--project", project, "coders", "role", "amira", "lead") == 0
    assert capsys.readouterr().out == "amira is now a lead\n"
    assert run("--project", project, "coders", "role", "ben", "lead", "--coder", "ben") == 2
    assert "only a lead may change roles" in capsys.readouterr().err
    assert run("--project", project, "coders", "list", "--json") == 0
    assert json.loads(capsys.readouterr().out) == [
        {"name": "amira", "role": "lead"}, {"name": "ben", "role": "coder"}]
    assert run("--project", project, "settings", "blind", "on", "--coder", "ben") == 2
    capsys.readouterr()
    assert run("--project", project, "settings", "blind", "on", "--coder", "amira") == 0
    assert run("--project", project, "settings", "show", "--json") == 0
    assert json.loads(capsys.readouterr().out.split("\n", 1)[1]) == {"blind": True}
