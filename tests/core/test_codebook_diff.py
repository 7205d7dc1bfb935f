"""The codebook diff on hand-made versions: every kind of change, merges followed in chains."""

from __future__ import annotations

from themeqa.core.codebook_diff import CodeState, diff_codebooks


def S(i, label, name, parent=None, definition="", book="inhibitors"):
    return CodeState(i, book, label, name, parent, definition)


OLD = [
    S(1, "1", "Weak imagery"),
    S(2, "2", "Fear of compassion"),
    S(3, "2a", "Others are unreliable", 2),
    S(4, "2b", "Others are manipulative", 2),
    S(5, "2c", "Feeling a burden", 2, "old words"),
    S(6, "3", "Lack of templates"),
    S(7, "3a", "No one was kind", 6),
]


def test_every_kind_of_change_is_listed_once_with_its_codings():
    new = [
        S(1, "1", "Weak imagery ability"),  # renamed
        S(2, "2", "Fear of compassion"),
        S(3, "2a", "Others are unreliable", 2),
        S(5, "2x", "Feeling a burden", 2, "new words"),  # relabelled + redefined
        S(6, "3", "Lack of templates"),
        S(7, "3a", "No one was kind", 2),  # moved from 3 to 2
        S(8, "4", "Time pressure"),  # added
    ]
    changes = diff_codebooks(
        OLD, new, old_counts={4: 12, 5: 7}, new_counts={1: 3, 5: 9, 7: 2, 8: 0},
        merges=[(4, 3)],  # 2b merged into 2a
    )
    assert [(c.kind, c.label, c.detail, c.codings) for c in changes] == [
        ("added", "4", "under top level", 0),
        ("merged", "2b", "into 2a Others are unreliable", 12),
        ("renamed", "1", "was 'Weak imagery'", 3),
        ("relabelled", "2x", "was 2c", 9),
        ("moved", "3a", "from 3 Lack of templates to 2 Fear of compassion", 2),
        ("redefined", "2x", "", 9),
    ]


def test_removed_versus_merged_and_chains():
    new = [c for c in OLD if c.id not in (3, 4, 7)]
    # 2b went into 2a, then 2a into 2c; 3a was deleted
    changes = diff_codebooks(OLD, new, merges=[(4, 3), (3, 5)], old_counts={7: 4})
    got = {(c.kind, c.label, c.detail) for c in changes}
    assert got == {
        ("merged", "2a", "into 2c Feeling a burden"),
        ("merged", "2b", "into 2c Feeling a burden"),
        ("removed", "3a", ""),
    }
    assert next(c for c in changes if c.label == "3a").codings == 4


def test_no_change_no_lines_and_natural_label_order():
    assert diff_codebooks(OLD, OLD) == []
    added = [S(20, "10", "Ten"), S(21, "9", "Nine"), S(22, "2d", "Dee", 2)]
    changes = diff_codebooks(OLD, OLD + added)
    assert [c.label for c in changes] == ["2d", "9", "10"]
