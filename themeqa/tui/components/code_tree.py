"""The codebook tree on the left: colour chip, number label, name and this coder's count.

Why a Textual ``Tree`` keyed by code id: collapse/expand and keyboard movement come with it,
and counts can be relabelled in place after a coding is applied without rebuilding the tree
(which would lose what the coder had collapsed).
"""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from themeqa.tui.actions import bindings_for

__all__ = ["CodeTree"]


def node_label(n) -> Text:
    text = Text()
    text.append("■ ", style=n.colour or "grey50")
    text.append(n.label, style="bold")
    text.append(f" {n.name}")
    text.append(f" ({n.codings})", style="dim")
    return text


class CodeTree(Tree[int]):
    """Codes grouped by codebook; ``enter`` asks the screen to apply the highlighted code.

    A long name is not cut: the tree scrolls sideways (left/right; issue 22), and the
    screen shows the highlighted code's full name beside it.
    """

    BINDINGS = bindings_for("code_tree")

    class ApplyRequested(Message):
        def __init__(self, code_id: int) -> None:
            super().__init__()
            self.code_id = code_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("codebooks", id=id)
        self.show_root = False
        self.auto_expand = False
        self.codes: dict[int, object] = {}
        self._code_nodes: dict[int, TreeNode[int]] = {}

    def load(self, nodes: list) -> None:
        """Build the tree from ``CodeNode`` rows, keeping what was collapsed and the cursor."""
        collapsed = {cid for cid, tn in self._code_nodes.items() if not tn.is_expanded}
        cursor = self.cursor_node.data if self.cursor_node is not None else None
        self.clear()
        self.codes = {n.id: n for n in nodes}
        self._code_nodes = {}
        books: dict[str, TreeNode[int]] = {}
        for n in nodes:
            if n.codebook not in books:
                books[n.codebook] = self.root.add(Text(n.codebook, style="italic"), expand=True)
            parent = self._code_nodes.get(n.parent_id) if n.parent_id else books[n.codebook]
            self._code_nodes[n.id] = (parent or books[n.codebook]).add(
                node_label(n), data=n.id, expand=n.id not in collapsed)
        for tn in self._code_nodes.values():
            if not tn.children:
                tn.allow_expand = False
        if cursor in self._code_nodes:
            # a node knows its line only once the tree has laid its lines out again, so a
            # move right now would land on line -1: the cursor jumped to the top after every
            # codebook edit (issue 22). Move it once the rebuilt tree is refreshed.
            self.call_after_refresh(self.select_code, cursor)

    def set_counts(self, counts: dict[int, int]) -> None:
        from dataclasses import replace

        for cid, tn in self._code_nodes.items():
            n = self.codes[cid]
            if counts.get(cid, 0) != n.codings:
                self.codes[cid] = replace(n, codings=counts.get(cid, 0))
                tn.set_label(node_label(self.codes[cid]))

    @property
    def current(self):
        """The highlighted code (a ``CodeNode``) or None on a codebook row."""
        node = self.cursor_node
        return self.codes.get(node.data) if node is not None and node.data else None

    def select_code(self, code_id: int) -> None:
        if code_id in self._code_nodes:
            self.move_cursor(self._code_nodes[code_id], animate=False)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        if event.node.data:
            self.post_message(self.ApplyRequested(event.node.data))
