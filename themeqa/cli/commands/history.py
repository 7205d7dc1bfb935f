"""`themeqa undo` / `themeqa redo`: step back and forth through one coder's actions.

What counts as one action, and when undo refuses, is ``services.undo``'s business.
"""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, get_project, json_option

_CODER_HELP = "Whose actions (default: your user name, as the audit log records it)."


def _run(ctx: click.Context, coder: str | None, as_json: bool, what: str) -> None:
    from themeqa.services import undo as history

    project = get_project(ctx, actor=coder)
    actor = coder or project.actor
    summary = (history.undo if what == "undo" else history.redo)(project, actor)
    key = "undone" if what == "undo" else "redone"
    if as_json:
        echo_json({key: summary, "coder": actor})
    elif summary is None:
        click.echo(f"nothing to {what} for {actor}")
    else:
        click.echo(f"{key}: {summary}")


@click.command()
@click.option("--coder", default=None, help=_CODER_HELP)
@json_option
@click.pass_context
def undo(ctx, coder, as_json) -> None:
    """Undo a coder's latest action, one at a time: a coding or codebook edit, a codings
    or measures import (replaced values come back), a scoring or an HRV/ECG run.

    Refuses, changing nothing, if someone else has changed the same rows since.

    \b
    Example:
      themeqa undo --coder amira
    """
    _run(ctx, coder, as_json, "undo")


@click.command()
@click.option("--coder", default=None, help=_CODER_HELP)
@json_option
@click.pass_context
def redo(ctx, coder, as_json) -> None:
    """Redo the action a coder undid last (until they do something new).

    \b
    Example:
      themeqa redo --coder amira
    """
    _run(ctx, coder, as_json, "redo")
