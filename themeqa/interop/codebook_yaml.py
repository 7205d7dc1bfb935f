"""Codebook YAML files (``codebooks/*.yaml``), read and written.

The format is fixed in ``docs/CONVENTIONS.md`` ("Codebook YAML")::

    codebook: inhibitors
    title: Inhibitors of compassionate imagery
    description: free text
    themes:
      - label: "2"
        name: Fear of compassion
        definition: ...
        include: ...
        exclude: ...
        examples: ["...", "..."]
        colour: "#0072B2"
        children:
          - label: 2a
            name: Others are unreliable

Reading is safe (a ``yaml.SafeLoader`` subclass: no arbitrary objects; aliases, nesting and
size limited by :func:`themeqa.limits.load_yaml`, so an alias bomb or a cycle is refused in
milliseconds) and strict: unknown
keys, missing names or labels and values of the wrong shape are reported with their place in
the tree (``inhibitors.yaml: themes[1].children[0]: missing 'name'``). Every field of a
codebook is text, so plain scalars are read as text: ``label: 2`` gives ``"2"`` and
``label: 1.10`` gives ``"1.10"`` (not the float 1.1), ``name: yes`` gives ``"yes"``. Only an
empty value or ``~``/``null`` reads as "no value". ``color`` is accepted as a spelling of
``colour``. Duplicate keys in one mapping are an error (YAML would otherwise keep the last).

Semantic checks (duplicate labels, near-duplicate names, ...) live in
:func:`themeqa.core.codebook.validate`; pass ``validate=True`` to refuse a file with errors.

Writing (:func:`dump_codebook_yaml`) gives block-style YAML in a fixed key order, keeps
non-ASCII text as is, writes multi-line text as literal blocks, leaves out empty optional
fields, and quotes whatever a standard YAML reader would otherwise take for a number, boolean
or null, so ``load_codebook_yaml(dump_codebook_yaml(c)) == c``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from themeqa.core.codebook import Codebook, Theme
from themeqa.core.codebook import validate as validate_codebook
from themeqa.limits import load_yaml

__all__ = ["CodebookFormatError", "dump_codebook_yaml", "load_codebook_yaml"]

CODEBOOK_KEYS = ("codebook", "title", "description", "themes")
THEME_KEYS = ("label", "name", "definition", "include", "exclude", "examples", "colour", "children")
_ALIASES = {"color": "colour"}

_UNQUOTED_COLOUR = re.compile(r"\s*(?:-\s+)?colou?r:\s+#")
_FOLDED_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class CodebookFormatError(ValueError):
    """A codebook file that cannot be read. The message is one line and starts with the file
    name; ``file`` and ``where`` (the place in the tree, or ``""``) are kept as attributes."""

    def __init__(self, file: str, where: str, problem: str) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        location = f"{where}: " if where else ""
        super().__init__(f"{file}: {location}{problem}")


class _TextLoader(yaml.SafeLoader):
    """Safe loader that reads every plain scalar as text except null, and refuses duplicate
    keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key; construct_mapping reports it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_TextLoader.yaml_implicit_resolvers = {
    first: kept
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    if (kept := [(tag, regexp) for tag, regexp in resolvers if tag in (_NULL_TAG, _MERGE_TAG)])
}


class _Dumper(yaml.SafeDumper):
    """Block style with sequences indented under their key, literal blocks for multi-line
    text."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(ch in value for ch in _FOLDED_BREAKS):
        # YAML folds these line breaks in plain, single-quoted and block scalars; only the
        # double-quoted style keeps them (as escapes).
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value:
        # The emitter falls back to a quoted style when a literal block cannot hold the text
        # exactly (trailing spaces on a line, special characters).
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


# --------------------------------------------------------------------------------------------
# reading


def _read_source(source: str | os.PathLike[str] | bytes, name: str | None) -> tuple[str, str]:
    """Return ``(text, display name)``."""
    if isinstance(source, bytes):
        data, display = source, name or "<codebook>"
    elif isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and _looks_like_path(source)
    ):
        path = Path(source)
        display = name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CodebookFormatError(display, "", f"cannot read file: {exc.strerror}") from exc
    elif isinstance(source, str):
        return source, name or "<codebook>"
    else:
        raise TypeError(f"expected a path, YAML text or bytes, not {type(source).__name__}")
    try:
        return data.decode("utf-8-sig"), display
    except UnicodeDecodeError as exc:
        raise CodebookFormatError(
            display, "", f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from exc


def _looks_like_path(text: str) -> bool:
    stripped = text.strip()
    if not stripped:
        return False
    if stripped.lower().endswith((".yaml", ".yml")):
        return True
    try:
        return Path(stripped).is_file()
    except (OSError, ValueError):
        return False


def load_codebook_yaml(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    validate: bool = False,
) -> Codebook:
    """Read a codebook from a YAML file path, YAML text or bytes.

    A ``str`` is taken as a path when it is one line that names an existing file or ends in
    ``.yaml``/``.yml``; otherwise as YAML text. ``name`` replaces the file name in messages.
    With ``validate=True`` the codebook must also pass
    :func:`themeqa.core.codebook.validate` without errors (warnings are allowed).

    Raises :class:`CodebookFormatError` with a one-line message naming the file and the place
    in the tree.
    """
    text, display = _read_source(source, name)
    for number, line in enumerate(text.splitlines(), start=1):
        if _UNQUOTED_COLOUR.match(line):
            raise CodebookFormatError(
                display,
                f"line {number}",
                "an unquoted '#' starts a YAML comment: quote the colour, e.g. colour: \"#0072B2\"",
            )
    try:
        # a SafeLoader subclass, with limits on aliases, depth and size (themeqa.limits)
        document = load_yaml(text, _TextLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = ": ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise CodebookFormatError(display, where, f"invalid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        # e.g. ReaderError (a NUL or control character) spans two lines: keep one
        raise CodebookFormatError(display, "", f"invalid YAML: {' '.join(str(exc).split())}"
                                  ) from exc

    codebook = _codebook_from(document, display)
    if validate:
        errors = [problem for problem in validate_codebook(codebook) if problem.is_error]
        if errors:
            summary = "; ".join(problem.message for problem in errors)
            count = f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
            raise CodebookFormatError(display, "", f"{count}: {summary}")
    return codebook


def _codebook_from(document: Any, file: str) -> Codebook:
    if document is None:
        raise CodebookFormatError(file, "", "the file is empty")
    if not isinstance(document, dict):
        raise CodebookFormatError(
            file, "", f"expected a mapping with 'codebook' and 'themes', got {_kind(document)}"
        )
    fields = _check_keys(document, CODEBOOK_KEYS, file, "")
    key = _text(fields, "codebook", file, "", required=True)
    title = _text(fields, "title", file, "")
    description = _text(fields, "description", file, "")
    themes = _themes(fields.get("themes"), file, "themes")
    return Codebook(key=key, title=title, description=description, themes=themes)


def _themes(value: Any, file: str, where: str) -> list[Theme]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CodebookFormatError(file, where, f"expected a list of themes, got {_kind(value)}")
    return [_theme(item, file, f"{where}[{index}]") for index, item in enumerate(value)]


def _theme(value: Any, file: str, where: str) -> Theme:
    if not isinstance(value, dict):
        raise CodebookFormatError(
            file, where, f"expected a theme (a mapping with 'label' and 'name'), got {_kind(value)}"
        )
    fields = _check_keys(value, THEME_KEYS, file, where)
    label = _text(fields, "label", file, where, required=True)
    name = _text(fields, "name", file, where, required=True)
    colour = _text(fields, "colour", file, where) if fields.get("colour") is not None else None
    return Theme(
        label=label,
        name=name,
        definition=_text(fields, "definition", file, where),
        include=_text(fields, "include", file, where),
        exclude=_text(fields, "exclude", file, where),
        examples=_examples(fields.get("examples"), file, f"{where}.examples"),
        colour=colour,
        children=_themes(fields.get("children"), file, f"{where}.children"),
    )


def _check_keys(
    mapping: dict[Any, Any], allowed: tuple[str, ...], file: str, where: str
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for raw_key, value in mapping.items():
        key = raw_key if isinstance(raw_key, str) else str(raw_key)
        canonical = _ALIASES.get(key, key)
        if canonical not in allowed:
            raise CodebookFormatError(file, where, _unknown_key_message(key, allowed))
        if canonical in fields:
            raise CodebookFormatError(file, where, f"both {canonical!r} and {key!r} are given")
        fields[canonical] = value
    return fields


def _unknown_key_message(key: str, allowed: tuple[str, ...]) -> str:
    from rapidfuzz import fuzz, process

    message = f"unknown key {key!r}"
    best = process.extractOne(key.lower(), allowed, scorer=fuzz.ratio, score_cutoff=70)
    if best is not None:
        message += f" (did you mean {best[0]!r}?)"
    return message + f"; allowed: {', '.join(allowed)}"


def _text(
    fields: dict[str, Any], key: str, file: str, where: str, *, required: bool = False
) -> str:
    if key not in fields:
        if required:
            raise CodebookFormatError(file, where, f"missing {key!r}")
        return ""
    value = fields[key]
    if value is None:
        if required:
            raise CodebookFormatError(file, where, f"{key!r} has no value")
        return ""
    return _as_text(value, file, f"{where}.{key}" if where else key)


def _as_text(value: Any, file: str, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # only with an explicit !!bool tag
        raise CodebookFormatError(file, where, f"expected text, got a boolean ({value})")
    if isinstance(value, int | float):  # only with an explicit !!int / !!float tag
        return str(value)
    raise CodebookFormatError(file, where, f"expected text, got {_kind(value)}")


def _examples(value: Any, file: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list):
        raise CodebookFormatError(file, where, f"expected a list of texts, got {_kind(value)}")
    return tuple(_as_text(item, file, f"{where}[{index}]") for index, item in enumerate(value))


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"{type(value).__name__} {value!r}"


# --------------------------------------------------------------------------------------------
# writing


def _theme_dict(theme: Theme) -> dict[str, Any]:
    out: dict[str, Any] = {"label": theme.label, "name": theme.name}
    for key in ("definition", "include", "exclude"):
        value = getattr(theme, key)
        if value:
            out[key] = value
    if theme.examples:
        out["examples"] = list(theme.examples)
    if theme.colour is not None:
        out["colour"] = theme.colour
    if theme.children:
        out["children"] = [_theme_dict(child) for child in theme.children]
    return out


def dump_codebook_yaml(codebook: Codebook) -> str:
    """The codebook as YAML text, in the CONVENTIONS.md layout.

    Keys come in a fixed order (``codebook, title, description, themes``; for a theme
    ``label, name, definition, include, exclude, examples, colour, children``); empty
    optional theme fields are left out. The result reads back equal with
    :func:`load_codebook_yaml`, and as the same strings with any standard YAML reader.
    """
    document: dict[str, Any] = {
        "codebook": codebook.key,
        "title": codebook.title,
        "description": codebook.description,
        "themes": [_theme_dict(theme) for theme in codebook.themes],
    }
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        indent=2,
        width=100,
    )
