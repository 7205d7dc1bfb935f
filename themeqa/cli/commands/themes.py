"""`themeqa themes …` and `themeqa journal …`: theme development and the reflexive journal."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, echo_table, get_project, json_option


@click.group()
def themes() -> None:
    """Develop themes: phases, codebook versions, the thematic map, review, split/promote.

    \b
    Example:
      themeqa themes map thematic_map.svg --codebook inhibitors
    """


@themes.command()
@click.argument("phase", required=False)
@click.option("--by", "actor", default=None, help="Who enters the phase.")
@json_option
@click.pass_context
def phase(ctx, phase, actor, as_json) -> None:
    """Show the analysis phases entered so far, or enter PHASE (name or number 1-6).

    \b
    Example:
      themeqa themes phase "reviewing themes"
    """
    from themeqa.services.themes import PHASES, phases, set_phase

    project = get_project(ctx)
    if phase:
        entry = set_phase(project, phase, actor=actor)
        click.echo(f"entered phase '{entry.phase}' at {entry.entered_at}")
        return
    entries = phases(project)
    if as_json:
        echo_json([e.to_dict() for e in entries])
        return
    echo_table(["phase", "entered (UTC)", "by"],
               [(e.phase, e.entered_at.replace("T", " ")[:16], e.by) for e in entries])
    click.echo("phases: " + "; ".join(f"{i} {p}" for i, p in enumerate(PHASES, 1)), err=True)


@themes.group()
def versions() -> None:
    """Named codebook versions and what changed between them.

    \b
    Example:
      themeqa themes versions save "after review"
    """


@versions.command("save")
@click.argument("name")
@click.option("--by", "actor", default=None)
@click.pass_context
def versions_save(ctx, name, actor) -> None:
    """Save the codebooks as they are now under NAME.

    \b
    Example:
      themeqa themes versions save initial-codes
    """
    from themeqa.services.themes import save_version

    v = save_version(get_project(ctx), name, actor=actor)
    click.echo(f"saved version {v.name!r}: {v.codes} codes, {v.codings} codings")


@versions.command("list")
@json_option
@click.pass_context
def versions_list(ctx, as_json) -> None:
    """List saved versions.

    \b
    Example:
      themeqa themes versions list --json
    """
    from themeqa.services.themes import list_versions

    vs = list_versions(get_project(ctx))
    if as_json:
        echo_json([v.to_dict() for v in vs])
        return
    echo_table(["version", "saved (UTC)", "by", "codes", "codings"],
               [(v.name, v.saved_at.replace("T", " ")[:16], v.by, v.codes, v.codings)
                for v in vs])


@versions.command("diff")
@click.argument("old")
@click.argument("new", default="current")
@json_option
@click.pass_context
def versions_diff(ctx, old, new, as_json) -> None:
    """What changed from version OLD to NEW (default: the codebook now).

    \b
    Example:
      themeqa themes versions diff initial-codes "after review"
    """
    from themeqa.services.themes import diff_versions

    changes = diff_versions(get_project(ctx), old, new)
    if as_json:
        echo_json([c.to_dict() for c in changes])
        return
    echo_table(["change", "codebook", "theme", "detail", "codings"],
               [(c.kind, c.codebook, f"{c.label} {c.name}", c.detail, c.codings)
                for c in changes])


@versions.command("export")
@click.argument("out", type=click.Path(dir_okay=False))
@click.pass_context
def versions_export(ctx, out) -> None:
    """Write the version history (.docx, .xlsx, .md, .csv) for a paper's appendix.

    \b
    Example:
      themeqa themes versions export codebook_history.docx
    """
    from themeqa.services.themes import export_history

    click.echo(f"wrote {export_history(get_project(ctx), out)}")


@themes.command("map")
@click.argument("out", type=click.Path(dir_okay=False), required=False)
@click.option("--codebook", default=None)
@click.option("--layer", default="auto", show_default=True,
              help="auto, consensus, union or coder:NAME.")
@click.option("--min-participants", type=int, default=3, show_default=True,
              help="Flag themes reported by fewer participants.")
@click.option("--title", default="Thematic map")
@click.pass_context
def map_(ctx, out, codebook, layer, min_participants, title) -> None:
    """Draw the thematic map to OUT (.svg or .dot), or print it as an outline.

    \b
    Example:
      themeqa themes map map.dot --codebook inhibitors --min-participants 4
    """
    from themeqa.core.thematic_map import walk
    from themeqa.errors import InputError
    from themeqa.reports.thematic_map import write_map
    from themeqa.services.themes import thematic_map

    project = get_project(ctx)
    nodes = thematic_map(project, codebook=codebook, layer=layer,
                         min_participants=min_participants)
    if out:
        try:
            path = write_map(nodes, out, title)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        from themeqa.services.export_log import log_export

        log_export(project, "thematic_map", path, codebook=codebook, layer=layer)
        click.echo(f"wrote {path}")
        return
    for n, depth in walk(nodes):
        info = "" if n.kind == "codebook" else (
            f"  n={n.participants}, sessions={n.sessions}, codings={n.codings}"
            + (f"  [{n.marker}]" if n.marker else ""))
        click.echo("  " * depth + n.title + info)


@themes.command()
@click.argument("code")
@click.option("--layer", default="auto", show_default=True)
@click.option("--no-rollup", is_flag=True, help="Only the theme itself, not its subthemes.")
@json_option
@click.pass_context
def review(ctx, code, layer, no_rollup, as_json) -> None:
    """Every coded extract of a theme, with participant and condition, and its memo.

    \b
    Example:
      themeqa themes review inhibitors::2 --layer coder:amira
    """
    from themeqa.services.themes import review_extracts, theme_memo

    project = get_project(ctx)
    extracts = review_extracts(project, code, layer=layer, rollup=not no_rollup)
    if as_json:
        echo_json({"memo": theme_memo(project, code),
                   "extracts": [e.to_dict() for e in extracts]})
        return
    for e in extracts:
        who = f"({e.participant or '?'}, {e.condition or '?'})"
        click.echo(f"[{e.code}] {who} {e.document} {e.start}-{e.end} {e.coder}")
        click.echo("    " + " ".join(e.text.split()))
    memo = theme_memo(project, code)
    click.echo(f"{len(extracts)} extracts" + (f"; memo: {memo}" if memo else ""), err=True)


@themes.command()
@click.argument("code")
@click.argument("text")
@click.option("--by", "actor", default=None)
@click.pass_context
def memo(ctx, code, text, actor) -> None:
    """Record the review decision for a theme (empty TEXT removes it).

    \b
    Example:
      themeqa themes memo 2d "Too thin; merge into 2c"
    """
    from themeqa.services.themes import set_theme_memo

    set_theme_memo(get_project(ctx), code, text, actor=actor)


@themes.command()
@click.argument("code")
@click.option("--codings", required=True, help="Comma-separated coding ids to move.")
@click.option("--label", required=True, help="Label of the new code, e.g. 2e.")
@click.option("--name", required=True, help="Name of the new code.")
@click.option("--by", "actor", default=None)
@click.pass_context
def split(ctx, code, codings, label, name, actor) -> None:
    """Split CODE: move the chosen codings to a new sibling code (one undo step).

    \b
    Example:
      themeqa themes split 2c --codings 14,15,31 --label 2e --name "Feeling undeserving"
    """
    from themeqa.errors import InputError
    from themeqa.services.themes import split_code

    try:
        ids = [int(x) for x in codings.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"--codings takes ids separated by commas, not {codings!r}") from None
    new_id = split_code(get_project(ctx), code, ids, label=label, name=name, actor=actor)
    click.echo(f"new code {label} (id {new_id}) with {len(ids)} codings")


@themes.command()
@click.argument("code")
@click.option("--by", "actor", default=None)
@click.pass_context
def promote(ctx, code, actor) -> None:
    """Make a subordinate theme a sibling of its parent.

    \b
    Example:
      themeqa themes promote 2d
    """
    from themeqa.services.themes import promote_code

    promote_code(get_project(ctx), code, actor=actor)


@themes.command()
@click.argument("code")
@click.option("--by", "actor", default=None)
@click.pass_context
def demote(ctx, code, actor) -> None:
    """Put a theme under the theme just above it.

    \b
    Example:
      themeqa themes demote 5
    """
    from themeqa.services.themes import demote_code

    demote_code(get_project(ctx), code, actor=actor)


@click.group()
def journal() -> None:
    """The reflexive journal: dated project memos.

    \b
    Example:
      themeqa journal add "Noticed I expect fear themes in I sessions; watch for it."
    """


@journal.command("add")
@click.argument("text")
@click.option("--by", "actor", default=None)
@click.pass_context
def journal_add(ctx, text, actor) -> None:
    """Add a dated entry.

    \b
    Example:
      themeqa journal add "Merged 2d into 2c after the second review."
    """
    from themeqa.services.themes import add_journal

    add_journal(get_project(ctx), text, actor=actor)


@journal.command("list")
@json_option
@click.pass_context
def journal_list(ctx, as_json) -> None:
    """List entries, oldest first.

    \b
    Example:
      themeqa journal list
    """
    from themeqa.services.themes import journal as entries

    rows = entries(get_project(ctx))
    if as_json:
        echo_json([e.to_dict() for e in rows])
        return
    for e in rows:
        click.echo(f"{e.written_at.replace('T', ' ')[:16]}  {e.author}: {e.text}")


@journal.command("export")
@click.argument("out", type=click.Path(dir_okay=False))
@click.pass_context
def journal_export(ctx, out) -> None:
    """Write the journal (.docx, .xlsx, .md, .csv).

    \b
    Example:
      themeqa journal export journal.docx
    """
    from themeqa.services.themes import export_journal

    click.echo(f"wrote {export_journal(get_project(ctx), out)}")
