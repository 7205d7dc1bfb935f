"""The report of a credibility check, for a methods section: Markdown or DOCX.

Why built from ``ReportTable``s: the shared writers (``reports.writers``) already produce APA
tables in every format, so this module only decides *what* a reader needs -- how the sample
was drawn (method, seed, sessions, coders), the coefficient table with its unit, and how the
disagreements were resolved by type -- and formats numbers once, the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from themeqa.core.agreement.result import fmt_coef
from themeqa.errors import InputError
from themeqa.services.check import AgreementRow, AgreementTable, agreement_table
from themeqa.services.check_disagreements import KIND_TITLES, KINDS, disagreements
from themeqa.services.check_reconcile import CHOICES, decisions_by_type
from themeqa.services.check_sample import CheckInfo, get_check
from themeqa.services.project import ProjectHandle

__all__ = ["CheckReport", "build_report", "fmt_coef", "write_report"]

COEF_COLUMNS = ["Code", "Name", "Units", "Both", "A only", "B only", "Neither", "% agr.",
                "κ", "α", "AC1", "PABAK", "κ 95% CI"]


def coefficient_cells(r: AgreementRow) -> list[object]:
    """The table cells of one agreement row (shared by the CLI, the TUI and the report)."""
    from themeqa.core.agreement import is_na

    pct = "n/a" if is_na(r.percent) else f"{100 * float(r.percent):.1f}"
    ci = ("n/a" if is_na(r.ci_low) or is_na(r.ci_high)
          else f"[{fmt_coef(r.ci_low)}, {fmt_coef(r.ci_high)}]")
    return [r.label, r.name, r.units, r.both, r.only_a, r.only_b, r.neither, pct,
            fmt_coef(r.kappa), fmt_coef(r.alpha), fmt_coef(r.ac1), fmt_coef(r.pabak), ci]


@dataclass
class CheckReport:
    check: CheckInfo
    agreement: AgreementTable
    decided: dict[str, dict[str, int]]
    n_disagreements: dict[str, int]
    paragraphs: list[str]
    tables: list  # list[ReportTable]


def _sample_sentence(c: CheckInfo) -> str:
    what = "sessions" if c.sample_by == "session" else "documents"
    picked = ", ".join(c.sessions) if c.sessions else f"{len(c.documents)} documents"
    if c.method == "chosen by hand":
        how = "were chosen by hand"
    else:
        how = (f"were drawn at random with seed {c.seed} "
               f"({c.method or 'numpy default_rng'})")
    return (f"{c.n_requested} of {c.eligible} {what} ({picked}; {len(c.documents)} documents) "
            f"{how} and coded independently by {c.coder_b}"
            + (f" in addition to {c.coder_a}." if c.coder_a else "."))


def build_report(
    project: ProjectHandle,
    check: int | str | None = None,
    *,
    unit: str = "turn",
    seed: int = 0,
    n_boot: int = 1000,
    include_facilitator: bool = False,
) -> CheckReport:
    """Gather the check, its agreement table and its decisions into report tables."""
    from themeqa.reports.table import ReportTable

    info = get_check(project, check)
    if info.coder_a is None:
        raise InputError(f"check {info.name!r} has no coder A to compare with")
    table = agreement_table(project, check=info.id, unit=unit, seed=seed, n_boot=n_boot,
                            include_facilitator=include_facilitator)
    decided = decisions_by_type(project, info.id)
    found = disagreements(project, info.id)
    n_found = {k: sum(1 for d in found if d.kind == k) for k in KINDS}
    rows = [coefficient_cells(r) for r in table.rows] + [coefficient_cells(table.pooled)]
    indent = [max(r.depth - 1, 0) for r in table.rows] + [0]
    coef = ReportTable(
        key="agreement",
        title=f"Table 2\nAgreement between {table.coder_a} (A) and {table.coder_b} (B) "
        f"per code, unit: {unit}",
        columns=COEF_COLUMNS, rows=rows, indent=indent,
        notes=[*table.notes, "n/a: undefined (e.g. a code neither coder used). "
               "κ Cohen (1960); α Krippendorff (2011); AC1 Gwet (2008); PABAK Byrt et al. "
               "(1993)."],
    )
    sample = ReportTable(
        key="sample", title="Table 1\nDocuments in the double-coded sample",
        columns=["Document"], rows=[[d] for d in info.documents],
    )
    dec_rows = []
    for kind in KINDS:
        counts = decided.get(kind, {})
        dec_rows.append([KIND_TITLES[kind], n_found[kind], *(counts.get(c, 0) for c in CHOICES),
                         n_found[kind] - sum(counts.values())])
    decisions = ReportTable(
        key="decisions", title="Table 3\nDisagreements by type and how they were resolved",
        columns=["Type", "Found", "Kept A", "Kept B", "Kept both", "Neither", "Edited",
                 "Open"],
        rows=dec_rows,
        notes=["Each decision was recorded with a rationale; the coders' own codings were "
               "left unchanged and decisions written to a separate consensus layer."],
    )
    total = sum(n_found.values())
    done = sum(sum(v.values()) for v in decided.values())
    paragraphs = [
        f"Credibility check {info.name}",
        _sample_sentence(info),
        f"Agreement was computed per code on {unit} units"
        + (f", {table.speech}" if table.speech else "")
        + f", over {table.scope.sentence() if table.scope else 'the sample'} "
        f"(a code is present on a unit when "
        f"a coding of it, or of a subordinate theme, shares at least one character with it). "
        f"Pooled over codes: κ = {fmt_coef(table.pooled.kappa)}, "
        f"α = {fmt_coef(table.pooled.alpha)}, AC1 = {fmt_coef(table.pooled.ac1)}, "
        f"agreement {coefficient_cells(table.pooled)[7]}%. Bootstrap CIs resample documents "
        f"(seed {seed}, {n_boot} replicates).",
        f"{total} disagreements were found; {done} of them have been resolved by discussion.",
    ]
    return CheckReport(info, table, decided, n_found, paragraphs, [sample, coef, decisions])


def write_report(
    project: ProjectHandle,
    out: str | Path,
    check: int | str | None = None,
    *,
    unit: str = "turn",
    seed: int = 0,
    n_boot: int = 1000,
    include_facilitator: bool = False,
) -> Path:
    """Write the check's report to ``out`` (.md or .docx, or any writer format)."""
    from themeqa.reports.writers import write_tables

    report = build_report(project, check, unit=unit, seed=seed, n_boot=n_boot,
                          include_facilitator=include_facilitator)
    try:
        path = write_tables(report.tables, out, paragraphs=report.paragraphs)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    from themeqa.services.export_log import log_export

    log_export(project, "check_report", path, check=report.check.name,
               unit=unit, include_facilitator=include_facilitator)
    return path
