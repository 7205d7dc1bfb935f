"""The doctor's loop checks: codes inside themselves, document versions that point back.

Why: the code tree and the chain of document versions are walked from their roots by every
view, report and export. A code that is its own parent, or a loop of codes (2a under 2b
under 2a), is reachable from no root, so it vanishes from ``codebook show`` and Table 2 with
every coding under it, and ``export qdpx`` fails; two processes moving codes under each other
once committed such loops (issue 20). A document that names itself (or a later version) as its
previous version makes "the current version" undefined. Nothing else in the program would
notice, so the doctor looks for them; it only reads.

Kept apart from ``services.doctor`` so the integrity checks there can change independently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import select

from themeqa.store.models import Code, Codebook, Document

if TYPE_CHECKING:  # pragma: no cover
    from themeqa.services.doctor import DoctorReport
    from themeqa.services.project import ProjectHandle

__all__ = ["check_loops", "find_loops"]

_MAX_DETAILS = 20


def find_loops(parents: dict[int, int | None]) -> list[list[int]]:
    """Every cycle of a parent map (child id -> parent id), each once, smallest id first.

    A node that is its own parent is a cycle of one. Nodes that merely hang below a cycle
    are not reported (fixing the cycle fixes them). Linear: every node is walked once.
    """
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    loops: list[list[int]] = []
    for start in parents:
        path: list[int] = []
        node: int | None = start
        while node is not None and node in parents and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = parents[node]
        if node is not None and state.get(node) == 1:  # the walk met itself: a new cycle
            cycle = path[path.index(node):]
            at = cycle.index(min(cycle))
            loops.append(cycle[at:] + cycle[:at])
        for n in path:
            state[n] = 2
    return sorted(loops)


def _report(report: DoctorReport, lines: list[str], check: str, what: str) -> None:
    from themeqa.services.doctor import Problem

    for line in lines[:_MAX_DETAILS]:
        report.problems.append(Problem(check, line))
    if len(lines) > _MAX_DETAILS:
        report.problems.append(Problem(check, f"and {len(lines) - _MAX_DETAILS} more {what}"))


def _code_loops(project: ProjectHandle) -> list[str]:
    with project.reading() as s:
        rows = s.exec(select(Code.id, Code.parent_id, Code.label, Codebook.key)
                      .join(Codebook, Code.codebook_id == Codebook.id)).all()
    parents = {r[0]: r[1] for r in rows}
    names = {r[0]: (r[2], r[3]) for r in rows}
    out = []
    for loop in find_loops(parents):
        label, book = names[loop[0]]
        if len(loop) == 1:
            out.append(f"code {label} ({book}, id {loop[0]}) is its own parent: it and its "
                       "subcodes are missing from every view")
        else:
            chain = " under ".join(names[i][0] for i in [*loop, loop[0]])
            out.append(f"codes form a loop in {book}: {chain} (ids "
                       f"{', '.join(map(str, loop))}); they are missing from every view")
    return out


def _version_loops(project: ProjectHandle) -> list[str]:
    with project.reading() as s:
        rows = s.exec(select(Document.id, Document.previous_id, Document.name)).all()
    parents = {r[0]: r[1] for r in rows}
    names = {r[0]: r[2] for r in rows}
    out = []
    for loop in find_loops(parents):
        if len(loop) == 1:
            out.append(f"document {names[loop[0]]!r} (id {loop[0]}) is its own previous "
                       "version")
        else:
            chain = " -> ".join(repr(names[i]) for i in [*loop, loop[0]])
            out.append(f"document versions form a loop: {chain}")
    return out


def check_loops(project: ProjectHandle, report: DoctorReport) -> None:
    """Add the "loops" check: code cycles, self-parents, self-referencing document versions."""
    report.checks.append("loops")
    _report(report, _code_loops(project), "loops", "code loops")
    _report(report, _version_loops(project), "loops", "document version loops")
