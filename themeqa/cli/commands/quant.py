"""`themeqa quant`: measures linked to participants, scoring, HRV, analyses, SPSS export."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, echo_table, get_project, json_option


@click.group()
def quant() -> None:
    """Quantitative module: questionnaire scores, HRV, themes x measures, SPSS exchange.

    \b
    Example:
      themeqa quant import scs_items.csv --id-column participant
      themeqa quant score --scale scs26
      themeqa quant hrv rr_recordings/
      themeqa quant analyse joint_display.docx --correction holm
      themeqa quant export study.sav
    """


def _print_import(res, dry_run: bool) -> None:
    verb = "would link" if dry_run else "linked"
    click.echo(f"{res.file}: id column {res.id_column!r}, {len(res.variables)} variable(s)")
    click.echo(f"  {verb} {len(res.exact)} exact id(s)")
    for m in res.proposals:
        how = (
            "same id up to case/zeros/spaces"
            if m.reason == "normalised"
            else f"similarity {m.score:g}"
        )
        if m.given in res.rejected:
            state = "rejected (skipped)"
        else:
            state = "linked" if res.accepted else "needs --accept-matches"
        click.echo(f"  near-miss {m.given!r} -> {m.pid} ({how}): {state}")
    if res.unmatched:
        click.echo(f"  unmatched (skipped): {', '.join(res.unmatched)}")
    if dry_run and res.existing:
        click.echo(f"  already exist (need --replace): {', '.join(res.existing)}")
    if res.user_missing:
        click.echo(f"  {res.user_missing} user-missing code(s) read as missing")
    if not dry_run:
        click.echo(f"  {res.values_written} value(s) written")


@quant.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--id-column",
    default=None,
    help="Column holding participant ids (default: id, pid, participant… or the first column).",
)
@click.option(
    "--accept-matches", is_flag=True, help="Link near-miss ids (P7 -> P07) that were proposed."
)
@click.option("--prefix", default="", help="Put this before every variable name.")
@click.option("--timepoint", default=None, help="Timepoint the measures belong to.")
@click.option("--replace", is_flag=True, help="Overwrite variables that already exist.")
@click.option("--dry-run", is_flag=True, help="Show how ids would be linked; write nothing.")
@json_option
@click.pass_context
def import_(
    ctx, file, id_column, accept_matches, prefix, timepoint, replace, dry_run, as_json
) -> None:
    """Import a measures table (CSV, XLSX or SPSS .sav) linked to participants by id.

    Exact ids link at once; near-misses (P7 for P07, case, spaces) are proposed and linked
    only with --accept-matches; unmatched ids are listed and skipped. Nothing is written if
    anything is wrong.

    \b
    Example:
      themeqa quant import scs.sav --dry-run
      themeqa quant import scs.sav --accept-matches --timepoint initial
    """
    from themeqa.services.measures import import_measures, preview_measures

    project = get_project(ctx)
    if dry_run:
        res = preview_measures(project, file, id_column=id_column, prefix=prefix)
    else:
        res = import_measures(
            project,
            file,
            id_column=id_column,
            accept_matches=accept_matches,
            prefix=prefix,
            timepoint=timepoint,
            replace=replace,
        )
    if as_json:
        echo_json(res.to_dict())
    else:
        _print_import(res, dry_run)


@quant.command()
@click.option(
    "--scale", required=True, help="scs26, scs_sf, or a YAML scoring key file (KEY.yaml)."
)
@click.option(
    "--prefix",
    default=None,
    help="Prefix of the new variables (default: the scale name and _, e.g. scs26_total).",
)
@click.option(
    "--items",
    default=None,
    help="Comma-separated item variables in item order "
    "(default: detected from names ending in the item number).",
)
@json_option
@click.pass_context
def score(ctx, scale, prefix, items, as_json) -> None:
    """Score a questionnaire from imported item variables into subscale and total variables.

    A subscale with at most one missing item is prorated (mean of the answered items);
    with more it is missing. Scoring again overwrites the score variables.

    \b
    Example:
      themeqa quant score --scale scs26
      themeqa quant score --scale brief_resilience.yaml --prefix brs_
    """
    from themeqa.services.measures import score_measures

    cols = [c.strip() for c in items.split(",")] if items else None
    res = score_measures(get_project(ctx), scale, prefix=prefix, items=cols)
    if as_json:
        echo_json(res)
        return
    click.echo(
        f"{res['scale']}: scored {res['n_scored']} of {res['n_respondents']} "
        f"respondent(s) -> {', '.join(res['variables'])}"
    )


@quant.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=False))
@click.option("--accept-matches", is_flag=True, help="Link near-miss file ids (P7 -> P07).")
@click.option("--no-correct", is_flag=True, help="Do not correct ectopic/artefact beats.")
@click.option("--prefix", default="hrv_", show_default=True, help="Variable name prefix.")
@json_option
@click.pass_context
def hrv(ctx, paths, accept_matches, no_correct, prefix, as_json) -> None:
    """HRV indices from RR-interval files, one per participant (P07_rest.txt -> P07).

    Text, CSV and Polar .hrm files; a directory means all such files in it. Writes
    mean_nn, sdnn, rmssd, pnn50, mean_hr, lf, hf, lf_hf, nhf and n_corrected.

    \b
    Example:
      themeqa quant hrv rr_recordings/
      themeqa quant hrv P01_rest.txt P02_rest.txt --no-correct
    """
    from themeqa.services.measures import compute_hrv

    res = compute_hrv(
        get_project(ctx),
        list(paths),
        accept_matches=accept_matches,
        prefix=prefix,
        correct=not no_correct,
    )
    if as_json:
        echo_json(res)
        return
    click.echo(
        f"HRV for {len(res['participants'])} participant(s): {', '.join(res['participants'])}"
    )
    corrected = {p: n for p, n in res["n_corrected"].items() if n}
    if corrected:
        click.echo("  corrected beats: " + ", ".join(f"{p} {n}" for p, n in corrected.items()))
    for note in res["notes"]:
        click.echo(f"  note: {note}")
    if res["unmatched"]:
        click.echo(f"  unmatched files (skipped): {', '.join(res['unmatched'])}")


@quant.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--fs", type=float, required=True, help="Sampling rate of the ECG (Hz).")
@click.option(
    "--method",
    type=click.Choice(["neurokit", "pantompkins"]),
    default="neurokit",
    show_default=True,
    help="R-peak detector (neurokit needs the physio extra).",
)
@click.option(
    "--events",
    type=click.Path(dir_okay=False),
    default=None,
    help="CSV of participant,onset (s) for event-related HR.",
)
@click.option(
    "--baseline",
    nargs=2,
    type=float,
    default=(-5.0, 0.0),
    show_default=True,
    help="Baseline window around each onset (s).",
)
@click.option(
    "--window",
    nargs=2,
    type=float,
    default=(0.0, 30.0),
    show_default=True,
    help="Response window after each onset (s).",
)
@click.option("--accept-matches", is_flag=True, help="Link near-miss file ids (P7 -> P07).")
@json_option
@click.pass_context
def ecg(ctx, files, fs, method, events, baseline, window, accept_matches, as_json) -> None:
    """Heart rate from raw ECG files, one per participant (P07_ecg.csv -> P07).

    R-peaks by neurokit2 or Pan-Tompkins, refined to the local maximum; writes ecg_n_beats,
    ecg_mean_hr, ecg_rmssd and, with --events, the baseline-corrected event-related HR
    change and its area under the curve (ecg_er_change, ecg_er_auc).

    \b
    Example:
      themeqa quant ecg P01_ecg.csv P02_ecg.csv --fs 500 --events onsets.csv
    """
    from themeqa.services.physio import compute_ecg

    res = compute_ecg(
        get_project(ctx),
        list(files),
        fs=fs,
        method=method,
        events=events,
        baseline=tuple(baseline),
        window=tuple(window),
        accept_matches=accept_matches,
    )
    if as_json:
        echo_json(res)
        return
    click.echo(
        f"ECG for {len(res['participants'])} participant(s): "
        + ", ".join(f"{p} ({res['beats'][p]} beats)" for p in res["participants"])
    )
    if res["unmatched"]:
        click.echo(f"  unmatched files (skipped): {', '.join(res['unmatched'])}")


@quant.command()
@click.argument("out", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--measures",
    default=None,
    help="Comma-separated variables (default: scale totals and HRV indices).",
)
@click.option(
    "--correction",
    type=click.Choice(["holm", "bh"]),
    default="holm",
    show_default=True,
    help="Multiple-comparison correction per family of tests.",
)
@click.option(
    "--layer",
    default="auto",
    show_default=True,
    help="Codings used for presence: auto, consensus, union or coder:NAME.",
)
@click.option("--codebook", default=None, help="Only the themes of this codebook.")
@click.option(
    "--split",
    default="median",
    show_default=True,
    help="High/Low self-compassion split of scs26_total: median or a cut (2.85).",
)
@click.option(
    "--split-measure",
    default="scs26_total",
    show_default=True,
    help="The score split into High/Low for the theme x group table.",
)
@json_option
@click.pass_context
def analyse(ctx, out, measures, correction, layer, codebook, split, split_measure, as_json) -> None:
    """Joint display of themes and measures to OUT (.docx, .xlsx, .csv or .md), or print it
    (Markdown) when OUT is omitted, as every report does.

    For each theme: n with/without, mean (SD) per group, Student's t (Levene and Welch in
    the detailed table), Hedges' g [95% CI], p and corrected p, and an indicative quote;
    themes by condition and by High/Low self-compassion (chi-square, Yates, Fisher, odds
    ratio); correlations between the measures.

    \b
    Example:
      themeqa quant analyse joint_display.docx
      themeqa quant analyse results.xlsx --measures scs26_total,hrv_hf --correction bh
      themeqa quant analyse --measures scs26_total
    """
    from themeqa.services.analyses import (
        analysable_joint_display,
        joint_display_tables,
        write_joint_display,
    )

    names = [m.strip() for m in measures.split(",") if m.strip()] if measures else None
    options = dict(measures=names, correction=correction, layer=layer, codebook=codebook,
                   split=split, split_measure=split_measure)
    if not out or out == "-":
        jd = analysable_joint_display(get_project(ctx), **options)
        if as_json:
            echo_json({"file": None, **jd.to_dict()})
            return
        from themeqa.reports.writers import render_markdown

        click.echo(render_markdown(joint_display_tables(jd), []), nl=False)
        return
    path, jd = write_joint_display(get_project(ctx), out, **options)
    if as_json:
        echo_json({"file": str(path), **jd.to_dict()})
        return
    n_tests = sum(1 for t in jd.themes for x in t.tests if x.result is not None)
    click.echo(
        f"joint display: {len(jd.themes)} theme(s) x {len(jd.measures)} measure(s), "
        f"{n_tests} test(s), n = {jd.n_participants} -> {path}"
    )
    for note in jd.notes:
        click.echo(f"  note: {note}")


@quant.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option(
    "--layer",
    default="auto",
    show_default=True,
    help="Codings used for theme presence: auto, consensus, union or coder:NAME.",
)
@click.option("--codebook", default=None, help="Only the themes of this codebook.")
@json_option
@click.pass_context
def export(ctx, out, layer, codebook, as_json) -> None:
    """Export the participant dataset (demographics, condition, themes 0/1, measures).

    .sav keeps variable labels, value labels and user-missing codes; .csv and .xlsx hold
    the same names and values (text cells escaped against formula injection).

    \b
    Example:
      themeqa quant export study.sav
      themeqa quant export study.xlsx --layer consensus
    """
    from themeqa.services.dataset import export_dataset

    res = export_dataset(get_project(ctx), out, layer=layer, codebook=codebook)
    if as_json:
        echo_json(res)
        return
    click.echo(f"{res['rows']} participant(s) x {res['columns']} variable(s) -> {res['file']}")


@quant.command(name="list")
@json_option
@click.pass_context
def list_(ctx, as_json) -> None:
    """List the measure variables and how many participants have a value.

    \b
    Example:
      themeqa quant list --json
    """
    from themeqa.services.measures import list_variables

    rows = list_variables(get_project(ctx))
    if as_json:
        echo_json([r.to_dict() for r in rows])
        return
    echo_table(
        ["variable", "label", "kind", "n", "source", "timepoint"],
        [(r.name, r.label, r.kind, r.n, r.source, r.timepoint) for r in rows],
    )
