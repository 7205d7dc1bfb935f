"""The codebook tree: themes, validation, code references and default colours.

A codebook (``docs/CONVENTIONS.md``, "Codebook YAML") is a tree of themes. Depth 1 holds the
superordinate themes ("2 Fear of compassion"), deeper levels the subordinate ones
("2a Others are unreliable"). Every theme has a *label* (the short number label, unique within
its codebook) and a *name* (unique among its siblings).

This module is pure: it knows nothing about YAML or files (see
``themeqa.interop.codebook_yaml`` for that). It offers

* :class:`Theme` and :class:`Codebook`, plain dataclasses that compare by value;
* :func:`validate` / :func:`validate_many`, which list every :class:`Problem` instead of
  stopping at the first;
* :func:`parse_reference` / :func:`resolve_reference` for the reference syntax used by the
  codings CSV and the CLI (``2a``, ``inhibitors::2a``, ``Fear of compassion/Others are
  unreliable``, ``inhibitors::Fear of compassion/Others are unreliable``);
* :func:`colour_palette`, which gives every theme a colour, defaulting to the Okabe–Ito
  colour-blind-safe palette.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process, utils

__all__ = [
    "NEAR_DUPLICATE_THRESHOLD",
    "OKABE_ITO",
    "Codebook",
    "CodebookError",
    "Problem",
    "Theme",
    "colour_palette",
    "fold_name",
    "is_valid_colour",
    "lighten",
    "parse_reference",
    "qualified_label",
    "resolve_reference",
    "validate",
    "validate_many",
]

#: Minimum ``rapidfuzz.fuzz.token_set_ratio`` (after lower-casing and stripping punctuation)
#: at which two theme names are reported as near-duplicates.
NEAR_DUPLICATE_THRESHOLD = 90.0

#: Separator between a codebook key and the rest of a qualified reference.
QUALIFIER = "::"

#: Separator between the names of a path reference.
PATH_SEPARATOR = "/"

_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_WHITESPACE = re.compile(r"\s+")


class CodebookError(ValueError):
    """A code reference that cannot be resolved, or a codebook that cannot be used."""


# --------------------------------------------------------------------------------------------
# model


@dataclass
class Theme:
    """One node of a codebook tree.

    ``label`` is the number label (``"2a"``), unique within a codebook; ``name`` the theme's
    name, unique among its siblings. ``include``/``exclude`` are the inclusion and exclusion
    notes. ``colour`` is an optional ``#RRGGBB`` (or ``#RGB``) hex colour.
    """

    label: str
    name: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    colour: str | None = None
    children: list[Theme] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Accept any iterable for convenience; keep the declared types so equality is exact.
        if not isinstance(self.examples, tuple):
            self.examples = tuple(self.examples)
        if not isinstance(self.children, list):
            self.children = list(self.children)

    def walk(
        self, _depth: int = 1, _path: tuple[str, ...] = ()
    ) -> Iterator[tuple[Theme, int, tuple[str, ...]]]:
        """Yield ``(theme, depth, path_of_names)`` for this theme and its descendants, pre-order.

        ``depth`` is 1 for this theme; ``path_of_names`` ends with this theme's own name.
        """
        path = (*_path, self.name)
        yield self, _depth, path
        for child in self.children:
            yield from child.walk(_depth + 1, path)

    def descendants(self) -> Iterator[Theme]:
        """Every theme below this one (not including itself), pre-order."""
        for child in self.children:
            yield child
            yield from child.descendants()


@dataclass
class Codebook:
    """A codebook: a short ``key`` (unique in a project, used to qualify references), a title,
    a description and its superordinate themes."""

    key: str
    title: str = ""
    description: str = ""
    themes: list[Theme] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not isinstance(self.themes, list):
            self.themes = list(self.themes)

    def walk(self) -> Iterator[tuple[Theme, int, tuple[str, ...]]]:
        """Yield ``(theme, depth, path_of_names)`` for every theme, pre-order.

        Superordinate themes have depth 1; ``path_of_names`` runs from the superordinate theme
        down to (and including) the theme itself.
        """
        for theme in self.themes:
            yield from theme.walk()

    def labels(self) -> list[str]:
        """All labels, in tree order."""
        return [theme.label for theme, _, _ in self.walk()]

    def parent_of(self, theme: Theme) -> Theme | None:
        """The parent of ``theme`` (matched by identity), or None for a superordinate theme."""
        for node, _, _ in self.walk():
            if any(child is theme for child in node.children):
                return node
        return None

    def path_of(self, theme: Theme) -> tuple[str, ...]:
        """The path of names leading to ``theme`` (matched by identity)."""
        for node, _, path in self.walk():
            if node is theme:
                return path
        raise CodebookError(f"theme {theme.label!r} is not in codebook {self.key!r}")

    def find(self, reference: str) -> Theme | None:
        """The theme a reference names in this codebook, or None.

        ``reference`` is a label (matched exactly) or a path of names from a superordinate
        theme (``Fear of compassion/Others are unreliable``; names match case-insensitively
        after folding white space). A qualifier (``key::``) must be this codebook's key.
        Labels win over names. Raises :class:`CodebookError` when the reference is ambiguous,
        which only an invalid codebook (duplicate labels or sibling names) allows.
        """
        key, rest = parse_reference(reference)
        if key is not None and key != self.key:
            return None
        matches = _matches_in(self, rest)
        if not matches:
            return None
        if len(matches) > 1:
            raise CodebookError(
                f"{reference!r} is ambiguous in codebook {self.key!r}: "
                + ", ".join(_describe(self.key, t, qualify=False) for t in matches)
            )
        return matches[0]


@dataclass(frozen=True)
class Problem:
    """One finding of :func:`validate` or :func:`validate_many`.

    ``kind`` is a stable identifier (``duplicate-label``, ``empty-name``, ``empty-label``,
    ``bad-label``, ``duplicate-sibling-name``, ``bad-colour``, ``near-duplicate-name``,
    ``empty-key``, ``bad-key``, ``duplicate-key``, ``label-collision``); ``severity`` is
    ``"error"`` (the codebook should not be used as is) or ``"warning"``. ``labels`` and
    ``paths`` name the themes involved (paths joined with ``/``); ``codebooks`` the codebook
    keys involved.
    """

    kind: str
    message: str
    labels: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    severity: str = "error"
    codebooks: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


# --------------------------------------------------------------------------------------------
# helpers


def fold_name(name: str) -> str:
    """A theme name (or path of names) as compared in references.

    Case-folded, runs of white space collapsed to one space, and white space around ``/``
    removed, so ``"Fear of  compassion / Others"`` and ``"fear of compassion/others"`` match.
    """
    parts = (_WHITESPACE.sub(" ", part).strip() for part in name.split(PATH_SEPARATOR))
    return PATH_SEPARATOR.join(parts).casefold()


def is_valid_colour(colour: str) -> bool:
    """True for a ``#RGB`` or ``#RRGGBB`` hex colour."""
    return isinstance(colour, str) and _HEX_COLOUR.fullmatch(colour) is not None


def _join(path: Iterable[str]) -> str:
    return PATH_SEPARATOR.join(path)


def _describe(key: str, theme: Theme, *, qualify: bool = True) -> str:
    prefix = f"{key}{QUALIFIER}" if qualify else ""
    return f"{prefix}{theme.label} {theme.name!r}"


# --------------------------------------------------------------------------------------------
# validation


def validate(codebook: Codebook, *, threshold: float = NEAR_DUPLICATE_THRESHOLD) -> list[Problem]:
    """Every problem of one codebook, errors and warnings, in tree order.

    Errors: an empty or malformed codebook key, empty labels or names, labels containing
    ``::`` or surrounding white space (they could not be referenced), duplicate labels, two
    siblings whose names are equal after case and white-space folding (a path reference could
    not tell them apart), colours that are not ``#RGB``/``#RRGGBB``.

    Warnings: near-duplicate names, i.e. pairs whose ``rapidfuzz.fuzz.token_set_ratio`` (on
    lower-cased text with punctuation stripped) is at least ``threshold`` (90), both among
    siblings and across the whole tree. Note that token-set similarity is 100 whenever the
    words of one name are a subset of the other's ("Others unreliable" ~ "Others are
    unreliable"), which is what makes it good at catching reworded duplicates; for the same
    reason a theme and its own ancestors are not compared (a subtheme naturally restates its
    parent's name).
    """
    problems: list[Problem] = []
    key = codebook.key
    if not key or not key.strip():
        problems.append(Problem("empty-key", "codebook has an empty key"))
    elif key != key.strip() or QUALIFIER in key or any(ch.isspace() for ch in key):
        problems.append(
            Problem(
                "bad-key",
                f"codebook key {key!r} must not contain white space or '{QUALIFIER}'",
                codebooks=(key,),
            )
        )

    nodes = list(codebook.walk())
    first_by_label: dict[str, tuple[Theme, tuple[str, ...]]] = {}
    for theme, _depth, path in nodes:
        where = _join(path) if theme.name.strip() else f"theme {theme.label!r}"
        if not theme.label.strip():
            problems.append(
                Problem("empty-label", f"{_join(path)!r} has an empty label", paths=(_join(path),))
            )
        elif theme.label != theme.label.strip() or QUALIFIER in theme.label:
            problems.append(
                Problem(
                    "bad-label",
                    f"label {theme.label!r} of {where!r} must not contain '{QUALIFIER}' "
                    "or start or end with white space",
                    labels=(theme.label,),
                    paths=(_join(path),),
                )
            )
        if not theme.name.strip():
            label = theme.label if theme.label.strip() else "?"
            problems.append(
                Problem(
                    "empty-name",
                    f"theme {label} has an empty name",
                    labels=(theme.label,),
                    paths=(_join(path),),
                )
            )
        elif QUALIFIER in theme.name:
            problems.append(
                Problem(
                    "bad-name",
                    f"name {theme.name!r} of {theme.label} must not contain '{QUALIFIER}'",
                    labels=(theme.label,),
                    paths=(_join(path),),
                )
            )
        if theme.colour is not None and not is_valid_colour(theme.colour):
            problems.append(
                Problem(
                    "bad-colour",
                    f"theme {theme.label} {theme.name!r}: colour {theme.colour!r} is not a hex "
                    "colour like '#0072B2'",
                    labels=(theme.label,),
                    paths=(_join(path),),
                )
            )
        if theme.label.strip():
            if theme.label in first_by_label:
                other, other_path = first_by_label[theme.label]
                problems.append(
                    Problem(
                        "duplicate-label",
                        f"duplicate label {theme.label!r}: {other.name!r} ({_join(other_path)}) "
                        f"and {theme.name!r} ({_join(path)})",
                        labels=(theme.label,),
                        paths=(_join(other_path), _join(path)),
                    )
                )
            else:
                first_by_label[theme.label] = (theme, path)

    # duplicate names among siblings (after folding), per parent
    exact_sibling_pairs: set[tuple[int, int]] = set()
    for siblings, parent_path in _sibling_groups(codebook):
        seen: dict[str, Theme] = {}
        for theme in siblings:
            folded = fold_name(theme.name)
            if not folded:
                continue
            if folded in seen:
                other = seen[folded]
                exact_sibling_pairs.add((id(other), id(theme)))
                where = f" under {_join(parent_path)!r}" if parent_path else " at the top level"
                problems.append(
                    Problem(
                        "duplicate-sibling-name",
                        f"duplicate name{where}: {other.label} {other.name!r} and "
                        f"{theme.label} {theme.name!r}",
                        labels=(other.label, theme.label),
                        paths=(
                            _join((*parent_path, other.name)),
                            _join((*parent_path, theme.name)),
                        ),
                    )
                )
            else:
                seen[folded] = theme

    problems.extend(_near_duplicates(nodes, exact_sibling_pairs, threshold))
    return problems


def _sibling_groups(codebook: Codebook) -> Iterator[tuple[list[Theme], tuple[str, ...]]]:
    yield codebook.themes, ()
    for theme, _, path in codebook.walk():
        if theme.children:
            yield theme.children, path


def _near_duplicates(
    nodes: list[tuple[Theme, int, tuple[str, ...]]],
    skip: set[tuple[int, int]],
    threshold: float,
) -> list[Problem]:
    named = [(theme, path) for theme, _, path in nodes if theme.name.strip()]
    if len(named) < 2:
        return []
    names = [theme.name for theme, _ in named]
    scores = process.cdist(
        names,
        names,
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=threshold,
        workers=1,
    )
    parents: dict[int, int | None] = {}
    for theme, _ in named:
        for child in theme.children:
            parents[id(child)] = id(theme)

    def ancestors(theme: Theme) -> set[int]:
        found: set[int] = set()
        current = parents.get(id(theme))
        while current is not None:
            found.add(current)
            current = parents.get(current)
        return found

    problems = []
    for i in range(len(named)):
        a, path_a = named[i]
        anc_a = ancestors(a)
        for j in range(i + 1, len(named)):
            score = float(scores[i, j])
            if score < threshold:
                continue
            b, path_b = named[j]
            if (id(a), id(b)) in skip or id(b) in anc_a or id(a) in ancestors(b):
                continue
            siblings = path_a[:-1] == path_b[:-1] and parents.get(id(a)) == parents.get(id(b))
            scope = " (siblings)" if siblings else ""
            problems.append(
                Problem(
                    "near-duplicate-name",
                    f"near-duplicate names{scope}: {a.label} {a.name!r} ~ {b.label} {b.name!r} "
                    f"(score {score:.0f})",
                    labels=(a.label, b.label),
                    paths=(_join(path_a), _join(path_b)),
                    severity="warning",
                )
            )
    return problems


def validate_many(
    codebooks: Iterable[Codebook] | Mapping[str, Codebook],
    *,
    threshold: float = NEAR_DUPLICATE_THRESHOLD,
) -> list[Problem]:
    """:func:`validate` for each codebook, plus problems between codebooks.

    Two codebooks with the same key are an error. A label used in several codebooks is a
    warning (``label-collision``): qualified references (``inhibitors::2a``) still reach each
    code, but a bare ``2a`` becomes ambiguous.
    """
    books = list(codebooks.values()) if isinstance(codebooks, Mapping) else list(codebooks)
    problems: list[Problem] = []
    for book in books:
        for problem in validate(book, threshold=threshold):
            codebooks_involved = problem.codebooks or (book.key,)
            message = f"{book.key}: {problem.message}" if book.key else problem.message
            problems.append(
                Problem(
                    problem.kind,
                    message,
                    problem.labels,
                    problem.paths,
                    problem.severity,
                    codebooks_involved,
                )
            )
    seen_keys: set[str] = set()
    for book in books:
        if book.key in seen_keys:
            problems.append(
                Problem(
                    "duplicate-key",
                    f"two codebooks have the key {book.key!r}",
                    codebooks=(book.key,),
                )
            )
        seen_keys.add(book.key)

    owners: dict[str, list[tuple[str, Theme]]] = {}
    for book in books:
        first: dict[str, Theme] = {}
        for theme, _, _ in book.walk():
            if theme.label.strip():
                first.setdefault(theme.label, theme)
        for label, theme in first.items():
            owners.setdefault(label, []).append((book.key, theme))
    for label, found in owners.items():
        keys = [key for key, _ in found]
        if len(set(keys)) < 2:
            continue
        problems.append(
            Problem(
                "label-collision",
                f"label {label!r} is used in several codebooks: "
                + ", ".join(_describe(key, theme) for key, theme in found)
                + f" (qualify references, e.g. {keys[0]}{QUALIFIER}{label})",
                labels=(label,),
                severity="warning",
                codebooks=tuple(keys),
            )
        )
    return problems


# --------------------------------------------------------------------------------------------
# references


def qualified_label(codebook_key: str, label: str) -> str:
    """``"inhibitors::2a"``: the reference that names one code in any project, as the user
    types it (:func:`parse_reference` reads it back).

    Why one function: outputs that name codes (presence columns, the joint display, the
    co-occurrence and presence reports) must spell them the way the CLI and the codings CSV
    accept them, so a name copied from a table can be pasted into a command.
    """
    return f"{codebook_key}{QUALIFIER}{label}"


def parse_reference(reference: str) -> tuple[str | None, str]:
    """Split a code reference into ``(codebook_key or None, label_or_path)``.

    ``"inhibitors::2a"`` -> ``("inhibitors", "2a")``; ``"2a"`` -> ``(None, "2a")``. Only the
    first ``::`` qualifies. Surrounding white space is dropped. Raises :class:`CodebookError`
    for an empty reference, an empty qualifier or nothing after it.
    """
    if not isinstance(reference, str):
        raise CodebookError(f"a code reference must be text, not {type(reference).__name__}")
    text = reference.strip()
    if not text:
        raise CodebookError("empty code reference")
    if QUALIFIER not in text:
        return None, text
    key, _, rest = text.partition(QUALIFIER)
    key, rest = key.strip(), rest.strip()
    if not key:
        raise CodebookError(f"code reference {reference!r} has an empty codebook before '::'")
    if not rest:
        raise CodebookError(f"code reference {reference!r} names no code after '::'")
    return key, rest


def _match_path(themes: list[Theme], folded: str) -> list[Theme]:
    """Themes whose path of names from ``themes`` equals ``folded`` (already folded).

    Names may themselves contain ``/``: a name matches when it equals the whole remaining
    path or is followed by a separator.
    """
    found: list[Theme] = []
    for theme in themes:
        name = fold_name(theme.name)
        if not name:
            continue
        if folded == name:
            found.append(theme)
        elif folded.startswith(name + PATH_SEPARATOR):
            found.extend(_match_path(theme.children, folded[len(name) + 1 :]))
    return found


def _label_matches(codebook: Codebook, label: str) -> list[Theme]:
    return [theme for theme, _, _ in codebook.walk() if theme.label == label]


def _matches_in(codebook: Codebook, rest: str) -> list[Theme]:
    by_label = _label_matches(codebook, rest)
    if by_label:
        return by_label
    return _match_path(codebook.themes, fold_name(rest))


def resolve_reference(
    reference: str, codebooks: Iterable[Codebook] | Mapping[str, Codebook]
) -> tuple[str, Theme]:
    """Find the code a reference names: ``(codebook_key, theme)``.

    Accepted forms (CONVENTIONS.md, "Code references"): a label (``2a``, matched exactly), a
    path of names from a superordinate theme (``Fear of compassion/Others are unreliable``,
    matched case-insensitively after white-space folding), either optionally qualified by a
    codebook key (``inhibitors::2a``). A label match anywhere wins over a name match.

    Raises :class:`CodebookError` naming the candidates when a bare reference matches codes
    in several codebooks, and with the closest known reference as a suggestion when nothing
    matches.
    """
    books = list(codebooks.values()) if isinstance(codebooks, Mapping) else list(codebooks)
    key, rest = parse_reference(reference)
    if key is not None:
        scope = [book for book in books if book.key == key]
        if not scope:
            known = [book.key for book in books]
            hint = _suggest(key, known)
            raise CodebookError(
                f"unknown codebook {key!r} in code reference {reference!r}"
                + (f"; did you mean {hint!r}?" if hint else "")
                + (f" (known: {', '.join(known)})" if known else " (no codebooks loaded)")
            )
    else:
        scope = books

    for finder in (_label_matches, lambda book, text: _match_path(book.themes, fold_name(text))):
        found = [(book.key, theme) for book in scope for theme in finder(book, rest)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            qualify_hint = "" if key else " (qualify it with a codebook, e.g. "
            if not key:
                qualify_hint += f"{found[0][0]}{QUALIFIER}{rest})"
            raise CodebookError(
                f"ambiguous code reference {reference!r}: matches "
                + ", ".join(_describe(book_key, theme) for book_key, theme in found)
                + qualify_hint
            )

    raise CodebookError(_unknown_message(reference, key, rest, scope, books))


def _unknown_message(
    reference: str, key: str | None, rest: str, scope: list[Codebook], books: list[Codebook]
) -> str:
    where = f" in codebook {key!r}" if key else ""
    message = f"unknown code {reference!r}{where}"
    if not any(True for book in scope for _ in book.walk()):
        return message + " (no codes defined)"
    label_count: dict[str, int] = {}
    path_count: dict[str, int] = {}
    for book in books:
        for label in set(book.labels()):
            label_count[label] = label_count.get(label, 0) + 1
        for folded in {fold_name(_join(path)) for _, _, path in book.walk()}:
            path_count[folded] = path_count.get(folded, 0) + 1

    # choices: every label and every full path, written the way they would resolve
    choices: dict[str, str] = {}
    leaf_hits: list[str] = []
    folded_rest = fold_name(rest)
    for book in scope:
        for theme, _, path in book.walk():
            folded_path = fold_name(_join(path))
            qualified = f"{book.key}{QUALIFIER}"
            label_prefix = qualified if key or label_count.get(theme.label, 0) > 1 else ""
            path_prefix = qualified if key or path_count.get(folded_path, 0) > 1 else ""
            shown_path = fold_path_display(path)
            choices.setdefault(theme.label, f"{label_prefix}{theme.label}' ({shown_path})")
            choices.setdefault(folded_path, f"{path_prefix}{shown_path}'")
            if len(path) > 1 and fold_name(theme.name) == folded_rest:
                leaf_hits.append(f"'{path_prefix}{shown_path}'")
    if leaf_hits:
        return (
            message
            + f"; did you mean {' or '.join(leaf_hits)}? (paths start at a superordinate theme)"
        )
    best = process.extractOne(
        rest,
        list(choices),
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=60,
    )
    if best is not None:
        message += f"; did you mean '{choices[best[0]]}?"
    return message


def fold_path_display(path: Iterable[str]) -> str:
    """A path of names for messages: each name with its white space collapsed."""
    return _join(_WHITESPACE.sub(" ", name).strip() for name in path)


def _suggest(query: str, choices: list[str]) -> str | None:
    if not choices:
        return None
    best = process.extractOne(
        query, choices, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=60
    )
    return best[0] if best else None


# --------------------------------------------------------------------------------------------
# colours

#: The Okabe–Ito colour-blind-safe palette (Okabe, M. & Ito, K. (2008). *Color Universal
#: Design (CUD): how to make figures and presentations that are friendly to colorblind
#: people*. https://jfly.uni-koeln.de/color/), ordered so that black, which disappears on a
#: dark terminal, comes last.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)


def _expand(colour: str) -> str:
    body = colour[1:]
    if len(body) == 3:
        body = "".join(ch * 2 for ch in body)
    return "#" + body.upper()


def lighten(colour: str, amount: float) -> str:
    """Mix a hex colour with white: ``amount`` 0 keeps it, 1 gives white."""
    full = _expand(colour)
    channels = [int(full[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * amount) for c in channels]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def colour_palette(
    codebook: Codebook,
    palette: tuple[str, ...] = OKABE_ITO,
    *,
    child_lighten: float = 0.35,
) -> dict[str, str]:
    """A colour for every theme, keyed by label (``#RRGGBB``, upper case).

    Themes keep a valid colour of their own. Superordinate themes without one take the next
    palette colour not already used by another superordinate theme (cycling through the
    palette when there are more themes than colours). A subordinate theme without a colour
    takes a lighter variant of its parent's colour (mixed ``child_lighten`` of the way
    towards white), so a family of themes reads as one hue.

    The default palette is Okabe & Ito (2008), distinguishable under the common forms of
    colour-vision deficiency. With duplicate labels (an invalid codebook) the first wins.
    """
    if not palette:
        raise CodebookError("colour palette is empty")
    colours: dict[str, str] = {}
    taken = {
        _expand(theme.colour)
        for theme in codebook.themes
        if theme.colour is not None and is_valid_colour(theme.colour)
    }
    free = [c for c in (_expand(p) for p in palette) if c not in taken]
    cycle = free or [_expand(p) for p in palette]
    next_index = 0

    def assign(theme: Theme, inherited: str | None) -> None:
        nonlocal next_index
        if theme.colour is not None and is_valid_colour(theme.colour):
            own = _expand(theme.colour)
        elif inherited is None:
            own = cycle[next_index % len(cycle)]
            next_index += 1
        else:
            own = lighten(inherited, child_lighten)
        colours.setdefault(theme.label, own)
        for child in theme.children:
            assign(child, own)

    for theme in codebook.themes:
        assign(theme, None)
    return colours
