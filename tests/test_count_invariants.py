"""Invariant (issue 19): every count themeqa reports equals a brute-force recount, at every
stage of a study.

Hypothesis builds small random studies through the services -- transcripts of sessions in
both conditions with participant and facilitator turns (and sometimes a header line nobody
speaks), written answers in every format (.txt .md .docx .vtt .srt .csv) attributed by a
leading label, the file name or ``--participant`` (and sometimes by nothing), codings of two
coders spanning turns on a nested codebook -- and walks a credibility check through every
state: none, sampled, adopted, half decided, one document marked by the lead, complete. At
each state Table 2 (by condition, and by condition x timepoint), the results prose, the
co-occurrence matrix, the TUI tallies screen's rows (through the gateway) and the joint
display's presence matrix must equal :func:`recount`, which reads the SQLite file with
``sqlite3`` and plain loops and shares no code with ``core/tally.py``:

    a participant counts for a theme when any coding of it or of a descendant, in the layer
    the rule picks for its document, overlaps a turn of theirs (or lies in their written
    answer).

The layer the rule picks is restated here from the issue, not imported: consensus on a
sampled document whose disagreements are all decided and whose identical codings are all
adopted (or that the lead marked), the coders' union everywhere else.

``make test`` runs a few examples; ``make fuzz`` (``HYPOTHESIS_PROFILE=fuzz``) runs many.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.fuzz

EXAMPLES = 300 if settings.get_current_profile_name() == "fuzz" else 3

ROSTER = {  # pid: (condition, session)
    "P01": ("M", "S1"), "P02": ("M", "S1"), "P03": ("I", "S2"), "P04": ("I", "S2"),
    "P05": ("M", "S3"), "P06": ("M", "S3"), "P07": ("I", "S4"), "P08": ("I", "S4"),
}
SESSIONS = {"S1": ["P01", "P02"], "S2": ["P03", "P04"], "S3": ["P05", "P06"],
            "S4": ["P07", "P08"]}
TIMEPOINTS = ("initial", "follow-up")
# nested themes, three levels deep: (label, name, parent label)
CODES = [("1", "Weak imagery", None), ("1a", "No pictures", "1"), ("1a1", "Blank", "1a"),
         ("1b", "Fading", "1"), ("2", "Fear of compassion", None), ("2a", "Unreliable", "2"),
         ("3", "Distress", None)]
WORDS = ["calm", "warm", "kind", "hard", "picture", "gran", "kitchen", "sea", "tired", "fear",
         "safe", "voice"]
FORMATS = ("txt", "md", "docx", "vtt", "srt", "csv")


# --------------------------------------------------------------------------------------------
# a template project (participants, codebook) copied for every example


def _codebook_yaml() -> str:
    def block(parent, indent):
        out = []
        for label, name, par in CODES:
            if par == parent:
                pad = " " * indent
                out.append(f"{pad}- label: '{label}'\n{pad}  name: {name}\n"
                           f"{pad}  definition: {name}.\n")
                kids = block(label, indent + 4)
                if kids:
                    out.append(f"{pad}  children:\n{kids}")
        return "".join(out)

    return f"codebook: inhibitors\ntitle: Inhibitors\ndescription: test\nthemes:\n{block(None, 2)}"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    from themeqa.services.codebooks import import_codebook
    from themeqa.services.participants import import_participants
    from themeqa.services.project import open_project

    base = tmp_path_factory.mktemp("invariants")
    (base / "participants.csv").write_text(
        "id,condition,session,timepoints\n"
        + "".join(f"{p},{c},{s},initial;follow-up\n" for p, (c, s) in ROSTER.items()),
        encoding="utf-8")
    (base / "codebook.yaml").write_text(_codebook_yaml(), encoding="utf-8")
    project = open_project(base / "study", create=True, actor="lead")
    try:
        import_participants(project, base / "participants.csv")
        import_codebook(project, base / "codebook.yaml")
    finally:
        project.close()
    return base / "study"


# --------------------------------------------------------------------------------------------
# random studies


def _words(n: int, rnd: random.Random) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(n)).capitalize() + "."


@st.composite
def studies(draw) -> dict:
    sessions = draw(st.lists(st.sampled_from(sorted(SESSIONS)), min_size=1, max_size=3,
                             unique=True))
    transcripts = []
    for s in sessions:
        speakers = st.sampled_from([*SESSIONS[s], "Facilitator"])
        transcripts.append({
            "session": s, "timepoint": draw(st.sampled_from(TIMEPOINTS)),
            "header": draw(st.booleans()),
            "turns": draw(st.lists(st.tuples(speakers, st.integers(2, 8)), min_size=2,
                                   max_size=6)),
        })
    written = draw(st.lists(st.fixed_dictionaries({
        "pid": st.one_of(st.none(), st.sampled_from(sorted(ROSTER))),
        "format": st.sampled_from(FORMATS),
        "how": st.sampled_from(("label", "filename", "option")),
        "timepoint": st.sampled_from(TIMEPOINTS),
        "words": st.integers(2, 10),
    }), max_size=4))
    return {
        "transcripts": transcripts, "written": written,
        "codings": draw(st.lists(st.tuples(
            st.integers(0, 50), st.sampled_from(("amira", "ben")), st.integers(0, len(CODES) - 1),
            st.floats(0, 1), st.floats(0, 1), st.booleans()), min_size=1, max_size=14)),
        "sample": draw(st.lists(st.sampled_from(sessions), min_size=1, unique=True)),
        "seed": draw(st.integers(0, 2**31)),
    }


def _write_written(folder: Path, k: int, w: dict, rnd: random.Random) -> tuple[Path, str | None]:
    """One written answer as a file; returns (path, --participant to give or None)."""
    body = _words(w["words"], rnd)
    pid, fmt = w["pid"], w["format"]
    if fmt == "csv":
        who = pid or "P99"  # a row nobody is registered as: attributed to nobody
        path = folder / f"sheet{k}.csv"
        path.write_text(f"participant,q1\n{who},{body}\n", encoding="utf-8")
        return path, None
    text = f"{pid}: {body}" if (pid and w["how"] == "label") else body
    name = f"{pid}-answer{k}" if (pid and w["how"] == "filename") else f"answer{k}"
    path = folder / f"{name}.{fmt}"
    if fmt == "docx":
        import docx

        d = docx.Document()
        d.add_paragraph(text)
        d.save(str(path))
    elif fmt == "vtt":
        path.write_text(f"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n{text}\n", encoding="utf-8")
    elif fmt == "srt":
        path.write_text(f"1\n00:00:01,000 --> 00:00:04,000\n{text}\n", encoding="utf-8")
    else:
        path.write_text(text + "\n", encoding="utf-8")
    return path, (pid if pid and w["how"] == "option" else None)


def build(project, folder: Path, spec: dict) -> None:
    """Import the spec's documents and write its codings (through the services)."""
    from themeqa.services.codings import add_coding
    from themeqa.services.documents import get_document, list_documents
    from themeqa.services.importing import import_files

    rnd = random.Random(spec["seed"])
    for t in spec["transcripts"]:
        lines = [f"Session {t['session']}", ""] if t["header"] else []
        lines += [f"{who}: {_words(n, rnd)}" for who, n in t["turns"]]
        path = folder / f"{t['session']}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        import_files(project, [path], session=t["session"], timepoint=t["timepoint"])
    writers = {}
    for k, w in enumerate(spec["written"]):
        path, option = _write_written(folder, k, w, rnd)
        import_files(project, [path], kind=None if w["format"] == "csv" else "written",
                     timepoint=w["timepoint"], participant=option)
        writers[path.name] = w["pid"]
    listed = list_documents(project)
    # every written answer is attributed to the participant it names, however it names them
    for d in listed:
        if d.kind == "written":
            assert d.participant == writers[d.name.split("#")[0]], d.name
            assert d.unattributed == (0 if d.participant else 1), d.name
    docs = [(d.name, len(get_document(project, d.name).text)) for d in listed]
    for doc_i, coder, code_i, a, b, copy in spec["codings"]:
        name, n = docs[doc_i % len(docs)]
        start = min(int(a * n), n - 1)
        end = max(start + 1, min(n, start + 1 + int(b * (n - start))))
        code = f"inhibitors::{CODES[code_i][0]}"
        add_coding(project, document=name, start=start, end=end, code=code, coder=coder)
        if copy:  # the other coder codes the same span identically
            other = "ben" if coder == "amira" else "amira"
            add_coding(project, document=name, start=start, end=end, code=code, coder=other)


# --------------------------------------------------------------------------------------------
# the brute-force recount


def consensus_documents(project, db: Path, marked: set[int]) -> set[int]:
    """The issue's rule, restated: sampled documents with coding on them that coder B has
    finished (marked finished; with none marked, those B coded), no undecided disagreement
    and every identical A/B coding in the consensus layer; plus marked ones."""
    from themeqa.services.check_disagreements import disagreements

    con = sqlite3.connect(db)
    sampled = {d for (d,) in con.execute("SELECT document_id FROM check_document")}
    if not sampled:
        return set()
    rows = con.execute('SELECT c.document_id, c.code_id, c.start, c."end", k.name, c.layer '
                       "FROM coding c JOIN coder k ON c.coder_id = k.id").fetchall()
    decided_on = {d for (d,) in con.execute("SELECT document_id FROM reconciliation")}
    finished = {d for (d,) in con.execute(
        "SELECT document_id FROM check_document WHERE finished_at IS NOT NULL")}
    con.close()
    a = {r[:4] for r in rows if r[4] == "amira" and r[5] == "coder"}
    b = {r[:4] for r in rows if r[4] == "ben" and r[5] == "coder"}
    cons = {r[:4] for r in rows if r[5] == "consensus"}
    touched = {r[0] for r in a | b} | decided_on
    finished = finished or {r[0] for r in b}
    undecided = {d.document_id for d in disagreements(project) if d.decision is None}
    unadopted = {r[0] for r in (a & b) - cons}
    return ((sampled & touched & finished) - undecided - unadopted) | marked


def recount(db: Path, consensus_docs: set[int]) -> tuple[set, int]:
    """({(pid, code label, timepoint)}, codings lying in text attributed to nobody)."""
    con = sqlite3.connect(db)
    label = dict(con.execute("SELECT id, label FROM code"))
    parent = dict(con.execute("SELECT id, parent_id FROM code"))
    pid = dict(con.execute("SELECT id, pid FROM participant"))
    tp = dict(con.execute("SELECT id, label FROM timepoint"))
    docs = {d: (kind, w, tp.get(t)) for d, kind, w, t in con.execute(
        "SELECT id, kind, participant_id, timepoint_id FROM document")}
    turns = con.execute('SELECT document_id, start, "end", participant_id, role FROM turn'
                        ).fetchall()
    present, nobody = set(), 0
    for doc, s, e, code, layer in con.execute(
            'SELECT document_id, start, "end", code_id, layer FROM coding'):
        if layer != ("consensus" if doc in consensus_docs else "coder"):
            continue
        kind, writer, when = docs[doc]
        if kind == "written":
            who = {writer} if writer is not None else set()
        else:
            who = {p for d, a, b, p, _ in turns if d == doc and p is not None and s < b and e > a}
        facilitator = sum(max(0, min(b, e) - max(a, s))
                          for d, a, b, _, role in turns if d == doc and role == "facilitator")
        nobody += not who and facilitator < e - s
        while code is not None:
            present |= {(pid[p], label[code], when) for p in who}
            code = parent[code]
    con.close()
    return present, nobody


# --------------------------------------------------------------------------------------------
# the comparison


def _n(cell) -> int:
    return int(str(cell).split(" ")[0])


def compare(project, db: Path, marked: set[int], state: str) -> None:
    from themeqa.reports.results_text import theme_sentence
    from themeqa.services.tally import presence_matrix, report_tables
    from themeqa.tui.gateway import ServicesGateway

    present, nobody = recount(db, consensus_documents(project, db, marked))
    cond = {p: c for p, (c, _) in ROSTER.items()}
    has = {lbl: {p for p, x, _ in present if x == lbl} for lbl, _, _ in CODES}

    def n(lbl, c=None, when=None):
        return len({p for p, x, t in present if x == lbl and (c is None or cond[p] == c)
                    and (when is None or t == when)})

    where = f"state {state!r}"
    [table], _ = report_tables(project, "table2")
    rows = {r[0].split(" ")[0]: r for r in table.rows}
    assert table.columns[1:4] == ["Total (N = 8) n", "M (n = 4) n (%)", "I (n = 4) n (%)"]
    for lbl, _, _ in CODES:
        assert [rows[lbl][1], _n(rows[lbl][2]), _n(rows[lbl][3])] == [
            n(lbl), n(lbl, "M"), n(lbl, "I")], (where, lbl)
    note = [x for x in table.notes if "attributed to nobody" in x]
    assert note == ([f"Warning: {nobody} coding{'s' if nobody != 1 else ''} "
                     f"lie{'s' if nobody == 1 else ''} in text attributed to nobody and count "
                     "for no participant (themeqa doctor lists the documents)."]
                    if nobody else []), where
    # condition x timepoint cells (numerators)
    [by_tp], _ = report_tables(project, "table2", by="condition,timepoint")
    heads = [c.split(" (")[0] for c in by_tp.columns]
    for lbl, _, _ in CODES:
        row = next(r for r in by_tp.rows if r[0].split(" ")[0] == lbl)
        for j, head in enumerate(heads):
            if " / " in head:
                c, when = head.split(" / ")
                assert _n(row[j]) == n(lbl, c, when), (where, lbl, head)
    # results prose: the same numbers in words
    _, paragraphs = report_tables(project, "results")
    prose = " ".join(paragraphs)
    for lbl, name, _ in CODES:
        per = {c: n(lbl, c) for c in ("M", "I")}
        assert theme_sentence(n(lbl), per, lbl, name) in prose, (where, lbl)
    # co-occurrence matrix
    [cooc], _ = report_tables(project, "cooccurrence", matrix=True)
    order = [c.split("::")[1] for c in cooc.columns[1:]]
    for r in cooc.rows:
        a = r[0].split("::")[1]
        assert r[1:] == [len(has[a] & has[b]) for b in order], (where, a)
    # the joint display's presence matrix
    matrix = presence_matrix(project)
    for lbl, _, _ in CODES:
        col = matrix[f"inhibitors::{lbl}"]
        assert {p for p in col.index if col[p]} == has[lbl], (where, lbl)
    # the TUI tallies screen, through its gateway
    gateway = ServicesGateway(project.directory, None, "lead")
    try:
        overview = gateway.tally_overview()
    finally:
        gateway.close()
    assert overview.table.rows == table.rows, where
    chart = dict(overview.chart)
    for lbl, _, _ in CODES:
        assert chart[lbl] == {"M": n(lbl, "M"), "I": n(lbl, "I")}, (where, lbl)


def _decide(project, rnd: random.Random, share: float) -> None:
    from themeqa.services.check_disagreements import disagreements
    from themeqa.services.check_reconcile import decide

    open_ = [d for d in disagreements(project) if d.decision is None]
    for d in open_[: round(len(open_) * share)]:
        choices = ["neither"]
        if d.code_a_id is not None:
            choices.append("keep_a")
        if d.code_b_id is not None:
            choices.append("keep_b")
        if d.code_a_id is not None and d.code_b_id is not None:
            choices.append("keep_both")
        decide(project, d.key, rnd.choice(choices), "fuzz", decided_by="lead")


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(spec=studies())
def test_every_report_equals_a_recount_at_every_stage(template, spec):
    from themeqa.services.check_reconcile import adopt_agreements, mark_reconciled
    from themeqa.services.check_sample import create_check
    from themeqa.services.project import open_project

    rnd = random.Random(spec["seed"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(template, folder / "study")
        project = open_project(folder / "study", actor="lead")
        db = folder / "study" / "themeqa.db"
        try:
            build(project, folder, spec)
            compare(project, db, set(), "no check")
            create_check(project, coder_b="ben", coder_a="amira", sessions=spec["sample"],
                         name="c")
            compare(project, db, set(), "sampled")
            adopt_agreements(project, "c", decided_by="lead")
            compare(project, db, set(), "adopted")
            _decide(project, rnd, 0.5)
            compare(project, db, set(), "half decided")
            con = sqlite3.connect(db)
            sampled = con.execute("SELECT d.id, d.name FROM check_document c JOIN document d "
                                  "ON c.document_id = d.id ORDER BY d.name").fetchall()
            con.close()
            if sampled:
                doc_id, name = rnd.choice(sampled)
                mark_reconciled(project, [name], check="c")
                compare(project, db, {doc_id}, "one document marked")
                mark_reconciled(project, [name], check="c", unmark=True)
            _decide(project, rnd, 1.0)
            compare(project, db, set(), "complete")
        finally:
            project.close()
