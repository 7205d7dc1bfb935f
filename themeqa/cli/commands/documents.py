"""`themeqa documents`: list the project's documents."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, echo_table, get_project, json_option


@click.command()
@click.option("--coder", default=None, help="Show coding progress for this coder.")
@click.option("--include-originals", is_flag=True,
              help="Also list the originals that de-identified versions replaced (until "
                   "they are purged), e.g. to find codings left on them.")
@click.option("--unattributed", "only_nobody", is_flag=True,
              help="Only documents with text attributed to nobody (no speaker or writer).")
@json_option
@click.pass_context
def documents(ctx, coder, include_originals, only_nobody, as_json) -> None:
    """List documents with session, condition, timepoint, words and coding progress.

    A de-identified document is listed in its new version only, unless --include-originals.
    "nobody" counts turns attributed to no participant and no facilitator (a written answer
    without a writer: 1): codings there count for nobody.

    \b
    Examples:
      themeqa documents --coder amira
      themeqa documents --include-originals
      themeqa documents --unattributed
    """
    from themeqa.services.documents import list_documents

    docs = list_documents(get_project(ctx), coder=coder, include_superseded=include_originals)
    if only_nobody:
        docs = [d for d in docs if d.unattributed]
    if as_json:
        echo_json([d.to_dict() for d in docs])
        return
    echo_table(
        ["document", "kind", "session", "cond", "timepoint", "participant", "words", "codings",
         "progress", "nobody"],
        [(f"{d.name} (original of {d.superseded_by})" if d.superseded_by else d.name, d.kind,
          d.session, d.condition, d.timepoint, d.participant, d.words, d.codings,
          f"{d.progress:.0%}", d.unattributed or "") for d in docs],
    )
