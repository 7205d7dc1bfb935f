"""A document's tokens as parallel numpy arrays: the unit of search, word counts and hints.

Why arrays of vocabulary ids and not spaCy ``Doc`` objects or string arrays: a project-wide
search compares one lemma against every token of every document; with int32 ids into a
shared ``Vocabulary`` that is one vectorised comparison (milliseconds for a million words)
at 4 bytes a token, where fixed-width string arrays would cost ~80 bytes a token and Doc
objects far more. Producing the tables needs spaCy (``themeqa.ingest.lexicon``); everything
that reads them is pure and lives here, in ``core.textsearch`` and in ``core.wordfreq``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["TokenTable", "Vocabulary"]


@dataclass
class Vocabulary:
    """Strings ↔ int ids, shared by all tables of a process (append-only)."""

    words: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    _array: np.ndarray | None = None

    def ids(self, strings: Iterable[str]) -> np.ndarray:
        strings = list(strings)
        get = self.index.get
        out = [get(s) for s in strings]
        if None in out:  # new words: append them (rare once a project's words are known)
            for k, s in enumerate(strings):
                if out[k] is None:
                    i = get(s)
                    if i is None:
                        i = self.index[s] = len(self.words)
                        self.words.append(s)
                        self._array = None
                    out[k] = i
        return np.fromiter(out, dtype=np.int32, count=len(out))

    def get(self, s: str) -> int | None:
        return self.index.get(s)

    def array(self) -> np.ndarray:
        """All words as a numpy string array (for vectorised prefix tests), cached."""
        if self._array is None or len(self._array) != len(self.words):
            self._array = np.array(self.words, dtype=str) if self.words else np.array([], "<U1")
        return self._array

    def __len__(self) -> int:
        return len(self.words)


@dataclass(frozen=True)
class TokenTable:
    """Tokens of one text: offsets (code points, end-exclusive), form and lemma ids, flags.

    ``norm`` holds ids of the lower-cased surface forms, ``lemma`` ids of the lower-cased
    lemmas (the surface form when no lemmatiser is available), both in ``vocab``.
    ``is_stop`` is spaCy's stop-word flag for the language; ``is_word`` is true for tokens
    holding at least one letter or digit (not punctuation).
    """

    start: np.ndarray  # int64
    end: np.ndarray  # int64
    norm: np.ndarray  # int32 ids
    lemma: np.ndarray  # int32 ids
    is_stop: np.ndarray  # bool
    is_word: np.ndarray  # bool
    vocab: Vocabulary

    def __len__(self) -> int:
        return int(self.start.shape[0])

    def to_arrays(self) -> dict[str, np.ndarray]:
        """A self-contained form for storage: local vocabulary plus local ids."""
        used = np.union1d(self.norm, self.lemma).astype(np.int32)
        local = {int(g): k for k, g in enumerate(used.tolist())}
        remap = np.vectorize(local.__getitem__, otypes=[np.int32])
        words = [self.vocab.words[g] for g in used.tolist()]
        return {
            "start": self.start, "end": self.end,
            "norm": remap(self.norm) if len(self) else self.norm,
            "lemma": remap(self.lemma) if len(self) else self.lemma,
            "is_stop": self.is_stop, "is_word": self.is_word,
            "words": np.array(words, dtype=str) if words else np.array([], "<U1"),
        }

    @classmethod
    def from_arrays(cls, arrays, vocab: Vocabulary) -> TokenTable:
        words = arrays["words"]
        ids = vocab.ids(words.tolist() if isinstance(words, np.ndarray) else words)
        norm = np.asarray(arrays["norm"], dtype=np.int32)
        lemma = np.asarray(arrays["lemma"], dtype=np.int32)
        return cls(
            np.asarray(arrays["start"], dtype=np.int64),
            np.asarray(arrays["end"], dtype=np.int64),
            ids[norm] if norm.size else norm,
            ids[lemma] if lemma.size else lemma,
            np.asarray(arrays["is_stop"], dtype=bool),
            np.asarray(arrays["is_word"], dtype=bool),
            vocab,
        )

    @classmethod
    def from_tokens(
        cls, tokens: list[tuple[int, int, str, str, bool, bool]], vocab: Vocabulary
    ) -> TokenTable:
        """Build from ``(start, end, norm, lemma, is_stop, is_word)`` tuples."""
        if not tokens:
            return cls.empty(vocab)
        start, end, norm, lemma, stop, word = zip(*tokens, strict=True)
        return cls(
            np.array(start, dtype=np.int64),
            np.array(end, dtype=np.int64),
            vocab.ids(norm),
            vocab.ids(lemma),
            np.array(stop, dtype=bool),
            np.array(word, dtype=bool),
            vocab,
        )

    @classmethod
    def empty(cls, vocab: Vocabulary) -> TokenTable:
        z = np.zeros(0, np.int64)
        i = np.zeros(0, np.int32)
        return cls(z, z, i, i, np.zeros(0, bool), np.zeros(0, bool), vocab)
