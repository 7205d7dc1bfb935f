"""Build ``transcripts/codings_demo.csv`` from the human-readable coding anchors.

The demo study's codings are written by hand as text anchors in
``transcripts/codings/anchors_*.yaml``, a YAML list of::

    - {document: S1_focus_group.txt, coder: amira, code: 2a,
       text: "exact substring of the document", quote: true, occurrence: 1}

``quote`` (default false) and ``occurrence`` (1-based, needed only when ``text`` occurs more
than once) are optional. This script finds every anchor in its document's stored text and
writes the offsets (code points, end-exclusive) to ``codings_demo.csv`` with the columns
``document,start,end,code,coder,layer,quote`` described in ``docs/CONVENTIONS.md``.

Document text is what themeqa stores: the file decoded as UTF-8, one leading BOM dropped,
CRLF/CR turned into LF and NFC applied. A document named ``<file>#<participant>/<question>``
is one cell of a written-responses CSV: the row whose id column (``id``, ``participant_id``
or ``participant``) is ``<participant>``, the column ``<question>``, stripped.

Usage::

    python transcripts/build_codings.py          # (re)write codings_demo.csv
    python transcripts/build_codings.py --check  # exit 1 if codings_demo.csv is out of date

Any anchor that cannot be placed (missing document, text not found, text not unique without
``occurrence``) stops the build with exit status 1 and names the anchor.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import unicodedata
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ANCHOR_DIR = HERE / "codings"
OUTPUT = HERE / "codings_demo.csv"
COLUMNS = ["document", "start", "end", "code", "coder", "layer", "quote"]
ID_COLUMNS = ("id", "participant_id", "participant")
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class AnchorError(Exception):
    """An anchor that cannot be turned into a coding."""


def normalize_text(text: str) -> str:
    """Same rule as ``themeqa.core.text.normalize_text`` (kept here so the script is standalone)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


class DocumentTexts:
    """Loads and caches document texts by document name."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._cache: dict[str, str] = {}
        self._tables: dict[str, tuple[list[str], list[list[str]]]] = {}

    def get(self, name: str) -> str:
        if name not in self._cache:
            self._cache[name] = self._load(name)
        return self._cache[name]

    def _load(self, name: str) -> str:
        if "#" in name:
            return self._cell(name)
        path = self.base / name
        if not path.is_file():
            raise AnchorError(f"document file {name!r} not found in {self.base}")
        return normalize_text(path.read_bytes().decode("utf-8"))

    def _table(self, file: str) -> tuple[list[str], list[list[str]]]:
        if file not in self._tables:
            path = self.base / file
            if not path.is_file():
                raise AnchorError(f"written-responses file {file!r} not found in {self.base}")
            text = normalize_text(path.read_bytes().decode("utf-8"))
            rows = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
            if not rows:
                raise AnchorError(f"{file}: empty table")
            self._tables[file] = ([c.strip() for c in rows[0]], rows[1:])
        return self._tables[file]

    def _cell(self, name: str) -> str:
        file, _, rest = name.partition("#")
        participant, sep, question = rest.partition("/")
        if not sep or not participant or not question:
            raise AnchorError(f"document {name!r}: expected <file>#<participant>/<question>")
        header, rows = self._table(file)
        lowered = [h.lower() for h in header]
        id_index = next((lowered.index(c) for c in ID_COLUMNS if c in lowered), None)
        if id_index is None:
            raise AnchorError(f"{file}: no id column (one of {', '.join(ID_COLUMNS)})")
        if question not in header:
            raise AnchorError(f"{file}: no column {question!r}")
        q_index = header.index(question)
        matches = [r for r in rows if len(r) > id_index and r[id_index].strip() == participant]
        if len(matches) != 1:
            raise AnchorError(f"{file}: {len(matches)} rows for participant {participant!r}")
        row = matches[0]
        cell = row[q_index].strip() if len(row) > q_index else ""
        if not cell:
            raise AnchorError(f"{name}: the cell is empty")
        return cell


def describe(source: Path, index: int, anchor: object) -> str:
    if isinstance(anchor, dict):
        text = str(anchor.get("text", ""))
        short = text if len(text) <= 60 else text[:57] + "..."
        return (
            f"{source.name} item {index} ({anchor.get('document')}, {anchor.get('coder')}, "
            f"{anchor.get('code')}, {short!r})"
        )
    return f"{source.name} item {index}"


def place(anchor: dict, docs: DocumentTexts) -> dict[str, str]:
    for key in ("document", "coder", "code", "text"):
        if not str(anchor.get(key, "")).strip():
            raise AnchorError(f"missing {key!r}")
    document = str(anchor["document"])
    needle = normalize_text(str(anchor["text"]))
    haystack = docs.get(document)
    positions = []
    start = haystack.find(needle)
    while start != -1:
        positions.append(start)
        start = haystack.find(needle, start + 1)
    if not positions:
        raise AnchorError("text not found in the document")
    occurrence = anchor.get("occurrence")
    if occurrence is None:
        if len(positions) > 1:
            raise AnchorError(f"text occurs {len(positions)} times; give 'occurrence'")
        begin = positions[0]
    else:
        if not isinstance(occurrence, int) or not 1 <= occurrence <= len(positions):
            raise AnchorError(
                f"occurrence {occurrence!r} but the text occurs {len(positions)} times"
            )
        begin = positions[occurrence - 1]
    quote = anchor.get("quote", False)
    if not isinstance(quote, bool):
        raise AnchorError(f"quote must be true or false, not {quote!r}")
    return {
        "document": document,
        "start": str(begin),
        "end": str(begin + len(needle)),
        "code": str(anchor["code"]),
        "coder": str(anchor["coder"]),
        "layer": "coder",
        "quote": "1" if quote else "0",
    }


def build(anchor_dir: Path = ANCHOR_DIR, base: Path = HERE) -> str:
    """Return the CSV text for every anchor file; raise AnchorError naming a bad anchor."""
    docs = DocumentTexts(base)
    rows: list[dict[str, str]] = []
    seen: set[tuple[str, ...]] = set()
    files = sorted(anchor_dir.glob("anchors_*.yaml"))
    if not files:
        raise AnchorError(f"no anchors_*.yaml files in {anchor_dir}")
    for source in files:
        data = yaml.load(source.read_text(encoding="utf-8"), Loader=YAML_LOADER) or []
        if not isinstance(data, list):
            raise AnchorError(f"{source.name}: expected a YAML list of codings")
        for index, anchor in enumerate(data, start=1):
            try:
                if not isinstance(anchor, dict):
                    raise AnchorError("not a mapping")
                row = place(anchor, docs)
            except AnchorError as exc:
                raise AnchorError(f"{describe(source, index, anchor)}: {exc}") from None
            key = tuple(row[c] for c in COLUMNS[:6])
            if key in seen:
                raise AnchorError(f"{describe(source, index, anchor)}: duplicate coding")
            seen.add(key)
            rows.append(row)
    rows.sort(key=lambda r: (r["document"], r["coder"], int(r["start"]), int(r["end"]), r["code"]))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if codings_demo.csv is not up to date"
    )
    args = parser.parse_args(argv)
    try:
        text = build()
    except AnchorError as exc:
        print(f"build_codings: {exc}", file=sys.stderr)
        return 1
    count = text.count("\n") - 1
    if args.check:
        current = OUTPUT.read_bytes().decode("utf-8") if OUTPUT.is_file() else None
        if current != text:
            print(
                f"build_codings: {OUTPUT.name} is out of date; run python "
                "transcripts/build_codings.py",
                file=sys.stderr,
            )
            return 1
        print(f"{OUTPUT.name} is up to date ({count} codings)")
        return 0
    OUTPUT.write_bytes(text.encode("utf-8"))
    print(f"wrote {OUTPUT.name} ({count} codings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
