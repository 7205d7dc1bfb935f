"""Codebook YAML: reading with clear errors, writing, round trips."""

from __future__ import annotations

import textwrap

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from themeqa.core.codebook import Codebook, Theme
from themeqa.interop.codebook_yaml import (
    CodebookFormatError,
    dump_codebook_yaml,
    load_codebook_yaml,
)

EXAMPLE = textwrap.dedent(
    """\
    codebook: inhibitors            # short id
    title: Inhibitors of compassionate imagery
    description: free text
    themes:
      - label: 2
        name: Fear of compassion
        definition: Worry that kindness will be exploited or lost.
        include: mentions of distrust
        exclude: plain sadness
        examples: ["I can't rely on anyone", "they'd leave"]
        colour: "#0072B2"
        children:
          - label: 2a
            name: Others are unreliable
          - label: 1.10
            name: yes
            color: "#D55E00"
      - label: "3"
        name: Blocks
        examples: one example
    """
)


def load(text: str, **kwargs) -> Codebook:
    return load_codebook_yaml(textwrap.dedent(text), name="inhibitors.yaml", **kwargs)


def error_of(text: str) -> str:
    with pytest.raises(CodebookFormatError) as info:
        load(text)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_load_example():
    book = load_codebook_yaml(EXAMPLE)
    assert book.key == "inhibitors"
    assert book.title == "Inhibitors of compassionate imagery"
    fear = book.themes[0]
    assert fear.label == "2"  # a number in YAML becomes text
    assert fear.examples == ("I can't rely on anyone", "they'd leave")
    assert fear.colour == "#0072B2"
    assert [c.label for c in fear.children] == ["2a", "1.10"]  # not the float 1.1
    assert fear.children[1].name == "yes"  # not True
    assert fear.children[1].colour == "#D55E00"  # 'color' spelling accepted
    assert book.themes[1].examples == ("one example",)
    assert book.themes[1].children == []


def test_load_from_path_and_bytes(tmp_path):
    path = tmp_path / "inhibitors.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.encode())
    assert load_codebook_yaml(path) == load_codebook_yaml(str(path)) == load_codebook_yaml(EXAMPLE)
    assert load_codebook_yaml(EXAMPLE.encode()) == load_codebook_yaml(EXAMPLE)


def test_missing_file_names_it(tmp_path):
    with pytest.raises(CodebookFormatError, match=r"^nothere\.yaml: cannot read file"):
        load_codebook_yaml(tmp_path / "nothere.yaml")


def test_missing_name_names_the_tree_path():
    message = error_of(
        """\
        codebook: inhibitors
        themes:
          - label: 1
            name: A
          - label: 2
            name: B
            children:
              - label: 2a
        """
    )
    assert message == "inhibitors.yaml: themes[1].children[0]: missing 'name'"


def test_missing_label_and_empty_name():
    assert (
        error_of("codebook: k\nthemes:\n  - name: A\n")
        == "inhibitors.yaml: themes[0]: missing 'label'"
    )
    assert (
        error_of("codebook: k\nthemes:\n  - label: 1\n    name:\n")
        == "inhibitors.yaml: themes[0]: 'name' has no value"
    )


def test_unknown_key_is_rejected_with_a_suggestion():
    message = error_of("codebook: k\nthemes:\n  - label: 1\n    name: A\n    defintion: x\n")
    assert message.startswith("inhibitors.yaml: themes[0]: unknown key 'defintion'")
    assert "did you mean 'definition'?" in message


def test_unknown_top_level_key():
    message = error_of("codebook: k\ntitel: x\nthemes: []\n")
    assert message.startswith("inhibitors.yaml: unknown key 'titel' (did you mean 'title'?)")


def test_missing_codebook_key():
    assert error_of("title: x\nthemes: []\n") == "inhibitors.yaml: missing 'codebook'"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "inhibitors.yaml: the file is empty"),
        ("- a\n", "inhibitors.yaml: expected a mapping with 'codebook' and 'themes', got a list"),
        ("codebook: k\nthemes: x\n", "inhibitors.yaml: themes: expected a list of themes"),
        ("codebook: k\nthemes: [x]\n", "inhibitors.yaml: themes[0]: expected a theme"),
        (
            "codebook: k\nthemes:\n  - label: 1\n    name: [a, b]\n",
            "inhibitors.yaml: themes[0].name: expected text, got a list",
        ),
        (
            "codebook: k\nthemes:\n  - label: 1\n    name: a\n    examples: [x, {a: b}]\n",
            "inhibitors.yaml: themes[0].examples[1]: expected text, got a mapping",
        ),
        (
            "codebook: k\nthemes:\n  - label: 1\n    name: a\n    children: {}\n",
            "inhibitors.yaml: themes[0].children: expected a list of themes",
        ),
        (
            "codebook: k\nthemes:\n  - label: 1\n    name: a\n    colour: x\n    color: y\n",
            "inhibitors.yaml: themes[0]: both 'colour' and 'color' are given",
        ),
    ],
)
def test_shape_errors(text, expected):
    assert error_of(text).startswith(expected)


def test_yaml_syntax_error_gives_line():
    message = error_of("codebook: k\nthemes: [\n")
    assert message.startswith("inhibitors.yaml: line 3, column 1: invalid YAML")


def test_duplicate_keys_are_refused():
    message = error_of("codebook: k\nthemes:\n  - label: 1\n    name: a\n    name: b\n")
    assert message.startswith("inhibitors.yaml: line 5, column 5: invalid YAML")
    assert "duplicate key 'name'" in message


def test_unquoted_hash_colour_is_explained():
    message = error_of("codebook: k\nthemes:\n  - label: 1\n    name: a\n    colour: #0072B2\n")
    assert message.startswith("inhibitors.yaml: line 5: an unquoted '#' starts a YAML comment")


def test_explicit_tags_are_safe():
    with pytest.raises(CodebookFormatError):
        load("codebook: !!python/object:os.system x\nthemes: []\n")
    assert load("codebook: k\nthemes:\n  - label: !!int 3\n    name: a\n").themes[0].label == "3"


def test_validate_option_refuses_semantic_errors():
    text = "codebook: k\nthemes:\n  - label: 1\n    name: A\n  - label: 1\n    name: B\n"
    assert len(load(text).themes) == 2  # structurally fine
    with pytest.raises(
        CodebookFormatError, match=r"^inhibitors\.yaml: 1 problem: duplicate label '1'"
    ):
        load(text, validate=True)


def test_dump_layout_is_stable_and_readable():
    book = Codebook(
        key="inhibitors",
        title="Inhibitors",
        description="Line one\nLine two\n",
        themes=[
            Theme(
                "2",
                "Fear of compassion",
                definition="Fürchten, ça",
                examples=("a", "b"),
                colour="#0072B2",
                children=[Theme("2a", "Others are unreliable")],
            )
        ],
    )
    assert dump_codebook_yaml(book) == textwrap.dedent(
        """\
        codebook: inhibitors
        title: Inhibitors
        description: |
          Line one
          Line two
        themes:
          - label: '2'
            name: Fear of compassion
            definition: Fürchten, ça
            examples:
              - a
              - b
            colour: '#0072B2'
            children:
              - label: 2a
                name: Others are unreliable
        """
    )


def test_example_round_trips_and_standard_readers_agree():
    book = load_codebook_yaml(EXAMPLE)
    text = dump_codebook_yaml(book)
    assert load_codebook_yaml(text) == book
    plain = yaml.safe_load(text)
    assert plain["themes"][0]["label"] == "2"
    assert plain["themes"][0]["children"][1] == {
        "label": "1.10",
        "name": "yes",
        "colour": "#D55E00",
    }


# ------------------------------------------------------------------ property: round trip

_TRICKY = [
    "2",
    "1.10",
    "yes",
    "no",
    "null",
    "~",
    "",
    " lead",
    "trail ",
    "#x",
    "a: b",
    "- x",
    "0x1F",
]
_alphabet = st.characters(
    codec="utf-8",
    exclude_categories=("Cs",),
    include_characters="\n\t\r \u00e9\u2028\x85",
)
_text = st.one_of(st.sampled_from(_TRICKY), st.text(_alphabet, max_size=30))
_multiline = st.one_of(_text, st.lists(_text, max_size=4).map("\n".join))


def _themes(depth: int) -> st.SearchStrategy[list[Theme]]:
    child = st.just([]) if depth >= 3 else st.deferred(lambda: _themes(depth + 1))
    theme = st.builds(
        Theme,
        label=_text,
        name=_text,
        definition=_multiline,
        include=_text,
        exclude=_text,
        examples=st.lists(_multiline, max_size=3).map(tuple),
        colour=st.none() | st.sampled_from(["#0072B2", "#fff", "blue", "#", ""]),
        children=child,
    )
    return st.lists(theme, max_size=2)


codebooks = st.builds(Codebook, key=_text, title=_text, description=_multiline, themes=_themes(1))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codebooks)
def test_round_trip_property(book):
    text = dump_codebook_yaml(book)
    assert load_codebook_yaml(text) == book
    # a standard safe loader reads the same strings
    plain = yaml.safe_load(text)
    assert plain["codebook"] == book.key
    assert plain["title"] == book.title
    if book.themes:
        assert plain["themes"][0]["label"] == book.themes[0].label
        assert plain["themes"][0]["name"] == book.themes[0].name
