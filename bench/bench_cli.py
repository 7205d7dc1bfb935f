"""Data commands and the TUI's first screen against ``themeqa --help`` (issue 24).

Why against ``--help``: it is the cost of starting Python and click with nothing heavy
imported, measured in the same run (interleaved) so the ratio survives a noisy machine. The
issue's targets: ``documents``, ``codings list``, ``codebook show`` on the demo study at most
3x ``--help``; the TUI's first screen (process start to the documents list drawn) under 1.5 s.

``study`` runs on the bundled demo study (87 documents), as the issue measured; ``small`` on
the generated small project (the smoke test in ``make test``).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

COMMANDS = (
    ("documents", ["documents"]),
    ("codings list", ["codings", "list"]),
    ("codebook show", ["codebook", "show"]),
    ("participants list", ["participants", "list"]),
)


def _themeqa() -> list[str]:
    exe = Path(sys.executable).with_name("themeqa")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "themeqa"]


def _project(size: str, ctx) -> Path:
    if size == "small":
        return ctx.project(size)
    demo = ctx.tmp / "demo"
    if not (demo / "themeqa.db").exists():
        from themeqa.services.demo import build_demo

        build_demo(demo).close()
    return demo


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[1:]} exited {done.returncode}: {done.stderr[-300:]!r}")


def _vs_help(name: str, target: str, prepare, repeats: dict[str, int]) -> dict:
    """An operation run as a subprocess, timed against ``themeqa --help`` (``prepare`` returns
    ``{"op": argv, "base": argv}``)."""
    return {
        "name": name,
        "sizes": ("small", "study"),
        "target": target,
        "prepare": prepare,
        "operation": lambda s: _run(s["op"]),
        "baseline": lambda s: _run(s["base"]),
        "baseline_name": "themeqa --help",
        "repeats": repeats,
    }


def _command_op(name: str, args: list[str]) -> dict:
    def prepare(size: str, ctx) -> dict:
        project = _project(size, ctx)
        return {"op": [*_themeqa(), "--project", str(project), *args],
                "base": [*_themeqa(), "--help"]}

    return _vs_help(f"themeqa {name} (vs --help)", "ratio <= 3", prepare,
                    {"small": 5, "study": 15})


_FIRST_SCREEN = textwrap.dedent(
    """
    import asyncio, sys, time
    t0 = time.perf_counter()
    from themeqa.tui.app import ThemeqaApp
    from themeqa.tui.gateway import ServicesGateway

    async def main():
        app = ThemeqaApp(ServicesGateway(sys.argv[1], None, "amira"), "amira")
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(2000):
                table = app.screen.query("#documents")
                if table and table.first().row_count > 0:
                    break
                await pilot.pause(0.005)
            else:
                raise SystemExit("the documents list never appeared")
            print(time.perf_counter() - t0)

    asyncio.run(main())
    """
)


def _first_screen_prepare(size: str, ctx) -> dict:
    return {"op": [sys.executable, "-c", _FIRST_SCREEN, str(_project(size, ctx))],
            "base": [*_themeqa(), "--help"]}


OPERATIONS = [
    *(_command_op(name, args) for name, args in COMMANDS),
    _vs_help("TUI first screen (process start to documents list)", "< 1.5 s",
             _first_screen_prepare, {"small": 3, "study": 10}),
]
