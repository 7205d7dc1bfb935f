"""The one table of TUI actions and their default keys.

Why one table (DESIGN.md, "Models to learn from"): bindings, the help screen and the command
palette all read it, so a key shown in help is the key that works.
"""

from __future__ import annotations

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


ACTIONS: tuple[Action, ...] = (
    Action("app", "help", "question_mark", "Show the keys of this screen"),
    Action("app", "quit", "ctrl+q", "Quit (everything is already saved)"),
    Action("app", "journal", "ctrl+j", "Add a reflexive-journal entry (any screen)",
           show=False),
    Action("documents", "focus_filter", "slash", "Filter documents by typing"),
    Action("documents", "open_document", "enter", "Open the selected document", show=False),
    Action("documents", "clear_filter", "escape", "Clear the filter", show=False),
    Action("documents", "refresh", "ctrl+r", "Reload the list"),
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
    # coding screen: lower-case keys act on codings and the text, upper-case on the codebook
    Action("coding", "back", "escape", "Back to the documents"),
    Action("coding", "code_palette", "c", "Apply a code (fuzzy code palette)"),
    *(Action("coding", f"quick_code({i})", str(i), f"Apply recent code {i}", show=False)
      for i in range(1, 10)),
    Action("coding", "select_sentence", "s", "Select the sentence at the cursor"),
    Action("coding", "select_turn", "t", "Select the turn at the cursor"),
    Action("coding", "select_paragraph", "v", "Select the paragraph at the cursor",
           show=False),
    Action("coding", "remove_coding", "x", "Remove the coding at the cursor"),
    Action("coding", "reassign_coding", "r", "Re-assign the coding at the cursor",
           show=False),
    Action("coding", "resize_coding", "e", "Resize a coding to the selection", show=False),
    Action("coding", "toggle_quote", "q", "Flag/unflag the coding as an indicative quote",
           show=False),
    Action("coding", "edit_memo", "m", "Memo on the coding at the cursor", show=False),
    Action("coding", "suggest", "g", "Suggest codes for the turn at the cursor (hints)",
           show=False),
    Action("coding", "undo", "ctrl+z", "Undo your last action (coding, codebook, measures)"),
    Action("coding", "redo", "ctrl+y", "Redo"),
    Action("coding", "next_coding", "right_square_bracket", "Next coding", show=False),
    Action("coding", "previous_coding", "left_square_bracket", "Previous coding", show=False),
    Action("coding", "next_turn", "n", "Next turn (of the chosen speaker)", show=False),
    Action("coding", "previous_turn", "p", "Previous turn (of the chosen speaker)",
           show=False),
    Action("coding", "next_uncoded", "u", "Next participant turn with no coding"),
    Action("coding", "jump_speaker", "j", "Jump to a participant's turns", show=False),
    Action("coding", "search", "slash", "Search in the document"),
    Action("coding", "search_next", "f3", "Find the next match", show=False),
    Action("coding", "goto_document", "o", "Go to another document", show=False),
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
    Action("coding", "reload", "ctrl+r", "Reload codings and codebook", show=False),
    # credibility check (issue 5): agreement table and reconciliation queue
    # tallies (issue 6): Table 2 preview, chart, exports
    Action("tallies", "back", "escape", "Back"),
    Action("tallies", "export('docx')", "d", "Export Table 2 as DOCX"),
    Action("tallies", "export('xlsx')", "x", "Export Table 2 as XLSX"),
    Action("tallies", "export('csv')", "c", "Export Table 2 as CSV", show=False),
    Action("tallies", "export('md')", "m", "Export Table 2 as Markdown", show=False),
    Action("tallies", "cycle_layer", "l", "Coding layer: auto, consensus, union"),
    Action("tallies", "toggle_timepoints", "t", "Split by timepoint too"),
    Action("agreement", "back", "escape", "Back"),
    Action("agreement", "next_unit", "u", "Next unit (turn, sentence, character, ...)"),
    Action("reconcile", "back", "escape", "Back (or cancel the pending decision)"),
    Action("reconcile", "choose('keep_a')", "a", "Keep A"),
    Action("reconcile", "choose('keep_b')", "b", "Keep B"),
    Action("reconcile", "choose('keep_both')", "o", "Keep both"),
    Action("reconcile", "choose('neither')", "x", "Neither"),
    Action("reconcile", "choose('edit')", "e", "Edit the span"),
    Action("reconcile", "step(1)", "n", "Next disagreement"),
    Action("reconcile", "step(-1)", "p", "Previous disagreement"),
    Action("reconcile", "next_open", "f", "Next open disagreement", show=False),
    Action("reconcile", "undo_decision", "u", "Undo this decision", show=False),
    # project search, words (issue 11); thematic map and review (issue 12)
    Action("search", "back", "escape", "Back"),
    Action("search", "focus_query", "slash", "Edit the search line"),
    Action("search", "open_hit", "o", "Open the hit in the coding screen (or enter)"),
    Action("search", "toggle_mark", "space", "Mark / unmark the hit"),
    Action("search", "mark_all", "a", "Mark all hits (again: none)"),
    Action("search", "code_hits", "c", "Code the marked hits (or all) in one step"),
    Action("words", "back", "escape", "Back"),
    Action("words", "cycle_grouping", "b", "Group by condition, timepoint, session, all"),
    Action("words", "toggle_keyness", "k", "Distinctive words of two groups / frequencies"),
    Action("words", "choose_theme", "i", "Only words inside a theme"),
    Action("words", "export('xlsx')", "x", "Export the table as XLSX"),
    Action("words", "export('csv')", "v", "Export the table as CSV", show=False),
    Action("map", "back", "escape", "Back"),
    Action("map", "review", "r", "Review the theme's extracts (or enter)"),
    Action("map", "export('svg')", "s", "Save the map as SVG"),
    Action("map", "export('dot')", "g", "Save the map as Graphviz .dot"),
    Action("map", "save_version", "v", "Save a named codebook version"),
    Action("map", "set_phase", "p", "Enter an analysis phase"),
    Action("deidentify", "back", "escape", "Back"),
    Action("deidentify", "toggle", "space", "Use / skip the replacement"),
    Action("deidentify", "edit", "e", "Edit the replacement"),
    Action("deidentify", "names", "n", "Names to look for"),
    Action("deidentify", "places", "p", "Places to look for"),
    Action("deidentify", "apply", "a", "Write de-identified versions (asks first)"),
    Action("review", "back", "escape", "Back"),
    Action("review", "memo", "m", "Write the review memo for this theme"),
    Action("review", "open_extract", "o", "Open the extract in its document (or enter)"),
    # quantitative module (issue 7): joint display of themes and measures
    Action("quant", "back", "escape", "Back"),
    Action("quant", "cycle_correction", "c", "Correction: Holm / Benjamini-Hochberg"),
    Action("quant", "export('docx')", "d", "Export the joint display as DOCX"),
    Action("quant", "export('xlsx')", "x", "Export the joint display as XLSX"),
    Action("quant", "export_dataset", "s", "Export the participant dataset as SPSS .sav"),
    Action("quant", "import_measures", "i", "Import measures from a file (CSV, XLSX, .sav)"),
    Action("quant", "undo", "ctrl+z", "Undo your last action (an import, a scoring, ...)",
           show=False),
    Action("quant", "redo", "ctrl+y", "Redo", show=False),
    # measures import: review near-miss participant ids before anything is written
    Action("measures_import", "back", "escape", "Cancel (nothing is imported)"),
    Action("measures_import", "toggle", "space", "Accept / reject the near-miss id (or enter)"),
    Action("measures_import", "accept_all", "a", "Accept all (again: reject all)"),
    Action("measures_import", "apply", "i", "Import with the accepted matches"),
)


def bindings_for(screen: str) -> list[Binding]:
    return [
        Binding(a.key, a.action, a.description, show=a.show)
        for a in ACTIONS
        if a.screen == screen
    ]


_KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": "esc", "enter": "enter",
              "right_square_bracket": "]", "left_square_bracket": "["}


def key_label(key: str) -> str:
    """A key as people read it (``/`` rather than ``slash``)."""
    return _KEY_NAMES.get(key, key)


def help_rows(screen: str) -> list[tuple[str, str]]:
    """(key as shown, description) for a screen and the app-wide actions.

    The coding screen's nine quick keys are shown as one row ("1–9").
    """
    rows = []
    for a in ACTIONS:
        if a.screen not in (screen, "app"):
            continue
        if a.action.startswith("quick_code("):
            if a.key == "1":
                rows.append(("1–9", "Apply recent code 1–9 (listed in the side panel)"))
            continue
        rows.append((_KEY_NAMES.get(a.key, a.key), a.description))
    return rows
