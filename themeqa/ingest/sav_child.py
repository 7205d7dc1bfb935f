"""Read an SPSS ``.sav`` file in a child process, so a damaged file cannot crash themeqa.

Why: pyreadstat is C (ReadStat); a valid ``.sav`` with one byte changed in its variable
records makes it read out of bounds and die with a segmentation fault (seen in issue 21,
and reproduced by ``tests/ingest/test_sav_isolation.py``), which no ``except`` can catch. So
the file is read in a child process and the parent gets plain JSON back: a crash, a timeout
or the memory cap in the child becomes one line ("damaged file") in the parent. JSON rather
than pickle, so that even a child corrupted by the file can hand the parent only data.

The children are forked by a small server, ``python -m themeqa.ingest.sav_child --serve``
(:class:`_Server`): a fresh single-threaded interpreter with pyreadstat loaded, started on
the first read, so forking is safe (never a fork of themeqa with its threads) and a read
costs a fork instead of importing pandas again (multiprocessing's forkserver would
re-import the caller's ``__main__`` in every child). Where there is no ``fork`` (Windows),
each file gets ``python -m themeqa.ingest.sav_child FILE``. The child reads with ``user_missing=True`` (codes are seen, see ``ingest.measures``) and
``disable_datetime_conversion=True`` (dates stay the numbers SPSS stores); its address
space is capped (:data:`MEMORY_LIMIT`) so a header claiming billions of cases fails fast,
and it is killed after :data:`TIMEOUT` seconds.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import select
import signal
import subprocess
import sys
import threading
import time
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


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


class _Server:
    """``python -m themeqa.ingest.sav_child --serve``: a fresh, single-threaded interpreter
    with pyreadstat loaded that forks one child per file (so a read costs a fork, not an
    interpreter importing pandas) and reports each child's reply and exit status. It runs in
    its own process group, so a timeout kills it with every child it forked."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "themeqa.ingest.sav_child", "--serve"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env=env, start_new_session=True)
        return self.proc

    def _kill(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    def _read_exactly(self, fd: int, n: int, deadline: float) -> bytes:
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def read(self, path: str, timeout: float) -> tuple[int, bytes]:
        """``(exit status of the child, its reply)``; a negative status is a signal."""
        with self.lock:
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            deadline = time.monotonic() + timeout
            try:
                proc.stdin.write(json.dumps(path).encode() + b"\n")
                proc.stdin.flush()
                fd = proc.stdout.fileno()
                head = self._read_exactly(fd, 24, deadline)
                status, size = int(head[:12]), int(head[12:])
                return status, self._read_exactly(fd, size, deadline)
            except TimeoutError:
                self._kill()
                raise SavReadError(f"damaged file (reading took over {timeout:.0f} s)"
                                   ) from None
            except (EOFError, OSError, ValueError):
                self._kill()
                raise SavReadError("damaged file (the SPSS reader failed on it)") from None


_SERVER = _Server()


def _warm_up() -> None:  # pragma: no cover - the server process
    """Write and read a tiny .sav once, so what pandas and pyreadstat import or build on
    their first use is already in the server, not redone in every child."""
    import tempfile

    import pandas as pd
    import pyreadstat

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "warm.sav")
        pyreadstat.write_sav(pd.DataFrame({"id": ["a"], "x": [1.0]}), path)
        _child(path)


def _serve() -> None:  # pragma: no cover - the server process
    with contextlib.suppress(Exception):
        _warm_up()
    proto = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # nothing a child prints can reach the protocol
    for line in sys.stdin.buffer:
        path = json.loads(line)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            _limit_memory()
            try:
                reply = _child(path)
            except MemoryError:
                reply = {"error": "damaged file (it claims more data than fits in memory)"}
            data = json.dumps(reply).encode()
            with os.fdopen(w, "wb") as out:
                out.write(data)
            os._exit(0)
        os.close(w)
        with os.fdopen(r, "rb") as inp:
            data = inp.read()
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        proto.write(b"%12d%12d" % (code, len(data)) + data)
        proto.flush()


def _read_once(path: str, timeout: float) -> tuple[int, bytes]:
    """One fresh interpreter for one file (where there is no fork: Windows)."""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "themeqa.ingest.sav_child", path],
            capture_output=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        raise SavReadError(f"damaged file (reading took over {timeout:.0f} s)") from None
    return proc.returncode, proc.stdout


def read_sav_isolated(path: str | Path, *, timeout: float = TIMEOUT) -> SavContent:
    """Read ``path`` in a child process; raises :class:`SavReadError` with one line for a
    file ReadStat refuses, a crash of the reader, a timeout or running out of memory."""
    path = os.path.abspath(os.fspath(path))
    if hasattr(os, "fork"):
        status, payload = _SERVER.read(path, timeout)
    else:  # pragma: no cover - Windows
        status, payload = _read_once(path, timeout)
    if status < 0:
        raise SavReadError("damaged file (the SPSS reader crashed on it)")
    try:
        reply = json.loads(payload)
    except ValueError:
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


if __name__ == "__main__":  # pragma: no cover - the server, or a one-file child
    if sys.argv[1] == "--serve":
        _serve()
    else:
        _limit_memory()
        try:
            _reply = _child(sys.argv[1])
        except MemoryError:
            _reply = {"error": "damaged file (it claims more data than fits in memory)"}
        sys.stdout.write(json.dumps(_reply))
