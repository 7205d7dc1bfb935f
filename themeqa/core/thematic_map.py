"""The thematic map: themes, subordinate themes and codes as a tree with participant counts.

Why markers: in reviewing themes (Braun & Clarke 2006, phase 4; 2021, ch. 5) a theme resting
on very few participants, or on one focus group only, is the first candidate to be merged,
reframed or dropped; the map flags both so they stand out on screen and on paper.
Layout is a plain left-to-right tree (each leaf one row, a parent centred on its children),
which reads well in a terminal and on a page; ``reports.thematic_map`` draws it as SVG and
Graphviz ``.dot``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["MapNode", "flag", "layout", "walk"]


@dataclass
class MapNode:
    """A node of the map. ``participants``: distinct participants with the theme (roll-up);
    ``sessions``: sessions those participants come from; ``codings``: codings of the node."""

    key: str  # unique id, e.g. "inhibitors::2a" or "codebook:inhibitors"
    label: str
    name: str
    participants: int = 0
    sessions: int = 0
    codings: int = 0
    children: list[MapNode] = field(default_factory=list)
    thin: bool = False
    one_session: bool = False
    kind: str = "theme"  # codebook | theme

    @property
    def title(self) -> str:
        return f"{self.label} {self.name}".strip()

    @property
    def marker(self) -> str:
        """A short text marker (colour-independent) for flagged themes."""
        marks = []
        if self.thin:
            marks.append("few participants")
        if self.one_session:
            marks.append("one session")
        return "; ".join(marks)


def walk(nodes: list[MapNode], depth: int = 0):
    """(node, depth) in display order (pre-order)."""
    for n in nodes:
        yield n, depth
        yield from walk(n.children, depth + 1)


def flag(nodes: list[MapNode], *, min_participants: int = 3) -> None:
    """Set ``thin`` (under ``min_participants``) and ``one_session`` on every theme."""
    for n, _ in walk(nodes):
        if n.kind != "theme":
            continue
        n.thin = n.participants < min_participants
        n.one_session = n.sessions == 1


def layout(nodes: list[MapNode]) -> dict[str, tuple[int, float]]:
    """key -> (column = depth, row) with leaves on consecutive rows, parents centred."""
    pos: dict[str, tuple[int, float]] = {}
    next_row = [0.0]

    def place(n: MapNode, depth: int) -> float:
        if not n.children:
            row = next_row[0]
            next_row[0] += 1
        else:
            rows = [place(c, depth + 1) for c in n.children]
            row = (rows[0] + rows[-1]) / 2
        pos[n.key] = (depth, row)
        return row

    for n in nodes:
        place(n, 0)
    return pos
