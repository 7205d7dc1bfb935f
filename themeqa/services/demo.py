"""Build the bundled demo study (transcripts/manifest.yaml) into a new project.

Why through the ordinary services: the demo is imported exactly as a user's study would be
(participants, codebooks, transcripts, written responses, codings), so it doubles as the
end-to-end check that the importers agree with each other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from themeqa.errors import InputError, NotFoundError
from themeqa.services.codebooks import import_codebook
from themeqa.services.codings import import_codings
from themeqa.services.importing import import_files
from themeqa.services.measures import import_measures, score_measures
from themeqa.services.participants import import_participants
from themeqa.services.project import ProjectHandle, open_project
from themeqa.store.engine import DB_FILENAME

__all__ = ["DEMO_NAME", "build_demo", "demo_data_dir"]

DEMO_NAME = "Compassionate imagery focus groups (demo)"


def demo_data_dir() -> Path:
    """Where the demo files are: inside an installed wheel, or beside the source tree."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[1] / "_demo" / "transcripts", here.parents[2] / "transcripts"):
        if (candidate / "manifest.yaml").is_file():
            return candidate
    raise NotFoundError("the demo study files (transcripts/manifest.yaml) are not installed")


def _set_aside(directory: Path) -> Path:
    """Copy the project about to be replaced into ``backups/`` and return the copy's path.

    Why: ``demo --force`` is the one command that deletes a whole project; a newcomer's
    first codings live in it, so it never deletes without a copy to restore from. SQLite's
    online backup gives a consistent copy (WAL included); a file that is not a database is
    copied byte for byte, so even a damaged project is kept.
    """
    import shutil
    import sqlite3
    from datetime import UTC, datetime

    from themeqa.store.engine import backup_sqlite

    src = directory / DB_FILENAME
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    dest = directory / "backups" / f"before-demo-reset-{stamp}.db"
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        backup_sqlite(src, dest)
    except (OSError, sqlite3.Error):
        dest.unlink(missing_ok=True)
        shutil.copy2(src, dest)
    return dest


def _remove_project(directory: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = directory / f"{DB_FILENAME}{suffix}"
        if p.exists():
            p.unlink()


def build_demo(
    directory: Path | str,
    *,
    force: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    set_aside: list[Path] | None = None,
) -> ProjectHandle:
    """Create the demo project in ``directory``.

    An existing project is refused; with ``force`` it is first copied to
    ``backups/before-demo-reset-<UTC time>.db`` (the path is appended to ``set_aside``), then
    replaced.
    """
    import yaml

    directory = Path(directory)
    if (directory / DB_FILENAME).exists():
        if not force:
            raise InputError(
                f"{directory} already holds a project; open it with "
                f"`themeqa --project {directory} code`, or rebuild it with --force "
                "(a backup is taken first)"
            )
        kept = _set_aside(directory)
        if set_aside is not None:
            set_aside.append(kept)
        _remove_project(directory)
    data = demo_data_dir()
    manifest = yaml.safe_load((data / "manifest.yaml").read_text(encoding="utf-8"))
    project = open_project(directory, create=True, name=DEMO_NAME, actor="themeqa-demo")
    steps = 3 + len(manifest.get("documents", ()))
    done = 0

    def step(name: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(name, done, steps)

    try:
        import_participants(project, data / manifest["participants"])
        step("participants")
        for cb in manifest.get("codebooks", ()):
            import_codebook(project, (data / cb).resolve())
        step("codebooks")
        for entry in manifest.get("documents", ()):
            import_files(
                project,
                [data / entry["file"]],
                session=entry.get("session"),
                timepoint=entry.get("timepoint"),
                kind=entry.get("kind"),
            )
            step(entry["file"])
        for codings in manifest.get("codings", ()):
            import_codings(project, data / codings)
        for entry in manifest.get("measures", ()):
            import_measures(project, data / entry["file"], timepoint=entry.get("timepoint"))
            if entry.get("score"):
                score_measures(project, entry["score"])
        step("codings")
    except Exception:
        project.close()
        raise
    return project
