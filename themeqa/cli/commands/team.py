"""`themeqa team`: database roles for the coders of a PostgreSQL project."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, get_project, json_option


@click.group()
def team() -> None:
    """A team on PostgreSQL: one database role per coder (the server enforces the layers).

    \b
    Example:
      themeqa --db postgresql+psycopg://admin@db/study team add-coder ben
      themeqa --db postgresql+psycopg://admin@db/study team add-coder amira --lead
    """


@team.command(name="add-coder")
@click.argument("name")
@click.option("--lead", is_flag=True, help="Make the coder a lead (may write every layer).")
@click.option("--password", is_flag=True,
              help="Ask for a password for the role (else set it yourself, or use .pgpass).")
@click.option("--coder", "actor", default=None, help="Who is making the change (the log).")
@json_option
@click.pass_context
def add_coder(ctx, name, lead, password, actor, as_json) -> None:
    """Create the database role NAME for a coder, grant it the project's tables, and mark it
    a coder or a lead. Run it connected as the project's owner (CREATEROLE) or a superuser.

    The server then refuses any write by NAME's connection to another coder's layer or to
    the consensus layer, whatever program it uses (leads may).

    \b
    Example:
      themeqa --db postgresql+psycopg://admin@db/study team add-coder ben --password
    """
    from themeqa.services.team import add_team_coder

    secret = click.prompt(f"password for {name}", hide_input=True,
                          confirmation_prompt=True) if password else None
    project = get_project(ctx, actor=actor)
    made = add_team_coder(project, name, lead=lead, password=secret,
                          actor=actor or project.actor)
    if as_json:
        echo_json(made.to_dict())
        return
    what = "created role" if made.created_role else "role exists:"
    click.echo(f"{what} {made.name}, a {made.role}; it may write "
               + ("every layer" if made.role == "lead" else "only its own layer"))
