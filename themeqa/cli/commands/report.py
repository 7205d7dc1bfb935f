"""`themeqa report`: Table 1, Table 2, results text, co-occurrence and presence reports."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, get_project, json_option

KINDS = ("table2", "table1", "results", "cooccurrence", "presence")


@click.command()
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("out", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--layer",
    default="auto",
    show_default=True,
    help="Codings to count: auto (per document: consensus where its check is complete, else "
    "the union), consensus, union, coder:NAME.",
)
@click.option("--codebook", default=None, help="Only this codebook (its key).")
@click.option(
    "--by",
    default="condition",
    show_default=True,
    help="Table 2 breakdown: condition, timepoint, session, comma-separated "
    "(condition,timepoint adds condition x timepoint columns).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["docx", "xlsx", "csv", "md"]),
    default=None,
    help="File format (default: from OUT's suffix).",
)
@click.option("--no-rollup", is_flag=True, help="Do not count subordinate themes under parents.")
@click.option("--matrix", is_flag=True, help="cooccurrence: the theme x theme matrix, not pairs.")
@json_option
@click.pass_context
def report(ctx, kind, out, layer, codebook, by, fmt, no_rollup, matrix, as_json) -> None:
    """Write a report to OUT (.docx, .xlsx, .csv, .md), or print it when OUT is omitted.

    Counts are distinct participants per theme (a coding overlapping their turn, or in their
    written response), rolled up to superordinate themes.

    \b
    Example:
      themeqa report table2 table2.docx --by condition,timepoint
      themeqa report table1 table1.xlsx
      themeqa report results results.md --layer coder:amira
      themeqa report table2 --json --codebook inhibitors
      themeqa report cooccurrence cooc.xlsx --matrix
    """
    from themeqa.services.tally import report_tables, write_report

    project = get_project(ctx)
    options = dict(layer=layer, codebook=codebook, by=by, rollup=not no_rollup, matrix=matrix)
    if out and out != "-":
        written = write_report(project, kind, out, fmt=fmt, **options)
        if as_json:
            echo_json({"report": kind, "file": str(written)})
        else:
            click.echo(f"{kind}: wrote {written}")
        return
    tables, paragraphs = report_tables(project, kind, **options)
    if as_json:
        echo_json(
            {
                "report": kind,
                "paragraphs": paragraphs,
                "tables": [
                    {
                        "key": t.key,
                        "title": t.title,
                        "columns": t.columns,
                        "rows": t.rows,
                        "indent": t.indent,
                        "notes": t.notes,
                    }
                    for t in tables
                ],
            }
        )
        return
    from themeqa.reports.writers import render_markdown

    click.echo(render_markdown(tables, paragraphs), nl=False)
