"""Table 2 (participants per theme by condition), co-occurrence and presence tables.

Why these shapes: qualitative evaluations report themes as a table of the codebook hierarchy
(superordinate themes with their subordinate themes indented beneath, numbered as in the
codebook) with the number of participants reporting each theme overall and per arm, the
percentage of that arm, and one indicative quote attributed as ``(P07, I)``. Counts and
percentages come from one :class:`~themeqa.core.tally.TallyResult`; the prose in
``results_text`` is written from the same object, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from themeqa.core.codebook import qualified_label
from themeqa.core.tally import TOTAL, TallyResult, cooccurrence, cooccurrence_pairs, presence_matrix
from themeqa.reports.table import ReportTable

__all__ = [
    "build_cooccurrence",
    "build_presence",
    "build_table2",
    "by_phrase",
    "cell_label",
    "n_pct",
    "theme_label",
]

#: quote: (text, participant id, condition)
QuoteTuple = tuple[str, str, str]


def n_pct(n: int, d: int) -> str:
    """``"6 (60)"``: n and whole percent of d (``core.tally.percent``); ``"0 (–)"`` for d = 0."""
    from themeqa.core.tally import percent

    p = percent(n, d)
    return f"{n} ({'–' if p is None else p})"


def cell_label(cell: tuple) -> str:
    """Column group text: ``("M", "initial")`` -> ``"M, initial"``."""
    return ", ".join(str(v) for v in cell)


def theme_label(label: str, name: str) -> str:
    """Numbered theme label as in the codebook: ``"2a Others are unreliable"``."""
    return f"{label} {name}"


def _by_text(by: Sequence[str]) -> str:
    return " and ".join(by)


def by_phrase(breakdowns: Sequence[str]) -> str:
    """The caption's breakdowns as English: "by condition", "by condition and by gender",
    "by condition, and by condition and timepoint" (issue 22: the bare " and by " join read
    "by condition and by condition and timepoint"). The serial comma separates the items
    whenever one of them already contains "and" or there are more than two."""
    parts = [f"by {b}" for b in breakdowns]
    if len(parts) <= 1:
        return "".join(parts)
    plain = len(parts) == 2 and not any(" and " in b for b in breakdowns)
    return ", ".join(parts[:-1]) + (" and " if plain else ", and ") + parts[-1]


def build_table2(
    results: TallyResult | Sequence[TallyResult],
    quotes: Mapping[Hashable, QuoteTuple] | None = None,
    codebook_titles: Mapping[str, str] | None = None,
    *,
    number: int = 2,
) -> ReportTable:
    """Table 2 from one tally (or several breakdowns of the same tally, side by side).

    Columns: theme, total n, then ``n (%)`` for each cell of each breakdown with its
    denominator in the header (``M (n = 10)``), then the indicative quote when ``quotes`` is
    given. With several codebooks each gets a heading row.
    """
    results = [results] if isinstance(results, TallyResult) else list(results)
    first = results[0]
    codes = first.codes
    columns = ["Theme", f"Total (N = {first.denominators[TOTAL]}) n"]
    for res in results:
        columns += [f"{cell_label(c)} (n = {res.denominators[c]}) n (%)" for c in res.columns]
    if quotes is not None:
        columns.append("Indicative quote")
    width = len(columns)
    multi_book = codes["codebook"].nunique() > 1
    rows: list[list[object]] = []
    indent: list[int] = []
    current_book = None
    for i, code in enumerate(codes.itertuples(index=False)):
        if multi_book and code.codebook != current_book:
            current_book = code.codebook
            title = (codebook_titles or {}).get(code.codebook, code.codebook)
            rows.append([title] + [""] * (width - 1))
            indent.append(0)
        row: list[object] = [theme_label(code.label, code.name), int(first.counts[i, 0])]
        for res in results:
            for j, cell in enumerate(res.columns, start=1):
                row.append(n_pct(int(res.counts[i, j]), res.denominators[cell]))
        if quotes is not None:
            q = quotes.get(code.code)
            row.append(f"“{q[0]}” ({q[1]}, {q[2]})" if q and q[0] else "")
        rows.append(row)
        indent.append(int(code.depth) - 1)

    breakdowns = [_by_text(r.by) for r in results if r.by]
    title = "Participants reporting each theme" + (
        f", {by_phrase(list(dict.fromkeys(breakdowns)))}" if breakdowns else ""
    )
    denominators = "; ".join(
        f"{cell_label(c)}: n = {r.denominators[c]}" for r in results for c in r.columns
    )
    notes = [
        "Counts are participants, not codings: a participant counts once for a theme when at "
        "least one passage coded with it overlaps their own turn in a group transcript or "
        "lies in their written response; facilitator speech is not counted."
        + (
            " A superordinate theme counts each participant once if they reported it or any "
            "of its subordinate themes."
            if first.rollup
            else " Superordinate themes count only passages coded with the theme itself."
        ),
        f"Percentages are of the participants in each column group ({denominators}); the total "
        f"is of all N = {first.denominators[TOTAL]} participants."
        if denominators
        else f"Total of all N = {first.denominators[TOTAL]} participants.",
        f"Coding layer: {first.layer}.",
        *first.notes,
    ]
    if quotes is not None:
        notes.append("Quotes are attributed as (participant, condition).")
    return ReportTable(
        key=f"table{number}",
        title=f"Table {number}\n{title}",
        columns=columns,
        rows=rows,
        notes=notes,
        indent=indent,
    )


def _code_names(result: TallyResult) -> dict[Hashable, str]:
    """Code id -> ``codebook::label``, the same names as the presence matrix columns."""
    return {
        c.code: qualified_label(c.codebook, c.label) for c in result.codes.itertuples(index=False)
    }


def build_cooccurrence(result: TallyResult, *, matrix: bool = False) -> ReportTable:
    """Theme pairs reported by the same participants (most shared first), or the full matrix.

    The pair list leaves out a theme and its own ancestors, which co-occur by construction
    under roll-up.
    """
    names = _code_names(result)
    if matrix:
        m = cooccurrence(result)
        cols = [names[c] for c in m.columns]
        rows = [[names[c], *map(int, m.loc[c].tolist())] for c in m.index]
        return ReportTable(
            key="cooccurrence",
            title="Participants reporting both themes (diagonal: the theme's total)",
            columns=["Theme", *cols],
            rows=rows,
            notes=[f"Counts are participants. Coding layer: {result.layer}.", *result.notes],
        )
    themes = {c.code: theme_label(c.label, c.name) for c in result.codes.itertuples(index=False)}
    total = {c: int(result.counts[i, 0]) for i, c in enumerate(result.codes["code"])}
    pairs = cooccurrence_pairs(result)
    rows = [
        [names[a], themes[a], names[b], themes[b], int(n), total[a], total[b]]
        for a, b, n in pairs.itertuples(index=False)
    ]
    return ReportTable(
        key="cooccurrence",
        title="Theme co-occurrence: participants reporting both themes",
        columns=["Theme A", "Name A", "Theme B", "Name B", "Both n", "A n", "B n"],
        rows=rows,
        notes=[
            "Counts are participants reporting both themes (anywhere in their turns or "
            f"written responses); a theme is not paired with its own superordinate themes. "
            f"Coding layer: {result.layer}.",
            *result.notes,
        ],
    )


def build_presence(result: TallyResult) -> ReportTable:
    """Participant x theme table of 1/0 with the participant's condition."""
    names = _code_names(result)
    m = presence_matrix(result)
    cond = result.participants.set_index("participant")["condition"]
    rows = [
        [pid, str(cond.get(pid, "")), *[int(v) for v in m.loc[pid].tolist()]] for pid in m.index
    ]
    return ReportTable(
        key="presence",
        title="Theme presence per participant (1 = reported)",
        columns=["Participant", "Condition", *[names[c] for c in m.columns]],
        rows=rows,
        notes=[f"Coding layer: {result.layer}.", *result.notes],
    )
