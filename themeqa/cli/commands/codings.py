"""`themeqa codings`: exchange codings as CSV."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, echo_table, get_project, json_option


@click.group()
def codings() -> None:
    """Codings as CSV: document,start,end,code,coder,layer,quote.

    \b
    Example:
      themeqa codings export codings.csv
      themeqa codings import codings.csv
    """


@codings.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def import_(ctx, file) -> None:
    """Import codings from CSV; every row is checked first, all or nothing.

    \b
    Example:
      themeqa codings import codings_from_nvivo.csv
    """
    from themeqa.services.codings import import_codings

    n = import_codings(get_project(ctx), file)
    click.echo(f"imported {n} codings")


@codings.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--coder", default=None, help="Only this coder's codings.")
@click.option("--layer", type=click.Choice(["coder", "consensus"]), default=None)
@click.pass_context
def export(ctx, out, coder, layer) -> None:
    """Export codings to CSV (offsets are code points into the stored text).

    Codings on the original of a de-identified document are left out (its new version
    holds copies of them).

    \b
    Example:
      themeqa codings export --coder ben ben.csv
    """
    from themeqa.services.codings import export_codings

    n = export_codings(get_project(ctx), out, coder=coder, layer=layer)
    click.echo(f"wrote {n} codings to {out}")


@codings.command(name="list")
@click.option("--document", default=None, help="Only this document.")
@click.option("--coder", default=None, help="Only this coder.")
@json_option
@click.pass_context
def list_(ctx, document, coder, as_json) -> None:
    """List codings with their code and coder.

    Without --document, codings on the original of a de-identified document are left out;
    --document ORIGINAL lists them (e.g. the ones de-identification could not copy).

    \b
    Example:
      themeqa codings list --document S1_focus_group.txt
    """
    from themeqa.services.codings import list_codings

    rows = list_codings(get_project(ctx), document=document, coder=coder)
    if as_json:
        echo_json([r.to_dict() for r in rows])
        return
    echo_table(["id", "document", "start", "end", "code", "coder", "layer", "quote"],
               [(r.id, r.document, r.start, r.end, f"{r.code_label} {r.code}", r.coder, r.layer,
                 "yes" if r.quote else "") for r in rows])
