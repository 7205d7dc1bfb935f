"""The one table of TUI actions and their default keys.

Why one table (DESIGN.md, "Models to learn from"): bindings, the help screen and the command
palette all read it, so a key shown in help is the key that works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual.binding import Binding

__all__ = ["ACTIONS", "Action", "bindings_for", "help_rows", "key_label"]


@dataclass(frozen=True)
class Action:
    screen: str  # "app", "documents", "document"
    action: str  # Textual action name
    key: str
    description: str
    show: bool = True  # in the footer
    short: str = ""  # the footer's word for it (the help panel shows ``description``)


ACTIONS: tuple[Action, ...] = (
    Action("app", "help", "question_mark", "Show the keys of this screen", short="keys"),
    Action("app", "quit", "ctrl+q", "Quit (everything is already saved)", show=False),
    Action("app", "journal", "ctrl+j", "Add a reflexive-journal entry (any screen)",
           show=False),
    Action("documents", "focus_filter", "slash", "Filter documents by typing", short="filter"),
    Action("documents", "open_document", "enter", "Open the selected document", show=False),
    Action("documents", "clear_filter", "escape", "Clear the filter", show=False),
    Action("documents", "refresh", "ctrl+r", "Reload the list", short="reload"),
    Action("documents", "open_agreement", "A", "Agreement between two coders (check)",
           show=False),
    Action("documents", "open_reconcile", "R", "Reconcile the check's disagreements",
           show=False),
    Action("documents", "open_tallies", "T", "Tallies: Table 2 and participants per theme",
           show=False),
    Action("documents", "open_quant", "Q", "Themes x measures: joint display and plot",
           show=False),
    Action("documents", "open_search", "F", "Find in the whole project (search)", show=False),
    Action("documents", "open_words", "W", "Word frequencies and distinctive words",
           show=False),
    Action("documents", "open_map", "M", "Thematic map, theme review, versions, phase",
           show=False),
    Action("documents", "open_deidentify", "P", "Privacy: review de-identification",
           show=False),
    # coding screen: lower-case keys act on codings and the text, upper-case on the codebook.
    # Order = the footer's order: the keys a newcomer needs first (issue 22).
    Action("coding", "code_palette", "c", "Apply a code (fuzzy code palette)", short="code"),
    *(Action("coding", f"start_label({d})", str(d),
             "Type a code's label (2, 2a, …) and press Enter to apply it", show=False)
      for d in range(10)),
    Action("coding", "start_label(-1)", "colon",
           "Type any code's label (F2a, E1, …) and press Enter to apply it", show=False),
    Action("coding", "select_sentence", "s", "Select the sentence at the cursor",
           short="sentence"),
    Action("coding", "select_turn", "t", "Select the turn at the cursor", short="turn"),
    Action("coding", "undo", "ctrl+z", "Undo your last action (coding, codebook, measures)",
           short="undo"),
    Action("coding", "next_uncoded", "u", "Next participant turn you have not coded",
           short="uncoded"),
    Action("coding", "remove_coding", "x", "Remove the coding at the cursor", short="remove"),
    Action("coding", "toggle_tree", "left_curly_bracket", "Show / hide the code tree",
           short="tree"),
    Action("coding", "toggle_side", "right_curly_bracket",
           "Show / hide the side panel (codings here, the code's notes)", short="panel"),
    Action("coding", "search", "slash", "Search in the document", short="search"),
    Action("coding", "back", "escape", "Back to the documents", short="back"),
    Action("coding", "redo", "ctrl+y", "Redo", short="redo"),
    *(Action("coding", f"quick_code({i})", f"alt+{i}",
             f"Apply recent code {i} (the recent row above the footer)", show=False)
      for i in range(1, 10)),
    Action("coding", "select_paragraph", "v", "Select the paragraph at the cursor",
           show=False),
    Action("coding", "reassign_coding", "r", "Re-assign the coding at the cursor",
           show=False),
    Action("coding", "resize_coding", "e", "Resize a coding to the selection", show=False),
    Action("coding", "toggle_quote", "q", "Flag/unflag the coding as an indicative quote",
           show=False),
    Action("coding", "edit_memo", "m", "Memo on the coding at the cursor", show=False),
    Action("coding", "suggest", "g", "Suggest codes for the turn at the cursor (hints)",
           show=False),
    Action("coding", "next_coding", "right_square_bracket", "Next coding", show=False),
    Action("coding", "previous_coding", "left_square_bracket", "Previous coding", show=False),
    Action("coding", "next_turn", "n", "Next turn (of the chosen speaker)", show=False),
    Action("coding", "previous_turn", "p", "Previous turn (of the chosen speaker)",
           show=False),
    Action("coding", "jump_speaker", "j", "Jump to a participant's turns", show=False),
    Action("coding", "search_next", "f3", "Find the next match", show=False),
    Action("coding", "goto_document", "o", "Go to another document", show=False),
    Action("coding", "cycle_focus(1)", "tab",
           "Move on: text, then code tree, then side panel", show=False),
    Action("coding", "cycle_focus(-1)", "shift+tab", "Move back: side panel, tree, text",
           show=False),
    Action("coding", "add_code", "A", "Add a code (child of the highlighted one)",
           show=False),
    Action("coding", "rename_code", "R", "Rename / edit the highlighted code", show=False),
    Action("coding", "move_code", "K", "Move the highlighted code (new parent, position)",
           show=False),
    Action("coding", "merge_code", "M", "Merge the highlighted code into another",
           show=False),
    Action("coding", "delete_code", "D", "Delete the highlighted code (asks first)",
           show=False),
    Action("coding", "toggle_blind", "B", "Blind mode on/off (project lead)", show=False),
    Action("coding", "finish_check", "d",
           "Mark this document finished in its credibility check (coder B; undo: ctrl+z)",
           show=False),
    Action("coding", "reload", "ctrl+r", "Reload codings and codebook", show=False),
    # the code tree (tab from the text): its own keys, listed with the coding screen's
    Action("code_tree", "select_cursor", "enter", "Apply the highlighted code to the selection",
           show=False),
    Action("code_tree", "toggle_node", "space", "Fold / unfold the highlighted theme",
           show=False),
    Action("code_tree", "scroll_right", "right", "Scroll right: the rest of long code names",
           show=False),
    Action("code_tree", "scroll_left", "left", "Scroll back left", show=False),
    # credibility check (issue 5): agreement table and reconciliation queue
    # tallies (issue 6): Table 2 preview, chart, exports
    Action("tallies", "back", "escape", "Back", short="back"),
    Action("tallies", "export('docx')", "d", "Export Table 2 as DOCX", short="DOCX"),
    Action("tallies", "export('xlsx')", "x", "Export Table 2 as XLSX", short="XLSX"),
    Action("tallies", "export('csv')", "c", "Export Table 2 as CSV", show=False),
    Action("tallies", "export('md')", "m", "Export Table 2 as Markdown", show=False),
    Action("tallies", "cycle_layer", "l", "Coding layer: auto, consensus, union", short="layer"),
    Action("tallies", "toggle_timepoints", "t", "Split by timepoint too", short="timepoints"),
    Action("tallies", "toggle_chart", "g", "Show / hide the chart under the table", short="chart"),
    Action("agreement", "back", "escape", "Back", short="back"),
    Action("agreement", "next_unit", "u", "Next unit (turn, sentence, character, ...)", short="unit"),
    Action("agreement", "toggle_chart", "g", "Show / hide the chart under the table", short="chart"),
    Action("reconcile", "back", "escape", "Back (or cancel the pending decision)", short="back"),
    Action("reconcile", "choose('keep_a')", "a", "Keep A", short="keep A"),
    Action("reconcile", "choose('keep_b')", "b", "Keep B", short="keep B"),
    Action("reconcile", "choose('keep_both')", "o", "Keep both", short="both"),
    Action("reconcile", "choose('neither')", "x", "Neither", short="neither"),
    Action("reconcile", "choose('edit')", "e",
           "Edit the span: shift+arrows (ctrl+shift+arrows by word), Enter keeps it", short="edit span"),
    Action("reconcile", "step(1)", "n", "Next disagreement", short="next"),
    Action("reconcile", "step(-1)", "p", "Previous disagreement", short="previous"),
    Action("reconcile", "next_open", "f", "Next open disagreement", show=False),
    Action("reconcile", "undo_decision", "u", "Undo this decision", show=False),
    # project search, words (issue 11); thematic map and review (issue 12)
    Action("search", "back", "escape", "Back", short="back"),
    Action("search", "focus_query", "slash", "Edit the search line", short="query"),
    Action("search", "open_hit", "o", "Open the hit in the coding screen (or enter)", short="open"),
    Action("search", "toggle_mark", "space", "Mark / unmark the hit", short="mark"),
    Action("search", "mark_all", "a", "Mark all hits (again: none)", short="all"),
    Action("search", "code_hits", "c", "Code the marked hits (or all) in one step", short="code hits"),
    Action("words", "back", "escape", "Back", short="back"),
    Action("words", "cycle_grouping", "b", "Group by condition, timepoint, session, all", short="groups"),
    Action("words", "toggle_keyness", "k", "Distinctive words of two groups / frequencies", short="keyness"),
    Action("words", "choose_theme", "i", "Only words inside a theme", short="theme"),
    Action("words", "export('xlsx')", "x", "Export the table as XLSX", short="XLSX"),
    Action("words", "export('csv')", "v", "Export the table as CSV", show=False),
    Action("map", "back", "escape", "Back", short="back"),
    Action("map", "review", "r", "Review the theme's extracts (or enter)", short="review"),
    Action("map", "export('svg')", "s", "Save the map as SVG", short="SVG"),
    Action("map", "export('dot')", "g", "Save the map as Graphviz .dot", short="dot"),
    Action("map", "save_version", "v", "Save a named codebook version", short="version"),
    Action("map", "set_phase", "p", "Enter an analysis phase", short="phase"),
    Action("deidentify", "back", "escape", "Back", short="back"),
    Action("deidentify", "toggle", "space", "Use / skip the replacement", short="use/skip"),
    Action("deidentify", "edit", "e", "Edit the replacement", short="edit"),
    Action("deidentify", "names", "n", "Names to look for", short="names"),
    Action("deidentify", "places", "p", "Places to look for", short="places"),
    Action("deidentify", "apply", "a", "Write de-identified versions (asks first)", short="apply"),
    Action("review", "back", "escape", "Back", short="back"),
    Action("review", "memo", "m", "Write the review memo for this theme", short="memo"),
    Action("review", "open_extract", "o", "Open the extract in its document (or enter)", short="open"),
    # quantitative module (issue 7): joint display of themes and measures
    Action("quant", "back", "escape", "Back", short="back"),
    Action("quant", "cycle_correction", "c", "Correction: Holm / Benjamini-Hochberg", short="correction"),
    Action("quant", "export('docx')", "d", "Export the joint display as DOCX", short="DOCX"),
    Action("quant", "export('xlsx')", "x", "Export the joint display as XLSX", short="XLSX"),
    Action("quant", "export_dataset", "s", "Export the participant dataset as SPSS .sav", short="SPSS"),
    Action("quant", "import_measures", "i", "Import measures from a file (CSV, XLSX, .sav)", short="import"),
    Action("quant", "toggle_chart", "g", "Show / hide the plot under the table", short="plot"),
    Action("quant", "undo", "ctrl+z", "Undo your last action (an import, a scoring, ...)",
           show=False),
    Action("quant", "redo", "ctrl+y", "Redo", show=False),
    # measures import: review near-miss participant ids before anything is written
    Action("measures_import", "back", "escape", "Cancel (nothing is imported)", short="cancel"),
    Action("measures_import", "toggle", "space", "Accept / reject the near-miss id (or enter)", short="accept/reject"),
    Action("measures_import", "accept_all", "a", "Accept all (again: reject all)", short="all"),
    Action("measures_import", "apply", "i", "Import with the accepted matches", short="import"),
)


def bindings_for(screen: str) -> list[Binding]:
    """The Textual bindings of a screen, in the order of ACTIONS (the footer's order).

    Every screen starts with ``? keys``, so the one key that explains the others is the
    first thing in the footer, however narrow the terminal; the rest follow ACTIONS, whose
    order is "most important first" (issue 22).
    """
    out = []
    if screen not in ("app", "code_tree"):
        out.append(Binding("question_mark", "app.help", "keys",
                           tooltip="Show the keys of this screen"))
    mine = sorted((a for a in ACTIONS if a.screen == screen), key=lambda a: a.key == "escape")
    out += [Binding(a.key, a.action, a.short or a.description, show=a.show,
                    tooltip=a.description)
            for a in mine]  # Esc (back) last: every screen has it, it says the least
    return out


_KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": "esc", "enter": "enter",
              "right_square_bracket": "]", "left_square_bracket": "[", "colon": ":",
              "left_curly_bracket": "{", "right_curly_bracket": "}"}


def key_label(key: str) -> str:
    """A key as people read it (``/`` rather than ``slash``)."""
    return _KEY_NAMES.get(key, key)


_NUMBERED = re.compile(r"(\w+)\((-?\d+)\)")


def help_rows(screen: str) -> list[tuple[str, str]]:
    """(key as shown, description) for a screen and the app-wide actions.

    Numbered variants of one action (the digits that start a label, ``alt+1``…``alt+9``)
    are shown as one row ("0–9", "alt+1–9").
    """
    rows: list[tuple[str, str]] = []
    groups: dict[str, list[Action]] = {}
    for a in ACTIONS:
        if a.screen not in (screen, "app") and (screen, a.screen) != ("coding", "code_tree"):
            continue
        m = _NUMBERED.fullmatch(a.action)
        if m and a.key[-1:].isdigit():
            group = groups.setdefault(m.group(1), [])
            group.append(a)
            if len(group) == 1:
                rows.append((m.group(1), ""))
            continue
        rows.append((key_label(a.key), a.description))
    out = []
    for key, desc in rows:
        if key in groups and not desc:
            first, last = groups[key][0], groups[key][-1]
            key = f"{first.key}–{last.key[-1]}"
            desc = re.sub(r"\b1\b", "1–9", first.description, count=1)
        out.append((key, desc))
    return out
