"""Mask what de-identification removed from an original text, keeping every offset.

Why masking and not deleting: after de-identification the identifiable original stays in the
project as the superseded document version, and ethics boards ask for it to be destroyed.
Deleting the row would cascade to what still points into it (a credibility check drawn before
de-identification, its reconciliation spans, codings not yet recoded on the new version), and
blanking the text would leave those offsets pointing past its end. Replacing each removed
character by a mask character keeps the length, so every offset stays valid and the
agreement numbers do not move, while the text itself no longer holds a name.

How the removed stretches are found without the key (which is deliberately kept outside the
project): the de-identified version is the original with disjoint stretches replaced, so a
diff of the two (lines first, then words inside the changed lines) finds them. Only stretches
the diff marks *equal* survive, and those appear word for word in the de-identified version
too, so the masked original never reveals more than the de-identified text does (apart from
the length of each masked stretch, which the offsets require). A misaligned diff can only
mask too much, never too little.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

__all__ = ["MASK", "mask_removed", "term_pattern"]

#: the character that replaces each removed character (newlines are kept, so lines stay)
MASK = "\u2588"  # FULL BLOCK
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _mask(text: str, mask: str) -> str:
    return "".join(ch if ch == "\n" else mask for ch in text)


def _diff_chunk(a: str, b: str, mask: str, out: list[str], removed: list[str]) -> None:
    """Word-level diff of one changed region; append ``a`` with its removed words masked."""
    ta, tb = _tokens(a), _tokens(b)
    # White space never starts a match (a lone space shared by "Ken Smith" and "[PERSON 1]"
    # would split one name in two) but is absorbed into matches next to it.
    sm = SequenceMatcher(str.isspace, ta, tb)
    for op, i1, i2, _j1, _j2 in sm.get_opcodes():
        piece = "".join(ta[i1:i2])
        if op == "equal":
            out.append(piece)
            continue
        if piece:
            out.append(_mask(piece, mask))
            removed.append(piece.strip())


def mask_removed(original: str, kept: str, mask: str = MASK) -> tuple[str, list[str]]:
    """``original`` with every character that did not survive into ``kept`` masked.

    Returns the masked text (same length as ``original``; newlines kept) and the removed
    stretches as they stood in ``original`` (stripped; those holding no letter or digit, such
    as an earlier mask, and those that still occur as words in ``kept`` are left out, so the
    list holds only what the de-identification took out).
    """
    la, lb = original.splitlines(keepends=True), kept.splitlines(keepends=True)
    out: list[str] = []
    removed: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
        a = "".join(la[i1:i2])
        if op == "equal":
            out.append(a)
        elif a:
            _diff_chunk(a, "".join(lb[j1:j2]), mask, out, removed)
    masked = "".join(out)
    if len(masked) != len(original):  # pragma: no cover - the pieces partition the original
        raise AssertionError("masking changed the length of the text")
    terms = []
    seen: set[str] = set()
    for r in removed:
        if r in seen or not any(ch.isalnum() for ch in r):
            continue
        seen.add(r)
        if term_pattern([r]).search(kept) is None:
            terms.append(r)
    return masked, terms


def term_pattern(terms: list[str] | tuple[str, ...] | set[str]) -> re.Pattern[str]:
    """A regex finding any of ``terms`` as whole words, as written or in capitals.

    The same forms the de-identification proposals look for (``Dana``, ``DANA``), so a
    common word that happens to be a name in lower case ("mark") is not caught.
    """
    forms = sorted({f for t in terms if t for f in (t, t.upper())}, key=lambda f: (-len(f), f))
    if not forms:
        return re.compile(r"(?!x)x")  # matches nothing
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, forms))})(?!\w)")
