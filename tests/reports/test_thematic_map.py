"""Thematic map: layout, flags, and SVG/.dot that parse."""

from __future__ import annotations

import re

import defusedxml.ElementTree as ET
import pytest

from themeqa.core.thematic_map import MapNode, flag, layout, walk
from themeqa.reports.thematic_map import to_dot, to_svg, write_map


def _tree():
    a = MapNode("b::2a", "2a", "Others are <unreliable>", participants=4, sessions=3)
    b = MapNode("b::2b", "2b", 'Say "manipulative"', participants=1, sessions=1)
    two = MapNode("b::2", "2", "Fear & compassion", participants=5, sessions=3,
                  children=[a, b])
    one = MapNode("b::1", "1", "Weak imagery", participants=6, sessions=1)
    return [MapNode("codebook:b", "", "Inhibitors", kind="codebook", children=[one, two])]


def test_layout_puts_leaves_on_rows_and_parents_between_children():
    nodes = _tree()
    pos = layout(nodes)
    assert pos["b::1"] == (1, 0)
    assert pos["b::2a"] == (2, 1) and pos["b::2b"] == (2, 2)
    assert pos["b::2"] == (1, 1.5)
    assert pos["codebook:b"] == (0, 0.75)


def test_flags_few_participants_and_one_session_but_not_codebooks():
    nodes = _tree()
    flag(nodes, min_participants=3)
    marks = {n.key: n.marker for n, _ in walk(nodes)}
    assert marks == {
        "codebook:b": "", "b::1": "one session", "b::2": "",
        "b::2a": "", "b::2b": "few participants; one session",
    }


def test_svg_is_well_formed_with_one_box_per_node_and_escaped_text(tmp_path):
    nodes = _tree()
    flag(nodes)
    root = ET.fromstring(to_svg(nodes, "Map & more"))
    ns = {"s": "http://www.w3.org/2000/svg"}
    groups = root.findall("s:g", ns)
    assert [g.get("id") for g in groups] == ["codebook:b", "b::1", "b::2", "b::2a", "b::2b"]
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "2a Others are <unreliable>" in texts
    assert "n = 1, 1 session · few participants; one session" in texts
    dashed = [g.get("id") for g in groups if g.find("s:rect", ns).get("stroke-dasharray")]
    assert dashed == ["b::1", "b::2b"]
    assert len(root.findall("s:path", ns)) == 4  # one connector per parent-child pair
    out = write_map(nodes, tmp_path / "m.svg")
    ET.fromstring(out.read_text(encoding="utf-8"))


def test_dot_has_every_node_and_edge_and_balanced_quotes(tmp_path):
    nodes = _tree()
    flag(nodes)
    dot = to_dot(nodes)
    assert dot.startswith("digraph thematic_map {") and dot.rstrip().endswith("}")
    statements = [line.strip() for line in dot.splitlines()[1:-1]]
    # every statement ends with ';' and has an even number of unescaped quotes
    for st in statements:
        assert st.endswith(";"), st
        assert len(re.findall(r'(?<!\\)"', st)) % 2 == 0, st
    edges = [st for st in statements if "->" in st]
    assert edges == [
        '"codebook:b" -> "b::1";', '"codebook:b" -> "b::2";',
        '"b::2" -> "b::2a";', '"b::2" -> "b::2b";',
    ]
    assert 'label="2b Say \\"manipulative\\"\\nn = 1, 1 session' in dot
    assert 'style="rounded,dashed"' in dot
    write_map(nodes, tmp_path / "m.dot")
    with pytest.raises(ValueError):
        write_map(nodes, tmp_path / "m.png")
