"""Tallies on the demo study, cross-checked by an independent count, and the report files.

The independent count reads the SQLite file with ``sqlite3`` and plain loops (no pandas, no
``core.tally``): a participant has a theme when a coding of it or of a subordinate theme
shares a character with one of their turns, or lies in their written response.
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from themeqa.core.codebook import parse_reference
from themeqa.errors import InputError, NotFoundError
from themeqa.services.project import open_project
from themeqa.services.tally import presence_matrix, report_tables, tally_report, write_report


@pytest.fixture(scope="module")
def demo(demo_dir):
    handle = open_project(demo_dir)
    yield handle
    handle.close()


def independent_count(
    db, codebook: str, label: str, *, consensus: bool = False, reconciled: set | None = None
) -> dict[str, set[str]]:
    """{condition: participants} with ``codebook::label`` (or a descendant).

    Union of coders; with ``consensus``, documents with a consensus coding or a reconciliation
    decision count their consensus codings only; ``reconciled`` names those documents (ids).
    """
    con = sqlite3.connect(db)
    reconciled = set(reconciled or ())
    if consensus and not reconciled:
        reconciled = {
            d
            for (d,) in con.execute(
                "SELECT document_id FROM coding WHERE layer = 'consensus' "
                "UNION SELECT document_id FROM reconciliation"
            ).fetchall()
        }
    code_rows = con.execute(
        "SELECT code.id, code.parent_id, code.label FROM code JOIN codebook "
        "ON code.codebook_id = codebook.id WHERE codebook.key = ?",
        (codebook,),
    ).fetchall()
    parent = {cid: pid for cid, pid, _ in code_rows}
    target = next(cid for cid, _, lbl in code_rows if lbl == label)

    def under(cid):
        while cid is not None:
            if cid == target:
                return True
            cid = parent.get(cid)
        return False

    pid_of = dict(con.execute("SELECT id, pid FROM participant").fetchall())
    cond = dict(con.execute("SELECT pid, condition FROM participant").fetchall())
    docs = {
        d: (kind, p)
        for d, kind, p in con.execute("SELECT id, kind, participant_id FROM document").fetchall()
    }
    turns = con.execute(
        'SELECT document_id, start, "end", participant_id FROM turn '
        "WHERE participant_id IS NOT NULL"
    ).fetchall()
    found: dict[str, set[str]] = {}
    for doc, start, end, code, layer in con.execute(
        'SELECT document_id, start, "end", code_id, layer FROM coding'
    ).fetchall():
        if code not in parent or not under(code):
            continue
        if layer != ("consensus" if doc in reconciled else "coder"):
            continue
        kind, writer = docs[doc]
        who = set()
        if kind == "written":
            who.add(pid_of[writer])
        else:
            for t_doc, t_start, t_end, t_part in turns:
                if t_doc == doc and start < t_end and end > t_start:
                    who.add(pid_of[t_part])
        for p in who:
            found.setdefault(cond[p], set()).add(p)
    con.close()
    return found


@pytest.mark.parametrize(
    ("codebook", "label"), [("inhibitors", "2"), ("inhibitors", "3b"), ("facilitators", "F2")]
)
def test_demo_counts_match_independent_count(demo, demo_dir, codebook, label):
    expected = independent_count(demo_dir / "themeqa.db", codebook, label)
    report = tally_report(demo, codebook=codebook, quotes=False)
    r = report.result
    code = int(r.codes.loc[r.codes["label"] == label, "code"].iloc[0])
    assert r.layer == "union of coders (amira, ben)"  # the demo has no consensus codings
    assert r.n(code) == len(set().union(*expected.values()))
    assert r.n(code, ("M",)) == len(expected.get("M", ()))
    assert r.n(code, ("I",)) == len(expected.get("I", ()))
    assert 0 < r.n(code) <= 20


def test_demo_table2_shape_and_plausibility(demo):
    (table,), paragraphs = report_tables(demo, "table2", by="condition,timepoint")
    assert paragraphs == []
    assert table.title == ("Table 2\nParticipants reporting each theme, by condition, and by "
                           "condition and timepoint")  # issue 22: not "by condition and by …"
    assert table.columns[:4] == ["Theme", "Total (N = 20) n", "M (n = 12) n (%)", "I (n = 8) n (%)"]
    assert table.columns[-1] == "Indicative quote"
    assert "M, follow-up (n = 7) n (%)" in table.columns  # 7 M participants have follow-up
    themes = [r for r, lvl in zip(table.rows, table.indent, strict=True) if r[1] != ""]
    assert len(themes) == 27  # every code of the three codebooks, empty ones included
    heading = table.rows[0]
    assert heading[0] == "Inhibitors of compassionate imagery" and heading[1] == ""
    for row in themes:
        total, m, i = row[1], row[2], row[3]
        n_m, n_i = int(m.split()[0]), int(i.split()[0])
        assert n_m + n_i == total <= 20  # a participant is in exactly one condition
    sub = {r[0]: lvl for r, lvl in zip(table.rows, table.indent, strict=True)}
    assert sub["2a Others are unreliable"] == 1 and sub["2 Fear of compassion"] == 0
    quote = next(r[-1] for r in table.rows if r[0] == "2a Others are unreliable")
    assert re.fullmatch(r"“.+” \(P\d\d, [MI]\)", quote)
    assert "P" not in quote.split("”")[0][:4]  # no speaker label inside the quote
    assert any("Coding layer: union of coders" in n for n in table.notes)


def test_results_text_agrees_with_table(demo):
    words = {
        w: i
        for i, w in enumerate(
            ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        )
    }

    def num(token: str) -> int:
        token = token.lower()
        if token.isdigit():
            return int(token)
        if token in words:
            return words[token]
        teens = [
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
        return 10 + teens.index(token)

    (table,), _ = report_tables(demo, "table2", codebook="inhibitors")
    _, paragraphs = report_tables(demo, "results", codebook="inhibitors")
    sentences = re.findall(r"[^.]+?\((\w+)\)\.", " ".join(paragraphs))
    rows = {r[0].split()[0]: r for r in table.rows}
    assert len(sentences) == len(rows) == 15
    for sentence in re.split(r"(?<=\.) ", " ".join(paragraphs)):
        label = re.search(r"\((\w+)\)\.$", sentence).group(1)
        row = rows[label]
        if sentence.startswith("No participants"):
            assert row[1] == 0
            continue
        total = num(sentence.split()[0])
        assert total == row[1], sentence
        per = dict((c, num(n)) for n, c in re.findall(r"(\w+) \(([MI])\)", sentence))
        assert per.get("M", 0) == int(row[2].split()[0]), sentence
        assert per.get("I", 0) == int(row[3].split()[0]), sentence


def test_presence_matrix_contract(demo):
    m = presence_matrix(demo, codebook="inhibitors")
    assert m.index.name == "pid" and m.index.tolist()[:2] == ["P01", "P02"] and len(m) == 20
    assert m.columns[0] == "inhibitors::1" and "inhibitors::2a" in m.columns
    # columns are code references as the CLI takes them (core.codebook.parse_reference)
    assert {parse_reference(c)[0] for c in m.columns} == {"inhibitors"}
    assert m.dtypes.eq(bool).all()
    # roll-up: 2 is present wherever a subordinate theme is
    subs = m[[c for c in m.columns if re.fullmatch(r"inhibitors::2[a-z]", c)]].any(axis=1)
    assert (m["inhibitors::2"] | ~subs).all()
    flat = presence_matrix(demo, codebook="inhibitors", rollup=False, layer="coder:amira")
    assert flat.sum().sum() <= m.sum().sum()
    expected = independent_count(demo.directory / "themeqa.db", "inhibitors", "3b")
    assert set(m.index[m["inhibitors::3b"]]) == set().union(*expected.values())


def test_errors(demo):
    with pytest.raises(NotFoundError, match="no codebook 'nope'"):
        presence_matrix(demo, codebook="nope")
    with pytest.raises(InputError, match="coder 'zoe'"):
        presence_matrix(demo, layer="coder:zoe")
    with pytest.raises(InputError, match="break down by gender"):
        report_tables(demo, "table2", by="condition,gender")
    with pytest.raises(InputError, match="unknown report"):
        report_tables(demo, "table9")


def test_write_table2_docx_and_audit(demo_copy, tmp_path):
    import docx

    project = open_project(demo_copy, actor="lead")
    try:
        (table,), _ = report_tables(project, "table2", codebook="inhibitors")
        out = write_report(project, "table2", tmp_path / "t2.docx", codebook="inhibitors")
        doc = docx.Document(str(out))
        (word_table,) = doc.tables
        cells = [[c.text for c in row.cells] for row in word_table.rows]
        assert cells[0] == table.columns
        assert cells[1:] == [[table.cell_text(v) for v in row] for row in table.rows]
        two = next(r for r in cells if r[0] == "2 Fear of compassion")
        expected = independent_count(demo_copy / "themeqa.db", "inhibitors", "2")
        assert two[1] == str(len(set().union(*expected.values())))
        assert doc.sections[-1].page_width > doc.sections[-1].page_height  # wide: landscape
        with project.reading() as s:
            from sqlmodel import select

            from themeqa.store.models import AuditEvent

            events = s.exec(select(AuditEvent).where(AuditEvent.entity == "report")).all()
        assert [e.after["report"] for e in events] == ["table2"] and events[0].actor == "lead"
        with pytest.raises(InputError, match="format"):
            write_report(project, "table1", tmp_path / "t1.pdf")
    finally:
        project.close()


def test_table1_demo_numbers(demo):
    (t1,), _ = report_tables(demo, "table1")
    assert t1.columns[1:4] == [
        "initial: M (n = 12)",
        "initial: I (n = 8)",
        "initial: Overall (n = 20)",
    ]
    rows = {r[0]: r for r in t1.rows}
    # ages from transcripts/participants.csv, worked out by hand for the I arm at initial:
    # 29 52 41 33 56 50 39 68 -> mean 368/8 = 46.0; sum of squared deviations 1166,
    # SD = sqrt(1166 / 7) = 12.906...
    assert rows["Age, M (SD)"][2] == "46.0 (12.9)"
    assert rows["Age, range"][2] == "29–68"
    assert rows["woman"][3] == "11 (55)"  # 11 of 20 participants


def test_consensus_after_reconciling_a_check(demo_copy):
    """Adopting the agreements of a check leaves auto on the union (nothing is decided);
    an explicit --layer consensus reads every document with reconciled work."""
    from themeqa.services.check_reconcile import adopt_agreements
    from themeqa.services.check_sample import create_check

    project = open_project(demo_copy, actor="lead")
    try:
        create_check(project, coder_b="ben", coder_a="amira", sessions=["S2", "S5"], name="c1")
        assert adopt_agreements(project, "c1", decided_by="lead") > 0
        auto = tally_report(project, codebook="inhibitors", quotes=False).result
        assert auto.layer == "union of coders (amira, ben)"
        report = tally_report(project, codebook="inhibitors", quotes=False, layer="consensus")
        r = report.result
        # ben coded only S2 and S5, which are the sample's documents with consensus codings
        assert (
            r.layer == "consensus on the 2 reconciled documents, union of coders (amira) elsewhere"
        )
        db = demo_copy / "themeqa.db"
        for label in ("2", "3c", "6a"):
            code = int(r.codes.loc[r.codes["label"] == label, "code"].iloc[0])
            expected = independent_count(db, "inhibitors", label, consensus=True)
            assert r.n(code) == len(set().union(*expected.values())), label
            assert r.n(code, ("M",)) == len(expected.get("M", ())), label
        union = tally_report(project, codebook="inhibitors", layer="union", quotes=False)
        assert union.result.layer == "union of coders (amira, ben)"
    finally:
        project.close()


