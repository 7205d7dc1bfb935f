"""`themeqa codebook`: import, export, validate, show."""

from __future__ import annotations

import sys

import click

from themeqa.cli.common import echo_json, get_project, json_option


@click.group()
def codebook() -> None:
    """Codebooks of themes (YAML; number labels 1, 2, 2a…).

    \b
    Example:
      themeqa codebook validate codebooks/inhibitors.yaml
      themeqa codebook import codebooks/inhibitors.yaml
      themeqa codebook show
    """


@codebook.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--key", default=None,
              help="Key of the new codebook (.qdc only; default: the file name).")
@click.pass_context
def import_(ctx, file, key) -> None:
    """Import a codebook YAML file, or a REFI-QDA codebook (.qdc), as a new codebook.

    A .qdc from NVivo, ATLAS.ti or MAXQDA keeps number labels written before the names
    ("2a Others are unreliable"); other codes are numbered by position.

    \b
    Example:
      themeqa codebook import codebooks/facilitators.yaml
      themeqa codebook import --key nvivo themes.qdc
    """
    if file.lower().endswith(".qdc"):
        from themeqa.services.exchange import import_codebook_qdc

        result = import_codebook_qdc(get_project(ctx), file, key=key)
    else:
        from themeqa.services.codebooks import import_codebook

        result = import_codebook(get_project(ctx), file)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"codebook {result.key!r}: {result.codes} codes imported")


@codebook.command()
@click.argument("out", type=click.Path(dir_okay=False), required=False)
@click.option("--key", default=None, help="Which codebook (needed when there are several).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "qdc"]), default="yaml",
              show_default=True, help="yaml, or qdc (REFI-QDA codebook for other tools).")
@click.pass_context
def export(ctx, out, key, fmt) -> None:
    """Export a codebook to YAML (to OUT, or standard output) or to a REFI-QDA .qdc file.

    \b
    Example:
      themeqa codebook export --key inhibitors inhibitors.yaml
      themeqa codebook export --format qdc --key inhibitors inhibitors.qdc
    """
    if fmt == "qdc":
        from themeqa.errors import InputError
        from themeqa.services.exchange import export_codebook_qdc

        if out is None or out == "-":
            raise InputError("--format qdc needs an output file (OUT)")
        from themeqa.services.export_log import log_export

        project = get_project(ctx)
        n = export_codebook_qdc(project, out, key)
        click.echo(f"wrote {out} ({n} codes)")
        log_export(project, "codebook", out, key=key, format="qdc", count=n)
        return
    from themeqa.interop.codebook_yaml import dump_codebook_yaml
    from themeqa.services.codebooks import export_codebook
    from themeqa.services.export_log import log_export

    project = get_project(ctx)
    book = export_codebook(project, key)
    text = dump_codebook_yaml(book)
    if out is None or out == "-":
        sys.stdout.write(text)
    else:
        with open(out, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        click.echo(f"wrote {out}")
    log_export(project, "codebook", None if out in (None, "-") else out, key=book.key,
               format="yaml")


@codebook.command()
@click.argument("file", type=click.Path(dir_okay=False))
def validate(file) -> None:
    """Check a codebook YAML file: duplicate labels, empty names, near-duplicate names.

    Exit code 2 when there are errors; near-duplicates are warnings.

    \b
    Example:
      themeqa codebook validate codebooks/inhibitors.yaml
    """
    from themeqa.errors import InputError
    from themeqa.services.codebooks import validate_codebook_file

    key, errors, warnings = validate_codebook_file(file)
    for w in warnings:
        click.echo(f"warning: {w}")
    if errors:
        raise InputError(f"{file}: " + "; ".join(errors))
    click.echo(f"{file}: codebook {key!r} is valid" + (f" ({len(warnings)} warnings)"
                                                      if warnings else ""))


@codebook.command()
@click.option("--coder", default=None, help="Count only this coder's codings.")
@json_option
@click.pass_context
def show(ctx, coder, as_json) -> None:
    """Show the codebook tree with coding counts.

    \b
    Example:
      themeqa --project study codebook show --coder amira
    """
    from themeqa.services.codebooks import codebook_tree, list_codebooks

    project = get_project(ctx)
    nodes = codebook_tree(project, coder=coder)
    if as_json:
        echo_json([n.to_dict() for n in nodes])
        return
    titles = dict(list_codebooks(project))
    current = None
    for n in nodes:
        if n.codebook != current:
            current = n.codebook
            click.echo(f"{current}: {titles.get(current, '')}".rstrip(": "))
        indent = "  " * n.depth
        click.echo(f"{indent}{n.label:<5} {n.name}  ({n.codings})")
