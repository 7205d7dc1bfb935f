"""The schema revisions this themeqa knows, read from the migration files without Alembic.

Why: every command opens a project, and opening asks "is this database at the newest
revision?". Asking Alembic costs ~0.2 s of imports (0.8 s on a loaded machine) before any
work starts, on every call of a script that runs `themeqa import` per file. The migration
files declare ``revision`` and ``down_revision`` as plain string assignments (Alembic's own
template), so the graph is read here with a regular expression; Alembic is imported only
when a migration is actually due. ``tests/store/test_revisions.py`` checks this reading
against Alembic's ``ScriptDirectory`` so the two can never disagree.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

__all__ = ["VERSIONS", "head", "known", "parents"]

VERSIONS = Path(__file__).with_name("migrations") / "versions"

_ASSIGN = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.MULTILINE)


def _value(text: str, path: Path) -> tuple[str, ...]:
    """``None``, a string, or a tuple/list of strings, as a tuple of revisions."""
    value = ast.literal_eval(text)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise RuntimeError(f"{path.name}: cannot read revision {text!r}")  # pragma: no cover


@cache
def parents() -> dict[str, tuple[str, ...]]:
    """Each known revision with the revisions it follows."""
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted(VERSIONS.glob("*.py")):
        found = dict(m.groups() for m in _ASSIGN.finditer(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        (rev,) = _value(found["revision"], path)
        graph[rev] = _value(found.get("down_revision", "None"), path)
    return graph


def known() -> set[str]:
    """Every schema revision this themeqa has a migration for."""
    return set(parents())


def head() -> str:
    """The newest revision: the one no other revision follows."""
    graph = parents()
    followed = {p for ps in graph.values() for p in ps}
    heads = sorted(set(graph) - followed)
    if len(heads) != 1:  # pragma: no cover - guards a packaging mistake
        raise RuntimeError(f"migrations have {len(heads)} heads: {heads}")
    return heads[0]
