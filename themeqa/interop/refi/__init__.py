"""REFI-QDA exchange (QDA-XML 1.0): projects (.qdpx) and codebooks (.qdc), pure file I/O.

Why a package of its own: other tools' dialects are absorbed here, once, and the services see
plain data classes with positions already in themeqa's convention (docs/CONVENTIONS.md).
The official schemas are not shipped: tests validate against ``../shared/conformance/refi``.
A written archive holds ``project.qde`` and ``sources/`` only; themeqa's own details ride in
one project note (``EXTRAS_NOTE``), and old archives' ``themeqa.json`` is still read.
"""

from __future__ import annotations

from themeqa.interop.refi.model import (
    Case,
    Code,
    CodebookFile,
    Coding,
    Mismatch,
    Note,
    Project,
    RefiSet,
    Selection,
    Source,
    User,
    Variable,
)
from themeqa.interop.refi.reader import (
    EXTRAS_FORMAT,
    EXTRAS_NOTE,
    SIDECAR,
    RefiError,
    read_qdc,
    read_qdpx,
)
from themeqa.interop.refi.writer import write_qdc, write_qdpx

__all__ = [
    "EXTRAS_FORMAT",
    "EXTRAS_NOTE",
    "SIDECAR",
    "Case",
    "Code",
    "CodebookFile",
    "Coding",
    "Mismatch",
    "Note",
    "Project",
    "RefiError",
    "RefiSet",
    "Selection",
    "Source",
    "User",
    "Variable",
    "read_qdc",
    "read_qdpx",
    "write_qdc",
    "write_qdpx",
]
