"""One themeqa process of the multi-process tests (``test_concurrency.py``).

    python worker.py MODE DB_URL READY_FILE GO_FILE ARGS...

It opens the project (its own engine and connections, as another coder's machine would),
touches READY_FILE, waits for GO_FILE (so every process starts its work at the same moment),
does its work through the services and prints one JSON list of what happened, one entry per
action: ``["ok", value]``, ``["refused", message]`` (a user error: a stale edit, a move
that would close a loop) or ``["error", message]`` (anything else: a failure of the test).

Modes:
- ``edit CODE_ID N NAME``: N times, read the code's version and change its definition to
  "NAME i" with that expected version (``ok`` carries [new version, text]).
- ``move ID:PARENT_ID ...``: move each code under its parent, in order.
- ``code DOCUMENT N CODER``: add N codings.
- ``import CSV N``: import the codings CSV N times.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _wait(ready: Path, go: Path) -> None:
    ready.touch()
    deadline = time.monotonic() + 60
    while not go.exists():
        if time.monotonic() > deadline:  # pragma: no cover - the test gave up
            raise SystemExit("no go signal")
        time.sleep(0.005)


def _attempt(refusal: type[Exception], action, *args, **kwargs) -> list:
    """["ok", value], ["refused", message] (a user error) or ["error", message] (anything
    else, e.g. "UNIQUE constraint failed": the tests require none)."""
    try:
        return ["ok", action(*args, **kwargs)]
    except refusal as exc:
        return ["refused", str(exc)]
    except Exception as exc:
        return ["error", f"{type(exc).__name__}: {str(exc).splitlines()[0]}"]


def main(argv: list[str]) -> int:
    mode, url, ready, go, *args = argv
    from sqlmodel import select

    from themeqa.errors import ThemeqaError
    from themeqa.services.project import open_project
    from themeqa.store.models import Code

    actor = {"edit": lambda: args[2], "code": lambda: args[2]}.get(mode, lambda: mode)()
    project = open_project(db_url=url, actor=actor)
    out: list = []
    try:
        if mode == "edit":
            from themeqa.services.codebook_edit import update_code
        elif mode == "move":
            from themeqa.services.codebook_edit import move_code
        elif mode == "code":
            from themeqa.services.codings import add_coding
        else:
            from themeqa.services.codings import import_codings
        _wait(Path(ready), Path(go))
        if mode == "edit":
            code_id, n, name = int(args[0]), int(args[1]), args[2]
            for i in range(n):
                with project.reading() as s:
                    version = s.exec(select(Code.version).where(Code.id == code_id)).one()
                text = f"{name} {i}"
                res = _attempt(ThemeqaError, update_code, project, code_id,
                               expected_version=version, definition=text, actor=name)
                out.append(["ok", [res[1], text]] if res[0] == "ok" else res)
        elif mode == "move":
            for pair in args:
                code_id, parent_id = map(int, pair.split(":"))
                res = _attempt(ThemeqaError, move_code, project, code_id,
                               parent_id=parent_id, actor="mover")
                out.append(["ok", pair] if res[0] == "ok" else res)
        elif mode == "code":
            doc, n, coder = args[0], int(args[1]), args[2]
            for i in range(n):
                out.append(_attempt(ThemeqaError, add_coding, project, document=doc,
                                    start=i, end=i + 5, code="inhibitors::1", coder=coder))
        else:
            csv, n = args[0], int(args[1])
            for _ in range(n):
                out.append(_attempt(ThemeqaError, import_codings, project, csv))
    finally:
        project.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
