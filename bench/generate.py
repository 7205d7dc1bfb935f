"""A seeded generator of realistic themeqa projects, from the demo's size to an archive.

Why synthetic: the benchmarks must run at study scale (200 documents, 1M words, 20k codings)
and archive scale (10,000 documents, 20M words, 500k codings) -- three orders of magnitude
beyond what users of other tools complain about -- and no real corpus of that size may be
shipped or downloaded. The generator writes exactly the files a researcher would bring, in the
formats of docs/CONVENTIONS.md, so the real importers are what gets benchmarked:

- ``participants.csv``: ``id,condition,session,timepoints,age,gender,speaker_labels`` plus
  demographic extras; conditions M/I alternate by session (as in the demo study); about 70%
  of participants have a follow-up; a few are also labelled by name in transcripts
  (``speaker_labels``).
- ``transcripts/<session>_focus_group.txt``: one speaker-labelled group transcript per session
  (``Facilitator:``, ``P001:``, ``Dana Khan:``), turns separated by blank lines.
- ``written_initial.csv`` / ``written_followup.csv``: written responses, one row per
  participant, one column per question.
- ``codebooks/*.yaml``: codebook trees of superordinate themes with subordinate themes; labels
  never collide across codebooks (``1``/``1a``, ``F1``/``F1a``, ``E1``/``E1a``), so a bare label
  finds one code.
- ``codings.csv``: coder ``amira`` codes every document; coder ``ben`` double-codes a sample of
  documents (``double_coded``) as a credibility check, starting from amira's codings and
  disagreeing on a controlled proportion of them (``disagreement``), split between spans
  shifted in extent, a swapped code, a dropped coding and an added one (``mix``).
- ``manifest.yaml``: the import order, in the demo's manifest format.

Text: words are drawn from a Zipf-Mandelbrot distribution p(k) ~ 1 / (k + q)^s over a
vocabulary of common English words followed by pronounceable pseudo-words (Zipf 1949, *Human
behavior and the principle of least effort*; Mandelbrot 1953; s = 1, q = 2.7 are typical fits,
Piantadosi 2014, *Psychon Bull Rev* 21:1112-1130). Sentence lengths are 2 + Poisson(12) words
(mean 14, about that of spoken English); sentences start with a capital and end in ``.``, ``?``
or ``!``, with commas inside. Text is ASCII with LF line ends, so file offsets are the stored
text's code-point offsets and codings can be written without reading the text back.

Speed and memory: every document gets its own random stream (``default_rng([seed, index])``),
so documents can be generated one at a time and streamed to disk (archive: a couple of minutes,
well under 2 GB); offsets are computed from token lengths with numpy, so :meth:`Corpus.frames`
(turns, codings, participants and documents as DataFrames, for benchmarks that bypass the
database) never builds the text at all.

Run ``python bench/generate.py study OUT_DIR [--seed N]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "CODERS",
    "SIZES",
    "Corpus",
    "GeneratedDocument",
    "Size",
    "load_project",
    "write_project",
]

#: Bump when the output for a given (size, seed) changes, so cached corpora are rebuilt.
GENERATOR_VERSION = 1
CODERS = ("amira", "ben")
TIMEPOINTS = ("initial", "follow-up")
WRITTEN_FILES = {"initial": "written_initial.csv", "follow-up": "written_followup.csv"}


@dataclass(frozen=True)
class Size:
    """How big a generated project is. ``words`` and ``codings`` are totals (both coders)."""

    name: str
    sessions: int
    participants: int
    written_docs: int
    questions: int
    words: int
    codings: int
    themes: int = 6  # superordinate themes per codebook
    max_subthemes: int = 4
    codebooks: int = 3
    vocabulary: int = 20_000
    written_share: float = 0.05  # share of all words in written responses


SIZES: dict[str, Size] = {
    # about the demo study: 6 focus groups, 20 participants, ~15k words, ~470 codings
    "small": Size(
        "small",
        sessions=6,
        participants=20,
        written_docs=48,
        questions=3,
        words=15_000,
        codings=470,
        vocabulary=4_000,
        written_share=0.12,
    ),
    "study": Size(
        "study",
        sessions=40,
        participants=240,
        written_docs=160,
        questions=2,
        words=1_000_000,
        codings=20_000,
        themes=8,
    ),
    "archive": Size(
        "archive",
        sessions=2_000,
        participants=12_000,
        written_docs=8_000,
        questions=2,
        words=20_000_000,
        codings=500_000,
        themes=10,
        max_subthemes=5,
        vocabulary=50_000,
    ),
}

# --------------------------------------------------------------------------------------------
# vocabulary

_COMMON = """
the I and to it a was that of you in my like just it's so me but felt I'm know really was
think be with for not have on what she they he about when all at don't there this there's
her because do kind memory we bit feel time then had one been out more could back sort if
would no up someone them thing it was quite were how people thought didn't something
picture warm mum face felt hands can't little again see go got things said being very
moment breath remember even still room way myself got body calm kitchen tea chest safe voice
hard good nice sad trust gran friend nurse doctor pain tired sleep heart listen hold small
""".split()  # noqa: SIM905
_ONSETS = "b c d f g h j k l m n p r s t v w br cl dr fl gr pl sh st th tr".split()  # noqa: SIM905
_VOWELS = "a e i o u ai ea ee oo ou".split()  # noqa: SIM905
_CODAS = ["", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck"]


def vocabulary(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct words: common English words first, then pseudo-words."""
    rng = np.random.default_rng([seed, 7919])
    words: list[str] = []
    seen: set[str] = set()
    for w in _COMMON:
        if w not in seen:
            seen.add(w)
            words.append(w)
    while len(words) < n:
        k = int(rng.integers(1, 4))
        w = (
            "".join(
                _ONSETS[rng.integers(len(_ONSETS))] + _VOWELS[rng.integers(len(_VOWELS))]
                for _ in range(k)
            )
            + _CODAS[rng.integers(len(_CODAS))]
        )
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words[:n]


def zipf_cdf(n: int, s: float = 1.0, q: float = 2.7) -> np.ndarray:
    """Cumulative Zipf-Mandelbrot probabilities p(k) ~ (k + q)^-s, k = 1..n (module notes)."""
    p = (np.arange(1, n + 1) + q) ** -s
    cdf = np.cumsum(p)
    return cdf / cdf[-1]


# Word forms: plain, "word,", "word.", "word?", "word!", each also capitalised.
_FORMS = ("", ",", ".", "?", "!")


class _Tokens:
    """Every word in every form, as one array, so a document is an array of form indices."""

    def __init__(self, words: Sequence[str]) -> None:
        self.n = len(words)
        forms = []
        for cap in (False, True):
            for suffix in _FORMS:
                for w in words:
                    base = (w[0].upper() + w[1:]) if cap else w  # "I" stays "I"
                    forms.append(base + suffix)
        self.strings = np.array(forms, dtype=object)
        self.lengths = np.fromiter((len(f) for f in forms), dtype=np.int64, count=len(forms))

    def index(self, word: np.ndarray, form: np.ndarray, cap: np.ndarray) -> np.ndarray:
        return (cap.astype(np.int64) * len(_FORMS) + form) * self.n + word


# --------------------------------------------------------------------------------------------
# plans and generated documents


@dataclass
class DocPlan:
    """What one document will be, decided up front (cheap) so codings can be apportioned."""

    index: int
    name: str
    kind: str  # transcript | written
    file: str  # path relative to the project directory
    session: str | None
    timepoint: str
    speakers: list[str]  # transcript: participants' labels in this session; written: [pid]
    participants: list[str]  # pids (same order as speakers)
    words: int
    double_coded: bool = False
    codings_a: int = 0
    question: str | None = None


@dataclass
class GeneratedDocument:
    """One generated document: its text (unless asked not to), turns, sentences, codings.

    Turn arrays follow docs/CONVENTIONS.md: ``start`` is the label's offset, ``content_start``
    where the spoken text begins, ``end`` exclusive. ``turn_participant`` holds the pid or
    ``None`` for the facilitator. Codings are ``(start, end, code label, coder, quote)``.
    """

    plan: DocPlan
    text: str | None
    n_chars: int
    turn_start: np.ndarray
    turn_content: np.ndarray
    turn_end: np.ndarray
    turn_speaker: list[str]
    turn_participant: list[str | None]
    sentence_start: np.ndarray
    sentence_end: np.ndarray
    coding_start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    coding_end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    coding_code: list[str] = field(default_factory=list)
    coding_coder: list[str] = field(default_factory=list)
    coding_quote: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))


_FIRST = "Dana Sam Alex Jo Chris Pat Robin Kim Lee Morgan Jamie Charlie Taylor Casey Rowan"
_LAST = "Khan Smith Patel Jones Brown Wilson Evans Ahmed Clarke Hughes Walker Wood Hall"
_FIRST, _LAST = _FIRST.split(), _LAST.split()
_GENDERS = ("woman", "man", "non-binary")
_EMPLOYMENT = ("full-time", "part-time", "retired", "unable to work", "student")

_THEME_NAMES = """Weak imagery ability|Fear of compassion|Lack of kind memories|Painful feelings
took over|Self-criticism|Distraction and worry|Sense of safety|Sensory detail|Connection to
others|Permission to rest|Physical calm|Being understood|Warmth in the body|Hope for change|
Guilt about needing help|Mistrust of kindness|Grief surfacing|Fatigue and pain|Practice at
home|Group support|Humour|Facilitator style|Shame about illness|Feeling a burden""".replace(
    "\n", " "
).split("|")
_SUB_NAMES = """Others are unreliable|Undeserving of kindness|Kindness brings loss|Images
slipped away|No face came|Old memories hurt|Body sensations|Sounds and smells|A particular
person|A particular place|Letting go of tension|Being seen|Sharing the room|Doing it alone|
Too tired to focus|Worry about tasks|Pets as companions|Memories of childhood|Faith and
ritual|Music and song""".replace("\n", " ").split("|")
_BOOKS = (
    ("inhibitors", "", "Inhibitors"),
    ("facilitators", "F", "Facilitators"),
    ("experience", "E", "Experience of the exercise"),
)


def _pid_width(n: int) -> int:
    return max(2, len(str(n)))


class Corpus:
    """A generated project of a given :class:`Size`, deterministic in ``seed``.

    ``disagreement`` is the proportion of coder B's codings that differ from coder A's;
    ``mix`` how those split into (shifted extent, swapped code, dropped, added);
    ``double_coded`` the proportion of documents B codes (a credibility-check sample; the
    demo double-codes two sessions of six). Nothing is generated until asked for.
    """

    def __init__(
        self,
        size: str | Size = "small",
        seed: int = 20240601,
        *,
        disagreement: float = 0.2,
        mix: tuple[float, float, float, float] = (0.4, 0.2, 0.2, 0.2),
        double_coded: float = 1 / 3,
        quote_rate: float = 0.05,
    ) -> None:
        self.size = SIZES[size] if isinstance(size, str) else size
        if not 0.0 <= disagreement <= 1.0 or not 0.0 < double_coded <= 1.0:
            raise ValueError("disagreement must be in [0, 1] and double_coded in (0, 1]")
        if len(mix) != 4 or min(mix) < 0 or sum(mix) <= 0:
            raise ValueError("mix is four non-negative weights (shift, swap, drop, add)")
        self.seed = seed
        self.disagreement = disagreement
        self.mix = tuple(float(m) / sum(mix) for m in mix)
        self.double_coded = double_coded
        self.quote_rate = quote_rate
        self._tokens: _Tokens | None = None
        self._cdf: np.ndarray | None = None
        self._build_participants()
        self._build_codebooks()
        self._build_plans()

    # ---- study design ----------------------------------------------------------------------

    def params(self) -> dict:
        return {
            "size": asdict(self.size),
            "seed": self.seed,
            "disagreement": self.disagreement,
            "mix": self.mix,
            "double_coded": self.double_coded,
            "quote_rate": self.quote_rate,
            "version": GENERATOR_VERSION,
        }

    def _build_participants(self) -> None:
        z = self.size
        rng = np.random.default_rng([self.seed, 1])
        width = _pid_width(z.participants)
        swidth = len(str(z.sessions))
        self.sessions = [f"S{i + 1:0{swidth}d}" for i in range(z.sessions)]
        self.session_condition = {s: "MI"[i % 2] for i, s in enumerate(self.sessions)}
        pids = [f"P{i + 1:0{width}d}" for i in range(z.participants)]
        session_of = [self.sessions[i * z.sessions // z.participants] for i in range(len(pids))]
        followup = rng.random(len(pids)) < 0.7
        ages = rng.integers(18, 81, len(pids))
        genders = rng.choice(len(_GENDERS), len(pids), p=[0.55, 0.4, 0.05])
        jobs = rng.integers(0, len(_EMPLOYMENT), len(pids))
        years = rng.integers(0, 30, len(pids))
        # about one participant in ten is also called by name in the transcript
        n_names = min(len(pids) // 10, len(_FIRST) * len(_LAST))
        named = rng.choice(len(pids), n_names, replace=False) if n_names else []
        combos = rng.permutation(len(_FIRST) * len(_LAST))[:n_names]
        alias: dict[int, str] = {
            int(i): f"{_FIRST[c // len(_LAST)]} {_LAST[c % len(_LAST)]}"
            for i, c in zip(named, combos, strict=True)
        }
        self.participants = [
            {
                "id": pid,
                "condition": self.session_condition[session_of[i]],
                "session": session_of[i],
                "timepoints": "initial;follow-up" if followup[i] else "initial",
                "age": int(ages[i]),
                "gender": _GENDERS[genders[i]],
                "speaker_labels": alias.get(i, ""),
                "employment": _EMPLOYMENT[jobs[i]],
                "years_since_diagnosis": int(years[i]),
            }
            for i, pid in enumerate(pids)
        ]
        self.by_session: dict[str, list[dict]] = {s: [] for s in self.sessions}
        for p in self.participants:
            self.by_session[p["session"]].append(p)

    def _build_codebooks(self) -> None:
        z = self.size
        rng = np.random.default_rng([self.seed, 2])
        self.codebooks: list[dict] = []
        self.codes: list[dict] = []  # label, parent, codebook, depth
        for b in range(z.codebooks):
            key, prefix, title = _BOOKS[b % len(_BOOKS)]
            if b >= len(_BOOKS):
                key, prefix = f"{key}{b}", f"{prefix}{b}X"
            themes = []
            for t in range(z.themes):
                label = f"{prefix}{t + 1}"
                name = _THEME_NAMES[(b * z.themes + t) % len(_THEME_NAMES)]
                if b * z.themes + t >= len(_THEME_NAMES):
                    name = f"{name} ({label})"
                self.codes.append({"label": label, "parent": None, "codebook": key, "depth": 1})
                children = []
                for c in range(int(rng.integers(0, z.max_subthemes + 1))):
                    sub = f"{label}{chr(ord('a') + c)}"
                    sname = _SUB_NAMES[(t * 3 + c + b) % len(_SUB_NAMES)]
                    children.append(
                        {
                            "label": sub,
                            "name": sname,
                            "definition": f"Subtheme {sub} of theme {label}.",
                        }
                    )
                    self.codes.append({"label": sub, "parent": label, "codebook": key, "depth": 2})
                theme = {
                    "label": label,
                    "name": name,
                    "definition": f"Participants describe {name.lower()}.",
                    "include": "Code the span that says it, not the whole turn.",
                    "exclude": "General chat about the session.",
                }
                if children:
                    theme["children"] = children
                themes.append(theme)
            self.codebooks.append(
                {
                    "codebook": key,
                    "title": title,
                    "description": f"Generated codebook {key} (seed {self.seed}).",
                    "themes": themes,
                }
            )
        # popularity: Zipf over codes in a random order; superordinate themes that have
        # children are applied less often than their subthemes (coders use the leaves)
        has_children = {c["parent"] for c in self.codes if c["parent"]}
        weight = 1.0 / (rng.permutation(len(self.codes)) + 1.0)
        weight *= np.array([0.25 if c["label"] in has_children else 1.0 for c in self.codes])
        self.code_labels = np.array([c["label"] for c in self.codes], dtype=object)
        self.code_cdf = np.cumsum(weight) / weight.sum()

    def _build_plans(self) -> None:
        z = self.size
        rng = np.random.default_rng([self.seed, 3])
        plans: list[DocPlan] = []
        written_words = int(z.words * z.written_share)
        transcript_words = z.words - written_words
        # transcript lengths vary (a lively group talks more): lognormal around the mean
        lengths = rng.lognormal(0.0, 0.35, z.sessions)
        lengths = np.maximum(200, np.round(lengths / lengths.sum() * transcript_words))
        for i, s in enumerate(self.sessions):
            people = self.by_session[s]
            plans.append(
                DocPlan(
                    index=len(plans),
                    name=f"{s}_focus_group.txt",
                    kind="transcript",
                    file=f"transcripts/{s}_focus_group.txt",
                    session=s,
                    timepoint="initial",
                    speakers=[p["speaker_labels"] or p["id"] for p in people],
                    participants=[p["id"] for p in people],
                    words=int(lengths[i]),
                )
            )
        rows = max(1, z.written_docs // z.questions)
        # written responses: 60% of rows at the first timepoint, the rest at follow-up (by
        # participants who have one)
        n_initial = math.ceil(rows * 0.6)
        initial = self.participants[:n_initial]
        later = [p for p in self.participants if "follow-up" in p["timepoints"]]
        later = later[: rows - n_initial]
        cells = [
            (tp, p) for tp, group in (("initial", initial), ("follow-up", later)) for p in group
        ]
        wlen = rng.lognormal(0.0, 0.5, len(cells) * z.questions)
        wlen = np.maximum(5, np.round(wlen / wlen.sum() * written_words)).astype(int)
        k = 0
        for tp, p in cells:
            for q in range(z.questions):
                fname = WRITTEN_FILES[tp]
                qname = f"q{q + 1}"
                plans.append(
                    DocPlan(
                        index=len(plans),
                        name=f"{fname}#{p['id']}/{qname}",
                        kind="written",
                        file=fname,
                        session=None,
                        timepoint=tp,
                        speakers=[p["id"]],
                        participants=[p["id"]],
                        words=int(wlen[k]),
                        question=qname,
                    )
                )
                k += 1
        # the credibility-check sample: whole sessions, and the same share of written docs
        n_double_sessions = max(1, round(z.sessions * self.double_coded))
        double_sessions = set(rng.choice(z.sessions, n_double_sessions, replace=False).tolist())
        for d in plans:
            if d.kind == "transcript":
                d.double_coded = self.sessions.index(d.session) in double_sessions
            else:
                d.double_coded = bool(rng.random() < self.double_coded)
        # apportion coder A's codings by words (B adds about as many on the sample)
        words = np.array([d.words for d in plans], dtype=float)
        share_double = words[[d.double_coded for d in plans]].sum() / words.sum()
        n_a = round(
            z.codings / (1.0 + share_double * (1 - self.disagreement * (self.mix[2] - self.mix[3])))
        )
        counts = rng.multinomial(n_a, words / words.sum())
        for d, c in zip(plans, counts, strict=True):
            d.codings_a = int(c)
        self.plans = plans

    # ---- text ------------------------------------------------------------------------------

    def _vocab(self) -> tuple[_Tokens, np.ndarray]:
        if self._tokens is None:
            self._tokens = _Tokens(vocabulary(self.size.vocabulary, self.seed))
            self._cdf = zipf_cdf(self.size.vocabulary)
        assert self._cdf is not None
        return self._tokens, self._cdf

    def _sentences(self, rng: np.random.Generator, n_words: int) -> np.ndarray:
        """Sentence lengths (words) summing to about ``n_words`` (at least one sentence)."""
        lens = 2 + rng.poisson(12, n_words // 10 + 4)
        cut = int(np.searchsorted(np.cumsum(lens), n_words)) + 1
        return lens[: max(1, min(cut, len(lens)))]

    def document(self, plan: DocPlan, *, with_text: bool = True) -> GeneratedDocument:
        """Generate one document (and its codings) from its own random stream."""
        rng = np.random.default_rng([self.seed, 100, plan.index])
        tokens, cdf = self._vocab()
        sent_len = self._sentences(rng, plan.words)
        n_sent = len(sent_len)
        if plan.kind == "transcript":
            # turns: facilitator about one turn in four (one or two sentences, mostly
            # questions), participants' turns geometric with mean 3.5 sentences
            sizes, who = [], []
            total, prev = 0, -2
            n_people = len(plan.speakers)
            fac_p = rng.random(n_sent + 1)
            geo = rng.geometric(1 / 3.5, n_sent + 1)
            pick = rng.integers(0, max(1, n_people - 1), n_sent + 1)
            i = 0
            while total < n_sent:
                if (fac_p[i] < 0.25 and prev != -1) or n_people == 0:
                    w, size = -1, min(int(geo[i]), 2)
                else:
                    w = int(pick[i])
                    if prev >= 0 and w >= prev:  # never the same speaker twice in a row
                        w += 1
                    w = min(w, n_people - 1)
                    size = int(geo[i])
                size = min(size, n_sent - total)
                sizes.append(size)
                who.append(w)
                total += size
                prev = w
                i += 1
            turn_sents = np.array(sizes, dtype=np.int64)
            labels = ["Facilitator" if w < 0 else plan.speakers[w] for w in who]
            parts = [None if w < 0 else plan.participants[w] for w in who]
            header = (
                f"Session {plan.session} - focus group, condition "
                f"{self.session_condition[plan.session]}, {plan.timepoint}\n\n"
            )
        else:
            turn_sents = np.array([n_sent], dtype=np.int64)
            labels, parts, who, header = [plan.speakers[0]], [plan.participants[0]], [0], ""
        n_turns = len(turn_sents)
        # words and their forms
        n_words = int(sent_len.sum())
        word = np.searchsorted(cdf, rng.random(n_words), side="right")
        word = np.minimum(word, len(cdf) - 1)
        sent_first = np.concatenate([[0], np.cumsum(sent_len)[:-1]])
        sent_last = sent_first + sent_len - 1
        turn_of_sent = np.repeat(np.arange(n_turns), turn_sents)
        is_fac_sent = np.array([w < 0 for w in who], dtype=bool)[turn_of_sent]
        form = np.where(rng.random(n_words) < 0.06, 1, 0)
        end_form = np.where(rng.random(n_sent) < 0.85, 2, np.where(rng.random(n_sent) < 0.6, 3, 4))
        end_form = np.where(is_fac_sent & (rng.random(n_sent) < 0.7), 3, end_form)
        form[sent_last] = end_form
        cap = np.zeros(n_words, dtype=bool)
        cap[sent_first] = True
        tok = tokens.index(word, form, cap)
        lens = tokens.lengths[tok]
        # layout: header, then per turn "label: words\n\n" (written: the words only)
        turn_first_sent = np.concatenate([[0], np.cumsum(turn_sents)[:-1]])
        turn_word_a = sent_first[turn_first_sent]
        turn_word_b = np.append(turn_word_a[1:], n_words)
        csum = np.concatenate([[0], np.cumsum(lens + 1)])  # exclusive, one space after a word
        content_len = csum[turn_word_b] - csum[turn_word_a] - 1
        if plan.kind == "transcript":
            label_len = np.array([len(s) + 2 for s in labels], dtype=np.int64)
            sep = 2
        else:
            label_len = np.zeros(1, dtype=np.int64)
            sep = 0
        block = label_len + content_len + sep
        turn_start = len(header) + np.concatenate([[0], np.cumsum(block)[:-1]])
        turn_content = turn_start + label_len
        turn_end = turn_content + content_len
        word_turn = np.repeat(np.arange(n_turns), turn_word_b - turn_word_a)
        word_start = turn_content[word_turn] + (csum[:-1] - csum[turn_word_a][word_turn])
        sentence_start = word_start[sent_first]
        sentence_end = word_start[sent_last] + lens[sent_last]
        n_chars = int(turn_end[-1]) + (1 if plan.kind == "transcript" else 0)
        text = None
        if with_text:
            strings = tokens.strings[tok].tolist()
            pieces = [header]
            for t in range(n_turns):
                body = " ".join(strings[turn_word_a[t] : turn_word_b[t]])
                if plan.kind == "transcript":
                    pieces.append(f"{labels[t]}: {body}\n\n")
                else:
                    pieces.append(body)
            text = "".join(pieces)
            if plan.kind == "transcript":
                text = text[:-1]  # the file ends with one newline
        doc = GeneratedDocument(
            plan=plan,
            text=text,
            n_chars=n_chars,
            turn_start=turn_start,
            turn_content=turn_content,
            turn_end=turn_end,
            turn_speaker=labels,
            turn_participant=parts,
            sentence_start=sentence_start,
            sentence_end=sentence_end,
        )
        self._codings(rng, doc, turn_of_sent, is_fac_sent, turn_first_sent, turn_sents)
        return doc

    # ---- codings ---------------------------------------------------------------------------

    def _place(
        self, rng: np.random.Generator, n: int, candidates: np.ndarray, last_of_turn: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``n`` spans of 1-3 whole sentences inside participants' turns (sentence indices)."""
        s0 = candidates[rng.integers(0, len(candidates), n)]
        length = rng.choice(3, n, p=[0.5, 0.3, 0.2])
        s1 = np.minimum(s0 + length, last_of_turn[s0])
        return s0, s1

    def _pick_codes(self, rng: np.random.Generator, n: int) -> np.ndarray:
        k = np.searchsorted(self.code_cdf, rng.random(n), side="right")
        return np.minimum(k, len(self.code_cdf) - 1)

    def _codings(
        self, rng, doc: GeneratedDocument, turn_of_sent, is_fac_sent, turn_first_sent, turn_sents
    ) -> None:
        plan = doc.plan
        candidates = np.flatnonzero(~is_fac_sent)
        if plan.codings_a == 0 or len(candidates) == 0:
            return
        last_of_turn = (turn_first_sent + turn_sents - 1)[turn_of_sent]
        first_of_turn = turn_first_sent[turn_of_sent]
        n = plan.codings_a
        s0, s1 = self._place(rng, n, candidates, last_of_turn)
        code = self._pick_codes(rng, n)
        # one coder does not give the same span the same code twice
        _, keep = np.unique(np.stack([s0, s1, code]), axis=1, return_index=True)
        keep.sort()
        s0, s1, code = s0[keep], s1[keep], code[keep]
        sa, ea = doc.sentence_start[s0], doc.sentence_end[s1]
        starts, ends, codes, coders = [sa], [ea], [code], [np.zeros(len(sa), np.int8)]
        if plan.double_coded:
            m = len(s0)
            kind = np.where(
                rng.random(m) < self.disagreement, rng.choice(4, m, p=list(self.mix)), -1
            )
            b0, b1, bcode = s0.copy(), s1.copy(), code.copy()
            # shifted in extent: move the start and/or end by one sentence inside the turn
            shift = kind == 0
            d0 = rng.integers(-1, 2, m)
            d1 = rng.integers(-1, 2, m)
            d1 = np.where((d0 == 0) & (d1 == 0), 1, d1)
            # (still overlapping A's span: B marked the same passage, wider or narrower)
            b0 = np.where(shift, np.clip(b0 + d0, first_of_turn[s0], s1), b0)
            b1 = np.where(shift, np.clip(b1 + d1, np.maximum(b0, s0), last_of_turn[s0]), b1)
            bs = doc.sentence_start[b0]
            be = doc.sentence_end[b1]
            same = shift & (bs == sa) & (be == ea)  # a one-sentence turn: cut the end short
            be = np.where(same, sa + np.maximum(1, (ea - sa) * 3 // 5), be)
            # swapped code: any other code
            swap = kind == 1
            other = (code + 1 + rng.integers(0, len(self.code_cdf) - 1, m)) % len(self.code_cdf)
            bcode = np.where(swap, other, bcode)
            keep_b = kind != 2  # dropped
            add = int(np.count_nonzero(kind == 3))
            a0, a1 = self._place(rng, add, candidates, last_of_turn)
            acode = self._pick_codes(rng, add)
            bs = np.concatenate([bs[keep_b], doc.sentence_start[a0]])
            be = np.concatenate([be[keep_b], doc.sentence_end[a1]])
            bc = np.concatenate([bcode[keep_b], acode])
            _, keep = np.unique(np.stack([bs, be, bc]), axis=1, return_index=True)
            keep.sort()
            starts.append(bs[keep])
            ends.append(be[keep])
            codes.append(bc[keep])
            coders.append(np.ones(len(keep), np.int8))
        start, end = np.concatenate(starts), np.concatenate(ends)
        code_idx, coder_idx = np.concatenate(codes), np.concatenate(coders)
        order = np.lexsort((code_idx, end, start, coder_idx))  # by coder, then position
        doc.coding_start, doc.coding_end = start[order], end[order]
        doc.coding_code = self.code_labels[code_idx[order]].tolist()
        doc.coding_coder = [CODERS[c] for c in coder_idx[order]]
        doc.coding_quote = rng.random(len(doc.coding_start)) < self.quote_rate

    # ---- outputs ---------------------------------------------------------------------------

    def documents(self, *, with_text: bool = True) -> Iterator[GeneratedDocument]:
        """Every document in plan order: transcripts, then written responses."""
        for plan in self.plans:
            yield self.document(plan, with_text=with_text)

    def frames(self) -> dict:
        """``documents``, ``turns``, ``codings``, ``participants`` as pandas DataFrames.

        Document ids are plan indices; ``codings`` has the columns ``core.agreement_units``
        expects (``document, start, end, code, coder``) plus ``quote``; ``turns`` has
        ``document, start, content_start, end, speaker, participant`` (None for the
        facilitator). No text is built, so this is fast even for the archive.
        """
        import pandas as pd

        docs, turns, codings = [], [], []
        for d in self.documents(with_text=False):
            p = d.plan
            docs.append(
                (
                    p.index,
                    p.name,
                    p.kind,
                    p.session,
                    p.timepoint,
                    d.n_chars,
                    p.words,
                    p.double_coded,
                )
            )
            n = len(d.turn_start)
            turns.append(
                pd.DataFrame(
                    {
                        "document": np.full(n, p.index),
                        "start": d.turn_start,
                        "content_start": d.turn_content,
                        "end": d.turn_end,
                        "speaker": d.turn_speaker,
                        "participant": d.turn_participant,
                    }
                )
            )
            if len(d.coding_start):
                codings.append(
                    pd.DataFrame(
                        {
                            "document": np.full(len(d.coding_start), p.index),
                            "start": d.coding_start,
                            "end": d.coding_end,
                            "code": d.coding_code,
                            "coder": d.coding_coder,
                            "quote": d.coding_quote,
                        }
                    )
                )
        documents = pd.DataFrame(
            docs,
            columns=[
                "document",
                "name",
                "kind",
                "session",
                "timepoint",
                "n_chars",
                "words",
                "double_coded",
            ],
        )
        return {
            "documents": documents,
            "turns": pd.concat(turns, ignore_index=True),
            "codings": pd.concat(codings, ignore_index=True)
            if codings
            else pd.DataFrame(columns=["document", "start", "end", "code", "coder", "quote"]),
            "participants": pd.DataFrame(self.participants),
            "codes": pd.DataFrame(self.codes),
        }


# --------------------------------------------------------------------------------------------
# files


def _write_yaml(path: Path, data: dict) -> None:
    import yaml

    path.write_text(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
    )


def write_project(corpus: Corpus, out: Path | str) -> dict:
    """Write the project's files into ``out`` (created); return a summary (also in
    ``generator.json``). Streams documents: only written responses are held until their
    table is written."""
    out = Path(out)
    (out / "transcripts").mkdir(parents=True, exist_ok=True)
    (out / "codebooks").mkdir(exist_ok=True)
    t0 = time.perf_counter()
    with (out / "participants.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(corpus.participants[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(corpus.participants)
    for book in corpus.codebooks:
        _write_yaml(out / "codebooks" / f"{book['codebook']}.yaml", book)
    written: dict[str, dict[str, dict[str, str]]] = {}
    n_docs = n_words = n_codings = n_turns = 0
    with (out / "codings.csv").open("w", encoding="utf-8", newline="") as cf:
        cw = csv.writer(cf, lineterminator="\n")
        cw.writerow(["document", "start", "end", "code", "coder", "layer", "quote"])
        for doc in corpus.documents(with_text=True):
            p = doc.plan
            assert doc.text is not None
            if p.kind == "transcript":
                (out / p.file).write_text(doc.text, encoding="utf-8", newline="\n")
            else:
                written.setdefault(p.file, {}).setdefault(p.participants[0], {})[
                    p.question or "q1"
                ] = doc.text
            n_docs += 1
            n_words += p.words
            n_turns += len(doc.turn_start)
            n_codings += len(doc.coding_start)
            cw.writerows(
                zip(
                    [p.name] * len(doc.coding_start),
                    doc.coding_start.tolist(),
                    doc.coding_end.tolist(),
                    doc.coding_code,
                    doc.coding_coder,
                    ["coder"] * len(doc.coding_start),
                    doc.coding_quote.astype(int).tolist(),
                    strict=True,
                )
            )
    questions = [f"q{q + 1}" for q in range(corpus.size.questions)]
    for fname, rows in written.items():
        with (out / fname).open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["participant", *questions])
            for pid, answers in rows.items():
                w.writerow([pid, *(answers.get(q, "") for q in questions)])
    manifest = {
        "participants": "participants.csv",
        "codebooks": [f"codebooks/{b['codebook']}.yaml" for b in corpus.codebooks],
        "documents": [
            {"file": p.file, "session": p.session, "timepoint": p.timepoint, "kind": p.kind}
            for p in corpus.plans
            if p.kind == "transcript"
        ]
        + [
            {"file": fname, "timepoint": tp, "kind": "written"}
            for tp, fname in WRITTEN_FILES.items()
            if fname in written
        ],
        "codings": ["codings.csv"],
    }
    _write_yaml(out / "manifest.yaml", manifest)
    summary = {
        "params": corpus.params(),
        "documents": n_docs,
        "words": n_words,
        "turns": n_turns,
        "codings": n_codings,
        "participants": len(corpus.participants),
        "codes": len(corpus.codes),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    (out / "generator.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def load_project(
    data: Path | str, project_dir: Path | str, *, codings: bool = True, documents: bool = True
):
    """Import generated files into a new project with the ordinary services, in manifest
    order (participants, codebooks, documents, codings), as ``themeqa demo`` does."""
    import yaml

    from themeqa.services.codebooks import import_codebook
    from themeqa.services.codings import import_codings
    from themeqa.services.participants import import_participants
    from themeqa.services.project import open_project

    data = Path(data)
    manifest = yaml.safe_load((data / "manifest.yaml").read_text(encoding="utf-8"))
    project = open_project(project_dir, create=True, name="generated", actor="bench")
    try:
        import_participants(project, data / manifest["participants"])
        for cb in manifest["codebooks"]:
            import_codebook(project, data / cb)
        if documents:
            import_documents(project, data, manifest)
            if codings:
                for c in manifest["codings"]:
                    import_codings(project, data / c)
    except Exception:
        project.close()
        raise
    return project


def import_documents(project, data: Path | str, manifest: dict | None = None) -> int:
    """Import every document of the manifest with ``services.importing.import_files`` (one
    call per file, with its session and timepoint); returns the number of documents."""
    from themeqa.services.importing import import_files

    data = Path(data)
    if manifest is None:
        import yaml

        manifest = yaml.safe_load((data / "manifest.yaml").read_text(encoding="utf-8"))
    n = 0
    for entry in manifest["documents"]:
        report = import_files(
            project,
            [data / entry["file"]],
            session=entry.get("session"),
            timepoint=entry.get("timepoint"),
            kind=entry.get("kind"),
        )
        n += len(report.documents)
    return n


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=list(SIZES))
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--disagreement", type=float, default=0.2)
    parser.add_argument("--double-coded", type=float, default=1 / 3)
    args = parser.parse_args(argv)
    corpus = Corpus(
        args.size, args.seed, disagreement=args.disagreement, double_coded=args.double_coded
    )
    print(json.dumps(write_project(corpus, args.out), indent=1))


if __name__ == "__main__":
    main()
