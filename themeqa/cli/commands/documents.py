"""`themeqa documents`: list the project's documents."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, echo_table, get_project, json_option


@click.command()
@click.option("--coder", default=None, help="Show coding progress for this coder.")
@json_option
@click.pass_context
def documents(ctx, coder, as_json) -> None:
    """List documents with session, condition, timepoint, words and coding progress.

    \b
    Example:
      themeqa documents --coder amira
    """
    from themeqa.services.documents import list_documents

    docs = list_documents(get_project(ctx), coder=coder)
    if as_json:
        echo_json([d.to_dict() for d in docs])
        return
    echo_table(
        ["document", "kind", "session", "cond", "timepoint", "participant", "words", "codings",
         "progress"],
        [(d.name, d.kind, d.session, d.condition, d.timepoint, d.participant, d.words,
          d.codings, f"{d.progress:.0%}") for d in docs],
    )
