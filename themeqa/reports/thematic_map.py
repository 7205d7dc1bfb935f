"""Draw a thematic map (``core.thematic_map``) as SVG or as a Graphviz ``.dot`` file.

SVG is drawn directly (no Graphviz needed to get a figure); the ``.dot`` file is for users who
want Graphviz's own layouts or to restyle the figure for a journal. Flagged themes (few
participants, one session) are dashed with the reason in the box, so the cue survives
printing in black and white.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from themeqa.core.thematic_map import MapNode, layout, walk

__all__ = ["to_dot", "to_svg", "write_map"]

_COL = 280
_ROW = 44
_BOX_W = 250
_BOX_H = 34
_MARGIN = 20


def _box_text(n: MapNode) -> tuple[str, str]:
    first = n.title if len(n.title) <= 38 else n.title[:37] + "…"
    if n.kind == "codebook":
        return first, ""
    second = f"n = {n.participants}, {n.sessions} session{'s' if n.sessions != 1 else ''}"
    if n.marker:
        second += f" · {n.marker}"
    return first, second


def to_svg(nodes: list[MapNode], title: str = "Thematic map") -> str:
    pos = layout(nodes)
    depth = max((c for c, _ in pos.values()), default=0)
    rows = max((r for _, r in pos.values()), default=0)
    width = _MARGIN * 2 + depth * _COL + _BOX_W
    height = _MARGIN * 2 + 30 + int(rows + 1) * _ROW
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Calibri, Arial, sans-serif" '
        'font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="{_MARGIN}" y="{_MARGIN + 12}" font-size="15" font-weight="bold">'
        f"{escape(title)}</text>",
    ]

    def xy(n: MapNode) -> tuple[float, float]:
        c, r = pos[n.key]
        return _MARGIN + c * _COL, _MARGIN + 30 + r * _ROW

    for n, _ in walk(nodes):
        x, y = xy(n)
        for ch in n.children:
            cx, cy = xy(ch)
            out.append(
                f'<path d="M{x + _BOX_W} {y + _BOX_H / 2} C{x + _BOX_W + 15} {y + _BOX_H / 2} '
                f'{cx - 15} {cy + _BOX_H / 2} {cx} {cy + _BOX_H / 2}" fill="none" '
                'stroke="#555" stroke-width="1"/>'
            )
    for n, _ in walk(nodes):
        x, y = xy(n)
        flagged = n.thin or n.one_session
        dash = ' stroke-dasharray="5 3"' if flagged else ""
        fill = "#eeeeee" if n.kind == "codebook" else "#ffffff"
        weight = ' font-weight="bold"' if n.kind == "codebook" else ""
        first, second = _box_text(n)
        out.append(
            f'<g class="node" id="{escape(n.key)}"><rect x="{x}" y="{y}" width="{_BOX_W}" '
            f'height="{_BOX_H}" rx="4" fill="{fill}" stroke="#222"{dash}/>'
            f'<text x="{x + 8}" y="{y + 14}"{weight}>{escape(first)}</text>'
            + (f'<text x="{x + 8}" y="{y + 28}" font-size="10" fill="#333">'
               f"{escape(second)}</text>" if second else "")
            + "</g>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _dot_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _dot_id(s: str) -> str:
    return f'"{_dot_escape(s)}"'


def to_dot(nodes: list[MapNode], title: str = "Thematic map") -> str:
    lines = [
        "digraph thematic_map {",
        f"  label={_dot_id(title)};",
        "  labelloc=t;",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded", fontname="Calibri"];',
    ]
    for n, _ in walk(nodes):
        first, second = _box_text(n)
        label = "\\n".join(_dot_escape(p) for p in (first, second) if p)
        style = '"rounded,dashed"' if (n.thin or n.one_session) else '"rounded"'
        if n.kind == "codebook":
            style = '"rounded,filled"'
        lines.append(
            f'  {_dot_id(n.key)} [label="{label}", style={style}];'
        )
    for n, _ in walk(nodes):
        for ch in n.children:
            lines.append(f"  {_dot_id(n.key)} -> {_dot_id(ch.key)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_map(nodes: list[MapNode], path: str | Path, title: str = "Thematic map") -> Path:
    """Write ``.svg`` or ``.dot`` by the file's suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".svg":
        text = to_svg(nodes, title)
    elif suffix in (".dot", ".gv"):
        text = to_dot(nodes, title)
    else:
        raise ValueError(f"a thematic map is written as .svg or .dot, not {suffix or path.name!r}")
    path.write_text(text, encoding="utf-8")
    return path
