"""`themeqa import`: transcripts and written responses."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, get_project, json_option, progress_printer


@click.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--session", default=None, help="Session (group) label, e.g. S3.")
@click.option("--timepoint", default=None, help="Timepoint label, e.g. initial or follow-up.")
@click.option(
    "--kind", type=click.Choice(["transcript", "written"]), default=None,
    help="Document kind (default: transcript for text files, written for CSV/XLSX).",
)
@click.option(
    "--language", default=None, metavar="CODE",
    help="Language of the files (en, fr, de, nl, …); default: guessed per file.",
)
@click.option(
    "--participant", default=None, metavar="ID",
    help="Writer of written answers in text files (default: a leading 'ID:' label, or the one "
    "participant id in the file name).",
)
@json_option
@click.pass_context
def import_(ctx, files, session, timepoint, kind, language, participant, as_json) -> None:
    """Import transcripts (.txt .md .docx .vtt .srt) or written responses (.csv .xlsx).

    All files are read and checked first; if any cannot be read, nothing is imported.
    A file already in the project (same content) is refused.

    \b
    Example:
      themeqa import S3_focus_group.docx --session S3 --timepoint initial
      themeqa import written_followup.xlsx --timepoint follow-up
      themeqa import answer.txt --kind written --participant P05 --timepoint follow-up
    """
    from themeqa.services.importing import import_files

    project = get_project(ctx)
    report = import_files(project, list(files), session=session, timepoint=timepoint,
                          kind=kind, progress=progress_printer(), language=language,
                          participant=participant)
    if as_json:
        echo_json(report.to_dict())
        return
    click.echo(
        f"imported {len(report.files)} file(s): {len(report.documents)} document(s), "
        f"{report.turns} turns, {report.sentences} sentences"
    )
    for doc, labels in report.unmapped_speakers.items():
        click.echo(
            f"warning: {doc}: speakers not mapped to a participant: {', '.join(labels)} "
            "(themeqa participants map LABEL ID)",
            err=True,
        )
    for doc, labels in report.unrecognised_labels.items():
        click.echo(
            f"warning: {doc}: label-like lines read as part of the previous turn: "
            f"{', '.join(labels)} (a speaker? themeqa participants map LABEL ID|--facilitator)",
            err=True,
        )
    if report.unattributed:
        docs = [d for d, _ in report.unattributed.items()]
        turns = sum(n for d, n in report.unattributed.items())
        click.echo(
            f"warning: {len(docs)} document(s) hold {turns} turn(s) or answer(s) attributed to "
            f"nobody, whose codings will count for no participant: {', '.join(docs[:5])}"
            + (f" and {len(docs) - 5} more" if len(docs) > 5 else "")
            + " (themeqa documents --unattributed; --participant ID for a written answer)",
            err=True,
        )
