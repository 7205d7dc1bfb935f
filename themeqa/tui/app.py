"""The themeqa Textual app: start screen (documents) and the coding workbench."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from themeqa.tui.actions import bindings_for
from themeqa.tui.commands import ActionsProvider, DocumentsProvider
from themeqa.tui.components.coding_screen import CodingScreen
from themeqa.tui.components.documents_screen import DocumentsScreen
from themeqa.tui.components.help_screen import HelpScreen
from themeqa.tui.gateway import ServicesGateway
from themeqa.tui.writer import Writer

__all__ = ["ThemeqaApp", "run_app"]


class ThemeqaApp(App):
    CSS_PATH = "app.tcss"
    BINDINGS = bindings_for("app")
    TITLE = "themeqa"
    COMMANDS = App.COMMANDS | {ActionsProvider, DocumentsProvider}

    def __init__(self, services, coder: str) -> None:
        super().__init__()
        self.services = services
        self.coder = coder
        self.writer = Writer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.services.title()} · {self.coder}"
        self.push_screen(DocumentsScreen())

    def open_document(self, name: str, at: tuple[int, int] | None = None) -> None:
        """Open the coding screen (selecting ``at``, e.g. a search hit); it loads the
        document in a worker."""
        if isinstance(self.screen, CodingScreen):
            self.switch_screen(CodingScreen(name, at))
        else:
            self.push_screen(CodingScreen(name, at))

    def action_journal(self) -> None:
        """Quick-add a reflexive-journal entry from any screen."""
        from themeqa.tui.components.prompt import PromptScreen

        def save(text: str | None) -> None:
            if text and text.strip():
                self.services.add_journal(text)
                self.notify("journal entry added")

        self.push_screen(PromptScreen("Reflexive journal: what are you noticing?"), save)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(getattr(self.screen, "name_for_help", "app")))

    def on_unmount(self) -> None:
        self.writer.close()
        self.services.close()


def run_app(*, project_dir: str | Path | None, db_url: str | None, coder: str,
            url_hint: str | None = None) -> None:
    """Open the TUI on a project (used by `themeqa code` and `themeqa demo`)."""
    ThemeqaApp(ServicesGateway(project_dir, db_url, coder), coder).run()
