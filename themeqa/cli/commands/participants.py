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
@click.pass_context
def import_(ctx, file) -> None:
    """Import or update participants from CSV/XLSX (columns id, condition, …).

    Every bad row is reported with its row number; nothing is written if any row is bad.

    \b
    Example:
      themeqa participants import participants.csv
    """
    from themeqa.services.participants import import_participants

    counts = import_participants(get_project(ctx), file)
    click.echo(f"participants: {counts['added']} added, {counts['updated']} updated")


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
@click.pass_context
def map_(ctx, label, participant) -> None:
    """Map the transcript speaker LABEL to PARTICIPANT (omit it to unmap).

    \b
    Example:
      themeqa participants map "Anna" P07
    """
    from themeqa.services.participants import map_speaker

    n = map_speaker(get_project(ctx), label, participant)
    click.echo(f"{label!r} -> {participant or '(none)'}: {n} turn(s) re-linked")
