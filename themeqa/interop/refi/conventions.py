"""How themeqa's richer codebook fits REFI's one name and one description per code.

Why: REFI codes have only ``name`` and ``Description``; a themeqa theme has a number label,
a name, a definition, inclusion and exclusion notes and examples. We write the label in front
of the name (``2a Others are unreliable``: what researchers type into NVivo and MAXQDA anyway)
and the notes as headed paragraphs of the description, so a person reading the export in
another tool sees everything, and a .qdc (which has no room for a side file) comes back whole.
"""

from __future__ import annotations

import re

__all__ = ["compose_description", "label_and_name", "parse_description"]

_LABEL = re.compile(r"^([A-Za-z]{0,3}\d+[A-Za-z0-9]*(?:\.\d+[A-Za-z0-9]*)*)\.?\s+(\S.*)$", re.S)
_SECTIONS = ("Include", "Exclude", "Examples")


def label_and_name(name: str) -> tuple[str | None, str]:
    """Split ``"2a Others are unreliable"`` into ``("2a", "Others are unreliable")``.

    Only a leading token that looks like a number label (digits, optionally a short letter
    prefix/suffix and dotted parts: ``2``, ``2a``, ``F1``, ``1.2``, ``1.``) is taken; any other
    name gives ``(None, name)``.
    """
    m = _LABEL.match(name.strip())
    if not m:
        return None, name.strip()
    return m.group(1), m.group(2).strip()


def compose_description(definition: str, include: str = "", exclude: str = "",
                        examples: tuple[str, ...] | list[str] = ()) -> str:
    parts = [definition.strip()] if definition.strip() else []
    if include.strip():
        parts.append(f"Include: {include.strip()}")
    if exclude.strip():
        parts.append(f"Exclude: {exclude.strip()}")
    if examples:
        parts.append("Examples:\n" + "\n".join(f"- {e}" for e in examples))
    return "\n\n".join(parts)


def parse_description(text: str) -> dict:
    """Inverse of :func:`compose_description`; a plain description is all definition."""
    out = {"definition": "", "include": "", "exclude": "", "examples": []}
    text = (text or "").replace("\r\n", "\n").strip()
    pattern = re.compile(r"(?:^|\n\n)(Include|Exclude|Examples):[ \n]", re.S)
    marks = list(pattern.finditer(text))
    out["definition"] = text[: marks[0].start()].strip() if marks else text
    for i, m in enumerate(marks):
        body = text[m.end(): marks[i + 1].start() if i + 1 < len(marks) else len(text)].strip()
        if m.group(1) == "Examples":
            out["examples"] = [ln[2:].strip() if ln.startswith("- ") else ln.strip()
                               for ln in body.split("\n") if ln.strip()]
        else:
            out[m.group(1).lower()] = body
    return out
