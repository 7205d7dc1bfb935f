"""`themeqa coders`: who codes in this project, and who is a lead."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, echo_table, get_project, json_option


@click.group()
def coders() -> None:
    """Coders and their roles (coder or lead).

    \b
    Example:
      themeqa coders list
      themeqa coders role amira lead
    """


@coders.command(name="list")
@json_option
@click.pass_context
def list_(ctx, as_json) -> None:
    """List the coders and their roles.

    \b
    Example:
      themeqa coders list --json
    """
    from themeqa.services.settings import list_coders

    rows = list_coders(get_project(ctx))
    if as_json:
        echo_json([r.to_dict() for r in rows])
        return
    echo_table(["coder", "role"], [(r.name, r.role) for r in rows])


@coders.command()
@click.argument("name")
@click.argument("role", type=click.Choice(["lead", "coder"]))
@click.option("--coder", "actor", default=None,
              help="Who is making the change, a lead (default: your user name).")
@click.pass_context
def role(ctx, name, role, actor) -> None:
    """Make a coder a lead (or a plain coder again).

    Once a project has a lead, only a lead may change roles; the first lead may be named by
    anyone.

    \b
    Example:
      themeqa coders role amira lead
    """
    from themeqa.services.settings import set_coder_role

    project = get_project(ctx, actor=actor)
    set_coder_role(project, name, role, actor=actor or project.actor)
    click.echo(f"{name} is now a {role}")
