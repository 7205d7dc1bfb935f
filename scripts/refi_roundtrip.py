"""Measure what a REFI-QDA round trip changes, file by file (issue 23).

For each .qdpx / .qdc in a folder (default ``../shared/conformance/refi/samples``):

1. import it into a fresh project and compare every code's name and place in the tree with
   the file's (codes renamed on import; the file's codings that sit on a renamed code);
2. export the project again and compare the exported codes' names with the file's (codes
   renamed on export);
3. (``.qdpx``) import the export again and compare names, hierarchy, each coding's
   (document, text, code path, user) and the users with the first import.

A file imports *exactly* when step 1 renames nothing and nothing is refused. Only the public
services are used, so the same script measures any revision
(``PYTHONPATH=/path/to/checkout python scripts/refi_roundtrip.py``).

    python scripts/refi_roundtrip.py [FOLDER] [--json]
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "conformance" / "refi" / "samples"


DESCRIPTIONS: dict[str, str] = {}


def file_tree(codes) -> list[tuple[str, tuple[str, ...]]]:
    """(guid, path of names) of every code in tree order (descriptions into DESCRIPTIONS)."""
    out = []

    def walk(c, path):
        here = (*path, c.name)
        out.append((c.guid, here))
        DESCRIPTIONS[c.guid] = c.description
        for k in c.children:
            walk(k, here)

    for c in codes:
        walk(c, ())
    return out


def db_tree(project) -> list[tuple[int, tuple[str, ...]]]:
    """(code id, path of names) of every code of every codebook, in tree order."""
    from sqlmodel import select

    from themeqa.store.models import Code, Codebook

    with project.reading() as s:
        books = s.exec(select(Codebook).order_by(Codebook.position, Codebook.id)).all()
        codes = s.exec(select(Code).order_by(Code.position, Code.id)).all()
    kids = defaultdict(list)
    for c in codes:
        kids[(c.codebook_id, c.parent_id)].append(c)
    out = []

    def walk(c, path):
        here = (*path, c.name)
        out.append((c.id, here))
        for k in kids[(c.codebook_id, c.id)]:
            walk(k, here)

    for b in books:
        for c in kids[(b.id, None)]:
            walk(c, ())
    return out


def codings_of(project) -> Counter:
    """Multiset of (document, coded text, code path, coder, layer)."""
    from sqlmodel import select

    from themeqa.store.models import Coder, Coding, Document

    paths = dict(db_tree(project))
    with project.reading() as s:
        docs = {d.id: d for d in s.exec(select(Document)).all()}
        coders = {c.id: c.name for c in s.exec(select(Coder)).all()}
        rows = s.exec(select(Coding)).all()
        return Counter((docs[c.document_id].name, docs[c.document_id].text[c.start:c.end],
                        paths[c.code_id], coders[c.coder_id], c.layer) for c in rows)


def users_of(project) -> list[str]:
    from sqlmodel import select

    from themeqa.store.models import Coder

    with project.reading() as s:
        return sorted(c.name for c in s.exec(select(Coder)).all())


def file_codings(p) -> dict[str, int]:
    n: dict[str, int] = defaultdict(int)
    for src in p.sources:
        for sel in src.selections:
            for c in sel.codings:
                n[c.code_guid] += 1
        for c in src.codings:
            n[c.code_guid] += 1
    return n


def compare(original, imported) -> tuple[set[int], bool]:
    """Indexes (tree order) whose name differs, and whether the shapes (depths) agree."""
    renamed = {i for i, ((_, a), (_, b)) in enumerate(zip(original, imported, strict=False))
               if a[-1] != b[-1]}
    shape = [len(x[1]) for x in original] == [len(x[1]) for x in imported]
    return renamed, shape


def exported_names(path: Path, *, qdc: bool) -> list[tuple[str, tuple[str, ...]]]:
    from themeqa.interop import refi

    if qdc:
        return file_tree(refi.read_qdc(path).codes)
    p = refi.read_qdpx(path)
    books = (p.extras or {}).get("codebooks") or {}
    if not books:  # one codebook (or a version before issue 23: see below)
        if all(not c.codable for c in p.codes) and "codebook" not in (p.extras or {}):
            # themeqa before issue 23 wrote every codebook as a non-codable root
            return [(g, path[1:]) for g, path in file_tree(p.codes) if len(path) > 1]
        return file_tree(p.codes)
    return [(g, path[1:]) for g, path in file_tree(p.codes) if len(path) > 1]


def _descriptions_changed(original, out) -> int:
    """Codes whose description differs (white space at the ends and CRLF aside)."""
    def norm(g):
        return (DESCRIPTIONS.get(g) or "").replace("\r\n", "\n").strip()

    return sum(1 for (g, _), (h, _) in zip(original, out, strict=False) if norm(g) != norm(h))


def measure_qdpx(path: Path, tmp: Path) -> dict:
    from themeqa.errors import InputError
    from themeqa.interop import refi
    from themeqa.services.exchange import export_project, import_project
    from themeqa.services.project import open_project

    try:
        p = refi.read_qdpx(path)
    except refi.RefiError as exc:
        return {"file": path.name, "codes": 0, "codings": 0, "status": "refused",
                "reason": str(exc).split(": ", 1)[-1][:120], "exact": False}
    original = file_tree(p.codes)
    per_code = file_codings(p)
    row = {"file": path.name, "codes": len(original), "codings": sum(per_code.values())}
    try:
        import_project(path, tmp / "a")
    except InputError as exc:
        row.update(status="refused", reason=str(exc)[:120], exact=False)
        try:  # what comes in when the missing sources are skipped (a later option)
            rep = import_project(path, tmp / "partial", skip_missing_sources=True)
        except (InputError, TypeError):
            return row
        row["with_skip_missing_sources"] = {"codes": rep.codes, "renamed": rep.codes_renamed,
                                            "skipped": len(rep.skipped)}
        return row
    a = open_project(tmp / "a")
    try:
        imported = db_tree(a)
        renamed, shape = compare(original, imported)
        row["renamed_on_import"] = len(renamed)
        row["codings_on_renamed"] = sum(per_code.get(original[i][0], 0) for i in renamed)
        row["hierarchy_kept"] = shape and len(original) == len(imported)
        export_project(a, tmp / "a.qdpx")
        out = exported_names(tmp / "a.qdpx", qdc=False)
        row["renamed_on_export"] = sum(1 for (_, x), (_, y) in zip(original, out, strict=False)
                                       if x[-1] != y[-1]) + abs(len(original) - len(out))
        row["descriptions_changed_on_export"] = _descriptions_changed(original, out)
        import zipfile
        row["archive_entries_outside_standard"] = sorted(
            n for n in zipfile.ZipFile(tmp / "a.qdpx").namelist()
            if n != "project.qde" and not n.startswith("sources/"))
        first_codings, first_users = codings_of(a), users_of(a)
    finally:
        a.close()
    import_project(tmp / "a.qdpx", tmp / "b")
    b = open_project(tmp / "b")
    try:
        again = db_tree(b)
        row["roundtrip_names_equal"] = [x[1] for x in imported] == [x[1] for x in again]
        row["roundtrip_codings_equal"] = codings_of(b) == first_codings
        row["roundtrip_users_equal"] = users_of(b) == first_users
    finally:
        b.close()
    row["status"] = "imported"
    row["exact"] = row["renamed_on_import"] == 0 and row["hierarchy_kept"]
    return row


def measure_qdc(path: Path, tmp: Path) -> dict:
    from themeqa.errors import InputError
    from themeqa.interop import refi
    from themeqa.services.exchange import export_codebook_qdc, import_codebook_qdc
    from themeqa.services.project import open_project

    original = file_tree(refi.read_qdc(path).codes)
    row = {"file": path.name, "codes": len(original), "codings": 0}
    p = open_project(tmp / "q", create=True, name="q")
    try:
        try:
            import_codebook_qdc(p, path, key="imported")
        except InputError as exc:
            row.update(status="refused", reason=str(exc)[:120], exact=False)
            return row
        imported = db_tree(p)
        renamed, shape = compare(original, imported)
        row["renamed_on_import"] = len(renamed)
        row["codings_on_renamed"] = 0
        row["hierarchy_kept"] = shape and len(original) == len(imported)
        export_codebook_qdc(p, tmp / "q.qdc", "imported")
        out = exported_names(tmp / "q.qdc", qdc=True)
        row["renamed_on_export"] = sum(1 for (_, x), (_, y) in zip(original, out, strict=False)
                                       if x[-1] != y[-1]) + abs(len(original) - len(out))
        row["descriptions_changed_on_export"] = _descriptions_changed(original, out)
    finally:
        p.close()
    row["status"] = "imported"
    row["exact"] = row["renamed_on_import"] == 0 and row["hierarchy_kept"]
    return row


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    args = [a for a in argv if a != "--json"]
    folder = Path(args[0]) if args else DEFAULT
    rows = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".qdpx", ".qdc"):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            fn = measure_qdc if path.suffix.lower() == ".qdc" else measure_qdpx
            rows.append(fn(path, Path(tmp)))
        print(json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr, flush=True)
    if as_json:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
    else:
        print(f"{'file':48} {'codes':>5} {'ren.imp':>7} {'codings':>9} {'ren.exp':>7} "
              f"{'desc.exp':>8} exact")
        for r in rows:
            if r["status"] != "imported":
                print(f"{r['file']:48} {r['codes']:>5} refused: {r['reason'][:60]}")
                if "with_skip_missing_sources" in r:
                    print(f"{'':48} with --skip-missing-sources: "
                          f"{r['with_skip_missing_sources']}")
                continue
            print(f"{r['file']:48} {r['codes']:>5} {r['renamed_on_import']:>7} "
                  f"{r['codings_on_renamed']:>4}/{r['codings']:<4} {r['renamed_on_export']:>7} "
                  f"{r.get('descriptions_changed_on_export', '-'):>8} "
                  f"{'yes' if r['exact'] else 'no'}")
        print(f"exact imports: {sum(r['exact'] for r in rows)} of {len(rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
