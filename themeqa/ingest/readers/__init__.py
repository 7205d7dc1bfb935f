"""File readers: one module per format, chosen by :func:`read_source` from the file suffix.

Reader modules (and python-docx/openpyxl behind them) are imported only when a file of their
format is read, so importing this package is cheap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from themeqa.ingest.model import IngestError, SourceFile
from themeqa.limits import LimitError, check_document_size, check_table_size

__all__ = ["DEFAULT_KINDS", "SUPPORTED_SUFFIXES", "read_source"]

# suffix -> (module, function, default kind)
_READERS: dict[str, tuple[str, str, str]] = {
    ".txt": ("plain", "read_plain", "transcript"),
    ".md": ("plain", "read_plain", "transcript"),
    ".markdown": ("plain", "read_plain", "transcript"),
    ".docx": ("docx", "read_docx", "transcript"),
    ".vtt": ("vtt", "read_vtt", "transcript"),
    ".srt": ("srt", "read_srt", "transcript"),
    ".csv": ("tabular", "read_csv", "written"),
    ".xlsx": ("tabular", "read_xlsx", "written"),
}
SUPPORTED_SUFFIXES = tuple(_READERS)
DEFAULT_KINDS = {suffix: kind for suffix, (_m, _f, kind) in _READERS.items()}
_KINDS = ("transcript", "written")


def read_source(
    path: Path | str,
    kind: str | None = None,
    *,
    extra_labels: Iterable[str] = (),
    id_column: str | None = None,
) -> SourceFile:
    """Read one file into a :class:`SourceFile` of parsed documents.

    ``kind`` is ``transcript`` or ``written``; by default transcript for txt/md/docx/vtt/srt and
    written for csv/xlsx. ``extra_labels`` are further speaker labels to recognise in
    transcripts (participants' names); ``id_column`` names the participant id column of a
    table. Any problem with the file raises :class:`IngestError` with a one-line reason.
    """
    path = Path(path)
    filename = path.name
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        known = ", ".join(s for s in _READERS if s != ".markdown")
        raise IngestError(
            filename, f"unsupported file type {path.suffix or '(none)'!r} (supported: {known})"
        )
    if kind is not None and kind not in _KINDS:
        raise IngestError(
            filename, f"unknown document kind {kind!r} (expected transcript or written)"
        )
    module_name, func_name, default_kind = _READERS[suffix]
    try:
        # refused up front: a text's import costs time and memory linear in its size
        # (themeqa.limits.MAX_DOCUMENT_MB, docs/safety.md)
        size = path.stat().st_size
        if module_name == "tabular":
            check_table_size(size)
        else:
            check_document_size(size)
        data = path.read_bytes()
    except LimitError as exc:
        raise IngestError(filename, str(exc)) from None
    except IsADirectoryError as exc:
        raise IngestError(filename, "is a folder, not a file") from exc
    except OSError as exc:
        raise IngestError(filename, f"cannot read the file ({exc.strerror or exc})") from exc

    import importlib

    module = importlib.import_module(f"{__name__}.{module_name}")
    reader = getattr(module, func_name)
    if module_name == "tabular":
        source = reader(data, filename, kind or default_kind, id_column=id_column)
    else:
        source = reader(data, filename, kind or default_kind, extra_labels=tuple(extra_labels))
    return replace(source, size=len(data))
