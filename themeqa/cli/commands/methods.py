"""`themeqa methods [OUT]`: a methods-section template filled from the project.

A command of its own (not a `themeqa report` kind) because it takes the credibility-check
options (`--check`, `--unit`, bootstrap seed) rather than the tally options of `report`.
"""

from __future__ import annotations

import click

from themeqa.cli.common import echo_json, get_project, json_option

UNITS = ["character", "sentence", "turn", "document", "participant"]


@click.command()
@click.argument("out", required=False, type=click.Path(dir_okay=False))
@click.option("--check", "check", default=None,
              help="Credibility check name or id (default: the most recent check).")
@click.option("--unit", type=click.Choice(UNITS), default="turn", show_default=True,
              help="Unit of the agreement coefficients.")
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
@click.option("--boot", "n_boot", type=int, default=1000, show_default=True,
              help="Bootstrap replicates.")
@click.option("--include-facilitator", is_flag=True,
              help="Count facilitator turns/sentences as units (default: participant speech).")
@json_option
@click.pass_context
def methods(ctx, out, check, unit, seed, n_boot, include_facilitator, as_json) -> None:
    """Write a methods-section template (Markdown) filled from the project.

    States the sample (participants per condition and timepoint), the coders, the
    credibility-check sample and its seed, the agreement coefficients with their unit, the
    reconciliation counts by decision, and how to cite each formula. Prints it when OUT is
    omitted.

    \b
    Example:
      themeqa --project study methods methods.md
      themeqa methods --unit participant --check pilot
    """
    from themeqa.services.methods import build_methods, check_out, save_methods

    if out:
        check_out(out)
    project = get_project(ctx)
    section = build_methods(project, check, unit=unit, seed=seed, n_boot=n_boot,
                            include_facilitator=include_facilitator)
    if out:
        path = save_methods(section, out)
        if not as_json:
            click.echo(f"wrote {path}")
            return
    elif not as_json:
        click.echo(section.markdown)
        return
    from themeqa.services.check import coefficient_json

    p = section.agreement.pooled if section.agreement is not None else None
    c = section.check
    echo_json({
        "participants": section.n_participants,
        "by_condition": section.by_condition,
        "by_condition_timepoint": section.by_condition_timepoint,
        "documents": section.documents_by_kind,
        "coders": section.coders,
        "check": None if c is None else {
            "name": c.name, "seed": c.seed, "seed_in_audit_log": section.seed_logged,
            "method": c.method, "sessions": c.sessions, "documents": len(c.documents),
            "coder_a": c.coder_a, "coder_b": c.coder_b},
        "agreement": None if p is None else {
            "unit": unit, "speech": section.agreement.speech,
            "include_facilitator": include_facilitator,
            "scope": (section.agreement.scope.to_dict()
                      if section.agreement.scope is not None else None),
            "percent": coefficient_json(p.percent),
            "kappa": coefficient_json(p.kappa), "alpha": coefficient_json(p.alpha),
            "ac1": coefficient_json(p.ac1), "pabak": coefficient_json(p.pabak)},
        "disagreements": section.disagreements,
        "decisions": section.decisions,
        "markdown": section.markdown,
    })
