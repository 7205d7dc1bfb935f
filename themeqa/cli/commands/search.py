"""`themeqa search`, `themeqa words`, `themeqa suggest`: text search, word counts, hints."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, echo_table, get_project, json_option


@click.command()
@click.argument("query")
@click.option("--exact", "mode", flag_value="exact", help="Match the words as typed.")
@click.option("--regex", "mode", flag_value="regex", help="QUERY is a regular expression.")
@click.option("--no-derived", is_flag=True,
              help="Word forms only: 'relax' finds relaxed, not relaxation.")
@click.option("--condition", default=None, help="Only what participants of this condition said.")
@click.option("--timepoint", default=None)
@click.option("--session", default=None)
@click.option("--speaker", default=None, help="A participant id or a speaker label.")
@click.option("--kind", type=click.Choice(["transcript", "written"]), default=None)
@click.option("--participants-only", is_flag=True, help="Leave out facilitators.")
@click.option("--in-code", "inside_code", default=None,
              help="Only hits inside codings of this code (or its subordinate themes).")
@click.option("--not-in-code", "outside_code", default=None,
              help="Only hits outside codings of this code.")
@click.option("--by-coder", "by_coder", default=None,
              help="Whose codings --in-code/--not-in-code look at (default: anyone's).")
@click.option("--include-originals", is_flag=True,
              help="Also search the originals that de-identified versions replaced (until "
                   "they are purged); their hits are marked and cannot be coded.")
@click.option("--limit", type=int, default=None, help="Show at most this many hits.")
@click.option("--code-as", "code_as", default=None,
              help="Code every hit with this code (one undoable step).")
@click.option("--scope", type=click.Choice(["word", "sentence", "turn"]), default="sentence",
              show_default=True, help="What --code-as codes around each hit.")
@click.option("--coder", default=None, help="The coder for --code-as.")
@json_option
@click.pass_context
def search(ctx, query, mode, no_derived, condition, timepoint, session, speaker, kind,
           participants_only, inside_code, outside_code, by_coder, include_originals, limit,
           code_as, scope, coder, as_json) -> None:
    """Search every document: words, "phrases", word forms (default), wildcards*, regex.

    Words separated by spaces are alternatives; a quoted phrase needs its words in a row.
    Hits are shown in context with document, participant and condition. A de-identified
    document is searched in its new version only, unless --include-originals.

    \b
    Examples:
      themeqa search relax --condition M
      themeqa search '"my gran"' --participants-only --json
      themeqa search 'imag*' --in-code inhibitors::1
      themeqa search relax --code-as E2 --scope sentence --coder amira
      themeqa search Dana --exact --include-originals
    """
    from themeqa.errors import InputError
    from themeqa.services.search import SearchFilters, code_from_search
    from themeqa.services.search import search as run_search

    project = get_project(ctx)
    filters = SearchFilters(
        condition=condition, timepoint=timepoint, session=session, speaker=speaker,
        kind=kind, participants_only=participants_only, inside_code=inside_code,
        outside_code=outside_code, coder=by_coder, include_superseded=include_originals,
    )
    hits = run_search(project, query, mode=mode or "lemma", derived=not no_derived,
                      filters=filters, limit=None if code_as else limit)
    if code_as:
        if not coder:
            raise InputError("--code-as needs --coder NAME")
        created = code_from_search(project, hits, code_as, coder=coder, scope=scope,
                                   query=query)
        if as_json:
            echo_json({"hits": len(hits), "created": created})
        else:
            click.echo(f"{len(hits)} hits; {len(created)} new codings of {code_as} "
                       f"({scope}) by {coder}; `themeqa undo --coder {coder}` takes them back")
        return
    if as_json:
        echo_json([h.to_dict() for h in hits])
        return
    echo_table(
        ["document", "participant", "cond", "context"],
        [(f"{h.document} (original of {h.superseded_by})" if h.superseded_by else h.document,
          h.participant, h.condition, f"{h.left}[{h.match}]{h.right}")
         for h in hits],
    )
    click.echo(f"{len(hits)} hit{'s' if len(hits) != 1 else ''}", err=True)


@click.command()
@click.option("--by", type=click.Choice(["condition", "timepoint", "session", "all"]),
              default="condition", show_default=True)
@click.option("--code", default=None, help="Only words inside codings of this theme.")
@click.option("--coder", default=None, help="Whose codings --code looks at.")
@click.option("--compare", default=None, metavar="A,B",
              help="Distinctive words of group A against group B (log-odds z and G²).")
@click.option("--top", type=int, default=20, show_default=True)
@click.option("--min-length", type=int, default=3, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Also write the table to .csv, .xlsx or .md.")
@json_option
@click.pass_context
def words(ctx, by, code, coder, compare, top, min_length, out, as_json) -> None:
    """Most frequent lemmas per group, or the words that set two groups apart.

    Counts what participants said or wrote (not facilitators, not speaker labels), without
    stop words.

    \b
    Examples:
      themeqa words --by condition --top 15
      themeqa words --compare M,I --code inhibitors::2 --out fear_M_vs_I.xlsx
    """
    from themeqa.errors import InputError
    from themeqa.services.wordfreq import frequency_table, keyness_table, write_word_table

    project = get_project(ctx)
    if compare:
        groups = [g.strip() for g in compare.split(",")]
        if len(groups) != 2 or not all(groups):
            raise InputError("--compare takes two groups, e.g. --compare M,I")
        table = keyness_table(project, groups[0], groups[1], by=by, code=code, coder=coder,
                              min_length=min_length, top=top)
    else:
        table = frequency_table(project, by=by, code=code, coder=coder,
                                min_length=min_length, top=top)
    if out:
        write_word_table(project, table, out, by=by, code=code, compare=compare)
    columns, rows = table.columns, table.rows
    if as_json:
        echo_json([dict(zip(columns, r, strict=True)) for r in rows])
        return
    echo_table(columns, rows)


@click.command()
@click.argument("document", required=False)
@click.argument("start", type=int, required=False)
@click.argument("end", type=int, required=False)
@click.option("--coder", required=True, help="Suggest from this coder's codings.")
@click.option("--top", "k", type=int, default=3, show_default=True)
@click.option("--evaluate", is_flag=True,
              help="Leave-one-out: how often a coding's own code is in the top suggestions.")
@json_option
@click.pass_context
def suggest(ctx, document, start, end, coder, k, evaluate, as_json) -> None:
    """Codes whose codings (by CODER) most resemble a passage — hints, never applied.

    \b
    Examples:
      themeqa suggest S1_focus_group.txt 120 480 --coder amira
      themeqa suggest --evaluate --coder amira
    """
    from themeqa.errors import InputError
    from themeqa.services.suggest import evaluate_suggestions, suggest_codes

    project = get_project(ctx)
    if evaluate:
        hits, trials = evaluate_suggestions(project, coder=coder, k=k)
        share = hits / trials if trials else 0.0
        if as_json:
            echo_json({"coder": coder, "k": k, "hits": hits, "trials": trials, "share": share})
        else:
            click.echo(f"top-{k} contains the chosen code for {hits} of {trials} codings "
                       f"by {coder} ({share:.0%}, leave-one-out)")
        return
    if document is None or start is None or end is None:
        raise InputError("give DOCUMENT START END, or --evaluate")
    ranked = suggest_codes(project, document, start, end, coder=coder, k=k)
    if as_json:
        echo_json([{"code": r.code, "name": r.name, "score": r.score} for r in ranked])
        return
    echo_table(["code", "name", "similarity"], [(r.code, r.name, f"{r.score:.2f}")
                                                 for r in ranked])
