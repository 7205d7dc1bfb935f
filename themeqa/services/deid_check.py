"""Warn when an export still holds text that de-identification replaced.

Why: after ``deidentify --apply`` a researcher trusts that what leaves the project is
de-identified; but a memo written after the review, a code renamed later, or a row not
accepted can still carry a participant's name into a ``.qdpx``, a journal export or a
report. Every export goes through ``services.export_log.log_export``, which asks this module
to read the written file back and count occurrences of the *identifiable terms*: the
originals listed in the de-identification key (``deid-mapping.csv``, when it can be read),
plus what a diff of each de-identified document's original against its current version
shows was taken out (``core.redact.mask_removed``, the same rule the purge uses). Names are
never printed (the warning would land in a terminal log): the count, the file, and which
project rows still quote them.

The check reads the file as text (members of a ZIP container -- ``.qdpx``, ``.docx``,
``.xlsx`` -- one by one); a term split by markup inside a word processor's XML would not be
found, which is why the rows are named too. Nothing is checked in a project that was never
de-identified (no key, no de-identified document).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

from themeqa.core.redact import mask_removed, term_pattern
from themeqa.errors import ThemeqaWarning
from themeqa.services.project import ProjectHandle

__all__ = ["IdentifiableTextWarning", "count_identifiable", "identifiable_pattern",
           "warn_if_identifiable"]

_MAX_BYTES = 512 * 1024 * 1024


class IdentifiableTextWarning(ThemeqaWarning):
    """An export holds text that de-identification replaced (the CLI prints one line)."""


def identifiable_pattern(project: ProjectHandle) -> re.Pattern[str] | None:
    """The identifiable terms as one regex (whole words, as written or in capitals), or
    None when the project has none (never de-identified)."""
    from themeqa.services.deid_purge import _mapping_path, _mapping_terms, _originals

    notes: list[str] = []
    terms = _mapping_terms(_mapping_path(project, None), notes)
    with project.reading() as s:
        for orig, head in _originals(s):
            terms.update(mask_removed(orig.text, head.text)[1])
    terms = {t for t in terms if any(ch.isalnum() for ch in t)}
    return term_pattern(terms) if terms else None


def count_identifiable(path: Path, pattern: re.Pattern[str]) -> int:
    """Occurrences of ``pattern`` in the file (each member of a ZIP file read as text)."""
    def count(data: bytes) -> int:
        return len(pattern.findall(data.decode("utf-8", errors="replace")))

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return sum(count(z.read(i)) for i in z.infolist()
                       if not i.is_dir() and i.file_size <= _MAX_BYTES)
    if path.stat().st_size > _MAX_BYTES:
        return 0
    return count(path.read_bytes())


def warn_if_identifiable(project: ProjectHandle, destination: Path | str | None) -> str | None:
    """Read an export back; if it holds identifiable terms, issue an
    ``IdentifiableTextWarning`` and return its message. Never fails the export."""
    if destination is None or str(destination) == "-":
        return None
    path = Path(destination)
    try:
        if not path.is_file():
            return None
        pattern = identifiable_pattern(project)
        if pattern is None:
            return None
        hits = count_identifiable(path, pattern)
    except (OSError, zipfile.BadZipFile, RuntimeError):
        return None
    if not hits:
        return None
    from themeqa.services.deid_purge import _mentions

    with project.reading() as s:
        rows = _mentions(s, pattern)
    where = f" (still quoted by {', '.join(rows[:6])}{' …' if len(rows) > 6 else ''})" \
        if rows else ""
    message = (f"{path} holds {hits} occurrence{'' if hits == 1 else 's'} of text that "
               f"de-identification replaced{where}: review them with `themeqa deidentify "
               "--review` and apply, then export again")
    warnings.warn(message, IdentifiableTextWarning, stacklevel=2)
    return message
