"""`themeqa themes …` and `themeqa journal …` on a copy of the demo study."""

from __future__ import annotations

import json

import defusedxml.ElementTree as ET

from themeqa.cli.main import main


def run(capsys, project, *args):
    code = main(["--project", str(project), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_map_versions_review_phase_and_journal(demo_copy, capsys, tmp_path):
    code, out, _ = run(capsys, demo_copy, "themes", "map", "--codebook", "inhibitors")
    assert code == 0 and "2 Fear of compassion  n=" in out
    svg = tmp_path / "map.svg"
    assert run(capsys, demo_copy, "themes", "map", str(svg))[0] == 0
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    ids = [g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert "inhibitors::2a" in ids and "facilitators::F2a" in ids
    code, _, err = run(capsys, demo_copy, "themes", "map", str(tmp_path / "map.png"))
    assert code == 2 and ".svg or .dot" in err

    assert run(capsys, demo_copy, "themes", "versions", "save", "v1", "--by", "amira")[0] == 0
    assert run(capsys, demo_copy, "themes", "split", "2d", "--codings", "999999",
               "--label", "2e", "--name", "x")[0] == 2
    code, out, _ = run(capsys, demo_copy, "themes", "review", "2d", "--layer", "coder:amira",
                       "--json")
    extracts = json.loads(out)["extracts"]
    assert extracts and all(e["coder"] == "amira" for e in extracts)
    first = extracts[0]["coding_id"]
    assert run(capsys, demo_copy, "themes", "split", "2d", "--codings", str(first),
               "--label", "2e", "--name", "High standards at work", "--by", "amira")[0] == 0
    code, out, _ = run(capsys, demo_copy, "themes", "versions", "diff", "v1", "--json")
    assert json.loads(out) == [{
        "kind": "added", "codebook": "inhibitors", "label": "2e",
        "name": "High standards at work", "detail": "under 2 Fear of compassion",
        "codings": 1,
    }]
    code, out, _ = run(capsys, demo_copy, "themes", "phase", "4", "--by", "amira")
    assert code == 0 and "reviewing themes" in out
    assert run(capsys, demo_copy, "journal", "add", "Split 2d after review.")[0] == 0
    code, out, _ = run(capsys, demo_copy, "journal", "list", "--json")
    assert [e["text"] for e in json.loads(out)] == ["Split 2d after review."]
