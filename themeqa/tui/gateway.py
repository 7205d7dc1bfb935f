"""The TUI's only door to the project: thin calls into ``themeqa.services``.

Why a gateway object: screens ask it for data and never see a database session (DESIGN.md:
the TUI never runs SQL), and tests can hand the app a fake with the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class ServicesGateway:
    project_dir: str | Path | None
    db_url: str | None
    coder: str

    def __post_init__(self) -> None:
        from themeqa.services.project import open_project

        self.project = open_project(self.project_dir, self.db_url, actor=self.coder)

    def documents(self, coder: str | None = None) -> list:
        from themeqa.services.documents import list_documents

        return list_documents(self.project, coder=coder)

    def document(self, name: str):
        from themeqa.services.documents import get_document

        return get_document(self.project, name)

    def title(self) -> str:
        return self.project.info().name

    def close(self) -> None:
        self.project.close()
