"""`themeqa deidentify`: propose replacements for names, places and dates; apply a review;
purge the identifiable originals once the de-identified versions are in use.

Why the purge is an option of this command and not a subcommand: ``deidentify`` takes
document names as arguments, so a subcommand name would be ambiguous with a document; the
three steps (``--review``, ``--apply``, ``--purge-originals``) read as one workflow.
"""

from __future__ import annotations

import sys
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
@click.option("--purge-originals", "purge", is_flag=True,
              help="Destroy the identifiable originals kept after --apply: mask the replaced "
                   "text in the superseded versions, the audit log and the token cache "
                   "(cannot be undone; asks first).")
@click.option("--include-backups", is_flag=True,
              help="With --purge-originals: also delete the backup files that still hold "
                   "the originals (they are listed otherwise).")
@click.option("--include-speaker-labels", is_flag=True,
              help="With --purge-originals: also remove the speaker labels that name "
                   "participants (appended to the mapping file first).")
@click.option("--yes", is_flag=True,
              help="With --purge-originals: do not ask (scripts; required without a terminal).")
@json_option
@click.pass_context
def deidentify(ctx, documents, names, names_file, places, no_dates, no_ner, review_out,
               apply_file, mapping, purge, include_backups, include_speaker_labels, yes,
               as_json) -> None:
    """Replace names, places and dates in transcripts, after you have reviewed each one.

    Step 1 writes proposals (participants' speaker labels become their ids, listed names
    [PERSON n], places [PLACE n], dates [DATE]; spaCy entities too when a trained pipeline
    is installed). Edit the CSV: accept yes/no, change a replacement. Step 2 writes a new
    de-identified version of each document; codings are copied where their offsets map
    exactly. The key (original -> replacement) goes to deid-mapping.csv, never into the
    database or an export. The review file holds the originals too: delete it afterwards.

    Step 3 (--purge-originals), once the new versions are in use: the originals stay in the
    project until then. It masks what was replaced in the superseded versions (offsets and
    codings are kept), replaces audit-log text that quotes it by "[purged DATE]", removes
    stale search-cache files, compacts the database, and lists backups and other files that
    still hold the originals. It asks first; --yes for scripts.

    \b
    Example:
      themeqa deidentify --names-file names.txt --place Leeds --review review.csv
      themeqa deidentify --apply review.csv
      themeqa deidentify --purge-originals --include-backups
    """
    from themeqa.errors import InputError

    if review_out is not None and (apply_file is not None or purge):
        raise InputError("--review proposes replacements; run --apply or --purge-originals "
                         "separately, after the review")
    if review_out is None and apply_file is None and not purge:
        raise InputError("give either --review OUT.csv (propose), --apply REVIEW.csv (write "
                         "de-identified versions) or --purge-originals (destroy the originals)")
    if not purge and (include_backups or include_speaker_labels or yes):
        raise InputError("--include-backups, --include-speaker-labels and --yes go with "
                         "--purge-originals")
    if purge and not yes and not sys.stdin.isatty():
        # Checked before anything is written (also before --apply): CI has no one to ask.
        raise InputError("purging the originals cannot be undone, so it asks first: run it "
                         "in a terminal, or add --yes (scripts)")
    project = get_project(ctx)
    if apply_file is not None:
        from themeqa.services.deidentify import apply_review

        result = apply_review(project, apply_file, mapping_file=mapping)
        if purge:
            if not as_json:
                _echo_apply(result)
            _purge(project, mapping, include_backups, include_speaker_labels, yes, as_json,
                   applied=result.to_dict())
            return
        if as_json:
            echo_json(result.to_dict())
            return
        _echo_apply(result)
        return
    if purge:
        _purge(project, mapping, include_backups, include_speaker_labels, yes, as_json)
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


def _echo_apply(result) -> None:
    for old, new in result.documents:
        click.echo(f"{old} -> {new}")
    click.echo(f"{result.replacements} replacements; {result.codings_copied} codings "
               f"copied, {result.codings_left} left on the originals (recode them); "
               f"key appended to {result.mapping_file}")
    if result.texts_changed or result.memos_carried:
        click.echo(f"{result.texts_changed} memo/code text{'' if result.texts_changed == 1 else 's'}"
                   f" de-identified in place; {_plural(result.memos_carried, 'memo')} on "
                   "codings carried to their de-identified copies")
    # From here on lists, search and exports show the new versions only (services.versions)
    click.echo("the de-identified versions now replace the originals in lists, search, "
               "counts and exports"
               + (f"; `themeqa codings list --document {result.documents[0][0]}` shows what "
                  "is left on an original" if result.codings_left and result.documents
                  else ""))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _echo_purge(result, *, include_speaker_labels: bool) -> None:
    """What a purge did, or (dry run) will do, then what still holds the originals."""
    will = result.dry_run
    for old, new in result.documents:
        click.echo(f"{'will mask' if will else 'masked'} the replaced text in {old} "
                   f"(superseded by {new})")
    if result.codings_not_copied:
        click.echo(f"  note: {_plural(result.codings_not_copied, 'coding')} could not be "
                   "copied to the de-identified versions; they stay on the originals, whose "
                   "words will be masked (recode them on the new versions first)")
    if result.audit_events:
        click.echo(f"{_plural(result.audit_events, 'audit event')}: text quoting it "
                   f"{'will be ' if will else ''}replaced by {result.marker}")
    if result.turns:
        click.echo(f"{_plural(result.turns, 'turn')} of the originals: speaker names "
                   f"{'will be ' if will else ''}replaced by participant ids")
    if result.speaker_labels:
        ids = ", ".join(result.speaker_labels)
        if include_speaker_labels:
            click.echo(f"{_plural(len(result.speaker_labels), 'participant')} ({ids}): "
                       f"speaker labels naming them {'will be ' if will else ''}removed "
                       "(appended to the mapping file)")
        else:
            click.echo(f"speaker labels still name {ids} (add --include-speaker-labels to "
                       "remove them)")
    if result.cache_files:
        click.echo(f"{_plural(result.cache_files, 'search-cache file')} of old texts "
                   f"{'will be ' if will else ''}removed")
    if result.vacuumed:
        click.echo("database compacted (VACUUM): no freed page holds the old text")
    for b in result.backups_deleted:
        click.echo(f"backup {'will be ' if will else ''}deleted: {b}")
    leftovers = [*(f"backup {b} (delete with --include-backups)" for b in result.backups
                   if b not in result.backups_deleted),
                 *(f"{f['path']}: {f['what']}" for f in result.files)]
    if leftovers:
        click.echo("still holding the originals (themeqa does not delete these):"
                   if not result.dry_run else "holding the originals:")
        for line in leftovers:
            click.echo(f"  {line}")
    if result.mentions:
        click.echo("still quoting replaced text (edit them): " + ", ".join(result.mentions))
    for note in result.notes:
        click.echo(f"note: {note}", err=True)


def _purge(project, mapping, include_backups: bool, include_speaker_labels: bool, yes: bool,
           as_json: bool, applied: dict | None = None) -> None:
    """Show the plan, confirm (the caller refused already when there is no terminal),
    purge, report."""
    from themeqa.services.deid_purge import purge_originals

    options = {"include_backups": include_backups,
               "include_speaker_labels": include_speaker_labels, "mapping_file": mapping}
    plan = purge_originals(project, dry_run=True, **options)
    if plan.pending and not yes:
        _echo_purge(plan, include_speaker_labels=include_speaker_labels)
        click.confirm("Destroy the identifiable originals now? This cannot be undone",
                      abort=True)
    result = purge_originals(project, **options) if plan.pending else plan
    if as_json:
        data = result.to_dict()
        echo_json(data if applied is None else {"applied": applied, "purge": data})
        return
    if result is plan:
        click.echo("nothing to purge: no stored original holds replaced text")
    _echo_purge(result, include_speaker_labels=include_speaker_labels)
