"""Plain data classes for a REFI-QDA project (.qdpx) and codebook (.qdc).

Why our own small model instead of the XML tree: readers absorb each tool's dialect once
(positions, paths, namespaces, missing attributes) and hand the services clean values; the
writer builds the XML from the same classes, so a round trip goes through one shape.
Positions in ``Selection`` are code-point offsets into ``Source.text``, which is already in
themeqa's stored form (``core.text.normalize_text``: no BOM, ``\\n``, NFC) — conversion from
other tools' units happens in :mod:`themeqa.interop.refi.positions` before objects are built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "Case",
    "Code",
    "CodebookFile",
    "Coding",
    "Mismatch",
    "Note",
    "Project",
    "RefiSet",
    "Selection",
    "Source",
    "User",
    "Variable",
]


@dataclass
class User:
    guid: str
    name: str
    id: str | None = None


@dataclass
class Code:
    guid: str
    name: str
    codable: bool = True
    colour: str | None = None
    description: str = ""
    children: list[Code] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)

    def walk(self, depth: int = 1):
        """(code, depth) in tree order, this code first."""
        yield self, depth
        for c in self.children:
            yield from c.walk(depth + 1)


@dataclass
class Coding:
    guid: str
    code_guid: str
    creating_user: str | None = None
    created: datetime | None = None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class Selection:
    """A span of a text source; ``start``/``end`` are code points into the stored text."""

    guid: str
    start: int
    end: int
    name: str = ""
    description: str = ""
    creating_user: str | None = None
    created: datetime | None = None
    modified: datetime | None = None
    codings: list[Coding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class Source:
    guid: str
    name: str
    text: str
    description: str = ""
    creating_user: str | None = None
    created: datetime | None = None
    modified: datetime | None = None
    selections: list[Selection] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)  # whole-source codings
    note_refs: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # variable guid -> value


@dataclass
class Note:
    guid: str
    name: str
    text: str
    creating_user: str | None = None
    created: datetime | None = None
    modified: datetime | None = None


@dataclass
class Variable:
    guid: str
    name: str
    type: str = "Text"  # Text | Boolean | Integer | Float | Date | DateTime
    description: str = ""


@dataclass
class Case:
    guid: str
    name: str
    description: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # variable guid -> value
    source_refs: list[str] = field(default_factory=list)
    code_refs: list[str] = field(default_factory=list)


@dataclass
class RefiSet:
    guid: str
    name: str
    description: str = ""
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Mismatch:
    """An imported selection whose text does not match what the file says it covers."""

    source: str
    selection: str
    start: int
    end: int
    expected: str
    found: str

    def __str__(self) -> str:
        return (f"{self.source}: selection {self.selection} [{self.start}:{self.end}] "
                f"should read {self.expected[:40]!r} but reads {self.found[:40]!r}")


@dataclass
class Project:
    name: str
    origin: str = ""
    description: str = ""
    creating_user: str | None = None
    created: datetime | None = None
    modified: datetime | None = None
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    sets: list[RefiSet] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)  # notes on the project itself
    #: themeqa's own extras (codebook keys, labels, document metadata, layers, quote flags),
    #: written as one project note (``EXTRAS_NOTE``) whose text is ``sources/<guid>.txt``
    extras: dict[str, Any] = field(default_factory=dict)
    #: where ``extras`` was read from: the note, or ``themeqa.json`` (older archives)
    extras_from: str = ""
    #: what the reader noticed: dialect decisions, unverifiable text
    notices: list[str] = field(default_factory=list)
    #: sources the reader did not take, each (name, element, reason, codings on it): media
    #: sources, and text sources without their text when asked to skip them
    skipped: list[tuple[str, str, str, int]] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)

    def all_codes(self):
        for c in self.codes:
            yield from c.walk()


@dataclass
class CodebookFile:
    origin: str = ""
    codes: list[Code] = field(default_factory=list)
    sets: list[RefiSet] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def all_codes(self):
        for c in self.codes:
            yield from c.walk()
