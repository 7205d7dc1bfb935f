"""Warm helper for ``test_backup_kill.py``: on each ``go N`` line it forks a child that opens
the project and makes automatic backups in a loop (``maybe_auto_backup`` with a clock moved
25 hours per backup, so each call backs up and rotates) until the test kills it.

Why fork from a warm parent: importing themeqa takes about a second, so 30 rounds stay
bounded in time. Prints ``pid P`` when a child starts, the child prints ``ready`` once the
project is open, and the parent prints ``done STATUS`` after reaping it (a reaped child's
pid is gone, as it would be after a real crash).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta


def _loop(project_dir: str, round_no: int) -> None:
    from themeqa.services.backup import maybe_auto_backup
    from themeqa.services.project import open_project

    project = open_project(project_dir, actor="backup-writer")
    # each round starts after every backup an earlier round can have made
    now = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(days=1000 * round_no)
    print("ready", flush=True)
    while True:
        now += timedelta(hours=25)
        maybe_auto_backup(project, now=now)


def main() -> None:
    project_dir = sys.argv[1]
    import themeqa.services.backup
    import themeqa.services.project  # noqa: F401

    for line in sys.stdin:
        round_no = int(line.split()[1])
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                _loop(project_dir, round_no)
            finally:
                os._exit(3)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"done {status}", flush=True)


if __name__ == "__main__":
    main()
