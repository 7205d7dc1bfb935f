"""`themeqa participants`: import, list, map speaker labels."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, echo_table, get_project, json_option


@click.group()
def participants() -> None:
    """Participants: ids, conditions, sessions, timepoints, demographics.

    \b
    Example:
      themeqa participants import participants.csv
      themeqa participants list --json
    """


@participants.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True,
              help="Columns absent from FILE clear those fields (default: left as they were).")
@click.pass_context
def import_(ctx, file, replace) -> None:
    """Import or update participants from CSV/XLSX (columns id, condition, …).

    Every bad row is reported with its row number; nothing is written if any row is bad.
    Re-importing merges: a column the file lacks leaves that field as it was; --replace
    makes the file the whole truth and says how many values it cleared.

    \b
    Examples:
      themeqa participants import participants.csv
      themeqa participants import participants.csv --replace
    """
    from themeqa.services.participants import import_participants

    counts = import_participants(get_project(ctx), file, replace=replace)
    click.echo(f"participants: {counts['added']} added, {counts['updated']} updated, "
               f"{counts['cleared']} value(s) cleared")


@participants.command(name="list")
@json_option
@click.pass_context
def list_(ctx, as_json) -> None:
    """List participants.

    \b
    Example:
      themeqa participants list
    """
    from themeqa.services.participants import list_participants

    rows = list_participants(get_project(ctx))
    if as_json:
        echo_json([r.to_dict() for r in rows])
        return
    echo_table(
        ["id", "condition", "session", "timepoints", "age", "gender", "labels"],
        [(r.pid, r.condition, r.session, ";".join(r.timepoints), r.age, r.gender,
          ";".join(r.speaker_labels)) for r in rows],
    )


@participants.command(name="map")
@click.argument("label")
@click.argument("participant", required=False)
@click.option("--facilitator", is_flag=True,
              help="The label names the facilitator/interviewer side, not a participant.")
@json_option
@click.pass_context
def map_(ctx, label, participant, facilitator, as_json) -> None:
    """Map the transcript speaker LABEL to PARTICIPANT or --facilitator (neither: unmap).

    Every line starting with LABEL becomes its own turn in every transcript (a label used
    once or mistyped was read as part of the previous turn). Codings are kept; one undoable
    action (themeqa undo).

    \b
    Examples:
      themeqa participants map "Anna" P07
      themeqa participants map "Intervewer 2" --facilitator
    """
    from themeqa.services.speakers import map_label

    result = map_label(get_project(ctx), label, participant, facilitator=facilitator)
    if as_json:
        echo_json(result.to_dict())
        return
    where = f" in {', '.join(result.documents)}" if result.documents else ""
    click.echo(f"{label!r} -> {result.target}: {result.new_turns} new turn(s){where}, "
               f"{result.relinked} turn(s) re-linked")
