"""Results prose: one sentence per theme, written from the tally behind Table 2.

House style: "Six participants (two (M), four (I)) described fear of compassion (2)." Numbers
follow APA 7 (§6.32–6.33): zero to nine in words, 10 and above in numerals, and any number
that begins a sentence in words. The per-condition counts in brackets list each condition
with at least one participant. Sentences are built from the same
:class:`~themeqa.core.tally.TallyResult` as the table, so prose and table cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping

from themeqa.core.tally import TOTAL, TallyResult

__all__ = ["number_text", "number_words", "results_paragraphs", "theme_sentence"]

_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> str:
    """English words for 0 <= n < 1,000,000 (``21`` -> ``"twenty-one"``)."""
    if n < 0:
        return "minus " + number_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" and {number_words(rest)}" if rest else "")
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        sep = " and " if 0 < rest < 100 else " "
        return f"{number_words(thousands)} thousand" + (
            f"{sep}{number_words(rest)}" if rest else ""
        )
    return str(n)


def number_text(n: int, *, start: bool = False) -> str:
    """APA 7 number: words below 10 or at the start of a sentence (capitalised), else digits."""
    if start:
        words = number_words(n)
        return words[:1].upper() + words[1:]
    return number_words(n) if n < 10 else str(n)


def _theme_name(name: str) -> str:
    """Theme name inside a sentence: first letter lower-cased unless it looks like an acronym."""
    if len(name) > 1 and name[:2].isupper():
        return name
    return name[:1].lower() + name[1:]


def theme_sentence(
    total: int, per_condition: Mapping[str, int], label: str, name: str, *, verb: str = "described"
) -> str:
    """One results sentence, e.g. "Six participants (two (M), four (I)) described … (2)."."""
    theme = f"{_theme_name(name)} ({label})"
    if total == 0:
        return f"No participants {verb} {theme}."
    noun = "participant" if total == 1 else "participants"
    parts = [f"{number_text(n)} ({c})" for c, n in per_condition.items() if n > 0]
    bracket = f" ({', '.join(parts)})" if parts else ""
    return f"{number_text(total, start=True)} {noun}{bracket} {verb} {theme}."


def results_paragraphs(
    result: TallyResult, codebook_titles: Mapping[str, str] | None = None
) -> list[str]:
    """One paragraph per superordinate theme: its sentence, then its subordinate themes'.

    Counts come from ``result`` (total) and ``result.by_condition`` (per arm, any timepoint),
    the same numbers Table 2 prints. Warnings of the tally (a partly reconciled check,
    codings attributed to nobody) follow as a last paragraph in [brackets], the house mark
    for text the authors must deal with before the prose goes into a paper.
    """
    paragraphs: list[str] = []
    current: list[str] = []
    keys = result.keys
    for i, code in enumerate(result.codes.itertuples(index=False)):
        if int(code.depth) == 1 and current:
            paragraphs.append(" ".join(current))
            current = []
        total = int(result.counts[i, keys.index(TOTAL)])
        current.append(theme_sentence(total, result.by_condition(code.code), code.label, code.name))
    if current:
        paragraphs.append(" ".join(current))
    warnings = [n for n in result.notes if n.startswith("Warning:")]
    if warnings:
        paragraphs.append("[" + " ".join(warnings) + "]")
    return paragraphs
