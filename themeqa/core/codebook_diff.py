"""What changed in a codebook between two saved versions.

Why a diff of snapshots *plus* the merges from the log: a snapshot alone cannot tell a theme
that was merged into another from one that was deleted (both simply vanish), yet a methods
appendix must say "2d Fear of being a burden was merged into 2a" — and how many codings that
moved. Renames, relabels, re-definitions and moves are visible in the snapshots because a
code keeps its id through them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

__all__ = ["CHANGE_KINDS", "Change", "CodeState", "diff_codebooks"]

CHANGE_KINDS = ("added", "removed", "merged", "renamed", "relabelled", "moved", "redefined")


@dataclass(frozen=True)
class CodeState:
    """One code as a version saw it."""

    id: int
    codebook: str
    label: str
    name: str
    parent_id: int | None
    definition: str = ""

    @classmethod
    def from_dict(cls, d: Mapping) -> CodeState:
        return cls(int(d["id"]), d["codebook"], d["label"], d["name"], d.get("parent_id"),
                   d.get("definition", ""))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Change:
    """One line of the diff; ``codings`` is how many codings the change touches."""

    kind: str
    codebook: str
    label: str
    name: str
    detail: str
    codings: int

    def to_dict(self) -> dict:
        return asdict(self)


def _where(parent_id: int | None, codes: Mapping[int, CodeState]) -> str:
    if parent_id is None:
        return "top level"
    p = codes.get(parent_id)
    return f"{p.label} {p.name}" if p else f"code {parent_id}"


def diff_codebooks(
    old: Iterable[CodeState],
    new: Iterable[CodeState],
    *,
    old_counts: Mapping[int, int] | None = None,
    new_counts: Mapping[int, int] | None = None,
    merges: Iterable[tuple[int, int]] = (),
) -> list[Change]:
    """Changes from ``old`` to ``new``, in codebook and label order within each kind.

    ``merges`` are ``(source id, target id)`` pairs taken from the audit log between the two
    versions; a chain (a into b, then b into c) is followed to the code that survived.
    Coding counts come from each version's snapshot (a removed code's count is from ``old``).
    """
    a = {c.id: c for c in old}
    b = {c.id: c for c in new}
    ca = old_counts or {}
    cb = new_counts or {}
    merged_into: dict[int, int] = {}
    for src, dst in merges:
        merged_into[src] = dst
    changes: list[Change] = []

    def final(code_id: int) -> int | None:
        seen = set()
        while code_id in merged_into and code_id not in seen:
            seen.add(code_id)
            code_id = merged_into[code_id]
        return code_id if code_id in b else None

    for cid, c in a.items():
        if cid in b:
            continue
        target = final(cid) if cid in merged_into else None
        if target is not None:
            t = b[target]
            changes.append(Change("merged", c.codebook, c.label, c.name,
                                  f"into {t.label} {t.name}", ca.get(cid, 0)))
        else:
            changes.append(Change("removed", c.codebook, c.label, c.name, "",
                                  ca.get(cid, 0)))
    for cid, c in b.items():
        if cid not in a:
            changes.append(Change("added", c.codebook, c.label, c.name,
                                  f"under {_where(c.parent_id, b)}", cb.get(cid, 0)))
            continue
        o = a[cid]
        n = cb.get(cid, 0)
        if o.name != c.name:
            changes.append(Change("renamed", c.codebook, c.label, c.name,
                                  f"was {o.name!r}", n))
        if o.label != c.label:
            changes.append(Change("relabelled", c.codebook, c.label, c.name,
                                  f"was {o.label}", n))
        if o.parent_id != c.parent_id:
            changes.append(Change("moved", c.codebook, c.label, c.name,
                                  f"from {_where(o.parent_id, a)} to {_where(c.parent_id, b)}",
                                  n))
        if o.definition != c.definition:
            changes.append(Change("redefined", c.codebook, c.label, c.name, "", n))
    order = {k: i for i, k in enumerate(CHANGE_KINDS)}
    return sorted(changes, key=lambda ch: (order[ch.kind], ch.codebook, _natural(ch.label)))


def _natural(label: str) -> tuple:
    """Sort "2", "2a", "10" the way people number themes."""
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"\d+|\D+", label))
