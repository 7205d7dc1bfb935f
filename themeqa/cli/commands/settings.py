"""`themeqa settings`: project settings (blind coding)."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, get_project, json_option


@click.group()
def settings() -> None:
    """Project settings, e.g. blind coding (coders see only their own codings).

    \b
    Example:
      themeqa settings show
      themeqa settings blind on --coder amira
    """


@settings.command()
@json_option
@click.pass_context
def show(ctx, as_json) -> None:
    """Show the project's settings.

    \b
    Example:
      themeqa settings show --json
    """
    from themeqa.services.settings import is_blind

    blind = is_blind(get_project(ctx))
    if as_json:
        echo_json({"blind": blind})
    else:
        click.echo(f"blind coding: {'on' if blind else 'off'}")


@settings.command()
@click.argument("state", type=click.Choice(["on", "off"]))
@click.option("--coder", default=None,
              help="Who is switching it, a lead (default: your user name).")
@click.pass_context
def blind(ctx, state, coder) -> None:
    """Switch blind coding on or off (only a lead may).

    \b
    Example:
      themeqa settings blind on --coder amira
    """
    from themeqa.services.settings import set_blind

    project = get_project(ctx, actor=coder)
    set_blind(project, state == "on", actor=coder or project.actor)
    click.echo(f"blind coding: {state}")
