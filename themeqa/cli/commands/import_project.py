"""`themeqa import-project`: a REFI-QDA .qdpx from another tool into a new or empty project."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, json_option


@click.command(name="import-project")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("directory", type=click.Path(file_okay=False), required=False)
@click.option("--units", type=click.Choice(["auto", "codepoint", "utf16"]), default="auto",
              show_default=True,
              help="How the file counts positions (auto: UTF-16 for NVivo, else code points).")
@click.option("--skip-mismatched", is_flag=True,
              help="Import without the codings whose text does not match the file's "
                   "(listed), instead of refusing the whole import.")
@click.option("--skip-missing-sources", is_flag=True,
              help="Import without the text sources whose text is not in the archive "
                   "(listed with their codings), instead of refusing the whole import.")
@json_option
@click.pass_context
def import_project(ctx, file, directory, units, skip_mismatched, skip_missing_sources,
                   as_json) -> None:
    """Import a REFI-QDA project (.qdpx) into DIRECTORY (new, or an empty project).

    Without DIRECTORY the global --project (or the current directory) is used. Nothing is
    written when anything is wrong: a coding whose text does not match its source refuses the
    import unless --skip-mismatched. Prints what the file held and what came in (sources,
    codes, codings, users) and lists everything skipped with its reason (media and blank
    sources, empty or mismatched selections). Code names are kept as they are.

    \b
    Example:
      themeqa import-project nvivo_export.qdpx my-study
    """
    from themeqa.services.exchange import import_project as run

    obj = ctx.find_root().obj or {}
    target = directory or obj.get("project_dir")
    report = run(file, target, db_url=None if directory else obj.get("db_url"), units=units,
                 on_mismatch="skip" if skip_mismatched else "refuse",
                 skip_missing_sources=skip_missing_sources)
    if as_json:
        echo_json(report.to_dict())
        return
    for n in report.notices:
        click.echo(f"note: {n}", err=True)
    for line in report.summary(file):
        click.echo(line)
