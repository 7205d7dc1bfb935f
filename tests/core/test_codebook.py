"""The pure codebook model: walking, validation, references, colours."""

from __future__ import annotations

import pytest

from themeqa.core.codebook import (
    OKABE_ITO,
    Codebook,
    CodebookError,
    Theme,
    colour_palette,
    fold_name,
    parse_reference,
    resolve_reference,
    validate,
    validate_many,
)


def inhibitors() -> Codebook:
    return Codebook(
        key="inhibitors",
        title="Inhibitors of compassionate imagery",
        themes=[
            Theme(
                "1",
                "Difficulty imagining",
                children=[Theme("1a", "Images fade"), Theme("1b", "Mind wanders")],
            ),
            Theme(
                "2",
                "Fear of compassion",
                children=[
                    Theme("2a", "Others are unreliable"),
                    Theme("2b", "Undeserving of kindness"),
                ],
            ),
        ],
    )


def facilitators() -> Codebook:
    return Codebook(
        key="facilitators",
        title="Facilitators",
        themes=[Theme("F1", "Warm memory", children=[Theme("F1a", "Grandparent")])],
    )


def kinds(problems) -> list[str]:
    return [p.kind for p in problems]


# ------------------------------------------------------------------ model


def test_walk_yields_depth_and_path_in_preorder():
    walked = [(t.label, depth, path) for t, depth, path in inhibitors().walk()]
    assert walked[:3] == [
        ("1", 1, ("Difficulty imagining",)),
        ("1a", 2, ("Difficulty imagining", "Images fade")),
        ("1b", 2, ("Difficulty imagining", "Mind wanders")),
    ]
    assert walked[4] == ("2a", 2, ("Fear of compassion", "Others are unreliable"))


def test_find_by_label_and_path():
    book = inhibitors()
    assert book.find("2a").name == "Others are unreliable"
    assert book.find(" fear of   COMPASSION / others are unreliable ").label == "2a"
    assert book.find("inhibitors::2").name == "Fear of compassion"
    assert book.find("facilitators::2") is None
    assert book.find("2A") is None  # labels are exact
    assert book.find("Others are unreliable") is None  # paths start at the top


def test_examples_and_children_are_normalised_types():
    theme = Theme("1", "x", examples=["a", "b"], children=(Theme("1a", "y"),))
    assert theme.examples == ("a", "b")
    assert isinstance(theme.children, list)


def test_parent_and_path_of():
    book = inhibitors()
    child = book.find("2b")
    assert book.parent_of(child).label == "2"
    assert book.parent_of(book.find("2")) is None
    assert book.path_of(child) == ("Fear of compassion", "Undeserving of kindness")


def test_fold_name():
    assert fold_name("  Fear  of\tcompassion /Others ") == "fear of compassion/others"


# ------------------------------------------------------------------ validation


def test_valid_codebook_has_no_problems():
    assert validate(inhibitors()) == []
    assert validate_many([inhibitors(), facilitators()]) == []


def test_duplicate_labels_are_errors_naming_both_themes():
    book = inhibitors()
    book.themes[1].children.append(Theme("1a", "Shame"))
    problems = [p for p in validate(book) if p.kind == "duplicate-label"]
    assert len(problems) == 1
    problem = problems[0]
    assert problem.is_error
    assert problem.labels == ("1a",)
    assert problem.paths == ("Difficulty imagining/Images fade", "Fear of compassion/Shame")
    assert "duplicate label '1a'" in problem.message


def test_empty_names_and_labels():
    book = Codebook("k", themes=[Theme("1", "  "), Theme("", "Nameless label")])
    problems = validate(book)
    assert kinds(problems) == ["empty-name", "empty-label"]
    assert "theme 1 has an empty name" in problems[0].message
    assert all(p.is_error for p in problems)


def test_bad_labels_and_key():
    book = Codebook("in hib", themes=[Theme("x::1", "A"), Theme(" 2", "B")])
    assert kinds(validate(book)) == ["bad-key", "bad-label", "bad-label"]
    assert kinds(validate(Codebook("", themes=[]))) == ["empty-key"]


def test_duplicate_sibling_names_after_folding():
    book = Codebook(
        "k",
        themes=[
            Theme("1", "Fear", children=[Theme("1a", "Shame"), Theme("1b", " shame ")]),
            Theme("2", "Other", children=[Theme("2a", "Shame")]),  # not a sibling: allowed
        ],
    )
    problems = validate(book)
    dup = [p for p in problems if p.kind == "duplicate-sibling-name"]
    assert len(dup) == 1
    assert dup[0].labels == ("1a", "1b")
    assert "under 'Fear'" in dup[0].message
    # the exact sibling pair is not reported again as a near-duplicate; the cousins are
    near = [p.labels for p in problems if p.kind == "near-duplicate-name"]
    assert ("1a", "1b") not in near
    assert ("1a", "2a") in near and ("1b", "2a") in near


def test_bad_colour():
    book = Codebook("k", themes=[Theme("1", "A", colour="blue"), Theme("2", "B", colour="#0072b2")])
    problems = validate(book)
    assert kinds(problems) == ["bad-colour"]
    assert "'blue'" in problems[0].message


def test_near_duplicate_names_across_the_tree_are_named_as_pairs():
    book = Codebook(
        "inhibitors",
        themes=[
            Theme("2", "Fear of compassion", children=[Theme("2a", "Others are unreliable")]),
            Theme(
                "3", "Blocks", children=[Theme("3a", "Tiredness"), Theme("3b", "Others unreliable")]
            ),
        ],
    )
    problems = validate(book)
    assert [(p.kind, p.severity, p.message) for p in problems] == [
        (
            "near-duplicate-name",
            "warning",
            "near-duplicate names: 2a 'Others are unreliable' ~ 3b 'Others unreliable' (score 100)",
        )
    ]
    assert problems[0].paths == (
        "Fear of compassion/Others are unreliable",
        "Blocks/Others unreliable",
    )


def test_near_duplicate_siblings_are_marked_and_scores_below_threshold_pass():
    book = Codebook(
        "k",
        themes=[
            Theme("1", "Self-criticism"),
            Theme("2", "Self criticism!"),
            Theme("3", "Feeling unworthy"),
            Theme("4", "Feeling undeserving"),  # token_set_ratio ~63: not reported
        ],
    )
    problems = validate(book)
    assert [p.message for p in problems] == [
        "near-duplicate names (siblings): 1 'Self-criticism' ~ 2 'Self criticism!' (score 100)"
    ]


def test_threshold_is_inclusive_and_configurable():
    book = Codebook(
        "k", themes=[Theme("1", "Others are unreliable"), Theme("2", "Others are not reliable")]
    )
    # token_set_ratio is 90.9 here
    assert kinds(validate(book)) == ["near-duplicate-name"]
    assert validate(book, threshold=95) == []


def test_parent_and_child_names_are_not_near_duplicates():
    book = Codebook(
        "k",
        themes=[
            Theme(
                "2", "Fear of compassion", children=[Theme("2a", "Fear of compassion from others")]
            )
        ],
    )
    assert validate(book) == []


def test_validate_many_reports_label_collisions_as_warnings():
    other = Codebook("experience", themes=[Theme("2a", "Calm")])
    problems = validate_many([inhibitors(), other])
    assert kinds(problems) == ["label-collision"]
    problem = problems[0]
    assert problem.severity == "warning"
    assert problem.codebooks == ("inhibitors", "experience")
    assert "inhibitors::2a 'Others are unreliable'" in problem.message
    assert "experience::2a 'Calm'" in problem.message


def test_validate_many_prefixes_codebook_and_catches_duplicate_keys():
    bad = Codebook("facilitators", themes=[Theme("F9", "")])
    problems = validate_many({"a": facilitators(), "b": bad})
    assert kinds(problems) == ["empty-name", "duplicate-key"]
    assert problems[0].message.startswith("facilitators: ")
    assert problems[0].codebooks == ("facilitators",)


# ------------------------------------------------------------------ references


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("2a", (None, "2a")),
        ("  inhibitors::2a ", ("inhibitors", "2a")),
        (
            "Fear of compassion/Others are unreliable",
            (None, "Fear of compassion/Others are unreliable"),
        ),
        ("inhibitors :: Fear/Others", ("inhibitors", "Fear/Others")),
        ("a::b::c", ("a", "b::c")),
    ],
)
def test_parse_reference(reference, expected):
    assert parse_reference(reference) == expected


@pytest.mark.parametrize("reference", ["", "   ", "::2a", "inhibitors::", "inhibitors:: "])
def test_parse_reference_rejects_empty_parts(reference):
    with pytest.raises(CodebookError):
        parse_reference(reference)


@pytest.mark.parametrize(
    ("reference", "key", "label"),
    [
        ("2a", "inhibitors", "2a"),
        ("inhibitors::2a", "inhibitors", "2a"),
        ("F1a", "facilitators", "F1a"),
        ("Fear of compassion/Others are unreliable", "inhibitors", "2a"),
        ("fear of compassion /  others ARE unreliable", "inhibitors", "2a"),
        ("inhibitors::Fear of compassion/Others are unreliable", "inhibitors", "2a"),
        ("Warm memory", "facilitators", "F1"),
    ],
)
def test_resolve_reference(reference, key, label):
    found_key, theme = resolve_reference(reference, [inhibitors(), facilitators()])
    assert (found_key, theme.label) == (key, label)


def test_resolve_accepts_a_mapping():
    books = {"inhibitors": inhibitors()}
    assert resolve_reference("2", books)[1].name == "Fear of compassion"


def test_ambiguous_bare_label_names_the_candidates():
    other = Codebook("experience", themes=[Theme("2a", "Calm")])
    with pytest.raises(CodebookError) as info:
        resolve_reference("2a", [inhibitors(), other])
    message = str(info.value)
    assert "ambiguous" in message
    assert "inhibitors::2a 'Others are unreliable'" in message
    assert "experience::2a 'Calm'" in message
    # qualifying resolves it
    assert resolve_reference("experience::2a", [inhibitors(), other])[1].name == "Calm"


def test_ambiguous_path_across_codebooks():
    a = Codebook("a", themes=[Theme("1", "Shame")])
    b = Codebook("b", themes=[Theme("X1", "shame")])
    with pytest.raises(CodebookError, match=r"ambiguous.*a::1 'Shame'.*b::X1 'shame'"):
        resolve_reference("Shame", [a, b])


def test_label_match_wins_over_a_name_match():
    a = Codebook("a", themes=[Theme("Calm", "Something else")])
    b = Codebook("b", themes=[Theme("B1", "Calm")])
    assert resolve_reference("Calm", [a, b]) == ("a", a.themes[0])


def test_unknown_label_suggests_a_close_one():
    with pytest.raises(CodebookError) as info:
        resolve_reference("2A", [inhibitors(), facilitators()])
    assert str(info.value) == (
        "unknown code '2A'; did you mean '2a' (Fear of compassion/Others are unreliable)?"
    )


def test_unknown_path_suggests_the_close_path():
    with pytest.raises(CodebookError) as info:
        resolve_reference("Fear of compasion/Others are unreliabel", [inhibitors()])
    assert "did you mean 'Fear of compassion/Others are unreliable'?" in str(info.value)


def test_bare_subtheme_name_suggests_its_full_path():
    with pytest.raises(CodebookError) as info:
        resolve_reference("Others are unreliable", [inhibitors()])
    assert "did you mean 'Fear of compassion/Others are unreliable'?" in str(info.value)


def test_unknown_codebook_suggests_a_key():
    with pytest.raises(CodebookError) as info:
        resolve_reference("inhibitor::2a", [inhibitors(), facilitators()])
    assert "unknown codebook 'inhibitor'" in str(info.value)
    assert "did you mean 'inhibitors'?" in str(info.value)


def test_qualified_reference_only_searches_that_codebook():
    with pytest.raises(CodebookError, match="unknown code 'facilitators::2a' in codebook"):
        resolve_reference("facilitators::2a", [inhibitors(), facilitators()])


def test_unknown_with_nothing_close_has_no_suggestion():
    with pytest.raises(CodebookError) as info:
        resolve_reference("zzzzqqq", [inhibitors()])
    assert str(info.value) == "unknown code 'zzzzqqq'"


def test_codebook_error_is_a_value_error():
    assert issubclass(CodebookError, ValueError)


def test_names_containing_a_slash_are_reachable():
    book = Codebook("k", themes=[Theme("1", "Fear/anxiety", children=[Theme("1a", "Of others")])])
    assert resolve_reference("Fear/anxiety/of others", [book])[1].label == "1a"
    assert resolve_reference("fear / anxiety", [book])[1].label == "1"


# ------------------------------------------------------------------ colours


def test_colour_palette_uses_okabe_ito_and_lightens_children():
    colours = colour_palette(inhibitors())
    assert colours["1"] == OKABE_ITO[0] == "#E69F00"
    assert colours["2"] == OKABE_ITO[1]
    # children: a lighter variant of the parent (35% towards white)
    assert colours["1a"] == colours["1b"] == "#EFC159"
    assert set(colours) == {"1", "1a", "1b", "2", "2a", "2b"}


def test_colour_palette_keeps_own_colours_and_skips_taken_ones():
    book = Codebook(
        "k",
        themes=[
            Theme("1", "A"),
            Theme("2", "B", colour="#e69f00", children=[Theme("2a", "C", colour="#123")]),
            Theme("3", "D", colour="not a colour"),
        ],
    )
    colours = colour_palette(book)
    assert colours["2"] == "#E69F00"
    assert colours["2a"] == "#112233"
    assert colours["1"] == "#56B4E9"  # orange is taken by theme 2
    assert colours["3"] == "#009E73"  # an invalid colour is ignored


def test_colour_palette_cycles_when_themes_outnumber_colours():
    book = Codebook("k", themes=[Theme(str(i), f"Theme {i}") for i in range(10)])
    colours = colour_palette(book)
    assert [colours[str(i)] for i in range(8)] == [c.upper() for c in OKABE_ITO]
    assert colours["8"] == OKABE_ITO[0]
