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


def test_undo_of_the_demo_import_and_back(demo_copy, capsys):
    assert run("--project", str(demo_copy), "undo", "--coder", "themeqa-demo") == 0
    assert capsys.readouterr().out == "undone: import 471 codings from codings_demo.csv\n"
    assert run("--project", str(demo_copy), "codings", "list", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []
    assert run("--project", str(demo_copy), "redo", "--coder", "themeqa-demo") == 0
    capsys.readouterr()
    assert run("--project", str(demo_copy), "codings", "list", "--json") == 0
    assert len(json.loads(capsys.readouterr().out)) == 471


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
