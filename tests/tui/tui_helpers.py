"""Helpers for driving the app with Pilot."""

from __future__ import annotations

import pytest

from themeqa.tui.app import ThemeqaApp
from themeqa.tui.components.coding_screen import CodingScreen
from themeqa.tui.gateway import ServicesGateway


def make_app(project_dir, coder: str = "amira") -> ThemeqaApp:
    return ThemeqaApp(ServicesGateway(project_dir, None, coder), coder)


async def wait_for(pilot, predicate, what: str, tries: int = 400) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def documents_loaded(pilot) -> None:
    """Wait until the documents screen lists its documents (the app's start screen)."""
    table = pilot.app.screen.query_one("#documents")
    await wait_for(pilot, lambda: table.row_count > 0, "the documents list")


async def open_coding(pilot, name: str) -> CodingScreen:
    """From the documents screen, filter to ``name`` and open it; wait until it has loaded."""
    await documents_loaded(pilot)
    await pilot.press("slash", *name, "enter", "enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CodingScreen)
                   and pilot.app.screen.loaded, f"{name} to open")
    await pilot.pause()
    return pilot.app.screen


async def settle(pilot, screen: CodingScreen, version: int) -> None:
    """Wait until the coding screen repainted after ``version`` (a reload finished)."""
    await wait_for(pilot, lambda: screen.version > version, "the coding screen to repaint")
    await pilot.pause()


def needs(module: str, name: str):
    """Skip a test until another engineer's service has landed (see the report)."""
    import importlib

    mod = importlib.import_module(f"themeqa.services.{module}") if _exists(module) else None
    return pytest.mark.skipif(mod is None or not hasattr(mod, name),
                              reason=f"services.{module}.{name} has not landed yet")


def _exists(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(f"themeqa.services.{module}") is not None


async def drain(pilot) -> None:
    """Wait until every queued write has run and its result reached the screen."""
    await wait_for(pilot, lambda: pilot.app.writer.pending == 0, "queued writes")
    await pilot.pause()
