"""Regenerate the user guide's screenshots from the demo study (`make docs`).

Why a script: pictures in a guide go stale the day a screen changes. This drives the real
Textual app headless (``App.run_test`` + Pilot) on a fresh copy of the demo study, opens each
main screen with the keys a user would press, and saves it as SVG into ``docs/guide/img/``.
A screen whose action is not in ``themeqa/tui/actions.py`` yet is skipped with a note.

    python scripts/screenshots.py                       # build a demo, write every screen
    python scripts/screenshots.py --out /tmp/img --screens documents,help
    python scripts/screenshots.py --project .demo-project   # copy an existing demo instead
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "docs" / "guide" / "img"
SIZE = (120, 36)  # a common terminal; one picture at the default 80x24 (SIZES)
DOCUMENT = "S2_focus_group.txt"


async def _wait(pilot, predicate: Callable[[], bool], what: str, tries: int = 600) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


async def _documents(pilot) -> None:
    table = pilot.app.screen.query_one("#documents")
    await _wait(pilot, lambda: table.row_count > 0, "the documents list")
    await pilot.pause()


async def _coding(pilot) -> None:
    from themeqa.tui.components.coding_screen import CodingScreen

    await _documents(pilot)
    await pilot.press("slash", *DOCUMENT, "enter", "enter")
    await _wait(pilot, lambda: isinstance(pilot.app.screen, CodingScreen)
                and pilot.app.screen.loaded, f"{DOCUMENT} to open")
    await pilot.press("right_square_bracket", "right_square_bracket")
    await pilot.pause(0.3)


async def _help(pilot) -> None:
    from themeqa.tui.components.help_screen import HelpScreen

    await _coding(pilot)
    await pilot.press("question_mark")
    await _wait(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "the help panel")
    await pilot.pause()


def _loaded_screen(key: str) -> Callable[[object], Awaitable[None]]:
    """Press ``key`` on the documents screen and wait until that screen's first load."""

    async def run(pilot) -> None:
        await _documents(pilot)
        before = pilot.app.screen
        await pilot.press(key)
        await _wait(pilot, lambda: pilot.app.screen is not before, f"the screen of {key!r}")
        screen = pilot.app.screen
        await _wait(pilot, lambda: getattr(screen, "loads", 1) >= 1, f"the screen of {key!r}")
        await pilot.pause(0.3)

    return run


#: name -> (the action that must exist in tui/actions.py, how to get there).
SCREENS: dict[str, tuple[tuple[str, str] | None, Callable]] = {
    "documents": (None, _documents),
    "coding": (("coding", "code_palette"), _coding),
    "coding-80x24": (("coding", "code_palette"), _coding),
    "help": (("app", "help"), _help),
    "agreement": (("documents", "open_agreement"), _loaded_screen("A")),
    "reconcile": (("documents", "open_reconcile"), _loaded_screen("R")),
    "tallies": (("documents", "open_tallies"), _loaded_screen("T")),
    "quant": (("documents", "open_quant"), _loaded_screen("Q")),
    "words": (("documents", "open_words"), _loaded_screen("W")),
    "map": (("documents", "open_map"), _loaded_screen("M")),
}


#: pictures taken at another size than SIZE
SIZES: dict[str, tuple[int, int]] = {"coding-80x24": (80, 24)}


def available(name: str) -> bool:
    """Whether the keys that open screen ``name`` exist yet (issues land at different times)."""
    from themeqa.tui.actions import ACTIONS

    need = SCREENS[name][0]
    return need is None or any((a.screen, a.action) == need for a in ACTIONS)


def prepare_project(dest: Path, source: Path | None) -> Path:
    """A fresh demo study in ``dest``, with a hand-picked credibility check (S2, S5) so the
    reconciliation queue has something to show."""
    from themeqa.services.check_sample import create_check, list_checks
    from themeqa.services.project import open_project

    if source is not None:
        shutil.copytree(source, dest)
    else:
        from themeqa.services.demo import build_demo

        build_demo(dest).close()
    project = open_project(dest, actor="amira")
    try:
        if not list_checks(project):
            create_check(project, coder_b="ben", coder_a="amira", sessions=["S2", "S5"],
                         name="pilot")
    finally:
        project.close()
    return dest


async def shoot(project_dir: Path, name: str, out: Path) -> Path:
    """Open screen ``name`` in a headless app on ``project_dir`` and save it as SVG."""
    from themeqa.tui.app import ThemeqaApp
    from themeqa.tui.gateway import ServicesGateway

    app = ThemeqaApp(ServicesGateway(project_dir, None, "amira"), "amira")
    async with app.run_test(size=SIZES.get(name, SIZE)) as pilot:
        await SCREENS[name][1](pilot)
        path = app.save_screenshot(filename=f"{name}.svg", path=str(out))
    return Path(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the SVGs")
    parser.add_argument("--screens", default=",".join(SCREENS),
                        help="comma-separated: " + ", ".join(SCREENS))
    parser.add_argument("--project", type=Path, default=None,
                        help="copy this demo project instead of building a new one")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.screens.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCREENS]
    if unknown:
        parser.error(f"unknown screen(s): {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="themeqa-shots-") as tmp:
        project_dir = prepare_project(Path(tmp) / "demo", args.project)
        for name in names:
            if not available(name):
                print(f"skipped {name}: its action is not in themeqa/tui/actions.py yet")
                continue
            path = asyncio.run(shoot(project_dir, name, args.out))
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
