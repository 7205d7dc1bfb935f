"""`themeqa export`: the whole project for other tools (REFI-QDA .qdpx)."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, get_project, json_option


@click.group()
def export() -> None:
    """Export the project for NVivo, ATLAS.ti, MAXQDA and other REFI-QDA tools.

    \b
    Example:
      themeqa --project study export qdpx study.qdpx
    """


@export.command()
@click.argument("out", type=click.Path(dir_okay=False))
@json_option
@click.pass_context
def qdpx(ctx, out, as_json) -> None:
    """Write the project as a REFI-QDA project file (.qdpx).

    Coders become users (consensus codings: user "<coder> (consensus)"), each codebook a
    top-level code over its themes ("2a Others are unreliable"), documents text sources,
    codings selections with coder and time, memos notes, participants cases with their
    variables, sessions and timepoints sets. Positions are code points, as the standard says.
    A de-identified document goes out in its de-identified version only, and then the
    speaker labels (names of participants) stay out.

    \b
    Example:
      themeqa --project study export qdpx study.qdpx
    """
    from themeqa.services.exchange import export_project

    report = export_project(get_project(ctx), out)
    if as_json:
        echo_json(report.to_dict())
        return
    click.echo(f"wrote {report.path}: {report.sources} documents, {report.codes} codes in "
               f"{report.codebooks} codebooks, {report.codings} codings, {report.notes} memos, "
               f"{report.cases} participants")
    for w in report.warnings:
        click.echo(f"note: {w}", err=True)
