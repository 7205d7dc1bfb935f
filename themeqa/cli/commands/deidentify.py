"""`themeqa deidentify`: propose replacements for names, places and dates; apply a review."""

from __future__ import annotations

from pathlib import Path

import click

from themeqa.cli.common import echo_json, get_project, json_option


def _read_list(path: str | None) -> list[str]:
    from themeqa.errors import InputError

    if path is None:
        return []
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as UTF-8 text ({exc})") from exc
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


@click.command()
@click.argument("documents", nargs=-1)
@click.option("--name", "names", multiple=True, help="A person's name to replace (repeat).")
@click.option("--names-file", type=click.Path(dir_okay=False), default=None,
              help="A file of names, one per line.")
@click.option("--place", "places", multiple=True, help="A place to replace (repeat).")
@click.option("--no-dates", is_flag=True, help="Do not propose dates.")
@click.option("--no-ner", is_flag=True, help="Do not use a spaCy pipeline even if installed.")
@click.option("--review", "review_out", type=click.Path(dir_okay=False), default=None,
              help="Write the proposals to this CSV for review.")
@click.option("--apply", "apply_file", type=click.Path(dir_okay=False), default=None,
              help="Apply a reviewed CSV: write de-identified document versions.")
@click.option("--mapping", type=click.Path(dir_okay=False), default=None,
              help="Where to append the original->replacement key "
                   "(default: deid-mapping.csv in the project folder; never exported).")
@json_option
@click.pass_context
def deidentify(ctx, documents, names, names_file, places, no_dates, no_ner, review_out,
               apply_file, mapping, as_json) -> None:
    """Replace names, places and dates in transcripts, after you have reviewed each one.

    Step 1 writes proposals (participants' speaker labels become their ids, listed names
    [PERSON n], places [PLACE n], dates [DATE]; spaCy entities too when a trained pipeline
    is installed). Edit the CSV: accept yes/no, change a replacement. Step 2 writes a new
    de-identified version of each document; codings are copied where their offsets map
    exactly. The key (original -> replacement) goes to deid-mapping.csv, never into the
    database or an export. The review file holds the originals too: delete it afterwards.

    \b
    Example:
      themeqa deidentify --names-file names.txt --place Leeds --review review.csv
      themeqa deidentify --apply review.csv
    """
    from themeqa.errors import InputError

    if (review_out is None) == (apply_file is None):
        raise InputError("give either --review OUT.csv (propose) or --apply REVIEW.csv")
    project = get_project(ctx)
    if apply_file is not None:
        from themeqa.services.deidentify import apply_review

        result = apply_review(project, apply_file, mapping_file=mapping)
        if as_json:
            echo_json(result.to_dict())
            return
        for old, new in result.documents:
            click.echo(f"{old} -> {new}")
        click.echo(f"{result.replacements} replacements; {result.codings_copied} codings "
                   f"copied, {result.codings_left} left on the originals (recode them); "
                   f"key appended to {result.mapping_file}")
        return
    from themeqa.services.deidentify import propose, write_review

    proposals, notes = propose(
        project, documents=list(documents) or None,
        names=[*names, *_read_list(names_file)], places=places, dates=not no_dates,
        use_ner=not no_ner)
    write_review(proposals, review_out)
    if as_json:
        echo_json({"review": review_out, "proposals": len(proposals), "notes": notes})
        return
    for note in notes:
        click.echo(f"note: {note}", err=True)
    docs = len({p.document for p in proposals})
    click.echo(f"{len(proposals)} proposals in {docs} documents written to {review_out}; "
               f"edit it, then: themeqa deidentify --apply {review_out}")
