"""`themeqa init` and `themeqa demo`."""

from __future__ import annotations

from pathlib import Path

import click

from themeqa.cli.common import progress_printer


@click.command()
@click.argument("directory", type=click.Path(file_okay=False), required=False)
@click.option("--name", default=None, help="Study name (default: the directory's name).")
@click.pass_context
def init(ctx: click.Context, directory: str | None, name: str | None) -> None:
    """Create an empty project in DIRECTORY (default: --project, else here), or on the
    --db server.

    \b
    Example:
      themeqa init my-study && cd my-study
      themeqa --project my-study init
      themeqa participants import participants.csv
      themeqa --db postgresql+psycopg://amira@db/study init --name "Imagery study"
    """
    from themeqa.errors import InputError
    from themeqa.services.project import open_project
    from themeqa.store.engine import DB_FILENAME

    root = ctx.find_root().obj or {}
    db_url = root.get("db_url")
    project_dir = root.get("project_dir")
    if directory and project_dir and Path(directory).resolve() != Path(project_dir).resolve():
        raise InputError(
            f"init: --project {project_dir} and DIRECTORY {directory} name different folders; "
            "give one"
        )
    directory = directory or project_dir or "."
    if db_url:  # team mode: the schema goes to the server, no folder is made
        open_project(db_url=db_url, create=True, name=name or "themeqa").close()
        click.echo("created project on the database server")
        return
    from themeqa.services.project import check_project_file

    path = Path(directory)
    if (path / DB_FILENAME).exists():
        check_project_file(path / DB_FILENAME)  # "… is not a themeqa project (…)"
        raise InputError(f"{path} already holds a themeqa project")
    path.mkdir(parents=True, exist_ok=True)
    open_project(path, create=True, name=name or path.resolve().name).close()
    click.echo(f"created project in {path}")


@click.command()
@click.argument("directory", type=click.Path(file_okay=False), default="themeqa-demo")
@click.option("--no-tui", is_flag=True, help="Only build the project; do not open the TUI.")
@click.option(
    "--force", is_flag=True,
    help="Replace a project already in DIRECTORY (a copy goes to DIRECTORY/backups first).",
)
@click.option("--coder", default="amira", show_default=True, help="Coder to open the TUI as.")
def demo(directory: str, no_tui: bool, force: bool, coder: str) -> None:
    """Build the bundled demo study in DIRECTORY and open it in the TUI.

    Six focus groups (conditions M and I), written responses at two timepoints, three
    codebooks, and codings by two coders (amira codes everything, ben double-codes two
    sessions).

    \b
    Example:
      themeqa demo --no-tui study
      themeqa --project study codebook show
    """
    from themeqa.services.demo import build_demo

    kept: list[Path] = []
    project = build_demo(directory, force=force, progress=progress_printer(), set_aside=kept)
    url = project.url
    project.close()
    for path in kept:
        click.echo(f"the project that was in {directory} is kept in {path}")
    click.echo(f"demo study built in {directory}")
    if not no_tui:
        from themeqa.tui.app import run_app

        run_app(project_dir=directory, db_url=None, coder=coder, url_hint=url)
