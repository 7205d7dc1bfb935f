"""`themeqa code`: open the coding workbench (TUI)."""

from __future__ import annotations

import click


@click.command()
@click.option("--coder", required=True, help="Your coder name (codings are recorded as yours).")
@click.pass_context
def code(ctx, coder) -> None:
    """Open the project in the terminal workbench as CODER.

    \b
    Example:
      themeqa --project study code --coder amira
    """
    from themeqa.tui.app import run_app

    obj = ctx.find_root().obj or {}
    run_app(project_dir=obj.get("project_dir"), db_url=obj.get("db_url"), coder=coder)
