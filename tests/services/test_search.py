"""Project search, code-from-search, word frequencies and suggestions through the services.

The tiny study (``study_files`` in conftest) is small enough that every expected hit and
count is worked out by reading its text, quoted in the comments.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.codebooks import import_codebook
from themeqa.services.codings import add_coding, list_codings
from themeqa.services.importing import import_files
from themeqa.services.participants import import_participants
from themeqa.services.search import SearchFilters, code_from_search, search
from themeqa.services.suggest import evaluate_suggestions, suggest_codes
from themeqa.services.wordfreq import (
    distinctive_words,
    frequency_table,
    group_counts,
    keyness_table,
    word_frequencies,
)
from themeqa.store.models import AuditEvent, Memo


@pytest.fixture
def study(project, study_files):
    import_participants(project, study_files["participants"])
    import_codebook(project, study_files["codebook"])
    import_files(project, [study_files["S1"]], session="S1", timepoint="initial")
    import_files(project, [study_files["written"]], timepoint="initial")
    return project


def _matches(hits):
    return [(h.document, h.match, h.participant) for h in hits]


def test_lemma_search_finds_word_forms_and_places_each_hit(study):
    # "Facilitator: How did the exercise feel?" and "P01: It felt warm."
    hits = search(study, "feel")
    assert [h.match for h in hits] == ["feel", "felt"]
    felt = hits[1]
    assert (felt.participant, felt.condition, felt.session, felt.timepoint, felt.speaker) == (
        "P01", "M", "S1", "initial", "P01"
    )
    assert felt.left.endswith("It ") and felt.right.startswith(" warm.")
    only = search(study, "feel", filters=SearchFilters(participants_only=True))
    assert [h.match for h in only] == ["felt"]
    assert search(study, "feel", mode="exact") == hits[:1]


def test_filters_by_kind_speaker_and_design(study):
    # "P2: I found it hard to picture anything at all." and written P02 q1 "Hard to picture."
    hits = search(study, "picture")
    assert _matches(hits) == [
        ("S1.txt", "picture", "P02"), ("written.csv#P02/q1", "picture", "P02")
    ]
    assert len(search(study, "picture", filters=SearchFilters(kind="written"))) == 1
    assert len(search(study, "picture", filters=SearchFilters(speaker="p02"))) == 2
    assert search(study, "picture", filters=SearchFilters(condition="I")) == []
    assert len(search(study, "picture", filters=SearchFilters(timepoint="initial"))) == 2
    assert search(study, "picture", filters=SearchFilters(session="S9")) == []


def test_speaker_labels_are_not_hits_but_speech_is(study):
    # "Dana: Sorry, that was me again." — the label is not something Dana said
    assert search(study, "Dana", mode="exact") == []
    assert [h.match for h in search(study, r"\bcalm\b", mode="regex")] == ["calm"]
    with pytest.raises(InputError):
        search(study, "(", mode="regex")
    with pytest.raises(InputError):
        search(study, "relax", mode="fuzzy")


def test_inside_and_outside_a_code(study):
    text_start = search(study, "warm")[0].start
    add_coding(study, document="S1.txt", start=text_start - 8, end=text_start + 5, code="1",
               coder="ann")
    assert len(search(study, "warm", filters=SearchFilters(inside_code="1"))) == 1
    assert search(study, "warm", filters=SearchFilters(outside_code="1")) == []
    # roll-up: the codebook's theme 2 has no codings, so nothing is inside it
    assert search(study, "warm", filters=SearchFilters(inside_code="2")) == []
    assert len(search(study, "warm", filters=SearchFilters(inside_code="1", coder="ann"))) == 1
    with pytest.raises(NotFoundError, match="no coder named 'bo'"):
        search(study, "warm", filters=SearchFilters(inside_code="1", coder="bo"))


def test_code_from_search_codes_sentences_once_as_one_undo_step(study):
    hits = search(study, "calm feel", filters=SearchFilters(participants_only=True))
    # "It felt warm." and "It was calm." are two sentences of two turns
    ids = code_from_search(study, hits, "1", coder="ann", scope="sentence", query="calm feel")
    rows = sorted(list_codings(study, coder="ann"), key=lambda r: r.start)
    doc = next(iter(search(study, "calm"))).document
    assert [r.id for r in rows] == sorted(ids) and len(ids) == 2 and doc == "S1.txt"
    from themeqa.services.documents import get_document

    text = get_document(study, "S1.txt").text
    assert [text[r.start:r.end] for r in rows] == ["It felt warm.", "It was calm."]
    with study.reading() as s:
        memos = s.exec(select(Memo)).all()
        batches = {e.batch for e in s.exec(select(AuditEvent)).all()
                   if e.entity in ("coding", "memo") and e.action == "create"}
    assert [m.text for m in memos] == ["Coded from search: 'calm feel' (sentence)"] * 2
    assert len(batches) == 1
    # coding the same hits again adds nothing
    assert code_from_search(study, hits, "1", coder="ann", scope="sentence") == []
    from themeqa.services.undo import undo

    assert undo(study, "ann") is not None
    assert list_codings(study, coder="ann") == []
    with study.reading() as s:
        assert s.exec(select(Memo)).all() == []


def test_code_from_search_turn_and_word_scopes(study):
    hits = search(study, "kitchen")
    [turn] = code_from_search(study, hits, "2a", coder="ann", scope="turn")
    [word] = code_from_search(study, hits, "2a", coder="ann", scope="word")
    rows = {r.id: r for r in list_codings(study)}
    from themeqa.services.documents import get_document

    text = get_document(study, "S1.txt").text
    assert text[rows[turn].start:rows[turn].end] == "It felt warm. I could see my gran's kitchen."
    assert text[rows[word].start:rows[word].end] == "kitchen"
    with pytest.raises(InputError):
        code_from_search(study, hits, "2a", coder="ann", scope="page")


def test_word_counts_leave_out_facilitators_labels_and_stop_words(study):
    counts = group_counts(study, by="all")["all"]
    # participants say "picture" twice (P02's turn, P02's written answer); "feel" once
    # (P01's "felt": the facilitator's "feel" is not counted); "kitchen" once; ids never.
    assert counts["picture"] == 2
    assert counts["feel"] == 1
    assert counts["kitchen"] == 1
    assert "exercise" not in counts, "the facilitator's words are left out"
    assert "dana" not in counts and "p01" not in counts
    assert "the" not in counts and "it" not in counts
    # "hard" is said twice too ("hard to picture" in both places): ties go alphabetically
    top = word_frequencies(study, by="condition", top=2)
    assert [(w.group, w.word, w.count) for w in top] == [("M", "hard", 2), ("M", "picture", 2)]
    assert top[0].per_1000 == pytest.approx(2 / sum(counts.values()) * 1000)


def test_word_counts_inside_a_theme(study):
    start = search(study, "kitchen")[0].start
    add_coding(study, document="S1.txt", start=start - 11, end=start + 7, code="2a",
               coder="ann")  # "my gran's kitchen"
    counts = group_counts(study, by="all", code="2")["all"]  # 2 rolls up 2a
    assert dict(counts) == {"gran": 1, "kitchen": 1}


def test_distinctive_words_needs_both_groups(study):
    with pytest.raises(InputError, match="no words for condition I"):
        distinctive_words(study, "M", "I")


def test_word_tables_shared_by_the_cli_and_the_screen(study):
    table = frequency_table(study, by="condition", top=2)
    assert table.columns == ["condition", "word", "count", "per 1000"]
    assert [r[:3] for r in table.rows] == [["M", "hard", 2], ["M", "picture", 2]]
    assert table.notes[0] == "All participant text."
    assert frequency_table(study, by="all", code="2").rows == []  # nothing coded yet
    with pytest.raises(InputError, match="keyness needs two condition groups"):
        keyness_table(study)


def test_suggestions_rank_the_code_used_for_similar_text(study):
    hits = search(study, "picture")
    code_from_search(study, hits, "1", coder="ann", scope="sentence")
    start = search(study, "kitchen")[0].start
    add_coding(study, document="S1.txt", start=start - 11, end=start + 7, code="2a",
               coder="ann")
    ranked = suggest_codes(study, "written.csv#P02/q1", 0, 17, coder="ann", k=3)
    assert ranked[0].code == "inhibitors::1" and ranked[0].name == "Weak imagery ability"
    hits_, trials = evaluate_suggestions(study, coder="ann", k=1)
    assert (hits_, trials) == (2, 2)


def test_demo_words_and_suggestions(demo_copy):
    from themeqa.services.project import open_project

    p = open_project(demo_copy)
    try:
        frame = distinctive_words(p, "M", "I")
        assert {"M", "I"} and len(frame) > 100
        # "memory" is the M condition's instruction word: it must lean to M
        assert frame.set_index("word").loc["memory", "z"] > 0
        assert frame.set_index("word").loc["imagine", "z"] < 0
        # the table: the top words of A, then those of B most typical first; without groups
        # the first two (sorted) groups, as the words screen shows them
        table = keyness_table(p, "M", "I", top=3)
        assert table.columns[-2:] == ["log-odds z", "G2"] and len(table.rows) == 6
        assert table.rows[0][0] == frame["word"].iloc[0]
        assert table.rows[-1][0] == frame["word"].iloc[-3]
        screen = keyness_table(p, top=3, rates=False)
        assert screen.title == "Distinctive words, condition I vs M"
        assert screen.columns == ["word", "n I", "n M", "log-odds z", "G2"]
        hits, trials = evaluate_suggestions(p, coder="amira", k=3)
        assert trials > 300 and hits / trials > 0.5
    finally:
        p.close()


def test_each_document_is_searched_in_its_own_language(project, tmp_path):
    fr = tmp_path / "groupe_fr.txt"
    fr.write_text(
        "Animatrice: Comment était l'exercice pour vous aujourd'hui ?\n"
        "P01: Nous allions souvent au parc avec ma grand-mère quand j'étais petite, et je "
        "pense que c'est pour cela que l'image est venue si vite. Elle allait lentement, "
        "elle me tenait la main et je me sentais en sécurité avec elle.\n",
        encoding="utf-8",
    )
    en = tmp_path / "group_en.txt"
    en.write_text(
        "Facilitator: How was the exercise for you today?\n"
        "P02: We went to the park with my gran when I was small, and I think that is why the "
        "picture came so quickly. She walked slowly and held my hand and I felt safe there.\n",
        encoding="utf-8",
    )
    import_files(project, [fr, en])
    from themeqa.services.documents import list_documents

    with project.reading() as s:
        from themeqa.store.models import Document

        langs = {d.name: d.language for d in s.exec(select(Document)).all()}
    assert langs == {"groupe_fr.txt": "fr", "group_en.txt": "en"}
    assert list_documents(project)
    # French lemmas: "tenir" finds "tenait", "sentir" finds "sentais"; "go" finds "went"
    assert [h.match for h in search(project, "sentir tenir")] == ["tenait", "sentais"]
    assert [h.match for h in search(project, "go")] == ["went"]
