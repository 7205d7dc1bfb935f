"""Record who exported what, and where, in the audit log.

Why: exports are how a study's data leaves the project (codings to another tool, a codebook
to a colleague, reports to a journal). DESIGN.md's privacy rules ask that the audit log can
answer "who took which data out, when": every export path calls :func:`log_export` once,
after the file was written, in its own small transaction. It then reads the file back for
text that de-identification replaced (``services.deid_check``) and warns if it finds any.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from themeqa.services.audit import record
from themeqa.services.project import ProjectHandle

__all__ = ["log_export"]


def log_export(
    project: ProjectHandle,
    what: str,
    destination: Path | str | None,
    *,
    actor: str | None = None,
    **details: Any,
) -> None:
    """Audit event ``export`` on entity ``what`` (e.g. "codings", "codebook", "report");
    ``destination`` None means standard output. ``details``: filters and counts, JSON-able."""
    after = {"file": str(destination) if destination is not None else "-", **details}
    with project.transaction() as s:
        record(s, actor or project.actor, "export", what, None, after=after)
    # every export passes here: warn when it carries text de-identification replaced
    from themeqa.services.deid_check import warn_if_identifiable

    warn_if_identifiable(project, destination)
