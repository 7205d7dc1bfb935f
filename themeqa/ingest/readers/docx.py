"""Word documents (``.docx``) through python-docx.

The text is the body's paragraphs joined by ``\\n``, tables included where they stand (each
cell's paragraphs in row order, a merged cell once). A speaker label written as a bold run
(**P03:** text) is plain text to python-docx, so it is kept and found by the turn parser.
Headers, footers, comments and footnotes are not part of the transcript.

Before python-docx sees the file it is checked as a zip archive, so that a renamed file, a
legacy ``.doc``, a truncated download or a zip bomb is refused with a clear reason.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator

from themeqa.core.text import normalize_text, sha256_bytes
from themeqa.ingest.model import IngestError, SourceFile, make_text_document

__all__ = ["MAX_PART_BYTES", "check_office_zip", "read_docx"]

MAX_PART_BYTES = 200 * 1024 * 1024  # uncompressed size of any one part
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # uncompressed size of the whole package
MAX_RATIO = 200  # compression ratio of one large part beyond which it looks like a bomb

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _size(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n} bytes"


def check_office_zip(data: bytes, filename: str, main_part: str, what: str) -> None:
    """Refuse bytes that are not a sound Office Open XML package holding ``main_part``."""
    if data.startswith(_OLE_MAGIC):
        raise IngestError(
            filename,
            f"not a {what}: this is an old binary Office file or a password-protected one; "
            f"save it as {what} and import that",
        )
    if not data.startswith(b"PK"):
        raise IngestError(filename, f"not a {what} (not a zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise IngestError(filename, f"corrupt or truncated {what} ({exc})") from exc
    except Exception as exc:  # zipfile raises various errors on damaged archives
        raise IngestError(filename, f"corrupt or truncated {what} ({exc})") from exc
    names = {info.filename for info in infos}
    if main_part not in names or "[Content_Types].xml" not in names:
        raise IngestError(filename, f"a zip archive but not a {what} (no {main_part})")
    total = 0
    for info in infos:
        total += info.file_size
        too_big = info.file_size > MAX_PART_BYTES
        bomb = info.file_size > 10 * 1024 * 1024 and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        )
        if too_big or bomb:
            raise IngestError(
                filename,
                f"refused: {info.filename} would unpack to {_size(info.file_size)} "
                "(too large, possibly a zip bomb)",
            )
    if total > MAX_TOTAL_BYTES:
        raise IngestError(filename, "refused: the archive would unpack to more than 1 GB")


def _block_texts(container) -> Iterator[str]:
    """Paragraph texts of a document body or table cell, tables in place, in reading order."""
    from docx.table import Table

    for item in container.iter_inner_content():
        if isinstance(item, Table):
            seen: set = set()  # holds the elements themselves, so their identity is stable
            for row in item.rows:
                for cell in row.cells:
                    if cell._tc in seen:  # a merged cell is returned once per grid column
                        continue
                    seen.add(cell._tc)
                    yield from _block_texts(cell)
        else:
            yield item.text


def read_docx(
    data: bytes,
    filename: str,
    kind: str = "transcript",
    extra_labels: Iterable[str] = (),
) -> SourceFile:
    """Read the raw bytes of a ``.docx`` file named ``filename``."""
    if not data:
        raise IngestError(filename, "no text (the file is empty)")
    check_office_zip(data, filename, "word/document.xml", ".docx")
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        text = "\n".join(_block_texts(document))
    except IngestError:
        raise
    except Exception as exc:  # python-docx/lxml/zipfile errors: all mean "cannot read"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise IngestError(filename, f"not a readable .docx ({reason})") from exc
    text = normalize_text(text)
    doc = make_text_document(filename, text, "docx", kind, extra_labels)
    return SourceFile(filename, sha256_bytes(data), "docx", None, (doc,))
