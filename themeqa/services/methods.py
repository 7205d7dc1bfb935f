"""A methods-section template filled from the project: sample, coders, check, agreement, decisions.

Why a service (issue 13): the numbers a methods section states -- how many participants per
condition and timepoint, who coded what, which sessions were double-coded and with which seed,
the agreement coefficients *with their unit*, and how the disagreements were resolved -- are
already held by the project. Copying them by hand is where papers go wrong, so this module
gathers them from the same services the CLI, the TUI and the check report use
(``services.participants``, ``services.check*``, ``services.themes``) and writes them into a
Markdown template the author edits. Text in ``[square brackets]`` is for the author to fill in.

The seed is read from ``credibility_check`` and confirmed against the audit event written when
the sample was drawn (``services.check_sample._store``): a disagreement is stated in the text
rather than silently resolved.

Formulas are cited as their modules cite them (``core/agreement``): Cohen (1960) kappa;
Krippendorff (2011) alpha; Gwet (2008) AC1; Byrt, Bishop & Carlin (1993) PABAK; Fleiss (1971)
kappa for more than two coders; Braun & Clarke (2006, 2021) for reflexive thematic analysis.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import col, func, select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.project import ProjectHandle
from themeqa.services.versions import is_current
from themeqa.store.models import AuditEvent, Code, Codebook, Coder, Coding, Document

__all__ = [
    "REFERENCES",
    "MethodsSection",
    "build_methods",
    "check_out",
    "methods_markdown",
    "save_methods",
    "write_methods",
]

#: (short citation, what it is used for, full reference in APA 7).
REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("Braun & Clarke, 2006", "thematic analysis",
     "Braun, V., & Clarke, V. (2006). Using thematic analysis in psychology. *Qualitative "
     "Research in Psychology, 3*(2), 77–101. https://doi.org/10.1191/1478088706qp063oa"),
    ("Braun & Clarke, 2021", "reflexive thematic analysis (the six phases)",
     "Braun, V., & Clarke, V. (2021). *Thematic analysis: A practical guide*. SAGE."),
    ("Cohen, 1960", "Cohen's kappa (κ)",
     "Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and "
     "Psychological Measurement, 20*(1), 37–46. https://doi.org/10.1177/001316446002000104"),
    ("Krippendorff, 2011", "Krippendorff's alpha (α)",
     "Krippendorff, K. (2011). *Computing Krippendorff's alpha-reliability*. Annenberg School "
     "for Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43"),
    ("Gwet, 2008", "Gwet's AC1",
     "Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the presence "
     "of high agreement. *British Journal of Mathematical and Statistical Psychology, 61*(1), "
     "29–48. https://doi.org/10.1348/000711006X126600"),
    ("Byrt, Bishop & Carlin, 1993", "prevalence- and bias-adjusted kappa (PABAK)",
     "Byrt, T., Bishop, J., & Carlin, J. B. (1993). Bias, prevalence and kappa. *Journal of "
     "Clinical Epidemiology, 46*(5), 423–429. https://doi.org/10.1016/0895-4356(93)90018-V"),
    ("Fleiss, 1971", "Fleiss' kappa (more than two coders)",
     "Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. "
     "*Psychological Bulletin, 76*(5), 378–382. https://doi.org/10.1037/h0031619"),
)

_CHOICE_WORDS = {"keep_a": "coder A's coding kept", "keep_b": "coder B's coding kept",
                 "keep_both": "both kept", "neither": "neither kept", "edit": "span edited"}
_CHOICE_HEADERS = {"keep_a": "Kept A", "keep_b": "Kept B", "keep_both": "Kept both",
                   "neither": "Neither", "edit": "Edited"}
_KIND_WORDS = {"one_coder": "where only one coder applied a code",
               "boundary": "where both applied a code but to different extents",
               "code_conflict": "where they gave the same passage different codes"}
_DOC_WORDS = {"transcript": "transcript", "written": "written response"}


@dataclass
class MethodsSection:
    """The facts of a methods section and the Markdown written from them (one source)."""

    study: str
    n_participants: int
    by_condition: dict[str, int]
    by_condition_timepoint: dict[str, dict[str, int]]
    sessions_by_condition: dict[str, int]
    documents_by_kind: dict[str, int]
    codebooks: list[dict[str, Any]]
    coders: list[dict[str, Any]]
    phases: list[str]
    check: Any = None  # services.check_sample.CheckInfo | None
    seed_logged: int | None = None
    seed_logged_at: str | None = None
    agreement: Any = None  # services.check.AgreementTable | None
    unit: str = "turn"
    disagreements: dict[str, int] = field(default_factory=dict)
    decisions: dict[str, dict[str, int]] = field(default_factory=dict)
    #: services.layer_rule.LayerPlan: which documents the counts read from consensus
    layers: Any = None
    markdown: str = ""


def _counts(project: ProjectHandle) -> dict[str, Any]:
    """Documents, codebooks and coders (current document versions only: a corrected or
    de-identified transcript replaces its original, with copies of its codings)."""
    with project.reading() as s:
        kinds: Counter[str] = Counter(
            s.exec(select(Document.kind).where(is_current())).all())
        codebooks = []
        for cb in s.exec(select(Codebook).order_by(Codebook.position, Codebook.id)).all():
            parents = s.exec(select(Code.parent_id).where(Code.codebook_id == cb.id)).all()
            codebooks.append({"key": cb.key, "title": cb.title,
                              "superordinate": sum(1 for p in parents if p is None),
                              "subordinate": sum(1 for p in parents if p is not None)})
        coders = []
        for coder in s.exec(select(Coder).order_by(Coder.name)).all():
            n, docs = s.exec(
                select(func.count(Coding.id), func.count(func.distinct(Coding.document_id)))
                .where(Coding.coder_id == coder.id, Coding.layer == "coder",
                       is_current(Coding.document_id))).one()
            if n:
                coders.append({"name": coder.name, "role": coder.role, "codings": int(n),
                               "documents": int(docs)})
    return {"kinds": dict(sorted(kinds.items())), "codebooks": codebooks, "coders": coders}


def _logged_seed(project: ProjectHandle, check_id: int) -> tuple[int | None, str | None]:
    """The seed in the audit event that recorded drawing the sample (None if absent)."""
    with project.reading() as s:
        event = s.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "sample", AuditEvent.entity == "credibility_check",
                   AuditEvent.entity_id == check_id)
            .order_by(col(AuditEvent.id))).first()
        if event is None or not isinstance(event.after, dict):
            return None, None
        seed = event.after.get("seed")
        return (int(seed) if seed is not None else None), event.at.date().isoformat()


def build_methods(
    project: ProjectHandle,
    check: int | str | None = None,
    *,
    unit: str = "turn",
    seed: int = 0,
    n_boot: int = 1000,
    include_facilitator: bool = False,
) -> MethodsSection:
    """Gather the facts and write the template. Without a check, its paragraphs say how to run one.

    ``check`` names the credibility check (default: the most recent one, if any); ``unit``,
    ``seed``, ``n_boot`` and ``include_facilitator`` are passed to
    ``services.check.agreement_table``.
    """
    from themeqa.services.participants import list_participants
    from themeqa.services.themes import phases

    people = list_participants(project)
    by_cond = Counter(p.condition for p in people)
    by_cond_tp: dict[str, Counter[str]] = {}
    sessions: dict[str, set[str]] = {}
    for p in people:
        by_cond_tp.setdefault(p.condition, Counter()).update(p.timepoints)
        if p.session:
            sessions.setdefault(p.condition, set()).add(p.session)
    counts = _counts(project)
    section = MethodsSection(
        study=project.info().name,
        n_participants=len(people),
        by_condition=dict(sorted(by_cond.items())),
        by_condition_timepoint={c: dict(v) for c, v in sorted(by_cond_tp.items())},
        sessions_by_condition={c: len(v) for c, v in sorted(sessions.items())},
        documents_by_kind=counts["kinds"],
        codebooks=counts["codebooks"],
        coders=counts["coders"],
        phases=list(dict.fromkeys(e.phase for e in phases(project))),
        unit=unit,
    )
    _add_check(project, section, check, unit=unit, seed=seed, n_boot=n_boot,
               include_facilitator=include_facilitator)
    section.markdown = methods_markdown(section, seed=seed, n_boot=n_boot)
    return section


def _add_check(project: ProjectHandle, section: MethodsSection, check: int | str | None, *,
               unit: str, seed: int, n_boot: int, include_facilitator: bool) -> None:
    from themeqa.services.check import agreement_table
    from themeqa.services.check_disagreements import KINDS, disagreements
    from themeqa.services.check_reconcile import decisions_by_type
    from themeqa.services.check_sample import get_check

    try:
        info = get_check(project, check)
    except NotFoundError:
        if check is not None:
            raise
        return
    section.check = info
    section.seed_logged, section.seed_logged_at = _logged_seed(project, info.id)
    if info.coder_a is None:
        return
    section.agreement = agreement_table(project, check=info.id, unit=unit, seed=seed,
                                        n_boot=n_boot, include_facilitator=include_facilitator)
    found = disagreements(project, info.id)
    section.disagreements = {k: sum(1 for d in found if d.kind == k) for k in KINDS}
    section.decisions = decisions_by_type(project, info.id)
    from themeqa.services.layer_rule import layer_plan

    with project.reading() as s:
        section.layers = layer_plan(s)


def _counting_text(m: MethodsSection) -> str:
    """Which coding the participant counts read (``services.layer_rule``), and what is open."""
    plan = m.layers
    if plan is None:
        return ""
    n = len(plan.auto_documents)
    text = ("Participant counts per theme were taken from the reconciled coding on "
            f"{_plural(n, 'document')} whose reconciliation was complete and from the union "
            "of the coders' codings on every other document." if n else
            "Participant counts per theme were taken from the union of the coders' codings "
            "(no document's reconciliation was complete).")
    open_ = [w for c in plan.checks if (w := c.warning()) is not None]
    if open_:
        text += (" [Reconciliation is not finished -- " + "; ".join(open_)
                 + ". Update after reconciliation.]")
    return text


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _participants_text(m: MethodsSection) -> list[str]:
    conds = _join([f"{n} in condition {c}" for c, n in m.by_condition.items()])
    sess = _join([f"{_plural(n, 'session')} of condition {c}"
                  for c, n in m.sessions_by_condition.items()])
    lines = [
        f"{m.n_participants} participants took part ({conds})"
        + (f", tested in {sess}." if sess else ".")
        + " [Describe recruitment, eligibility and consent.]",
        "",
        "| Condition | " + " | ".join(_timepoints(m)) + " |",
        "|---|" + "---:|" * len(_timepoints(m)),
    ]
    for c, tps in m.by_condition_timepoint.items():
        lines.append(f"| {c} | " + " | ".join(str(tps.get(t, 0)) for t in _timepoints(m))
                     + " |")
    lines.append("")
    lines.append("*Participants per condition and timepoint.*")
    return lines


def _timepoints(m: MethodsSection) -> list[str]:
    seen: list[str] = []
    for tps in m.by_condition_timepoint.values():
        seen.extend(t for t in tps if t not in seen)
    return seen


def _coding_text(m: MethodsSection) -> list[str]:
    docs = _join([_plural(n, _DOC_WORDS.get(k, f"{k} document"))
                  for k, n in m.documents_by_kind.items()])
    books = _join([f"{b['title'] or b['key']} ({b['superordinate']} superordinate and "
                   f"{b['subordinate']} subordinate themes)" for b in m.codebooks])
    coders = _join([f"{c['name']} ({c['codings']} codings in {c['documents']} documents)"
                    for c in m.coders])
    phase = (f" The analysis phases were recorded as they were entered: {_join(m.phases)}."
             if m.phases else "")
    return [
        f"The data were {docs or 'no documents'}. They were coded against "
        f"{_plural(len(m.codebooks), 'codebook')}"
        + (f": {books}" if books else "") + ". "
        f"Coding was done in themeqa by {_plural(len(m.coders), 'coder')}"
        + (f": {coders}" if coders else "") + ". "
        "Themes were developed following reflexive thematic analysis (Braun & Clarke, 2006, "
        f"2021).{phase} A theme was counted as present for a participant when a coding of it, "
        "or of one of its subordinate themes, overlapped that participant's turn or written "
        "response; counts are of participants, not of codings. [Describe the coders' "
        "backgrounds and reflexive stance.]",
    ]


def _check_text(m: MethodsSection, seed: int, n_boot: int) -> list[str]:
    from themeqa.services.check_report import coefficient_cells, fmt_coef

    c = m.check
    if c is None:
        return ["No credibility check has been recorded yet. Draw one with "
                "`themeqa check sample --sessions K --seed N --coder B --coder-a A`."]
    what = "sessions" if c.sample_by == "session" else "documents"
    picked = ", ".join(c.sessions) if c.sessions else f"{len(c.documents)} documents"
    if c.method == "chosen by hand":
        how = "were chosen by hand (not at random)"
    else:
        how = f"were drawn at random with seed {c.seed} ({c.method})"
    lines = [
        f"As a credibility check, {c.n_requested} of {c.eligible} {what} ({picked}; "
        f"{_plural(len(c.documents), 'document')}) {how} and coded independently by "
        f"{c.coder_b}" + (f" in addition to {c.coder_a}" if c.coder_a else "") + "."
    ]
    if c.method != "chosen by hand":
        if m.seed_logged == c.seed:
            lines[0] += (f" The seed and the sample are recorded in the project's audit log "
                         f"({m.seed_logged_at}).")
        else:
            lines[0] += (f" [Check: the audit log records seed {m.seed_logged}, the check "
                         f"{c.seed}.]")
    t = m.agreement
    if t is None:
        return lines
    p = t.pooled
    defined = [r.kappa for r in t.rows if coefficient_cells(r)[8] != "n/a"]
    kappa_range = (f" Per code, κ ranged from {fmt_coef(min(defined))} to "
                   f"{fmt_coef(max(defined))}." if defined else "")
    lines += [
        "",
        f"Agreement between {t.coder_a} and {t.coder_b} was computed per code on "
        f"{t.unit} units" + (f" ({t.speech})" if t.speech else "")
        + f" of the {_plural(len(t.documents), 'document')} in the sample"
        + (f" that {t.coder_b} had finished ({t.scope.sentence()})"
           if t.scope is not None and t.scope.pending else "")
        + " (a code is present on a unit when a coding of it, or of a subordinate theme, shares at least "
        "one character with the unit). Pooled over codes, percent agreement was "
        f"{coefficient_cells(p)[7]}%, Cohen's κ = {fmt_coef(p.kappa)} (Cohen, 1960), "
        f"Krippendorff's α = {fmt_coef(p.alpha)} (Krippendorff, 2011), Gwet's AC1 = "
        f"{fmt_coef(p.ac1)} (Gwet, 2008) and PABAK = {fmt_coef(p.pabak)} (Byrt, Bishop & "
        f"Carlin, 1993).{kappa_range} Confidence intervals of κ are percentile bootstrap "
        f"intervals resampling documents (seed {seed}, {n_boot} replicates). The per-code "
        "table is written by `themeqa check report`.",
    ]
    return lines


def _reconciliation_text(m: MethodsSection) -> list[str]:
    from themeqa.services.check_disagreements import KIND_TITLES

    if m.check is None or m.agreement is None:
        return []
    total = sum(m.disagreements.values())
    kinds = _join([f"{n} {_KIND_WORDS.get(k, k)}" for k, n in m.disagreements.items() if n])
    decided = Counter[str]()
    for per_kind in m.decisions.values():
        decided.update(per_kind)
    n_decided = sum(decided.values())
    how = _join([f"{n} {_CHOICE_WORDS.get(ch, ch)}" for ch, n in sorted(decided.items())])
    lines = [
        f"The two codings differed in {_plural(total, 'place')}"
        + (f" ({kinds})" if kinds else "") + ". "
        + (f"{n_decided} of them were resolved by discussion ({how}), each with a recorded "
           "rationale" if n_decided else "None has been resolved yet [update after "
           "reconciliation]")
        + "; the coders' own codings were kept unchanged and decisions are written to a "
        "separate consensus layer.",
        "",
        "| Disagreement | Found | " + " | ".join(_CHOICE_HEADERS[c] for c in _CHOICE_WORDS)
        + " | Open |",
        "|---|---:|" + "---:|" * (len(_CHOICE_WORDS) + 1),
    ]
    for kind, n in m.disagreements.items():
        per = m.decisions.get(kind, {})
        lines.append(f"| {KIND_TITLES[kind]} | {n} | "
                     + " | ".join(str(per.get(c, 0)) for c in _CHOICE_WORDS)
                     + f" | {n - sum(per.values())} |")
    counting = _counting_text(m)
    if counting:
        lines += ["", counting]
    return lines


def methods_markdown(m: MethodsSection, *, seed: int = 0, n_boot: int = 1000) -> str:
    """The template as Markdown (headings, paragraphs, two small tables, references)."""
    out = [f"# Method — {m.study}", "",
           "*Filled in by `themeqa methods` from the project. Edit freely; text in [brackets] "
           "is for you to complete.*", "", "## Participants", "",
           *_participants_text(m), "", "## Data and coding", "", *_coding_text(m), "",
           "## Credibility check", "", *_check_text(m, seed, n_boot), ""]
    recon = _reconciliation_text(m)
    if recon:
        out += ["## Reconciliation", "", *recon, ""]
    out += ["## How to cite the formulas", "",
            "| Statistic or method | Cite |", "|---|---|",
            *(f"| {used} | {short} |" for short, used, _ in REFERENCES), "",
            "### References", "", *(f"- {full}" for _, _, full in REFERENCES), ""]
    return "\n".join(out)


def write_methods(
    project: ProjectHandle,
    out: str | Path,
    check: int | str | None = None,
    *,
    unit: str = "turn",
    seed: int = 0,
    n_boot: int = 1000,
    include_facilitator: bool = False,
) -> Path:
    """Write the template to ``out`` (Markdown; the suffix must be .md or .txt)."""
    check_out(out)
    section = build_methods(project, check, unit=unit, seed=seed, n_boot=n_boot,
                            include_facilitator=include_facilitator)
    path = save_methods(section, out)
    from themeqa.services.export_log import log_export

    log_export(project, "methods", path, unit=unit, include_facilitator=include_facilitator)
    return path


def check_out(out: str | Path) -> Path:
    """Refuse an output file that is not Markdown before any work is done."""
    path = Path(out)
    if path.suffix.lower() not in (".md", ".markdown", ".txt"):
        raise InputError(f"{path.name}: the methods template is Markdown (.md)")
    return path


def save_methods(section: MethodsSection, out: str | Path) -> Path:
    """Write an already built template to ``out``."""
    path = check_out(out)
    try:
        path.write_text(section.markdown, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from exc
    return path
