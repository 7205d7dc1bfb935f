"""Text normalisation: the one place that decides what a document's stored text is.

DESIGN.md: text is stored once per document, NFC-normalised, with ``\\n`` line endings, and
offsets are code-point indices into that text. Normalising in exactly one function keeps
offsets computed by readers, the demo builder and importers of other tools' files in step.
"""

from __future__ import annotations

import hashlib
import unicodedata

__all__ = ["normalize_text", "sha256_bytes", "sha256_text"]


def normalize_text(text: str) -> str:
    """Return ``text`` as themeqa stores it.

    Drops one leading byte-order mark, turns CRLF and lone CR into LF, and applies Unicode NFC
    (so "é" typed as e + combining accent and as one code point compare equal). Nothing else is
    touched: no trimming, no tab expansion, so a UTF-8 LF NFC file keeps its offsets exactly.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def sha256_text(text: str) -> str:
    """Hex sha256 of a stored text, over its UTF-8 encoding."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of a file's raw bytes (used to refuse importing the same file twice)."""
    return hashlib.sha256(data).hexdigest()
