"""`themeqa documents`: list the project's documents; `set` corrects one's metadata,
`delete` removes one (both undoable)."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, echo_table, get_project, json_option


@click.group(invoke_without_command=True)
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
      themeqa documents set S3_focus_group.txt --session S3 --timepoint initial
      themeqa documents delete S3_focus_group.txt
    """
    if ctx.invoked_subcommand is not None:
        return
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


@documents.command(name="set")
@click.argument("document")
@click.option("--session", default=None, help="Session label (an existing one; '' clears).")
@click.option("--timepoint", default=None, help="Timepoint label ('' clears).")
@click.option("--name", "new_name", default=None, help="A new name for the document.")
@click.option("--participant", default=None,
              help="The writer of a written answer (a participant id; '' clears).")
@json_option
@click.pass_context
def set_(ctx, document, session, timepoint, new_name, participant, as_json) -> None:
    """Correct DOCUMENT's session, timepoint, name or writer (the text never changes).

    A transcript's condition is its session's, so tallies and check samples follow at once.
    Undoable (themeqa undo).

    \b
    Examples:
      themeqa documents set S3_focus_group.txt --session S3 --timepoint initial
      themeqa documents set answer.txt --participant P05 --name P05_followup.txt
    """
    from themeqa.services.document_edit import set_document

    out = set_document(get_project(ctx), document, session=session, timepoint=timepoint,
                       new_name=new_name, participant=participant)
    if as_json:
        echo_json(out)
        return
    click.echo(f"{out['name']}: session {out['session'] or '-'}, condition "
               f"{out['condition'] or '-'}, timepoint {out['timepoint'] or '-'}, participant "
               f"{out['participant'] or '-'}")


@documents.command(name="delete")
@click.argument("document")
@click.option("--force", is_flag=True,
              help="Delete even though the document is in a credibility check's sample.")
@json_option
@click.pass_context
def delete_(ctx, document, force, as_json) -> None:
    """Delete DOCUMENT with its turns, codings and memos (undo brings all of it back).

    Refused, with one line, for a document in a credibility check unless --force.

    \b
    Example:
      themeqa documents delete S3_focus_group.txt
    """
    from themeqa.services.document_edit import delete_document

    result = delete_document(get_project(ctx), document, force=force)
    if as_json:
        echo_json(result.to_dict())
        return
    click.echo(f"deleted {result.name}: {result.codings} coding(s), {result.turns} turn(s)"
               + (f"; removed from check {', '.join(result.checks)}" if result.checks else "")
               + " (themeqa undo brings it back)")
