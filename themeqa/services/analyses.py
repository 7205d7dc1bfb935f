"""Theme-measure analyses and the joint display (themes beside the numbers).

Why: mixed-methods reports put each theme next to how the people who voiced it scored
(Guetterman, Fetters & Creswell 2015, *Ann Fam Med* 13:554-561, "joint displays"). For every
theme of the participant x theme presence matrix (``services.tally.presence_matrix``) and every
chosen measure: n with / without the theme, mean (SD) per group, Student's t with Levene's
test and Welch's t alongside, Hedges' g with its 95 % CI, raw and corrected p, and one
indicative quote. Beside it: theme x condition and theme x High/Low self-compassion tables
(chi-square with and without Yates, Fisher's exact test, odds ratio) and correlations between
the measures. The statistics are ``core.stats``; each family of tests (t tests, theme x
condition, theme x SC group, correlations) is corrected on its own, Holm by default.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from themeqa.errors import InputError, NotFoundError
from themeqa.services.project import ProjectHandle

__all__ = [
    "CORRECTIONS",
    "ContingencyRow",
    "CorrelationRow",
    "JointDisplay",
    "JointView",
    "MeasureTest",
    "ThemeRow",
    "analysable_joint_display",
    "default_measures",
    "group_values",
    "joint_display",
    "joint_display_tables",
    "joint_view",
    "theme_info",
    "write_joint_display",
]

CORRECTIONS = {"holm": "Holm", "bh": "Benjamini-Hochberg"}


@dataclass
class MeasureTest:
    """One theme x measure comparison; ``result`` is a ``core.stats.GroupComparison`` or
    None when a group has fewer than two values (``reason`` says why)."""

    measure: str
    n_with: int
    n_without: int
    mean_with: float
    sd_with: float
    mean_without: float
    sd_without: float
    result: Any | None = None
    p_adj: float | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "n_with": self.n_with,
            "n_without": self.n_without,
            "mean_with": _nan_none(self.mean_with),
            "sd_with": _nan_none(self.sd_with),
            "mean_without": _nan_none(self.mean_without),
            "sd_without": _nan_none(self.sd_without),
            "test": self.result.as_dict() if self.result is not None else None,
            "p_adj": self.p_adj,
            "reason": self.reason,
        }


@dataclass
class ThemeRow:
    theme: str  # "codebook::label", a column of services.tally.presence_matrix
    name: str
    depth: int
    n_with: int
    n_without: int
    tests: list[MeasureTest]
    quote: str = ""
    quote_by: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "name": self.name,
            "depth": self.depth,
            "n_with": self.n_with,
            "n_without": self.n_without,
            "tests": [t.to_dict() for t in self.tests],
            "quote": self.quote,
            "quote_by": self.quote_by,
        }


@dataclass
class ContingencyRow:
    theme: str
    name: str
    factor: str  # "condition" or the split measure
    result: Any | None  # core.stats.ContingencyResult
    p_adj: float | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "name": self.name,
            "factor": self.factor,
            "test": self.result.as_dict() if self.result is not None else None,
            "p_adj": self.p_adj,
            "reason": self.reason,
        }


@dataclass
class CorrelationRow:
    x: str
    y: str
    pearson: Any | None
    spearman: Any | None
    p_adj: float | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "x": self.x,
            "y": self.y,
            "pearson": self.pearson.as_dict() if self.pearson else None,
            "spearman": self.spearman.as_dict() if self.spearman else None,
            "p_adj": self.p_adj,
            "reason": self.reason,
        }


@dataclass
class JointDisplay:
    measures: list[str]
    correction: str
    themes: list[ThemeRow]
    by_condition: list[ContingencyRow] = field(default_factory=list)
    by_split: list[ContingencyRow] = field(default_factory=list)
    split: dict[str, Any] | None = None
    correlations: list[CorrelationRow] = field(default_factory=list)
    n_participants: int = 0
    notes: list[str] = field(default_factory=list)
    ci_method: str = "normal"

    def to_dict(self) -> dict[str, Any]:
        return {
            "measures": self.measures,
            "correction": self.correction,
            "n_participants": self.n_participants,
            "themes": [t.to_dict() for t in self.themes],
            "by_condition": [r.to_dict() for r in self.by_condition],
            "by_split": [r.to_dict() for r in self.by_split],
            "split": self.split,
            "correlations": [r.to_dict() for r in self.correlations],
            "notes": self.notes,
        }


def _nan_none(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def default_measures(project: ProjectHandle) -> list[str]:
    """Scale totals (``score:*`` variables named ``*total``) and HRV indices (not the
    correction count); when there are none, every numeric variable. Subscales and items are
    analysed only when named (``measures=[...]``), which keeps the family of tests, and so the
    multiple-comparison penalty, to what a study would report."""
    from themeqa.services.measures import list_variables

    numeric = [v for v in list_variables(project) if v.kind == "numeric"]
    derived = [
        v.name
        for v in numeric
        if (v.source.startswith("score:") and v.name.endswith("total"))
        or (v.source == "hrv" and not v.name.endswith("n_corrected"))
    ]
    return derived or [v.name for v in numeric]


def theme_info(
    project: ProjectHandle, layer: str, codebook: str | None
) -> dict[str, tuple[str, int, str, str]]:
    """theme key (``codebook::label``, as the presence matrix columns) -> (name, depth,
    quote text, quote attribution)."""
    from themeqa.core.codebook import qualified_label
    from themeqa.services.tally import tally_report

    rep = tally_report(project, layer=layer, codebook=codebook, by=(), quotes=True)
    out = {}
    for code, book, label, name, depth in zip(
        rep.frames.codes["code"],
        rep.frames.codes["codebook"],
        rep.frames.codes["label"],
        rep.frames.codes["name"],
        rep.frames.codes["depth"],
        strict=True,
    ):
        q = rep.quotes.get(code)
        out[qualified_label(book, label)] = (
            str(name),
            int(depth),
            q.text if q else "",
            f"{q.participant}, {q.condition}" if q else "",
        )
    return out


def _split_groups(frame, split_measure: str | None, split: str | float):
    from themeqa.core.scales import split_groups

    if split_measure is None or split_measure not in frame.columns:
        return None, None
    scores = frame[split_measure]
    if scores.notna().sum() < 2:
        return None, None
    try:
        cut = None if split == "median" else float(split)
    except ValueError as exc:
        raise InputError(f"--split must be 'median' or a number, got {split!r}") from exc
    groups = split_groups(scores, "median" if cut is None else "cut", cut=cut)
    return groups, {
        "measure": split_measure,
        "method": "median" if cut is None else "cut",
        "threshold": groups.attrs["threshold"],
    }


def joint_display(
    project: ProjectHandle,
    *,
    measures: Sequence[str] | None = None,
    correction: str = "holm",
    layer: str = "auto",
    codebook: str | None = None,
    presence=None,
    split_measure: str | None = "scs26_total",
    split: str | float = "median",
    ci_method: str = "normal",
) -> JointDisplay:
    """Compute the joint display (see the module docstring).

    ``presence``: a participant x theme boolean DataFrame (index pid); by default
    ``services.tally.presence_matrix(project, layer=..., codebook=...)``. ``split_measure``:
    the score split into Low/High (median, or ``split`` = a fixed cut such as 2.85) for the
    theme x SC table; skipped when the project has no such variable.
    """
    import numpy as np

    from themeqa.core import stats
    from themeqa.services.measures import measure_frame, participant_frame

    if correction not in CORRECTIONS:
        raise InputError(f"correction must be one of {', '.join(CORRECTIONS)}, got {correction!r}")
    if presence is None:
        from themeqa.services.tally import presence_matrix

        presence = presence_matrix(project, layer=layer, codebook=codebook)
    measures = list(measures) if measures is not None else default_measures(project)
    frame = measure_frame(
        project,
        measures
        + (
            [split_measure]
            if split_measure and split_measure not in measures and _has_var(project, split_measure)
            else []
        ),
    )
    kinds = frame.dtypes
    not_numeric = [m for m in measures if not np.issubdtype(kinds[m], np.number)]
    if not_numeric:
        raise InputError(f"not numeric: {', '.join(not_numeric)}; choose numeric measures")
    people = participant_frame(project)
    pids = [p for p in presence.index if p in frame.index]
    presence = presence.loc[pids].astype(bool)
    info = theme_info(project, layer, codebook) if len(presence.columns) else {}
    # which coding layer the presence came from, and its warnings (services.layer_rule)
    notes: list[str] = list(presence.attrs.get("notes", []))
    themes: list[ThemeRow] = []
    for theme in presence.columns:
        has = presence[theme]
        name, depth, quote, by = info.get(theme, (theme, 1, "", ""))
        tests = []
        for m in measures:
            vals = frame.loc[pids, m]
            a, b = vals[has].dropna(), vals[~has].dropna()
            t = MeasureTest(
                measure=m,
                n_with=len(a),
                n_without=len(b),
                mean_with=float(a.mean()) if len(a) else math.nan,
                sd_with=float(a.std(ddof=1)) if len(a) > 1 else math.nan,
                mean_without=float(b.mean()) if len(b) else math.nan,
                sd_without=float(b.std(ddof=1)) if len(b) > 1 else math.nan,
            )
            try:
                t.result = stats.compare_groups(a.to_numpy(), b.to_numpy(), ci_method=ci_method)
            except stats.StatsError as exc:
                t.reason = str(exc)
            tests.append(t)
        themes.append(
            ThemeRow(
                theme=theme,
                name=name,
                depth=depth,
                n_with=int(has.sum()),
                n_without=int((~has).sum()),
                tests=tests,
                quote=quote,
                quote_by=by,
            )
        )
    _adjust([t for row in themes for t in row.tests], correction)

    by_condition = _contingencies(presence, people.loc[pids, "condition"], "condition", info, stats)
    _adjust(by_condition, correction)
    groups, split_info = _split_groups(frame.loc[pids], split_measure, split)
    by_split = (
        _contingencies(presence, groups, split_measure, info, stats, col_order=["Low", "High"])
        if groups is not None
        else []
    )
    _adjust(by_split, correction)
    correlations = []
    for i, x in enumerate(measures):
        for y in measures[i + 1 :]:
            row = CorrelationRow(x=x, y=y, pearson=None, spearman=None)
            try:
                row.pearson = stats.correlate(frame[x], frame[y], method="pearson")
                row.spearman = stats.correlate(frame[x], frame[y], method="spearman")
            except stats.StatsError as exc:
                row.reason = str(exc)
            correlations.append(row)
    _adjust(correlations, correction, attr="pearson")
    if len(pids) < stats.SMALL_N:
        notes.append(
            f"n = {len(pids)} participants is under {stats.SMALL_N}: read the tests as descriptive"
        )
    return JointDisplay(
        measures=measures,
        correction=correction,
        themes=themes,
        by_condition=by_condition,
        by_split=by_split,
        split=split_info,
        correlations=correlations,
        n_participants=len(pids),
        notes=notes,
        ci_method=ci_method,
    )


def _has_var(project: ProjectHandle, name: str) -> bool:
    from themeqa.services.measures import list_variables

    return any(v.name == name for v in list_variables(project))


def _contingencies(presence, factor, label, info, stats, col_order=None) -> list[ContingencyRow]:
    rows = []
    for theme in presence.columns:
        name = info.get(theme, (theme,))[0]
        row = ContingencyRow(theme=theme, name=name, factor=label, result=None)
        try:
            row.result = stats.crosstab(
                presence[theme].tolist(),
                factor.tolist(),
                row_order=[True, False],
                col_order=col_order,
            )
        except stats.StatsError as exc:
            row.reason = str(exc)
        rows.append(row)
    return rows


def _adjust(items, correction: str, attr: str = "result") -> None:
    from themeqa.core.stats import adjust_pvalues

    ps = []
    for it in items:
        res = getattr(it, attr)
        p = math.nan
        if res is not None:
            p = res.fisher_p if getattr(res, "fisher_p", None) is not None else res.p
        ps.append(p)
    if not items:
        return
    for it, adj in zip(items, adjust_pvalues(ps, correction), strict=True):  # type: ignore[arg-type]
        it.p_adj = None if math.isnan(adj) else float(adj)


def group_values(
    project: ProjectHandle, theme: str, measure: str, *, layer: str = "auto", presence=None
) -> tuple[list[float], list[float]]:
    """Values of ``measure`` for participants with and without ``theme`` (for plots)."""
    from themeqa.services.measures import measure_frame

    if presence is None:
        from themeqa.services.tally import presence_matrix

        presence = presence_matrix(project, layer=layer)
    if theme not in presence.columns:
        raise NotFoundError(f"no theme {theme!r}")
    vals = measure_frame(project, [measure])[measure]
    pids = [p for p in presence.index if p in vals.index]
    has = presence.loc[pids, theme].astype(bool)
    v = vals.loc[pids]
    return v[has].dropna().tolist(), v[~has].dropna().tolist()


# --- formatting -------------------------------------------------------------------------------


def _f(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return "–"
    return f"{x:.{digits}f}"


def _p(p: float | None) -> str:
    """APA style: three decimals, no leading zero, "< .001"."""
    if p is None or math.isnan(p):
        return "–"
    if p < 0.001:
        return "< .001"
    return f"{p:.3f}".lstrip("0") if p < 1 else "1.000"


def _msd(m: float, sd: float) -> str:
    if math.isnan(m):
        return "–"
    return f"{m:.2f} ({_f(sd)})"


def joint_display_tables(jd: JointDisplay) -> list:
    """The joint display as ``reports.table.ReportTable`` objects (for ``write_tables``)."""
    from themeqa.reports.table import ReportTable

    corr = CORRECTIONS[jd.correction]
    rows: list[list[object]] = []
    indent: list[int] = []
    detail: list[list[object]] = []
    n_small = 0
    for th in jd.themes:
        for k, t in enumerate(th.tests):
            r = t.result
            first = k == 0
            rows.append(
                [
                    f"{th.theme} {th.name}" if first else "",
                    t.measure,
                    t.n_with,
                    t.n_without,
                    _msd(t.mean_with, t.sd_with),
                    _msd(t.mean_without, t.sd_without),
                    f"t({r.df:.0f}) = {r.t:.2f}" if r else "–",
                    f"{r.g:.2f} [{r.g_low:.2f}, {r.g_high:.2f}]" if r else "–",
                    _p(r.p) if r else "–",
                    _p(t.p_adj),
                    (f"“{th.quote}” ({th.quote_by})" if th.quote else "") if first else "",
                ]
            )
            indent.append(max(0, th.depth - 1))
            if r:
                n_small += bool(r.warnings)
                detail.append(
                    [
                        th.theme,
                        t.measure,
                        r.n1,
                        r.n2,
                        _f(r.levene_f),
                        _p(r.levene_p),
                        _f(r.t),
                        _f(r.df, 0),
                        _p(r.p),
                        _f(r.welch_t),
                        _f(r.welch_df),
                        _p(r.welch_p),
                        f"{r.d:.2f} [{r.d_low:.2f}, {r.d_high:.2f}]",
                        f"{r.g:.2f} [{r.g_low:.2f}, {r.g_high:.2f}]",
                        _f(r.r_pb),
                    ]
                )
            else:
                detail.append([th.theme, t.measure, t.n_with, t.n_without] + ["–"] * 11)
    ci_note = (
        "95 % CIs of d by noncentral-t inversion (Steiger & Fouladi 1997); g = J d."
        if jd.ci_method == "nct"
        else "95 % CIs of d by the normal approximation of Hedges & Olkin (1985); g = J d "
        "with Hedges' exact J."
    )
    notes = [
        f"n = {jd.n_participants} participants. With/without = participants in whom "
        "the theme is present/absent. Student's t (equal variances); Levene's and Welch's "
        "tests are in the detailed table. g = Hedges' g [95 % CI]. " + ci_note,
        f"p adj: {corr} correction across the {sum(len(t.tests) for t in jd.themes)} "
        "theme x measure tests.",
        *(
            [
                f"Warning: {n_small} test(s) rest on fewer than 20 participants with the "
                "measure: read them as descriptive."
            ]
            if n_small
            else []
        ),
        *jd.notes,
    ]
    tables = [
        ReportTable(
            key="joint_display",
            title="Joint display: themes and measures",
            columns=[
                "Theme",
                "Measure",
                "n with",
                "n without",
                "M (SD) with",
                "M (SD) without",
                "Test",
                "g [95% CI]",
                "p",
                "p adj",
                "Indicative quote",
            ],
            rows=rows,
            notes=notes,
            indent=indent,
        )
    ]
    tables.append(
        ReportTable(
            key="t_tests",
            title="Independent-samples tests by theme presence",
            columns=[
                "Theme",
                "Measure",
                "n with",
                "n without",
                "Levene F",
                "Levene p",
                "t",
                "df",
                "p",
                "Welch t",
                "Welch df",
                "Welch p",
                "d [95% CI]",
                "g [95% CI]",
                "r pb",
            ],
            rows=detail,
            notes=[
                "Levene's test centred on the mean (as SPSS). "
                "r pb = point-biserial correlation of presence (1/0) with the "
                "measure."
            ],
        )
    )
    for key, title, items in (
        ("by_condition", "Themes by condition", jd.by_condition),
        ("by_sc_group", "Themes by self-compassion group", jd.by_split),
    ):
        if not items:
            continue
        crow: list[list[object]] = []
        n_small = sum(1 for it in items if it.result and it.result.n_expected_below_5)
        n_haldane = sum(1 for it in items if it.result and it.result.haldane)
        for it in items:
            r = it.result
            if r is None:
                crow.append([f"{it.theme} {it.name}", "–", "–", "–", "–", "–", "–", "–", it.reason])
                continue
            counts = "; ".join(
                f"{c}: {r.table[0][j]}/{r.table[0][j] + r.table[1][j]}"
                for j, c in enumerate(r.col_labels)
            )
            crow.append(
                [
                    f"{it.theme} {it.name}",
                    counts,
                    f"{r.chi2:.2f} ({r.df})",
                    _p(r.p),
                    _f(r.chi2_yates),
                    _p(r.p_yates),
                    _p(r.fisher_p),
                    f"{r.odds_ratio:.2f} [{r.or_low:.2f}, {r.or_high:.2f}]"
                    if r.odds_ratio is not None
                    else "–",
                    _p(it.p_adj),
                ]
            )
        cwarn = []
        if n_small:
            cwarn.append(
                f"Warning: {n_small} of {len(items)} tables have an expected count "
                "under 5: read Fisher's exact test there, not chi-square."
            )
        if n_haldane:
            cwarn.append(
                f"{n_haldane} table(s) have a zero cell: their odds ratio adds 0.5 "
                "to every cell (Haldane)."
            )
        extra = ""
        if key == "by_sc_group" and jd.split:
            extra = (
                f" Low/High = {jd.split['measure']} below / at or above "
                f"{jd.split['threshold']:.2f} ({jd.split['method']})."
            )
        tables.append(
            ReportTable(
                key=key,
                title=title,
                columns=[
                    "Theme",
                    "With theme / n per group",
                    "χ² (df)",
                    "p",
                    "χ² Yates",
                    "p Yates",
                    "Fisher p",
                    "OR [95% CI]",
                    "p adj",
                ],
                rows=crow,
                notes=[
                    f"OR = odds of the theme in the first group vs the second (Woolf CI; "
                    f"0.5 added to every cell when one is 0, Haldane). p adj: {corr} "
                    f"correction of Fisher's p (2x2) or chi-square p.{extra}",
                    *cwarn,
                ],
            )
        )
    if jd.correlations:
        tables.append(
            ReportTable(
                key="correlations",
                title="Correlations between measures",
                columns=[
                    "Measure 1",
                    "Measure 2",
                    "n",
                    "Pearson r [95% CI]",
                    "p",
                    "p adj",
                    "Spearman ρ [95% CI]",
                    "p",
                ],
                rows=[
                    [
                        c.x,
                        c.y,
                        c.pearson.n if c.pearson else "–",
                        f"{c.pearson.r:.2f} [{c.pearson.low:.2f}, {c.pearson.high:.2f}]"
                        if c.pearson
                        else "–",
                        _p(c.pearson.p) if c.pearson else "–",
                        _p(c.p_adj),
                        f"{c.spearman.r:.2f} [{c.spearman.low:.2f}, {c.spearman.high:.2f}]"
                        if c.spearman
                        else "–",
                        _p(c.spearman.p) if c.spearman else "–",
                    ]
                    for c in jd.correlations
                ],
                notes=[
                    "CIs by Fisher's z (Spearman: Bonett & Wright 2000 SE). p adj: "
                    f"{corr} correction of the Pearson p-values."
                ],
            )
        )
    return tables


def analysable_joint_display(project: ProjectHandle, **kwargs: Any) -> JointDisplay:
    """The joint display, refused (one clear line) when there is no measure to analyse: the
    check shared by writing it to a file and printing it (``quant analyse`` without OUT)."""
    jd = joint_display(project, **kwargs)
    if not jd.measures:
        raise InputError("no measures to analyse: import or score some first (themeqa quant)")
    return jd


def write_joint_display(
    project: ProjectHandle, out: Path | str, *, fmt: str | None = None, **kwargs: Any
) -> tuple[Path, JointDisplay]:
    """Compute the joint display and write it with ``reports.writers.write_tables``."""
    from themeqa.reports.writers import write_tables

    jd = analysable_joint_display(project, **kwargs)
    try:
        path = write_tables(joint_display_tables(jd), out, fmt)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    from themeqa.services.audit import record

    with project.transaction() as s:
        record(
            s,
            project.actor,
            "report",
            "joint_display",
            None,
            after={"file": str(out), "measures": jd.measures, "correction": jd.correction},
        )
    return path, jd


@dataclass
class JointView:
    """What the TUI shows: the joint display, its main table and, per (theme, measure), the
    values of the participants with and without the theme (for the box/strip plot)."""

    display: JointDisplay
    table: Any  # reports.table.ReportTable "joint_display"
    keys: list[tuple[str, str]]  # (theme, measure) of each table row
    values: dict[tuple[str, str], tuple[list[float], list[float]]]


def joint_view(
    project: ProjectHandle,
    *,
    correction: str = "holm",
    layer: str = "auto",
    measures: Sequence[str] | None = None,
) -> JointView:
    """The joint display plus the per-group values, computed from one presence matrix."""
    from themeqa.services.measures import measure_frame
    from themeqa.services.tally import presence_matrix

    presence = presence_matrix(project, layer=layer)
    jd = joint_display(
        project, correction=correction, layer=layer, presence=presence, measures=measures
    )
    frame = measure_frame(project, jd.measures) if jd.measures else None
    keys: list[tuple[str, str]] = []
    values: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    for th in jd.themes:
        has = presence[th.theme].astype(bool)
        for t in th.tests:
            keys.append((th.theme, t.measure))
            col = frame[t.measure].reindex(has.index)
            values[(th.theme, t.measure)] = (
                col[has].dropna().tolist(),
                col[~has].dropna().tolist(),
            )
    table = joint_display_tables(jd)[0]
    return JointView(display=jd, table=table, keys=keys, values=values)
