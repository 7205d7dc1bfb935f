"""Tokens and lemmas of documents with spaCy, cached per document text.

Which pipeline (the first that works):
1. the trained pipeline named by ``THEMEQA_SPACY_MODEL`` (any language), or for English
   ``en_core_web_sm`` when it is installed — its rule lemmatiser uses part-of-speech tags;
2. ``spacy.blank(language)`` with the lookup lemmatiser, whose tables come from the
   ``spacy-lookups-data`` package (English, French, German, Dutch and many more);
3. ``spacy.blank(language)`` alone: lemma = lower-cased form (search still works, without
   word-form matching).

Why a cache keyed by the text's sha256 and the pipeline: documents never change after import
(a corrected transcript is a new document with a new hash), so a table computed once is valid
for ever, and a new document version or a different pipeline simply misses the cache.
The cache lives in ``<project>/.themeqa-cache/tokens/`` when the project has a folder, and in
memory for the process otherwise (a PostgreSQL project).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from themeqa.core.tokens import TokenTable, Vocabulary
from themeqa.ingest.sentences import MODEL_ENV_VAR, content_lines

__all__ = ["TokenCache", "lemmatize_words", "pipeline_id", "tokenize"]

_CACHE_VERSION = "3"

#: Forms the context-free lookup tables get wrong in everyday speech ("a bit" is not "bite",
#: "better" is not "well"); kept as they are. Only used without a trained pipeline.
_KEEP_AS_IS = {
    "en": frozenset({
        "bit", "bits", "ground", "data", "media", "better", "worse", "best", "worst", "lot",
        "lots", "kind", "kinds", "sort", "sorts",
    }),
}


def _trained_name(language: str) -> str | None:
    name = os.environ.get(MODEL_ENV_VAR)
    if name:
        return name
    if language == "en":
        import importlib.util

        if importlib.util.find_spec("en_core_web_sm") is not None:
            return "en_core_web_sm"
    return None


@functools.lru_cache(maxsize=8)
def _pipeline(language: str):
    """(nlp, description) for ``language``; see the module docstring for the order."""
    import spacy

    name = _trained_name(language)
    if name:
        try:
            nlp = spacy.load(name, exclude=["parser", "ner", "textcat", "senter"])
            return nlp, f"{name}-{nlp.meta.get('version', '')}"
        except Exception:  # not installed or incompatible: fall back
            pass
    try:
        nlp = spacy.blank(language)
    except Exception:
        nlp, language = spacy.blank("xx"), "xx"
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        kind = "lookup"
    except Exception:  # no tables for this language
        if "lemmatizer" in nlp.pipe_names:
            nlp.remove_pipe("lemmatizer")
        kind = "nolemma"
    return nlp, f"blank-{language}-{kind}-{spacy.__version__}"


def pipeline_id(language: str) -> str:
    """A short id of the pipeline used for ``language`` (part of the cache key)."""
    return _pipeline(language or "en")[1]


def _lookup(language: str):
    """``(text, lower) -> lemma`` for a blank pipeline with lookup tables, else None.

    Why not the lemmatiser component: it looks a token up as written, so a sentence-initial
    "Relaxed" misses the table. Trying the form as written first (German nouns are
    capitalised in the tables) and then lower-cased finds both.
    """
    nlp, pid = _pipeline(language)
    if not pid.startswith("blank-") or "lemmatizer" not in nlp.pipe_names:
        return None
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    keep = _KEEP_AS_IS.get(language, frozenset())

    def lemma(text: str, lower: str) -> str:
        if lower in keep:
            return lower
        found = table.get(text) or table.get(lower)
        if isinstance(found, list):  # the French tables list the lemmas of a form
            found = found[0] if found else None
        return found.lower() if found else lower

    return lemma


def tokenize(
    texts: Sequence[str], language: str = "en", vocab: Vocabulary | None = None
) -> list[TokenTable]:
    """Token tables for ``texts``, line by line (no token crosses a line break)."""
    language = language or "en"
    vocab = vocab if vocab is not None else Vocabulary()
    nlp, _pid = _pipeline(language)
    lookup = _lookup(language)
    has_lemmas = "lemmatizer" in nlp.pipe_names
    jobs = list(content_lines(texts))
    rows: list[list[tuple]] = [[] for _ in texts]
    lines = (line for _, _, line in jobs)
    # with lookup tables only the tokenizer runs; a trained pipeline tags and lemmatises
    docs = nlp.tokenizer.pipe(lines, batch_size=256) if lookup else nlp.pipe(lines, batch_size=256)
    # with lookup tables a form always gets the same lemma and flags: compute them once
    known: dict[str, tuple[str, str, bool, bool]] = {}
    for (i, off, _), doc in zip(jobs, docs, strict=True):
        out = rows[i]
        for tok in doc:
            text = tok.text
            info = known.get(text) if lookup is not None else None
            if info is None:
                if tok.is_space:
                    continue
                lower = tok.lower_
                if lookup is not None:
                    lemma = lookup(text, lower)
                else:
                    lemma = tok.lemma_.lower() if has_lemmas and tok.lemma_ else lower
                info = (lower, lemma, tok.is_stop, any(ch.isalnum() for ch in text))
                if lookup is not None:
                    known[text] = info
            start = off + tok.idx
            out.append((start, start + len(text), *info))
    return [TokenTable.from_tokens(r, vocab) for r in rows]


def lemmatize_words(words: Sequence[str], language: str = "en") -> list[str]:
    """The lemma of each query word, the way ``tokenize`` lemmatises (``*`` kept as typed)."""
    language = language or "en"
    out = []
    for w in words:
        if "*" in w:
            out.append(w.lower())
            continue
        [table] = tokenize([w], language)
        lemmas = [table.vocab.words[i] for i in table.lemma]
        out.append(lemmas[0] if len(lemmas) == 1 else w.lower())
    return out


class TokenCache:
    """Token tables by (text sha256, language): on disk under ``directory``, and in memory."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.vocab = Vocabulary()
        self._memory: dict[tuple[str, str], TokenTable] = {}

    def _path(self, sha256: str, language: str) -> Path | None:
        if self.directory is None:
            return None
        pid = pipeline_id(language).replace("/", "_")
        return self.directory / f"v{_CACHE_VERSION}-{pid}" / f"{sha256}.tok"

    def get_many(
        self, items: Sequence[tuple[str, str, str]]
    ) -> list[TokenTable]:
        """Tables for ``(sha256, language, text)`` items, computing (and storing) misses."""
        out: list[TokenTable | None] = []
        missing: dict[str, list[int]] = {}
        for k, (sha, lang, _text) in enumerate(items):
            table = self._memory.get((sha, lang))
            if table is None:
                path = self._path(sha, lang)
                if path is not None and path.exists():
                    try:
                        table = TokenTable.from_arrays(_read_packed(path), self.vocab)
                    except Exception:  # a damaged cache file is recomputed
                        table = None
                if table is not None:
                    self._memory[(sha, lang)] = table
            out.append(table)
            if table is None:
                missing.setdefault(lang, []).append(k)
        for lang, ks in missing.items():
            tables = tokenize([items[k][2] for k in ks], lang, self.vocab)
            for k, table in zip(ks, tables, strict=True):
                sha = items[k][0]
                self._memory[(sha, lang)] = table
                out[k] = table
                self._store(sha, lang, table)
        return [t for t in out if t is not None]

    def _store(self, sha256: str, language: str, table: TokenTable) -> None:
        path = self._path(sha256, language)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(_pack(table.to_arrays()))
            os.replace(tmp, path)
        except OSError:  # a read-only project folder: keep the memory cache only
            pass


_MAGIC = b"TQTOK1\n"


def _pack(arrays: dict) -> bytes:
    """One file per table: magic, a length line, an int32 block (start, end, norm, lemma,
    flags) and the local vocabulary as UTF-8 lines. Why not ``.npz``: reading seven zip
    members per document made loading a 1M-word project from the cache take seconds."""
    n = len(arrays["start"])
    flags = arrays["is_stop"].astype(np.int32) | (arrays["is_word"].astype(np.int32) << 1)
    block = np.stack([
        arrays["start"].astype(np.int32), arrays["end"].astype(np.int32),
        arrays["norm"].astype(np.int32), arrays["lemma"].astype(np.int32), flags,
    ]) if n else np.zeros((5, 0), np.int32)
    words = "\n".join(arrays["words"].tolist()).encode("utf-8")
    return _MAGIC + f"{n} {len(arrays['words'])}\n".encode() + block.tobytes() + words


def _read_packed(path: Path) -> dict:
    data = path.read_bytes()
    if not data.startswith(_MAGIC):
        raise ValueError("not a token cache file")
    head_end = data.index(b"\n", len(_MAGIC))
    n, n_words = (int(x) for x in data[len(_MAGIC):head_end].split())
    body = head_end + 1
    block = np.frombuffer(data, dtype=np.int32, count=5 * n, offset=body).reshape(5, n)
    words = data[body + block.nbytes:].decode("utf-8").split("\n") if n_words else []
    if len(words) != n_words:
        raise ValueError("damaged token cache file")
    return {
        "start": block[0], "end": block[1], "norm": block[2], "lemma": block[3],
        "is_stop": (block[4] & 1).astype(bool), "is_word": (block[4] & 2).astype(bool),
        "words": words,
    }
