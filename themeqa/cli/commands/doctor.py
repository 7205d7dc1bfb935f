"""`themeqa doctor`: check the project for damage (exit 1 when anything is wrong)."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, get_project, json_option


@click.command()
@json_option
@click.pass_context
def doctor(ctx, as_json) -> None:
    """Check the database: damaged pages, a schema from a newer themeqa, orphan rows,
    codings outside their document, documents whose text no longer matches its sha256. Reads only; exit code 1 when problems are found.
    Also warns (exit code unchanged) when de-identified documents still keep their
    identifiable originals, or the de-identification key is in the project folder.

    \b
    Example:
      themeqa --project study doctor
      themeqa doctor --json
    """
    from themeqa.services.doctor import run_doctor
    from themeqa.services.doctor_file import file_report

    obj = ctx.find_root().obj or {}
    # A damaged file or a newer schema is reported without opening the project (opening
    # would migrate and write); a file that is not a project at all exits 2 from here.
    report = file_report(obj.get("project_dir"), obj.get("db_url"))
    if report is None:
        report = run_doctor(get_project(ctx))
    if as_json:
        echo_json(report.to_dict())
    else:
        for p in report.problems:
            click.echo(f"{p.check}: {p.message}")
        for w in report.warnings:
            click.echo(f"warning: {w.check}: {w.message}")
        warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
        click.echo(f"checked: {', '.join(report.checks)} — "
                   + ("no problems" if report.ok else f"{len(report.problems)} problem(s)")
                   + warned)
    if not report.ok:
        ctx.exit(1)
