"""Speaker turns: who speaks where in a transcript.

A *turn* (DESIGN.md) is a contiguous run of a document spoken by one speaker. Transcripts mark
turns with a speaker label at the start of a line; this module finds those labels in one pass of
one compiled regular expression and decides, conservatively, which of the candidates are real
speakers (docs/CONVENTIONS.md, "Turns").

Label forms recognised at line start (leading spaces/tabs allowed)::

    P03: text                 Facilitator: text           Interviewer 1: text
    [00:12:03] P03: text      (00:12) P03: text           00:12:03 P03: text
    **P03**: text             **P03:** text               Jane Doe: text
    P03 [00:12:03]: text      ### Interviewer            (a markdown heading alone on its line)
    Jane Doe  0:21            (otter.ai export: name and time alone on their line)

A candidate label is accepted as a speaker when it is

* one of ``extra_labels`` (compared case-insensitively), or
* a known role word, optionally numbered (``Facilitator``, ``INT``, ``I``, ``Interviewer 2``,
  ``Participant 3``, ``Speaker 1`` ...), also with stacked or glued numbers and one typo
  (``Interviewer2 2``, ``Facilitator-1``, ``Intervewer``; see :func:`label_role`), or
* an id such as ``P03``, ``R12``, ``S1``, ``FG2-P3``, or
* one to three capitalised words (``Jane Doe``; an optional trailing number) that are not a stop
  word (``Note:``, ``Example:``, ``Summary:``) and either recur as a label at least twice in the
  document or come with a timestamp (``[00:12] Jane Doe:``, otter's ``Jane Doe  0:21``).

Everything else (``Note that: ...``, ``Then he said: ...``, ``## Details``) is ordinary text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "FACILITATOR_LABELS",
    "Turn",
    "clean_label",
    "is_facilitator_label",
    "is_speaker_label",
    "label_role",
    "parse_turns",
    "sentences_without_labels",
    "split_at_label",
    "split_label",
    "unrecognised_labels",
    "whole_text_turn",
]


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker's run in a document's text.

    ``start`` is the offset of the label (or of its timestamp / markdown marker), ``content_start``
    where the spoken text begins, ``end`` the exclusive end of the run with trailing white space
    excluded. ``speaker`` is the cleaned label (``P03``, ``Facilitator``); it is ``None`` only for
    a written text whose author the caller assigns later.
    """

    start: int
    end: int
    speaker: str | None
    content_start: int


FACILITATOR_LABELS = frozenset(
    {"facilitator", "f", "int", "interviewer", "moderator", "researcher", "i"}
)

# Role words accepted as speaker labels on their own, optionally followed by a number or a single
# capital letter ("Interviewer 2", "Respondent B"). Case-insensitive.
_ROLE_WORDS = FACILITATOR_LABELS | {
    "interviewee",
    "participant",
    "respondent",
    "speaker",
    "student",
    "host",
    "guest",
    "iv",
    "ie",
    "p",
    "r",
    "mod",
    "fac",
    "unknown speaker",
    "unidentified speaker",
}

# Short facilitator forms besides FACILITATOR_LABELS ("Mod:", "Fac:").
_FACILITATOR_SHORT = frozenset({"mod", "fac"})

# Capitalised words that head labels that are not speakers ("Note: ...", "Example 2: ...").
_STOP_WORDS = frozenset(
    """
    note notes nb ps example examples e.g summary title date time location place duration
    subject re tel phone email e-mail fax http https www url link topic theme themes comment
    comments transcript transcription interview session source warning todo step chapter
    section part figure fig table total yes no ok okay so and but well then now also however
    therefore first second third finally question questions answer answers q a item items
    agenda attendees present absent action actions decision decisions result results task tasks
    goal goals aim aims objective objectives outcome outcomes background context method methods
    conclusion conclusions key definition definitions tip tips hint important caution attention
    update edit edited details detail description keywords abstract author authors reference
    references day week month year morning afternoon evening monday tuesday wednesday thursday
    friday saturday sunday january february march april may june july august september october
    november december
    beispiel hinweis anmerkung frage fragen antwort antworten zusammenfassung datum ort zeit
    thema ergebnis remarque exemple réponse résumé sujet opmerking vraag antwoord voorbeeld
    samenvatting notitie onderwerp
    """.split()  # noqa: SIM905
)

# Lower-case particles allowed inside a personal name ("Ludwig van Beethoven").
_PARTICLES = frozenset(
    "de da di del della der den van von le la du dos das bin ibn al el y zu ten ter".split()  # noqa: SIM905
)

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_WORD = r"[^\W\d_][\w'’.\-]*"
# One to three words, then optionally a number or a single letter ("Interviewer 1", "Speaker A").
_NAME = rf"{_WORD}(?:[ \t]{_WORD}){{0,2}}(?:[ \t](?:\d{{1,4}}|[A-Z])\b)?"

_LABEL_RE = re.compile(
    rf"""
    ^[ \t]*+
    (?:
        # markdown heading holding only a label: "### Interviewer"
        (?P<hd>\#{{1,6}})[ \t]+(?:\*\*|__)?(?P<hname>{_NAME})(?:\*\*|__)?[ \t]*:?[ \t]*$
      |
        # otter.ai: "Jane Doe  0:21" alone on its line
        (?P<oname>{_NAME})[ \t]+(?:\[{_TS}\]|\({_TS}\)|{_TS})[ \t]*$
      |
        # optional leading timestamp, then a label ending in a colon
        (?P<ts>(?:\[{_TS}\]|\({_TS}\)|{_TS})[ \t]*(?:[-–—][ \t]*)?)?
        (?:
            (?P<mk>\*\*|__)(?P<bname>{_NAME})(?:(?P=mk)[ \t]*:|[ \t]*:[ \t]*(?P=mk))
          | (?P<name>{_NAME})[ \t]*(?P<ts2>(?:\[{_TS}\]|\({_TS}\))[ \t]*)?:(?!//)
        )
    )
    """,
    re.MULTILINE | re.VERBOSE,
)

_ID_RE = re.compile(r"[A-Z]{1,3}\d{0,2}[-_]?[A-Z]{0,2}\d{1,4}[a-z]?")
_ROLE_NUM_RE = re.compile(r"(?P<role>.+?)(?:[ \t]?\d{1,4}|[ \t][A-Za-z])?")
_WS_RE = re.compile(r"\s+")
_CLEAN_STRIP = " \t*_:#"


def clean_label(label: str) -> str:
    """``"**P03:**"`` -> ``"P03"``: drop markdown markers, timestamps, the colon, extra spaces."""
    label = re.sub(rf"\[{_TS}\]|\({_TS}\)|(?<![\w:]){_TS}(?![\w:])", " ", label)
    label = label.replace("**", " ").replace("__", " ")
    label = label.strip(_CLEAN_STRIP + "-–—")
    return _WS_RE.sub(" ", label)


#: role words long enough that a one-letter slip still names them unambiguously
_TYPO_ROLES = tuple(sorted(
    w for w in (*FACILITATOR_LABELS, "interviewee", "participant", "respondent") if len(w) >= 7
))
# a tail of numbers and separators after a role word: "2", " 2", "2 2", "-1", " (2)", " B"
_ROLE_TAIL_RE = re.compile(r"(?:[ \t\-_#.]*(?:\d{1,4}|\(\d{1,4}\)))+$|[ \t][a-z]$")


def _role_base(key: str) -> str:
    """``"interviewer2 2"`` -> ``"interviewer"``: the casefolded label without its number tail."""
    return _ROLE_TAIL_RE.sub("", key).strip() or key


def _typo_role(base: str) -> str | None:
    """The one long role word ``base`` is a single edit (Damerau-Levenshtein) away from.

    Why one edit and long words only: transcribers slip (``Intervewer``, ``Facilitaor``), but
    a looser rule would turn names into roles; a word one edit from two roles
    (``Interviewe``: interviewer or interviewee?) is left alone.
    """
    if len(base) < 7 or " " in base:
        return None
    from rapidfuzz.distance import DamerauLevenshtein

    near = [w for w in _TYPO_ROLES if DamerauLevenshtein.distance(base, w, score_cutoff=1) <= 1]
    return near[0] if len(near) == 1 else None


def label_role(label: str) -> str | None:
    """``"facilitator"``, ``"participant"`` (a participant-side role word: Interviewee,
    Respondent, Participant, Speaker, ``P``/``R`` with a number ...) or None (not a role
    word: a name, or an id such as ``S1``).

    The label is compared without case, markdown and timestamps (:func:`clean_label`), after
    dropping a tail of numbers (``Interviewer 2``, ``Interviewer2 2``, ``Facilitator-1``,
    ``Moderator (2)``, ``Respondent B``), and allowing one typo in a long role word
    (:func:`_typo_role`). ``INT``, ``I``, ``F``, ``Mod``, ``Fac`` are facilitator roles.
    """
    key = clean_label(label).casefold()
    if not key:
        return None
    for candidate in (key, _role_base(key)):
        if candidate in FACILITATOR_LABELS or candidate in _FACILITATOR_SHORT:
            return "facilitator"
        if candidate in _ROLE_WORDS:
            return "participant"
    word = _typo_role(_role_base(key))
    if word is None:
        return None
    return "facilitator" if word in FACILITATOR_LABELS else "participant"


def is_facilitator_label(label: str) -> bool:
    """True for labels naming the interviewer/facilitator side (``Facilitator``, ``F``, ``INT``,
    ``Interviewer``, ``Interviewer 2``, ``Interviewer2 2``, ``Moderator``, ``Researcher``,
    ``I``, and one-typo forms such as ``Intervewer``), any case (:func:`label_role`)."""
    return label_role(label) == "facilitator"


def _is_role(key: str) -> bool:
    if key in _ROLE_WORDS:
        return True
    m = _ROLE_NUM_RE.fullmatch(key)
    if m and m.group("role") in _ROLE_WORDS and m.group("role") != key:
        return True
    return label_role(key) is not None


def _name_shape_ok(label: str) -> bool:
    """One to three capitalised words (lower-case name particles allowed inside)."""
    words = label.split(" ")
    if words[-1].isdigit() or (len(words) > 1 and len(words[-1]) == 1 and words[-1].isupper()):
        words = words[:-1]
    if not words or len(words) > 3:
        return False
    for i, w in enumerate(words):
        if w.casefold().strip(".") in _STOP_WORDS:
            return False
        first = w[0]
        if first.isupper():
            continue
        if 0 < i < len(words) - 1 and (w in _PARTICLES or any(c.isupper() for c in w)):
            continue  # "Ludwig van Beethoven", "Neil deGrasse Tyson"
        return False
    return True


def _classify(label: str) -> str | None:
    """'sure' (role or id), 'name' (needs to recur), or None (not a speaker)."""
    key = label.casefold()
    if _is_role(key):
        return "sure"
    if _ID_RE.fullmatch(label) and not label.startswith("Q"):
        return "sure"
    if _name_shape_ok(label):
        return "name"
    return None


def is_speaker_label(label: str, occurrences: int = 1, extra_labels: Iterable[str] = ()) -> bool:
    """Would ``label`` be accepted as a speaker if it occurred ``occurrences`` times as a label?"""
    cleaned = clean_label(label)
    if not cleaned:
        return False
    if cleaned.casefold() in {clean_label(x).casefold() for x in extra_labels}:
        return True
    kind = _classify(cleaned)
    return kind == "sure" or (kind == "name" and occurrences >= 2)


_SPLIT_RE = re.compile(
    rf"^[ \t]*(?:[-–—][ \t]*)?(?:(?P<mk>\*\*|__)(?P<bname>{_NAME})"
    rf"(?:(?P=mk)[ \t]*:|[ \t]*:[ \t]*(?P=mk))|(?P<name>{_NAME})[ \t]*:(?!//))[ \t]*"
)


def split_label(line: str) -> tuple[str, str] | None:
    """Split ``"Jane Doe: hello"`` into ``("Jane Doe", "hello")`` when the line starts with
    something shaped like a speaker label (used by subtitle readers); the caller decides, with
    :func:`is_speaker_label`, whether the label really is a speaker."""
    m = _SPLIT_RE.match(line)
    if not m:
        return None
    label = clean_label(m.group("bname") or m.group("name"))
    if not label or _classify(label) is None:
        return None
    return label, line[m.end() :]


def whole_text_turn(text: str, speaker: str | None) -> Turn | None:
    """One turn over all of ``text`` (a written response), surrounding white space excluded."""
    stripped = text.strip()
    if not stripped:
        return None
    start = len(text) - len(text.lstrip())
    return Turn(start, start + len(stripped), speaker, start)


def sentences_without_labels(
    spans: Iterable[tuple[int, int]], turns: Sequence[Turn], text: str
) -> list[tuple[int, int]]:
    """Sentence spans with speaker labels cut off: ``P01: It was calm.`` -> ``It was calm.``.

    Why: a label is not something a participant said, so it must not be part of a sentence
    unit for coding or agreement; a sentence splitter sees only text and keeps it. Every path
    that stores sentences (file import, REFI-QDA import) cuts them here, so the units agree.

    ``spans`` and ``turns`` are in text order (as ``sentence_spans`` and ``parse_turns`` give
    them). A span that starts inside a label starts after it and after the white space that
    follows; a span that is nothing but a label is dropped.
    """
    labels = [(t.start, t.content_start) for t in turns if t.content_start > t.start]
    if not labels:
        return list(spans)
    out: list[tuple[int, int]] = []
    j = 0
    for a, b in spans:
        while j < len(labels) and labels[j][1] <= a:
            j += 1
        if j < len(labels) and labels[j][0] <= a < labels[j][1]:
            a = labels[j][1]
            while a < b and text[a].isspace():
                a += 1
        if a < b:
            out.append((a, b))
    return out


def _scan(text: str, extra: set[str]) -> tuple[list[tuple[int, int, str, str]], Counter[str]]:
    """Label candidates ``(start, label_end, cleaned label, kind)`` and their counts by key."""
    candidates: list[tuple[int, int, str, str]] = []
    counts: Counter[str] = Counter()
    cache: dict[str, str | None] = {}
    for m in _LABEL_RE.finditer(text):
        raw = m.group("hname") or m.group("oname") or m.group("bname") or m.group("name")
        label = clean_label(raw)
        if not label:
            continue
        key = label.casefold()
        if key in extra:
            kind: str | None = "sure"
        else:
            if label not in cache:
                cache[label] = _classify(label)
            kind = cache[label]
        if kind is None:
            continue
        if kind == "name" and (m.group("oname") or m.group("ts") or m.group("ts2")):
            kind = "sure"  # a timestamped label is a transcript's speaker label
        start = m.start() + (len(m.group()) - len(m.group().lstrip(" \t")))
        candidates.append((start, m.end(), label, kind))
        counts[key] += 1
    return candidates, counts


def _turns_from(text: str, accepted: Sequence[tuple[int, int, str, str]]) -> list[Turn]:
    turns: list[Turn] = []
    n = len(text)
    for i, (start, label_end, label, _kind) in enumerate(accepted):
        limit = accepted[i + 1][0] if i + 1 < len(accepted) else n
        end = limit
        while end > label_end and text[end - 1].isspace():
            end -= 1
        content = label_end
        while content < end and text[content].isspace():
            content += 1
        turns.append(Turn(start, end, label, content))
    return turns


def parse_turns(text: str, extra_labels: Iterable[str] = ()) -> list[Turn]:
    """Find speaker turns in ``text`` (see the module docstring for the label forms).

    A turn runs from its label to just before the next accepted label, trailing white space
    excluded; lines without a label continue the current turn, and text before the first label
    belongs to no turn. The result is sorted and the turns never overlap.
    """
    extra = {clean_label(x).casefold() for x in extra_labels}
    extra.discard("")
    candidates, counts = _scan(text, extra)
    accepted = [c for c in candidates if c[3] == "sure" or counts[c[2].casefold()] >= 2]
    return _turns_from(text, accepted)


def unrecognised_labels(text: str, extra_labels: Iterable[str] = ()) -> dict[str, int]:
    """Label-shaped line starts that :func:`parse_turns` did *not* take as speakers.

    These are name-shaped labels used once without a timestamp (``Interviewee2: ...`` in a
    transcript where everyone else is ``Interviewee1``; ``Anna: ...`` said once): a name must
    recur to count, so a typo'd or one-off label is read as part of the previous turn. The
    import lists them so the user can map each (``themeqa participants map``). Returns
    label -> occurrences, in order of first appearance.
    """
    extra = {clean_label(x).casefold() for x in extra_labels}
    extra.discard("")
    candidates, counts = _scan(text, extra)
    out: dict[str, int] = {}
    for _start, _end, label, kind in candidates:
        if kind == "name" and counts[label.casefold()] < 2:
            out.setdefault(label, counts[label.casefold()])
    return out


def split_at_label(text: str, turns: Sequence[Turn], label: str) -> list[Turn]:
    """``turns`` with a new turn at every line-start occurrence of ``label`` not yet a turn.

    Why not parse again: the stored turns may come from a reader with rules of its own
    (subtitle cues, table rows); mapping one label must change only where that label stands.
    The turn it interrupts ends before it (trailing white space excluded), the new turn runs
    to where the interrupted one ended (or to the next turn, before the first turn), exactly
    as :func:`parse_turns` would cut had the label been known. ``label`` is compared as
    cleaned and casefolded (:func:`clean_label`).
    """
    key = clean_label(label).casefold()
    if not key:
        return list(turns)
    candidates, _counts = _scan(text, {key})
    starts = {t.start for t in turns}
    hits = [c for c in candidates if c[2].casefold() == key and c[0] not in starts]
    if not hits:
        return list(turns)
    ordered = sorted(turns, key=lambda t: t.start)
    # every cut point: the stored turns' starts and the new labels' starts
    cuts = sorted([t.start for t in ordered] + [c[0] for c in hits])
    n = len(text)

    def next_cut(pos: int) -> int:
        k = bisect_right(cuts, pos)
        return cuts[k] if k < len(cuts) else n

    def trimmed(start: int, content: int, end: int, speaker: str | None) -> Turn:
        while end > content and text[end - 1].isspace():
            end -= 1
        return Turn(start, end, speaker, content)

    out = [trimmed(t.start, t.content_start, min(t.end, next_cut(t.start)), t.speaker)
           for t in ordered]
    for start, label_end, speaker, _kind in hits:
        inside = next((t for t in ordered if t.start < start < t.end), None)
        limit = next_cut(start)
        end = min(inside.end, limit) if inside is not None else limit
        content = label_end
        while content < end and text[content].isspace():
            content += 1
        out.append(trimmed(start, content, max(end, content), speaker))
    out.sort(key=lambda t: t.start)
    return out
