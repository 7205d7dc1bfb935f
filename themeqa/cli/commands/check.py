"""`themeqa check`: credibility check -- sample, agreement, disagreements, decisions, report."""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, echo_table, get_project, json_option

_check_option = click.option(
    "--check", "check_ref", default=None,
    help="Check name or id (default: the most recent check).",
)
_facilitator_option = click.option(
    "--include-facilitator", is_flag=True,
    help="Count facilitator turns/sentences as units too (default: participant speech only).",
)


@click.group()
def check() -> None:
    """Credibility check: a seeded double-coding sample, agreement and reconciliation.

    \b
    Example:
      themeqa check sample --sessions 5 --seed 20240611 --coder ben --coder-a amira
      themeqa check agree --coders amira,ben --unit turn
      themeqa check disagreements
      themeqa check report check.docx
    """


@check.command()
@click.option("--sessions", type=int, default=None, help="Draw this many sessions (all docs).")
@click.option("--documents", type=int, default=None, help="Draw this many documents instead.")
@click.option("--pick", default=None,
              help="Register sessions chosen by hand instead (comma-separated labels).")
@click.option("--seed", type=int, default=None, help="Random seed (default: a fresh one, "
              "recorded).")
@click.option("--coder", "coder_b", required=True, help="The second coder (B).")
@click.option("--coder-a", "coder_a", default=None, help="The first coder (A).")
@click.option("--name", default=None, help="Name of the check (default: check-N).")
@json_option
@click.pass_context
def sample(ctx, sessions, documents, pick, seed, coder_b, coder_a, name, as_json) -> None:
    """Draw a seeded random sample of sessions (or documents) for coder B.

    The same seed over the same project redraws the same sample: numpy's default_rng(seed)
    chooses without replacement over the sorted session labels. Seed and sample are stored
    and written to the audit log.

    \b
    Example:
      themeqa check sample --sessions 5 --seed 42 --coder ben --coder-a amira
      themeqa check sample --documents 10 --seed 7 --coder ben
      themeqa check sample --pick S2,S5 --coder ben --coder-a amira --name pilot
    """
    from themeqa.errors import InputError
    from themeqa.services.check_sample import create_check, sample_check

    project = get_project(ctx)
    if pick is not None:
        if sessions is not None or documents is not None or seed is not None:
            raise InputError("--pick names the sessions; leave out --sessions/--documents/--seed")
        info = create_check(project, coder_b=coder_b, coder_a=coder_a, name=name,
                            sessions=pick.split(","))
    else:
        info = sample_check(project, coder_b=coder_b, coder_a=coder_a, sessions=sessions,
                            documents=documents, seed=seed, name=name)
    if as_json:
        echo_json(info.to_dict())
        return
    what = ", ".join(info.sessions) if info.sessions else ", ".join(info.documents)
    click.echo(f"{info.name}: {info.sample_by}s {what} (seed {info.seed}); "
               f"{len(info.documents)} documents for {info.coder_b}")


def _coders(text: str | None) -> tuple[str, str] | None:
    from themeqa.errors import InputError

    if text is None:
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) != 2:
        raise InputError("--coders takes two names, e.g. --coders amira,ben")
    return parts[0], parts[1]


@check.command()
@click.option("--coders", default=None, help="Two coders A,B (default: the check's coders).")
@_check_option
@click.option("--unit", type=click.Choice(["character", "sentence", "turn", "document",
                                           "participant"]), default="turn", show_default=True)
@click.option("--code", default=None, help="Only this code (and its subordinate themes).")
@click.option("--codebook", default=None, help="Only this codebook.")
@click.option("--threshold", type=float, default=0.5, show_default=True,
              help="Span matching: share of the shorter span two codings must share.")
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
@click.option("--boot", "n_boot", type=int, default=1000, show_default=True,
              help="Bootstrap replicates.")
@click.option("--no-rollup", is_flag=True, help="Do not count subordinate themes for parents.")
@_facilitator_option
@json_option
@click.pass_context
def agree(ctx, coders, check_ref, unit, code, codebook, threshold, seed, n_boot, no_rollup,
          include_facilitator, as_json) -> None:
    """Agreement per code and pooled (κ, α, AC1, PABAK, bootstrap CI) and span matching.

    With a check: its documents coder B has finished (themeqa check done). Without --check
    and --coders, the most recent check; with --coders only, every document both coded.
    Turn and sentence units cover participant speech only unless --include-facilitator.

    \b
    Example:
      themeqa check agree --coders amira,ben --unit turn
      themeqa check agree --coders amira,ben --unit participant --code 2 --json
    """
    from themeqa.services.check import agreement_table, span_table
    from themeqa.services.check_report import COEF_COLUMNS, coefficient_cells, fmt_coef

    project = get_project(ctx)
    pair = _coders(coders)
    table = agreement_table(project, coders=pair, check=check_ref, unit=unit, code=code,
                            codebook=codebook, rollup=not no_rollup, seed=seed, n_boot=n_boot,
                            include_facilitator=include_facilitator)
    spans = span_table(project, coders=pair, check=check_ref, code=code, codebook=codebook,
                       threshold=threshold, rollup=not no_rollup)
    if as_json:
        echo_json({"agreement": table.to_dict(), "spans": spans.to_dict()})
        return
    click.echo(f"{table.coder_a} (A) vs {table.coder_b} (B), unit {unit}"
               + (f" ({table.speech})" if table.speech else "")
               + f", {len(table.documents)} documents")
    if table.scope is not None:
        click.echo(f"check {table.check}: {table.scope.sentence()}")
    rows = [coefficient_cells(r) for r in table.rows] + [coefficient_cells(table.pooled)]
    for row, r in zip(rows, [*table.rows, table.pooled], strict=True):
        row[0] = "  " * max(r.depth - 1, 0) + str(row[0])
    echo_table(COEF_COLUMNS, rows)
    for note in table.notes:
        click.echo(note)
    click.echo(f"\nSpan matching (overlap >= {threshold:.0%} of the shorter span)")
    echo_table(["Code", "A", "B", "Matched", "A only", "B only", "Match rate"],
               [("  " * max(r.depth - 1, 0) + r.label, r.a_codings, r.b_codings, r.matched,
                 r.only_a, r.only_b, fmt_coef(r.match_rate))
                for r in [*spans.rows, spans.pooled]])


@check.command()
@_check_option
@click.option("--open", "only_open", is_flag=True, help="Only undecided disagreements.")
@click.option("--kind", type=click.Choice(["one_coder", "boundary", "code_conflict"]),
              default=None, help="Only this kind.")
@json_option
@click.pass_context
def disagreements(ctx, check_ref, only_open, kind, as_json) -> None:
    """The check's disagreements, typed, with both coders' text side by side.

    \b
    Example:
      themeqa check disagreements --open
      themeqa check disagreements --kind boundary --json
    """
    from themeqa.services.check_disagreements import disagreements as load
    from themeqa.services.check_done import check_progress

    project = get_project(ctx)
    found = load(project, check_ref)
    scope = check_progress(project, check_ref)
    found = [d for d in found if (not only_open or d.decision is None)
             and (kind is None or d.kind == kind)]
    if as_json:
        echo_json([d.to_dict() for d in found])
        return
    click.echo(scope.sentence(), err=True)

    def span(start, end) -> str:
        return "" if start is None else f"{start}-{end}"

    def clip(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= 40 else text[:39] + "…"

    echo_table(["key", "kind", "document", "A code", "A span", "A text", "B code", "B span",
                "B text", "decision"],
               [(d.key, d.kind, d.document, d.code_a or "", span(d.a_start, d.a_end),
                 clip(d.a_text), d.code_b or "", span(d.b_start, d.b_end), clip(d.b_text),
                 d.decision or "") for d in found])


def _span(text: str | None) -> tuple[int, int] | None:
    from themeqa.errors import InputError

    if text is None:
        return None
    try:
        start, end = (int(x) for x in text.replace(":", "-").split("-"))
    except ValueError as exc:
        raise InputError(f"--span takes START-END, e.g. 120-245, not {text!r}") from exc
    return start, end


@check.command()
@click.argument("key")
@_check_option
@click.option("--choice", required=True,
              type=click.Choice(["keep_a", "keep_b", "keep_both", "neither", "edit"]))
@click.option("--rationale", required=True, help="Why (required, stored with the decision).")
@click.option("--by", "decided_by", default=None, help="Who decides (default: you).")
@click.option("--reviewer", default=None, help="A third person who reviewed the decision.")
@click.option("--span", default=None, help="With --choice edit: START-END to keep.")
@click.option("--code", default=None, help="With --choice edit: the code (default: A's).")
@json_option
@click.pass_context
def decide(ctx, key, check_ref, choice, rationale, decided_by, reviewer, span, code,
           as_json) -> None:
    """Resolve one disagreement into the consensus layer (coders' layers stay unchanged).

    \b
    Example:
      themeqa check decide b-7458064fbb --choice keep_a --rationale "A's extent has the reason"
      themeqa check decide o-24b11363c1 --choice edit --span 600-700 --rationale "trimmed"
    """
    from themeqa.services.check_reconcile import decide as run
    from themeqa.services.check_reconcile import progress

    project = get_project(ctx, actor=decided_by)
    result = run(project, key, choice, rationale, decided_by=decided_by or project.actor,
                 check=check_ref, reviewer=reviewer, span=_span(span), code=code)
    prog = progress(project, check_ref)
    if as_json:
        echo_json({**result.to_dict(), "decided": prog.decided, "total": prog.total})
        return
    click.echo(f"{result.key}: {result.choice} ({len(result.consensus_ids)} consensus "
               f"codings); {prog}")


@check.command()
@click.argument("key")
@_check_option
@click.pass_context
def undo(ctx, key, check_ref) -> None:
    """Undo one decision: delete it and the consensus codings it wrote.

    \b
    Example:
      themeqa check undo b-7458064fbb
    """
    from themeqa.services.check_reconcile import progress, undo_decision

    project = get_project(ctx)
    undo_decision(project, key, check=check_ref)
    click.echo(f"{key}: decision undone; {progress(project, check_ref)}")


@check.command()
@_check_option
@click.option("--by", "decided_by", default=None, help="Recorded as the decider (default: you).")
@click.pass_context
def adopt(ctx, check_ref, decided_by) -> None:
    """Copy codings both coders made identically into the consensus layer.

    \b
    Example:
      themeqa check adopt --check pilot
    """
    from themeqa.services.check_reconcile import adopt_agreements

    project = get_project(ctx, actor=decided_by)
    n = adopt_agreements(project, check_ref, decided_by=decided_by or project.actor)
    click.echo(f"copied {n} identical codings into the consensus layer")


@check.command()
@click.argument("documents", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every document of the check.")
@_check_option
@click.option("--undo", "unmark", is_flag=True, help="Take the mark back.")
@click.pass_context
def reconciled(ctx, documents, every, check_ref, unmark) -> None:
    """Mark sampled documents reconciled (a lead): reports then count their consensus layer.

    Without a mark, `--layer auto` counts a sampled document from the consensus layer only
    once every disagreement on it is decided and the identical codings are adopted.

    \b
    Example:
      themeqa check reconciled S2_focus_group.txt --check pilot
      themeqa check reconciled --all --check pilot --undo
    """
    from themeqa.errors import InputError
    from themeqa.services.check_reconcile import mark_reconciled

    if bool(documents) == every:
        raise InputError("name the documents to mark, or --all (not both)")
    project = get_project(ctx)
    out = mark_reconciled(project, None if every else list(documents), check=check_ref,
                          unmark=unmark)
    verb = "unmarked" if unmark else "marked reconciled"
    click.echo(f"{out.check}: {len(out.changed)} document{'s' if len(out.changed) != 1 else ''}"
               f" {verb}; {len(out.marked)} marked in all")


@check.command()
@_check_option
@json_option
@click.pass_context
def status(ctx, check_ref, as_json) -> None:
    """The checks of the project with their sample and reconciliation progress.

    \b
    Example:
      themeqa check status
    """
    from themeqa.services.check_reconcile import progress
    from themeqa.services.check_sample import get_check, list_checks

    project = get_project(ctx)
    checks = [get_check(project, check_ref)] if check_ref else list_checks(project)
    out = []
    for c in checks:
        prog = progress(project, c.id) if c.coder_a else None
        out.append((c, prog))
    if as_json:
        echo_json([{**c.to_dict(), "decided": p.decided if p else None,
                    "total": p.total if p else None} for c, p in out])
        return
    if not out:
        click.echo("no credibility check yet (themeqa check sample --help)")
        return
    echo_table(["check", "by", "picked", "seed", "docs", "A", "B", "status", "resolved"],
               [(c.name, c.sample_by, ", ".join(c.sessions) or f"{c.n_requested} docs",
                 c.seed, len(c.documents), c.coder_a or "", c.coder_b, c.status,
                 str(p) if p else "") for c, p in out])


@check.command()
@click.argument("out", type=click.Path(dir_okay=False))
@_check_option
@click.option("--unit", type=click.Choice(["character", "sentence", "turn", "document",
                                           "participant"]), default="turn", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
@_facilitator_option
@click.pass_context
def report(ctx, out, check_ref, unit, seed, include_facilitator) -> None:
    """Write the check's report (sample, seed, coefficients, decisions) to .md or .docx.

    \b
    Example:
      themeqa check report credibility.docx
      themeqa check report credibility.md --unit participant
    """
    from themeqa.services.check_report import write_report

    path = write_report(get_project(ctx), out, check_ref, unit=unit, seed=seed,
                        include_facilitator=include_facilitator)
    click.echo(f"wrote {path}")


@check.command()
@click.argument("document")
@_check_option
@click.option("--undo", "not_finished", is_flag=True,
              help="Mark the document not finished (pending) again.")
@json_option
@click.pass_context
def done(ctx, document, check_ref, not_finished, as_json) -> None:
    """Mark DOCUMENT finished by coder B: agreement and disagreements cover finished documents.

    Default check: the newest one whose sample holds DOCUMENT. Undoable (themeqa undo).

    \b
    Examples:
      themeqa check done S2_initial.txt --check pilot
      themeqa check done S2_initial.txt --undo
    """
    from themeqa.services.check_done import mark_finished

    scope = mark_finished(get_project(ctx), document, check_ref, finished=not not_finished)
    if as_json:
        echo_json(scope.to_dict())
        return
    click.echo(f"{document}: {'pending' if not_finished else 'finished'}; {scope.sentence()}")
