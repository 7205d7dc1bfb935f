"""Read an SPSS ``.sav`` file in a child process, so a damaged file cannot crash themeqa.

Why: pyreadstat is C (ReadStat); a valid ``.sav`` with one byte changed in its variable
records makes it read out of bounds and die with a segmentation fault (seen in issue 21,
and reproduced by ``tests/ingest/test_sav_isolation.py``), which no ``except`` can catch. So
the file is read in a child process and the parent gets plain JSON back: a crash, a timeout
or the memory cap in the child becomes one line ("damaged file") in the parent. JSON rather
than pickle, so that even a child corrupted by the file can hand the parent only data.

The child is ``python -m themeqa.ingest.sav_child FILE`` (a fresh interpreter: not a fork
of a process with threads, and no re-import of the caller's ``__main__`` as multiprocessing
would do); it costs the import of pyreadstat and pandas, about half a second. It reads with ``user_missing=True`` (codes are seen, see ``ingest.measures``) and
``disable_datetime_conversion=True`` (dates stay the numbers SPSS stores); its address
space is capped (:data:`MEMORY_LIMIT`) so a header claiming billions of cases fails fast,
and it is killed after :data:`TIMEOUT` seconds.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["MEMORY_LIMIT", "TIMEOUT", "SavContent", "SavReadError", "read_sav_isolated"]

#: seconds the child may take (a 100 MB .sav reads in a few seconds)
TIMEOUT = 300
#: bytes of address space the child may map (Python, pandas and the data)
MEMORY_LIMIT = 8 * 1024**3


class SavReadError(ValueError):
    """The file could not be read; the message is one line without the file name."""


@dataclass
class SavContent:
    """What the child read: columns of values, and the metadata ``ingest.measures`` uses
    (the names of pyreadstat's metadata attributes)."""

    columns: dict[str, list[Any]]
    column_names: list[str]
    column_labels: list[str | None]
    readstat_variable_types: dict[str, str]
    variable_value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    missing_ranges: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    missing_user_values: dict[str, list[Any]] = field(default_factory=dict)
    file_encoding: str | None = None


def _limit_memory() -> None:  # pragma: no cover - runs in the child, before exec
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def read_sav_isolated(path: str | Path, *, timeout: float = TIMEOUT) -> SavContent:
    """Read ``path`` in a child process; raises :class:`SavReadError` with one line for a
    file ReadStat refuses, a crash of the reader, a timeout or running out of memory."""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "themeqa.ingest.sav_child", os.fspath(path)],
            capture_output=True, timeout=timeout, check=False,
            preexec_fn=_limit_memory if os.name == "posix" else None,
        )
    except subprocess.TimeoutExpired:
        raise SavReadError(f"damaged file (reading took over {timeout:.0f} s)") from None
    if proc.returncode < 0:
        raise SavReadError("damaged file (the SPSS reader crashed on it)")
    try:
        reply = json.loads(proc.stdout)
    except ValueError:
        if b"MemoryError" in proc.stderr:
            raise SavReadError("damaged file (it claims more data than fits in memory)"
                               ) from None
        raise SavReadError("damaged file (the SPSS reader failed on it)") from None
    if "error" in reply:
        raise SavReadError(reply["error"])
    meta = reply["meta"]
    return SavContent(
        columns=reply["columns"],
        column_names=meta["column_names"],
        column_labels=meta["column_labels"],
        readstat_variable_types=meta["readstat_variable_types"],
        variable_value_labels={k: dict(map(tuple, v))
                               for k, v in meta["variable_value_labels"].items()},
        missing_ranges=meta["missing_ranges"],
        missing_user_values=meta["missing_user_values"],
        file_encoding=meta["file_encoding"],
    )


def _plain(value: Any) -> Any:
    """A cell as JSON can carry it (NaN stays NaN: Python's json writes and reads it)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number if not math.isinf(number) else None


def _child(path: str) -> dict[str, Any]:  # pragma: no cover - runs in the child
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(path, user_missing=True,
                                       disable_datetime_conversion=True)
    except MemoryError:
        return {"error": "damaged file (it claims more data than fits in memory)"}
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return {"error": f"not a readable SPSS .sav file ({reason})"}
    names = [str(n) for n in meta.column_names]
    return {
        "columns": {n: [_plain(v) for v in df[n].tolist()] for n in names},
        "meta": {
            "column_names": names,
            "column_labels": list(meta.column_labels),
            "readstat_variable_types": dict(meta.readstat_variable_types),
            "variable_value_labels": {
                k: [[_plain(code), str(label)] for code, label in v.items()]
                for k, v in (meta.variable_value_labels or {}).items()},
            "missing_ranges": {k: [{"lo": _plain(r["lo"]), "hi": _plain(r["hi"])} for r in v]
                               for k, v in (meta.missing_ranges or {}).items()},
            "missing_user_values": {
                k: [_plain(x) for x in v]
                for k, v in (getattr(meta, "missing_user_values", None) or {}).items()},
            "file_encoding": getattr(meta, "file_encoding", None),
        },
    }


if __name__ == "__main__":  # pragma: no cover - the child
    try:
        _reply = _child(sys.argv[1])
    except MemoryError:
        _reply = {"error": "damaged file (it claims more data than fits in memory)"}
    sys.stdout.write(json.dumps(_reply))
