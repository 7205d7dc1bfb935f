"""De-identification: proposals, the review file, new document versions, codings, the key.

Expected texts and offsets are worked out by hand in each test from the transcript below.
"""

from __future__ import annotations

import csv
import json

import pytest
from sqlmodel import select

from themeqa.cli.main import main
from themeqa.errors import InputError
from themeqa.services.codings import add_coding, list_codings
from themeqa.services.deidentify import (
    MAPPING_FILENAME,
    apply_review,
    find_dates,
    propose,
    read_review,
    write_review,
)
from themeqa.services.documents import get_document
from themeqa.store.models import AuditEvent, Document

TEXT = (
    "Facilitator: Welcome back.\n"
    "P01: Ken drove me from Leeds on 12 March 2024. It was calm.\n"
    "Dana: Sorry, Dana again. I may go in March.\n"
)


@pytest.fixture
def study(project, study_files, tmp_path):
    from themeqa.services.codebooks import import_codebook
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants

    import_participants(project, study_files["participants"])  # P01 has speaker label Dana
    import_codebook(project, study_files["codebook"])
    f = tmp_path / "S7.txt"
    f.write_text(TEXT, encoding="utf-8")
    import_files(project, [f])
    return project


def _at(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = text.index(word, i + 1)
    return i, i + len(word)


@pytest.mark.parametrize("text,expected", [
    ("on 12 March 2024.", ["12 March 2024"]),
    ("March 12th, 2024 and 2024-03-12", ["March 12th, 2024", "2024-03-12"]),
    ("born 03/12/1961 or 3.12.61", ["03/12/1961", "3.12.61"]),
    ("the 1st of May", ["1st of May"]),
    ("since June 2019", ["June 2019"]),
    ("I may go in March. We march on. On Tuesday at 3 pm.", []),
])
def test_date_patterns(text, expected):
    assert [text[a:b] for a, b in find_dates(text)] == expected


def test_proposals_from_labels_names_places_and_dates(study):
    proposals, notes = propose(study, names=["Ken"], places=["Leeds"], use_ner=True)
    assert notes and "no trained spaCy pipeline" in notes[0]
    got = [(p.document, p.kind, p.original, p.replacement) for p in proposals]
    assert got == [
        ("S7.txt", "name", "Ken", "[PERSON 1]"),
        ("S7.txt", "place", "Leeds", "[PLACE 1]"),
        ("S7.txt", "date", "12 March 2024", "[DATE]"),
        ("S7.txt", "speaker", "Dana", "P01"),
        ("S7.txt", "speaker", "Dana", "P01"),
    ]
    assert all(TEXT[p.start:p.end] == p.original for p in proposals)


def test_spacy_entities_are_used_when_a_pipeline_is_given(study):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([
        {"label": "GPE", "pattern": "Leeds"}, {"label": "PERSON", "pattern": "Ken"}])
    proposals, notes = propose(study, nlp=nlp, dates=False)
    assert notes == []
    assert [(p.kind, p.original, p.replacement, p.source) for p in proposals[:2]] == [
        ("name", "Ken", "[PERSON 1]", "spacy:pipeline"),
        ("place", "Leeds", "[PLACE 1]", "spacy:pipeline"),
    ]


def test_apply_writes_a_new_version_and_copies_codings_that_map_exactly(study, tmp_path):
    ken, leeds = _at(TEXT, "Ken"), _at(TEXT, "Leeds")
    calm = _at(TEXT, "It was calm.")
    # 1: after every replacement on its line -> copied, same words
    c1 = add_coding(study, document="S7.txt", start=calm[0], end=calm[1], code="1",
                    coder="amira")
    # 2: "Ken drove me from Leeds" holds two replacements wholly inside -> copied
    add_coding(study, document="S7.txt", start=ken[0], end=leeds[1], code="2", coder="amira")
    # 3: ends inside "Leeds" (half a name selected) -> no exact counterpart, left
    add_coding(study, document="S7.txt", start=ken[0], end=leeds[0] + 2, code="2a",
               coder="ben")
    proposals, _ = propose(study, names=["Ken"], places=["Leeds"])
    review = write_review(proposals, tmp_path / "review.csv")
    assert len(read_review(review)) == 5
    # The user rejects the date and renames the place.
    text = review.read_text(encoding="utf-8")
    text = text.replace("12 March 2024,[DATE],yes", "12 March 2024,[DATE],no")
    text = text.replace("[PLACE 1],yes", "a city,yes")
    review.write_text(text, encoding="utf-8")
    result = apply_review(study, review, actor="amira")
    assert result.documents == [("S7.txt", "S7.deid.txt")]
    assert (result.replacements, result.codings_copied, result.codings_left) == (4, 2, 1)
    new = get_document(study, "S7.deid.txt")
    assert new.text == (
        "Facilitator: Welcome back.\n"
        "P01: [PERSON 1] drove me from a city on 12 March 2024. It was calm.\n"
        "P01: Sorry, P01 again. I may go in March.\n"
    )
    assert get_document(study, "S7.txt").text == TEXT  # the original never changes
    with study.reading() as s:
        old_id = s.exec(select(Document.id).where(Document.name == "S7.txt")).one()
        assert s.exec(select(Document.previous_id).where(
            Document.name == "S7.deid.txt")).one() == old_id
    copied = {c.code_label: new.text[c.start:c.end]
              for c in list_codings(study, document="S7.deid.txt")}
    assert copied == {"1": "It was calm.", "2": "[PERSON 1] drove me from a city"}
    assert c1 in {c.id for c in list_codings(study, document="S7.txt")}  # originals kept
    assert [t.speaker for t in new.turns] == ["Facilitator", "P01", "P01"]
    assert all(new.text[t.content_start:t.end].strip() for t in new.turns)


def test_the_key_stays_out_of_the_database(study, tmp_path):
    proposals, _ = propose(study, names=["Ken"])
    apply_review(study, write_review(proposals, tmp_path / "r.csv"), actor="amira")
    key = study.directory / MAPPING_FILENAME
    with key.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["original"], r["replacement"]) for r in rows} >= {("Ken", "[PERSON 1]"),
                                                                   ("Dana", "P01")}
    with study.reading() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "deidentify")).all()
    logged = json.dumps([e.after for e in events])
    assert "Ken" not in logged and "Dana" not in logged
    assert events[0].after["replacements"] == len(proposals)


def test_stale_or_overlapping_reviews_change_nothing(study, tmp_path):
    proposals, _ = propose(study, names=["Ken"])
    review = write_review(proposals, tmp_path / "r.csv")
    stale = review.read_text(encoding="utf-8").replace(",Ken,", ",Kenny,")
    (tmp_path / "stale.csv").write_text(stale, encoding="utf-8")
    n_docs = len(study.engine.connect().exec_driver_sql("select id from document").all())
    with pytest.raises(InputError, match="stale"):
        apply_review(study, tmp_path / "stale.csv")
    a, b = _at(TEXT, "Ken")
    overlap = review.read_text(encoding="utf-8") + f"S7.txt,{a},{b + 6},name,Ken drove,X,yes,\n"
    (tmp_path / "overlap.csv").write_text(overlap, encoding="utf-8")
    with pytest.raises(InputError, match="overlap"):
        apply_review(study, tmp_path / "overlap.csv")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a de-identification review"):
        apply_review(study, tmp_path / "bad.csv")
    with study.engine.connect() as c:
        assert len(c.exec_driver_sql("select id from document").all()) == n_docs
    assert not (study.directory / MAPPING_FILENAME).exists()


def test_review_file_defuses_formulas(tmp_path):
    from themeqa.services.deidentify import Proposal

    p = Proposal("d.txt", 0, 4, "name", "=cmd", "+x", True, "list")
    path = write_review([p], tmp_path / "r.csv")
    assert "'=cmd,'+x" in path.read_text(encoding="utf-8")
    assert read_review(path) == [p]


def test_deidentify_command(study, tmp_path, capsys):
    d = str(study.directory)
    review = tmp_path / "r.csv"
    assert main(["--project", d, "deidentify", "--name", "Ken", "--review", str(review)]) == 0
    assert "proposals" in capsys.readouterr().out
    assert main(["--project", d, "deidentify", "--apply", str(review), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["documents"] == [["S7.txt", "S7.deid.txt"]]
    assert main(["--project", d, "deidentify"]) == 2
    assert capsys.readouterr().err.startswith("error: give either")
