"""The TUI's only door to the project: thin calls into ``themeqa.services``.

Why a gateway object: screens ask it for data and never see a database session (DESIGN.md:
the TUI never runs SQL), and tests can hand the app a fake with the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class ServicesGateway:
    project_dir: str | Path | None
    db_url: str | None
    coder: str

    def __post_init__(self) -> None:
        from themeqa.services.project import open_project

        self.project = open_project(self.project_dir, self.db_url, actor=self.coder)

    def documents(self, coder: str | None = None) -> list:
        from themeqa.services.documents import list_documents

        return list_documents(self.project, coder=coder)

    def document(self, name: str):
        from themeqa.services.documents import get_document

        return get_document(self.project, name)

    # --- coding workbench (issue 4) -------------------------------------------------------
    # Services that another engineer is still writing are looked up when first called, so
    # the app runs before they land and a missing one is one clear message, not a crash.

    def _service(self, module: str, name: str):
        import importlib

        from themeqa.errors import InputError

        fn = getattr(importlib.import_module(f"themeqa.services.{module}"), name, None)
        if fn is None:
            raise InputError(f"{name} is not available in this version of themeqa yet")
        return fn

    def has_service(self, module: str, name: str) -> bool:
        import importlib

        try:
            return hasattr(importlib.import_module(f"themeqa.services.{module}"), name)
        except ImportError:
            return False

    def codebook(self) -> list:
        """The code tree with this coder's per-code counts (``CodeNode`` rows, tree order)."""
        from themeqa.services.codebooks import codebook_tree

        nodes = codebook_tree(self.project)
        if self.has_service("codings", "code_counts"):
            counts = self._service("codings", "code_counts")(self.project, self.coder)
        else:
            counts = {n.id: n.codings for n in
                      codebook_tree(self.project, coder=self.coder, layer="coder")}
        from dataclasses import replace

        return [replace(n, codings=counts.get(n.id, 0)) for n in nodes]

    def codings(self, document: str) -> list:
        """Codings of a document this coder may see (blind mode is the service's business)."""
        if self.has_service("codings", "document_codings"):
            return self._service("codings", "document_codings")(
                self.project, document, viewer=self.coder)
        from themeqa.services.codebooks import codebook_tree
        from themeqa.services.codings import list_codings
        from themeqa.tui.model import CodingRow

        nodes = {(n.codebook, n.label): n for n in codebook_tree(self.project)}
        out = []
        for c in list_codings(self.project, document=document, coder=self.coder):
            n = nodes[(c.codebook, c.code_label)]
            out.append(CodingRow(c.id, c.start, c.end, n.id, n.label, n.name, n.codebook,
                                 n.colour, c.coder, c.layer, c.quote, None))
        return out

    def add_coding(self, document: str, start: int, end: int, code: str) -> int:
        from themeqa.services.codings import add_coding

        return add_coding(self.project, document=document, start=start, end=end, code=code,
                          coder=self.coder)

    def delete_coding(self, coding_id: int) -> None:
        from themeqa.services.codings import delete_coding

        delete_coding(self.project, coding_id, actor=self.coder)

    def resize_coding(self, coding_id: int, start: int, end: int) -> None:
        self._service("codings", "resize_coding")(self.project, coding_id, start, end,
                                                  actor=self.coder)

    def reassign_coding(self, coding_id: int, code: str) -> None:
        self._service("codings", "reassign_coding")(self.project, coding_id, code,
                                                    actor=self.coder)

    def set_quote(self, coding_id: int, flag: bool) -> None:
        self._service("codings", "set_quote")(self.project, coding_id, flag, actor=self.coder)

    def set_coding_memo(self, coding_id: int, text: str) -> None:
        self._service("codings", "set_coding_memo")(self.project, coding_id, text,
                                                    actor=self.coder)

    #: an undo touching more codings than this is shown by re-reading the document
    PATCH_LIMIT = 200

    def undo_patch(self, document: str, *, redo: bool = False):
        """Undo (or redo) this coder's last action; a ``tui.model.UndoPatch`` or None.

        Why a patch: re-reading a document's 2,000 codings after each ctrl+z took most of the
        50 ms an undo may take (issue 4); when only codings changed, the screen swaps in the
        few rows the undo touched and the per-code counts.
        """
        from themeqa.services.codings import code_counts, document_codings
        from themeqa.services.undo import redo_action, undo_action
        from themeqa.tui.model import UndoPatch

        done = (redo_action if redo else undo_action)(self.project, self.coder)
        if done is None:
            return None
        ids = done.changed.get("coding", frozenset())
        if set(done.changed) - {"coding"} or len(ids) > self.PATCH_LIMIT:
            return UndoPatch(done.summary, ids)
        rows = document_codings(self.project, document, viewer=self.coder, ids=ids)
        return UndoPatch(done.summary, ids, rows, code_counts(self.project, self.coder))

    def undo(self) -> str | None:
        return self._service("undo", "undo")(self.project, self.coder)

    def redo(self) -> str | None:
        return self._service("undo", "redo")(self.project, self.coder)

    def add_code(self, **fields) -> int:
        return self._service("codebook_edit", "add_code")(self.project, actor=self.coder,
                                                          **fields)

    def update_code(self, code_id: int, *, expected_version: int | None = None,
                    **fields) -> None:
        """Edit a code; with the version the screen showed, a stale edit is refused."""
        self._service("codebook_edit", "update_code")(
            self.project, code_id, actor=self.coder, expected_version=expected_version,
            **fields)

    def move_code(self, code_id: int, *, parent_id: int | None,
                  position: int | None = None, expected_version: int | None = None) -> None:
        self._service("codebook_edit", "move_code")(
            self.project, code_id, parent_id=parent_id, position=position, actor=self.coder,
            expected_version=expected_version)

    def merge_codes(self, source_id: int, target_id: int) -> int:
        return self._service("codebook_edit", "merge_codes")(self.project, source_id,
                                                             target_id, actor=self.coder)

    def code_usage(self, code_id: int) -> int:
        return self._service("codebook_edit", "code_usage")(self.project, code_id)

    def delete_code(self, code_id: int) -> int:
        return self._service("codebook_edit", "delete_code")(self.project, code_id,
                                                             actor=self.coder)

    def codebook_stamp(self) -> tuple | None:
        """Changes whenever anyone edits the codebook; None while the service is missing."""
        if not self.has_service("codebook_edit", "codebook_stamp"):
            return None
        return self._service("codebook_edit", "codebook_stamp")(self.project)

    def is_blind(self) -> bool:
        if not self.has_service("settings", "is_blind"):
            return False
        return self._service("settings", "is_blind")(self.project)

    def finish_check_document(self, document: str) -> str:
        """Mark ``document`` finished in its newest credibility check (as this coder); the
        check's one-line progress ("2 of 3 sampled documents finished; 1 pending")."""
        scope = self._service("check_done", "mark_finished")(self.project, document,
                                                              actor=self.coder)
        return scope.sentence()

    def set_blind(self, on: bool) -> None:
        self._service("settings", "set_blind")(self.project, on, actor=self.coder)

    def tui_layout(self) -> dict[str, bool]:
        """This coder's chosen coding-screen panels in this project (issue 22)."""
        from themeqa.services.settings import tui_layout

        return tui_layout(self.project, self.coder)

    def set_tui_layout(self, layout: dict[str, bool]) -> None:
        from themeqa.services.settings import set_tui_layout

        set_tui_layout(self.project, self.coder, layout)

    # --- credibility check (issue 5): agreement screen and reconciliation queue -----------

    def coder_pairs(self) -> list[tuple[str, str]]:
        from themeqa.services.check import double_coded_pairs

        return double_coded_pairs(self.project)

    def latest_check(self):
        """The most recent credibility check (``CheckInfo``) or None."""
        from themeqa.services.check_sample import list_checks

        checks = list_checks(self.project)
        return checks[-1] if checks else None

    def agreement(self, *, coders: tuple[str, str] | None = None, check: str | None = None,
                  unit: str = "turn", seed: int = 0, n_boot: int = 1000):
        from themeqa.services.check import agreement_table

        return agreement_table(self.project, coders=coders, check=check, unit=unit,
                               seed=seed, n_boot=n_boot)

    def disagreements(self, check: str | None = None) -> list:
        from themeqa.services.check_disagreements import disagreements

        return disagreements(self.project, check)

    def choice_refusal(self, item, choice: str) -> str | None:
        """Why a reconciliation choice does not apply to ``item`` (None when it does)."""
        from themeqa.services.check_reconcile import refusal

        return refusal(item, choice)

    def decide(self, key: str, choice: str, rationale: str, *, check: str | None = None,
               span: tuple[int, int] | None = None, reviewer: str | None = None):
        from themeqa.services.check_reconcile import decide

        return decide(self.project, key, choice, rationale, decided_by=self.coder,
                      check=check, span=span, reviewer=reviewer)

    def undo_decision(self, key: str, check: str | None = None):
        from themeqa.services.check_reconcile import undo_decision

        return undo_decision(self.project, key, check=check, actor=self.coder)

    # --- tallies and reports (issue 6) -----------------------------------------------------

    def tally_overview(self, *, layer: str = "auto", codebook: str | None = None,
                       by: str = "condition"):
        """Table 2 and per-theme counts by condition (``services.tally.TallyOverview``)."""
        from themeqa.services.tally import tally_overview

        return tally_overview(self.project, layer=layer, codebook=codebook, by=by)

    def report_path(self, kind: str, fmt: str) -> Path:
        """Where the screen exports: ``reports/<kind>.<fmt>`` in the project directory."""
        base = Path(self.project.directory) if self.project.directory else Path.cwd()
        return base / "reports" / f"{kind}.{fmt}"

    def export_report(self, kind: str, path: str | Path, *, layer: str = "auto",
                      codebook: str | None = None, by: str = "condition") -> Path:
        from themeqa.services.tally import write_report

        return write_report(self.project, kind, path, layer=layer, codebook=codebook, by=by,
                            actor=self.coder)

    # --- quantitative module (issue 7) -----------------------------------------------------

    def quant_view(self, *, correction: str = "holm", layer: str = "auto"):
        """The joint display with per-group values (``services.analyses.JointView``)."""
        from themeqa.services.analyses import joint_view

        return joint_view(self.project, correction=correction, layer=layer)

    def export_joint_display(self, path: str | Path, *, correction: str = "holm",
                             layer: str = "auto") -> Path:
        from themeqa.services.analyses import write_joint_display

        return write_joint_display(self.project, path, correction=correction, layer=layer)[0]

    def export_dataset(self, path: str | Path, *, layer: str = "auto") -> Path:
        from themeqa.services.dataset import export_dataset

        return Path(export_dataset(self.project, path, layer=layer)["file"])

    def preview_measures(self, path: str | Path, *, id_column: str | None = None,
                         prefix: str = ""):
        """How a measures file's ids would link (``services.measures.MeasureImport``);
        writes nothing, so the near-miss ids can be reviewed first."""
        from themeqa.services.measures import preview_measures

        return preview_measures(self.project, path, id_column=id_column, prefix=prefix)

    def import_measures(self, path: str | Path, *, accept: dict[str, str],
                        id_column: str | None = None, prefix: str = "",
                        timepoint: str | None = None, replace: bool = False):
        """Import a measures file linking only the reviewed near-misses in ``accept``
        (file id -> participant id); one transaction, all or nothing."""
        from themeqa.services.measures import import_measures

        return import_measures(self.project, path, accept=accept, id_column=id_column,
                               prefix=prefix, timepoint=timepoint, replace=replace)

    # --- search, words, suggestions (issue 11) ---------------------------------------------

    def search(self, text: str) -> list:
        """Hits for a search line with ``key:value`` filters (``core.textsearch``)."""
        from themeqa.core.textsearch import split_filters
        from themeqa.errors import InputError
        from themeqa.services.search import SearchFilters, search

        query, f = split_filters(text)
        if not query:
            raise InputError("type some words to search for")
        mode = f.pop("mode", "lemma")
        filters = SearchFilters(
            condition=f.get("condition"), timepoint=f.get("timepoint"),
            session=f.get("session"), speaker=f.get("speaker"), kind=f.get("kind"),
            inside_code=f.get("in"), outside_code=f.get("notin"), coder=f.get("coder"),
            participants_only=f.get("only", "").lower().startswith("participant"),
        )
        return search(self.project, query, mode=mode, filters=filters)

    def code_from_search(self, hits: list, code: str, *, scope: str, query: str) -> list[int]:
        from themeqa.services.search import code_from_search

        return code_from_search(self.project, hits, code, coder=self.coder, scope=scope,
                                query=query)

    def word_frequencies(self, *, by: str, code: str | None = None):
        """(title, columns, rows, (chart labels, chart values)) of the top words per group."""
        from themeqa.services.wordfreq import frequency_table

        table = frequency_table(self.project, by=by, code=code, top=15)
        first = [r for r in table.rows if r[0] == table.rows[0][0]][:12] if table.rows else []
        return (table.title, table.columns, table.rows,
                ([r[1] for r in first], [r[2] for r in first]))

    def distinctive_words(self, *, by: str, code: str | None = None):
        """Keyness of the first two groups of ``by`` (e.g. M vs I); the chart is log-odds z."""
        from themeqa.services.wordfreq import keyness_table

        table = keyness_table(self.project, by=by, code=code, top=10, rates=False)
        z = table.columns.index("log-odds z")
        return (table.title, table.columns, table.rows,
                ([r[0] for r in table.rows], [r[z] for r in table.rows]))

    def export_words(self, title: str, columns: list, rows: list, fmt: str) -> Path:
        from themeqa.services.wordfreq import WordTable, write_word_table

        slug = "".join(ch if ch.isalnum() else "_" for ch in title.lower()).strip("_")
        out = self.report_path(slug, fmt)
        out.parent.mkdir(parents=True, exist_ok=True)
        return write_word_table(self.project, WordTable(title, columns, rows), out,
                                actor=self.coder, title=title)

    def suggest(self, document: str, start: int, end: int, k: int = 3) -> list:
        from themeqa.services.suggest import suggest_codes

        return suggest_codes(self.project, document, start, end, coder=self.coder, k=k)

    # --- theme development (issue 12) ------------------------------------------------------

    def thematic_map(self, min_participants: int = 3) -> list:
        from themeqa.services.themes import thematic_map

        return thematic_map(self.project, min_participants=min_participants)

    def export_map(self, fmt: str) -> Path:
        from themeqa.reports.thematic_map import write_map
        from themeqa.services.export_log import log_export

        out = self.report_path("thematic_map", fmt)
        out.parent.mkdir(parents=True, exist_ok=True)
        path = write_map(self.thematic_map(), out)
        log_export(self.project, "thematic_map", path, actor=self.coder)
        return path

    def review_extracts(self, code: str) -> list:
        from themeqa.services.themes import review_extracts

        return review_extracts(self.project, code)

    def theme_memo(self, code: str) -> str:
        from themeqa.services.themes import theme_memo

        return theme_memo(self.project, code)

    def set_theme_memo(self, code: str, text: str) -> None:
        from themeqa.services.themes import set_theme_memo

        set_theme_memo(self.project, code, text, actor=self.coder)

    def save_version(self, name: str):
        from themeqa.services.themes import save_version

        return save_version(self.project, name, actor=self.coder)

    def phase_names(self) -> tuple[str, ...]:
        from themeqa.services.themes import PHASES

        return PHASES

    def current_phase(self):
        from themeqa.services.themes import current_phase

        return current_phase(self.project)

    def set_phase(self, phase: str):
        from themeqa.services.themes import set_phase

        return set_phase(self.project, phase, actor=self.coder)

    def add_journal(self, text: str) -> int:
        from themeqa.services.themes import add_journal

        return add_journal(self.project, text, actor=self.coder)

    # --- de-identification review (issue 9) ------------------------------------------------

    def deid_propose(self, names: list[str], places: list[str]):
        from themeqa.services.deidentify import propose

        return propose(self.project, names=names, places=places)

    def deid_context(self, proposal, width: int = 30) -> str:
        """``…before [original] after…`` on one line, for the review table."""
        from themeqa.core.textsearch import kwic

        if getattr(proposal, "field", ""):  # a memo, code text or rationale
            from themeqa.services.deid_written import written_text_map

            if getattr(self, "_written", None) is None:
                self._written = written_text_map(self.project)
            text = self._written.get((proposal.document, proposal.field), "")
        else:
            text = self._deid_texts().get(proposal.document, "")
        k = kwic(text, proposal.start, proposal.end, width)
        return f"{k.left}[{k.match}]{k.right}"

    def _deid_texts(self) -> dict[str, str]:
        from themeqa.services.search import load_corpus

        if getattr(self, "_texts", None) is None:
            self._texts = {d.name: d.text for d in load_corpus(self.project)}
        return self._texts

    def deid_apply(self, proposals: list):
        """Write the reviewed proposals (via a review file in the project) and apply them."""
        import tempfile

        from themeqa.services.deidentify import apply_review, write_review

        folder = Path(self.project.directory) if self.project.directory else None
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            review = write_review(proposals, Path(tmp) / "review.csv")
            result = apply_review(self.project, review, actor=self.coder)
        self._texts = self._written = None
        return result

    def title(self) -> str:
        return self.project.info().name

    def close(self) -> None:
        self.project.close()
