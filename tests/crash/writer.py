"""A coder who never stops: codes through the service layer until killed (SIGKILL test).

Run as ``python writer.py PROJECT_DIR DOCUMENT MODE`` (MODE: ``service`` or ``tui``). The
process imports everything once, then waits on stdin: each line ``go`` forks a child that
opens the project and codes continuously, and the parent prints ``pid N`` for it. The test
kills that child with SIGKILL at a random moment; the parent then reaps it and prints
``done``. Forking from a warm parent keeps 50+ kills within seconds, and every child opens
the database from scratch, exactly as a restarted app would.

The child prints ``add ID`` only after ``add_coding`` returned (the transaction committed),
``deleting ID`` before calling ``delete_coding`` and ``del ID`` after it returned, each line written with one unbuffered
``os.write`` so a reported id is never half a line. Mode ``tui`` runs the real Textual app
headless on a document and applies the codes through ``ServicesGateway`` from inside the
app's event loop, so the kill lands in a TUI session mid-edit.
"""

from __future__ import annotations

import os
import random
import sys


def _say(line: str) -> None:
    os.write(1, f"{line}\n".encode())


def _code_forever(add, delete, n_chars: int, rng: random.Random):
    """One edit: mostly adds, now and then deletes one of this child's earlier codings."""
    mine: list[int] = []

    def step() -> None:
        if mine and rng.random() < 0.2:
            cid = mine.pop(rng.randrange(len(mine)))
            _say(f"deleting {cid}")  # a kill from here on may or may not keep the deletion
            delete(cid)
            _say(f"del {cid}")
        else:
            start = rng.randrange(0, n_chars - 1)
            end = rng.randrange(start + 1, min(n_chars, start + 200) + 1)
            cid = add(start, end)
            mine.append(cid)
            _say(f"add {cid}")

    return step


def run_service(project_dir: str, document: str, seed: int) -> None:
    from themeqa.services.codings import add_coding, delete_coding
    from themeqa.services.documents import get_document
    from themeqa.services.project import open_project

    project = open_project(project_dir, actor="crash")
    n_chars = len(get_document(project, document).text)
    step = _code_forever(
        lambda s, e: add_coding(project, document=document, start=s, end=e,
                                code="inhibitors::1", coder="crash"),
        lambda cid: delete_coding(project, cid, actor="crash"),
        n_chars, random.Random(seed))
    step()  # one edit before "ready", so every kill lands in a working session
    _say("ready")
    while True:
        step()


def run_tui(project_dir: str, document: str, seed: int) -> None:
    import themeqa.tui.app
    from themeqa.tui.app import ThemeqaApp
    from themeqa.tui.gateway import ServicesGateway

    class CodingApp(ThemeqaApp):
        """The real app, with a robot at the keyboard that applies a code every tick."""

        # Textual resolves CSS_PATH beside the subclass's module: point it at the app's.
        CSS_PATH = os.path.join(os.path.dirname(themeqa.tui.app.__file__), "app.tcss")

        def on_mount(self) -> None:
            # Textual also runs ThemeqaApp.on_mount (handlers of base classes are called too),
            # which pushes the documents screen; the coding screen goes on top of it.
            self.call_after_refresh(self.open_document, document)
            n_chars = len(self.services.document(document).text)
            self._step = _code_forever(
                lambda s, e: self.services.add_coding(document, s, e, "inhibitors::1"),
                self.services.delete_coding, n_chars, random.Random(seed))
            self._step()  # one edit before "ready", so every kill lands in a working session
            _say("ready")
            self.set_interval(0.002, self._step)

    gateway = ServicesGateway(project_dir, None, "crash-tui")
    CodingApp(gateway, "crash-tui").run(headless=True)


def main() -> None:
    project_dir, document, mode = sys.argv[1:4]
    # Warm imports once in the parent so each forked child starts in milliseconds.
    import themeqa.core.codebook
    import themeqa.services.codings
    import themeqa.services.documents

    if mode == "tui":
        import themeqa.tui.app  # noqa: F401
    target = run_tui if mode == "tui" else run_service
    for rounds, line in enumerate(sys.stdin, start=1):
        if line.strip() != "go":
            break
        pid = os.fork()
        if pid == 0:  # the child: code until killed
            try:
                target(project_dir, document, seed=rounds)
            except BaseException:
                import traceback

                traceback.print_exc()
            os._exit(3)  # only reached on an error: the test sees status 768
        _say(f"pid {pid}")
        _, status = os.waitpid(pid, 0)
        _say(f"done {status}")


if __name__ == "__main__":
    main()
