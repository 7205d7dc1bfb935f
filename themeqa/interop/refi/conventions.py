"""How themeqa's richer codebook fits REFI's one name and one description per code.

Why: REFI codes have only ``name`` and ``Description``; a themeqa theme has a number label,
a name, a definition, inclusion and exclusion notes and examples.

- **A code's name is never changed** by import or export (issue 23): ``1. Oltás típusa``
  stays ``1. Oltás típusa``, and a theme typed in themeqa as ``Others are unreliable`` with
  label ``2a`` leaves under exactly that name. Writing "label name" renamed every code on a
  round trip through another tool.
- **Number labels are derived metadata** (:func:`derive_labels`): a label written in the
  description (``Label: 2a``), else the number a name begins with when no other code of the
  codebook begins with the same one, else the code's position in the tree (``3``, ``3.2``).
- The export writes ``Label: 2a`` into a description only when that derivation would not give
  the label back by itself (:func:`labels_to_write`), so an imported code's description leaves
  as it came in, and a .qdc (which has no room for anything else) still comes back whole.
- Definition, inclusion and exclusion notes and examples are headed paragraphs of the
  description, so a person reading the export in another tool sees everything.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["compose_description", "derive_labels", "label_and_name", "labels_to_write",
           "parse_description"]

_LABEL = re.compile(r"^([A-Za-z]{0,3}\d+[A-Za-z0-9]*(?:\.\d+[A-Za-z0-9]*)*)\.?\s+(\S.*)$", re.S)
_SECTIONS = ("Include", "Exclude", "Examples", "Label")


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
                        examples: tuple[str, ...] | list[str] = (), label: str = "") -> str:
    """The REFI description of a theme; ``label`` only when it must travel explicitly."""
    parts = [definition.strip()] if definition.strip() else []
    if include.strip():
        parts.append(f"Include: {include.strip()}")
    if exclude.strip():
        parts.append(f"Exclude: {exclude.strip()}")
    if examples:
        parts.append("Examples:\n" + "\n".join(f"- {e}" for e in examples))
    if label:
        parts.append(f"Label: {label}")
    return "\n\n".join(parts)


def parse_description(text: str) -> dict:
    """Inverse of :func:`compose_description`; a plain description is all definition."""
    out = {"definition": "", "include": "", "exclude": "", "examples": [], "label": ""}
    text = (text or "").replace("\r\n", "\n").strip()
    pattern = re.compile(r"(?:^|\n\n)(Include|Exclude|Examples|Label):[ \n]", re.S)
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


def _valid_label(label: str | None) -> bool:
    return bool(label) and label == label.strip() and "::" not in label and "\n" not in label


def derive_labels(codes, explicit: dict[str, str] | None = None
                  ) -> tuple[dict[str, str], list[str]]:
    """A label for every code of one codebook (REFI ``Code`` trees): guid -> label, notices.

    In this order, each label used once: an ``explicit`` label (themeqa's own, from its
    exchange note or a ``Label:`` line) that no other code claims; the number label a name
    begins with (``2a Others``, ``1. Oltás típusa``) when no other code of the codebook
    begins with the same one; otherwise the position in the tree (``3.2``; ``3.2-2`` if that
    is taken). Names are never touched. Two codes claiming one number (NVivo numbers per
    parent: ``Trust/1. …`` beside ``Roots/1. …``) both get positions: keeping the first would
    make the label depend on the order of the file.
    """
    explicit = explicit or {}
    order: list[tuple[object, str]] = []

    def walk(cs, prefix: str) -> None:
        for i, c in enumerate(cs):
            pos = f"{prefix}.{i + 1}" if prefix else str(i + 1)
            order.append((c, pos))
            walk(c.children, pos)

    walk(codes, "")
    labels: dict[str, str] = {}
    notices: list[str] = []
    wanted = {c.guid: explicit.get(c.guid) for c, _ in order
              if _valid_label(explicit.get(c.guid))}
    counts = Counter(wanted.values())
    labels.update({g: lab for g, lab in wanted.items() if counts[lab] == 1})
    taken = set(labels.values())
    from_name = {c.guid: label_and_name(c.name)[0] for c, _ in order if c.guid not in labels}
    counts = Counter(lab for lab in from_name.values() if lab)
    names: dict[str, list[str]] = {}
    for c, _ in order:
        lab = from_name.get(c.guid)
        if not lab:
            continue
        if counts[lab] == 1 and lab not in taken:
            labels[c.guid] = lab
            taken.add(lab)
        else:
            names.setdefault(lab, []).append(c.name)
    for lab, who in names.items():
        shown = ", ".join(repr(n) for n in who[:3]) + (", …" if len(who) > 3 else "")
        notices.append(f"{len(who)} codes begin with number {lab!r} ({shown}); "
                       "labelled by position (names unchanged)")
    for c, pos in order:
        if c.guid in labels:
            continue
        lab, n = pos, 2
        while lab in taken:
            lab, n = f"{pos}-{n}", n + 1
        labels[c.guid] = lab
        taken.add(lab)
    return labels, notices


def labels_to_write(codes, labels: dict[str, str]) -> dict[str, str]:
    """The labels an export must write out (``Label:``) for an import to derive ``labels``.

    Grows the explicit set until :func:`derive_labels` reproduces every label: at most one
    round per code, usually one or two, because explicit labels (unique, as themeqa's are)
    always win.
    """
    explicit: dict[str, str] = {}
    while True:
        derived, _ = derive_labels(codes, explicit)
        missing = {g: lab for g, lab in labels.items() if derived.get(g) != lab}
        if not missing or missing.keys() <= explicit.keys():  # (labels that are not unique)
            return explicit
        explicit.update(missing)
