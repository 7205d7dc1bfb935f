"""Plain text and Markdown transcripts (``.txt``, ``.md``).

The text is stored as written: Markdown markers (``**P03**:``, ``#``) stay in the text so that
offsets match the file. Headings are ordinary text unless a heading holds nothing but a speaker
label (``### Interviewer`` in an interview exported that way), which
:func:`themeqa.core.turns.parse_turns` treats like ``Interviewer:``.
"""

from __future__ import annotations

from collections.abc import Iterable

from themeqa.core.text import sha256_bytes
from themeqa.ingest.encoding import decode_bytes
from themeqa.ingest.model import SourceFile, make_text_document

__all__ = ["read_plain"]


def read_plain(
    data: bytes,
    filename: str,
    kind: str = "transcript",
    extra_labels: Iterable[str] = (),
) -> SourceFile:
    """Read the raw bytes of a ``.txt`` or ``.md`` file named ``filename``."""
    fmt = "md" if filename.lower().endswith((".md", ".markdown")) else "txt"
    text, encoding = decode_bytes(data, filename)
    doc = make_text_document(filename, text, fmt, kind, extra_labels)
    return SourceFile(filename, sha256_bytes(data), fmt, encoding, (doc,))
