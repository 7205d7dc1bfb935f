"""Measures linked to participants: import tables, score scales, compute HRV, list, read back.

Why here: a measures file is someone else's spreadsheet, so participant ids rarely match
exactly (``P7`` for ``P07``, ``p07``, ``P 07``). Exact ids are linked at once; near-misses are
*proposed* (rapidfuzz) and linked only when the user confirms (``accept_matches=True``; the
CLI's ``--accept-matches``), because a wrong link silently attaches one person's scores to
another. The workbench confirms them one by one: :func:`preview_measures` reports the
proposals without writing, and ``import_measures(accept={file id: pid})`` links only those
the user accepted (the rest are skipped and logged as rejected). Ids that resemble nobody are
listed and their rows skipped. Each import, scoring or HRV run is one transaction with one
audit batch: it lands whole or not at all.

That batch is also one undo step (``services.undo``): every variable and value it creates,
overwrites or removes is logged as a whole-row snapshot (``services.changes``), so undo
takes an import's values away again and puts back what a ``replace`` overwrote, and refuses
if someone changed those values since. A questionnaire file is thousands of values, so the
rows are written and logged in bulk (Core statements, one insert of all the events).

Values are stored long (``measure_value``): one row per participant and variable; a missing
value is simply absent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, insert, update
from sqlmodel import Session, delete, select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.changes import CHUNK, Recorder, load_rows, snapshot
from themeqa.services.lookup import get_or_create_timepoint, normalise_label
from themeqa.services.project import ProjectHandle
from themeqa.store.models import (
    MeasureValue,
    MeasureVariable,
    Participant,
    StudySession,
    Timepoint,
)

__all__ = [
    "HRV_VARIABLES",
    "IdMatch",
    "MeasureImport",
    "VariableInfo",
    "check_variable_name",
    "compute_hrv",
    "file_participant_id",
    "import_measures",
    "list_variables",
    "match_ids",
    "measure_frame",
    "natural_key",
    "participant_frame",
    "participant_ids",
    "preview_measures",
    "score_measures",
    "store_computed",
    "write_variable",
]

#: rapidfuzz ratio (0-100) from which a non-identical id is proposed as a near-miss.
FUZZY_CUTOFF = 80.0
_VAR_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class IdMatch:
    """A file id and the participant proposed for it. ``reason``: ``normalised`` (same id up
    to case, spaces and leading zeros) or ``similar`` (rapidfuzz ratio ``score``)."""

    given: str
    pid: str
    reason: str
    score: float


@dataclass
class MeasureImport:
    """What an import did (or, for a preview, would do).

    ``variables`` are the names as stored (prefix applied). ``rejected``: file ids whose
    proposal the user declined (their rows were skipped). ``existing``: variables that
    already exist in the project, so the import needs ``replace`` — a preview reports them
    so the user can decide before anything is written.
    """

    file: str
    id_column: str
    variables: list[str]
    exact: list[str] = field(default_factory=list)
    proposals: list[IdMatch] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    accepted: bool = False
    values_written: int = 0
    user_missing: int = 0
    rejected: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["proposals"] = [asdict(p) for p in self.proposals]
        return out


@dataclass(frozen=True)
class VariableInfo:
    name: str
    label: str
    kind: str
    source: str
    timepoint: str | None
    n: int
    value_labels: dict[str, Any]
    missing_values: list[Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def match_ids(
    given: Iterable[str], pids: Sequence[str]
) -> tuple[dict[str, str], list[IdMatch], list[str]]:
    """Split file ids into exact matches, near-miss proposals and unmatched ids.

    Exact: identical text. Proposal ``normalised``: equal under
    :func:`services.lookup.normalise_label` (``P7``/``p07``/``P 07`` -> ``P7``) and unique.
    Proposal ``similar``: the best rapidfuzz ``ratio`` of the case-folded ids is at least
    :data:`FUZZY_CUTOFF` and not tied. A participant already matched exactly is not proposed
    again, and two file ids are never proposed for the same participant.
    """
    from rapidfuzz import fuzz, process

    pid_set = set(pids)
    exact: dict[str, str] = {}
    rest: list[str] = []
    for g in given:
        if g in pid_set:
            exact[g] = g
        else:
            rest.append(g)
    free = [p for p in pids if p not in exact.values()]
    by_norm: dict[str, list[str]] = {}
    for p in free:
        by_norm.setdefault(normalise_label(p), []).append(p)
    proposals: list[IdMatch] = []
    unmatched: list[str] = []
    taken: set[str] = set()
    for g in rest:
        cands = [p for p in by_norm.get(normalise_label(g), []) if p not in taken]
        if len(cands) == 1:
            proposals.append(IdMatch(g, cands[0], "normalised", 100.0))
            taken.add(cands[0])
            continue
        choices = [p for p in free if p not in taken]
        best = process.extract(
            g.casefold(), [c.casefold() for c in choices], scorer=fuzz.ratio, limit=2
        )
        if best and best[0][1] >= FUZZY_CUTOFF and (len(best) == 1 or best[1][1] < best[0][1]):
            pid = choices[best[0][2]]
            proposals.append(IdMatch(g, pid, "similar", round(float(best[0][1]), 1)))
            taken.add(pid)
        else:
            unmatched.append(g)
    return exact, proposals, unmatched


def natural_key(pid: str) -> tuple:
    """Sort ids as people read them: ``P2`` before ``P10`` (digits compared as numbers)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", pid)
        if part
    )


def participant_ids(s: Session) -> dict[str, int]:
    return {pid: row_id for pid, row_id in s.exec(select(Participant.pid, Participant.id)).all()}


def _read(path: Path | str, id_column: str | None):
    from themeqa.ingest.measures import MeasuresError, read_measures

    try:
        return read_measures(path, id_column=id_column)
    except MeasuresError as exc:
        raise InputError(str(exc)) from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def _plan(project: ProjectHandle, table, prefix: str = "") -> MeasureImport:
    with project.reading() as s:
        pids = sorted(participant_ids(s))
        stored = set(s.exec(select(MeasureVariable.name)).all())
    if not pids:
        raise InputError(
            "the project has no participants yet: import the participants file "
            "first (themeqa participants import FILE)"
        )
    names = [check_variable_name(c.name, prefix) for c in table.columns]
    exact, proposals, unmatched = match_ids(table.ids, pids)
    return MeasureImport(
        file=Path(table.path).name,
        id_column=table.id_column,
        variables=names,
        exact=sorted(exact),
        proposals=proposals,
        unmatched=unmatched,
        user_missing=table.n_user_missing,
        existing=[n for n in names if n in stored],
    )


def preview_measures(
    project: ProjectHandle, path: Path | str, *, id_column: str | None = None, prefix: str = ""
) -> MeasureImport:
    """What :func:`import_measures` would link and create, without writing anything.

    Why separate: near-miss ids must be shown to the user before any value is stored, and
    the user decides about overwriting existing variables (``existing``) before the import,
    not after a failed one. Unusable variable names raise :class:`InputError` here already.
    """
    return _plan(project, _read(path, id_column), prefix)


def check_variable_name(name: str, prefix: str) -> str:
    full = f"{prefix}{name}"
    if not _VAR_NAME.match(full) or len(full) > 64:
        raise InputError(
            f"variable name {full!r} is not usable (letters, digits, _ and . only, starting "
            "with a letter, at most 64 characters, as SPSS requires); rename the column"
        )
    return full


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _value_row(variable_id: int, participant_id: int, kind: str, value: Any) -> dict | None:
    """The ``measure_value`` row of one cell (None for a missing value)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value) if kind == "string" else None
    number = None if kind == "string" else float(value)
    return {"participant_id": participant_id, "variable_id": variable_id, "value": number,
            "text_value": text}


def write_variable(
    s: Session,
    *,
    name: str,
    label: str,
    kind: str,
    source: str,
    timepoint_id: int | None,
    value_labels: dict[str, Any],
    missing_values: list[Any],
    values: dict[int, Any],
    replace: bool,
    rec: Recorder,
) -> int:
    """Create (or, with ``replace``, overwrite) one variable and its values; return count.

    Logs into ``rec`` what undo needs: the variable's ``create`` (or ``update`` with its row
    as it was), and per value a ``create``, ``update`` or ``delete``; a value the new file
    leaves as it was is neither rewritten nor logged. Plain Core statements and one snapshot
    dict per value keep a 5,000-value file fast (ORM objects cost more than the writing).
    """
    var_table, val_table = MeasureVariable.__table__, MeasureValue.__table__
    fields = {"label": label, "kind": kind, "source": source, "timepoint_id": timepoint_id,
              "value_labels": dict(value_labels), "missing_values": list(missing_values)}
    old = s.execute(select(var_table).where(var_table.c.name == name)).mappings().first()
    old_values: dict[int, dict[str, Any]] = {}
    if old is not None:
        if not replace:
            raise InputError(
                f"variable {name!r} already exists (source {old['source'] or '?'}); "
                "use --replace to overwrite it"
            )
        var_id = old["id"]
        before = snapshot("measure_variable", old)
        s.execute(update(var_table).where(var_table.c.id == var_id).values(**fields))
        old_values = {
            m["participant_id"]: snapshot("measure_value", m)
            for m in s.execute(select(val_table).where(val_table.c.variable_id == var_id))
            .mappings().all()
        }
    else:
        top = s.execute(select(func.max(var_table.c.position))).scalar()
        position = 0 if top is None else top + 1
        var_id = s.execute(insert(var_table).values(name=name, position=position, **fields)
                           ).inserted_primary_key[0]
        before = None
    # the row as stored (JSON columns as they read back), so undo compares like with like
    after = load_rows(s, "measure_variable", [var_id])[var_id]
    if before is None:
        rec.create("measure_variable", after)
    else:
        rec.update("measure_variable", before, after)
    new_values: dict[int, dict[str, Any]] = {}  # rows to write
    for participant_id, value in values.items():
        row = _value_row(var_id, participant_id, kind, value)
        if row is not None:
            new_values[participant_id] = row
    # as logged (an infinite ratio becomes text there), compared like with like
    logged = {p: snapshot("measure_value", row) for p, row in new_values.items()}
    gone = [p for p in old_values if p not in new_values]
    changed = [p for p in new_values if p in old_values and old_values[p] != logged[p]]
    added = [new_values[p] for p in new_values if p not in old_values]
    for i in range(0, len(gone), CHUNK):
        s.execute(delete(val_table).where(val_table.c.variable_id == var_id,
                                          val_table.c.participant_id.in_(gone[i : i + CHUNK])))
    if changed:
        s.execute(
            update(val_table)
            .where(val_table.c.variable_id == var_id,
                   val_table.c.participant_id == bindparam("b_participant"))
            .values(value=bindparam("value"), text_value=bindparam("text_value"))
            .execution_options(synchronize_session=False),
            [{"b_participant": p, "value": new_values[p]["value"],
              "text_value": new_values[p]["text_value"]} for p in changed],
        )
    for i in range(0, len(added), CHUNK):
        s.execute(insert(val_table), added[i : i + CHUNK])
    for p in gone:
        rec.delete("measure_value", old_values[p])
    for p in changed:
        rec.update("measure_value", old_values[p], logged[p])
    for row in added:
        rec.create("measure_value", logged[row["participant_id"]])
    return len(new_values)


def store_computed(
    project: ProjectHandle,
    results: dict[str, dict[str, Any]],
    variables: dict[str, str],
    *,
    source: str,
    prefix: str,
    replace: bool,
    details: dict[str, Any],
) -> list[str]:
    """Store indices computed per participant (HRV, ECG) as numeric variables.

    One transaction and one undoable audit batch: the variables' and values' row events plus
    a record (``action=source``, entity ``measure_<source>``) whose ``after`` holds
    ``details`` plus the variable names. ``results``: pid -> {variable: value}.
    """
    names: list[str] = []
    rec = Recorder(project.actor,
                   f"compute {source.upper()} for {_plural(len(results), 'participant')}")
    with project.transaction() as s:
        ids = participant_ids(s)
        for var, label in variables.items():
            name = check_variable_name(var, prefix)
            names.append(name)
            write_variable(
                s, name=name, label=label, kind="numeric", source=source, timepoint_id=None,
                value_labels={}, missing_values=[],
                values={ids[pid]: row.get(var) for pid, row in results.items()},
                replace=replace, rec=rec,
            )
        rec.note(source, f"measure_{source}", {**details, "variables": names})
        rec.write(s)
    return names


def import_measures(
    project: ProjectHandle,
    path: Path | str,
    *,
    id_column: str | None = None,
    accept_matches: bool = False,
    accept: Mapping[str, str] | None = None,
    prefix: str = "",
    timepoint: str | None = None,
    replace: bool = False,
) -> MeasureImport:
    """Import a measures table (CSV/XLSX/.sav) into ``measure_variable``/``measure_value``.

    Near-miss ids are linked only with ``accept_matches`` (all of them) or ``accept`` (file
    id -> participant id, the proposals the user accepted one by one; every other proposal
    is rejected: its row is skipped and listed in ``rejected``). Without either, an import
    that has proposals writes nothing and raises :class:`InputError` naming them (so the
    user decides). An ``accept`` pair that is not a current proposal (the file or the
    participants changed since the preview) is an error, so a link is never made that the
    user did not see. Unmatched ids are skipped and listed in the result. ``prefix`` is put
    before every variable name; ``timepoint`` tags the variables. A variable that already
    exists is an error unless ``replace``. All-or-nothing: one transaction.
    """
    table = _read(path, id_column)
    plan = _plan(project, table, prefix)
    linked = plan.proposals
    if accept is not None:
        proposed = {m.given: m.pid for m in plan.proposals}
        stale = [f"{g} -> {p}" for g, p in accept.items() if proposed.get(g) != p]
        if stale:
            raise InputError(
                f"{plan.file}: {', '.join(stale)} is no longer a proposed match (the file or "
                "the participants changed since the preview); review the matches again; "
                "nothing was imported"
            )
        linked = [m for m in plan.proposals if m.given in accept]
        plan.rejected = [m.given for m in plan.proposals if m.given not in accept]
    elif plan.proposals and not accept_matches:
        shown = ", ".join(f"{m.given} -> {m.pid}" for m in plan.proposals[:10])
        more = f" and {len(plan.proposals) - 10} more" if len(plan.proposals) > 10 else ""
        raise InputError(
            f"{plan.file}: {len(plan.proposals)} id(s) only nearly match participants "
            f"({shown}{more}); check them and rerun with --accept-matches, or fix the file; "
            "nothing was imported"
        )
    if not plan.exact and not linked:
        skipped = [*plan.rejected, *plan.unmatched]
        raise InputError(
            f"{plan.file}: no id is linked to a participant (ids such as "
            f"{', '.join(skipped[:3])}); nothing was imported"
        )
    names = dict(zip((c.name for c in table.columns), plan.variables, strict=True))
    link = {g: g for g in plan.exact} | {m.given: m.pid for m in linked}
    written = 0
    rec = Recorder(project.actor, "")
    with project.transaction() as s:
        ids = participant_ids(s)
        tp = get_or_create_timepoint(s, timepoint)
        for col in table.columns:
            cells = table.data[col.name].to_dict()  # .loc per cell cost 35 us x 5,000
            values = {ids[link[g]]: cells[g] for g in link}
            written += write_variable(
                s,
                name=names[col.name],
                label=col.label,
                kind=col.kind,
                source=f"file:{plan.file}",
                timepoint_id=tp.id if tp else None,
                value_labels=col.value_labels,
                missing_values=col.missing_values,
                values=values,
                replace=replace,
                rec=rec,
            )
        replaced = f", replacing {len(plan.existing)}" if replace and plan.existing else ""
        rec.summary = (f"import {_plural(len(names), 'measure variable')} "
                       f"({_plural(written, 'value')}) from {plan.file}{replaced}")
        rec.note(
            "import",
            "measure_file",
            {
                "file": plan.file,
                "variables": list(names.values()),
                "matched": {g: p for g, p in link.items()},
                "rejected": {m.given: m.pid for m in plan.proposals if m.given in plan.rejected},
                "unmatched": plan.unmatched,
            },
        )
        rec.write(s)
    plan.accepted = bool(linked)
    plan.values_written = written
    return plan


def list_variables(project: ProjectHandle) -> list[VariableInfo]:
    """Every measure variable in position order, with how many participants have a value."""
    with project.reading() as s:
        tps = {t.id: t.label for t in s.exec(select(Timepoint)).all()}
        counts: dict[int, int] = {}
        for vid in s.exec(select(MeasureValue.variable_id)).all():
            counts[vid] = counts.get(vid, 0) + 1
        return [
            VariableInfo(
                name=v.name,
                label=v.label,
                kind=v.kind,
                source=v.source,
                timepoint=tps.get(v.timepoint_id),
                n=counts.get(v.id, 0),
                value_labels=dict(v.value_labels or {}),
                missing_values=list(v.missing_values or []),
            )
            for v in s.exec(
                select(MeasureVariable).order_by(MeasureVariable.position, MeasureVariable.id)
            ).all()
        ]


def measure_frame(project: ProjectHandle, variables: Sequence[str] | None = None):
    """Measures as a DataFrame: index = pid (every participant), one column per variable.

    Numeric variables are float (NaN = missing); string variables hold text or None.
    Unknown names in ``variables`` raise :class:`NotFoundError`.
    """
    import pandas as pd

    with project.reading() as s:
        parts = dict(s.exec(select(Participant.id, Participant.pid)).all())
        allvars = s.exec(
            select(MeasureVariable).order_by(MeasureVariable.position, MeasureVariable.id)
        ).all()
        by_name = {v.name: v for v in allvars}
        if variables is None:
            chosen = list(allvars)
        else:
            unknown = [n for n in variables if n not in by_name]
            if unknown:
                raise NotFoundError(
                    f"no measure variable {', '.join(map(repr, unknown))} (see themeqa quant list)"
                )
            chosen = [by_name[n] for n in variables]
        ids = [v.id for v in chosen]
        values = (
            s.exec(select(MeasureValue).where(MeasureValue.variable_id.in_(ids))).all()
            if ids
            else []
        )
    index = sorted(parts.values(), key=natural_key)
    data: dict[str, list[Any]] = {}
    cells: dict[tuple[int, int], Any] = {
        (v.variable_id, v.participant_id): v.text_value if v.text_value is not None else v.value
        for v in values
    }
    pid_to_id = {pid: i for i, pid in parts.items()}
    for var in chosen:
        col = [cells.get((var.id, pid_to_id[p])) for p in index]
        data[var.name] = (
            col if var.kind == "string" else [math.nan if c is None else float(c) for c in col]
        )
    frame = pd.DataFrame(data, index=pd.Index(index, name="pid"), columns=[v.name for v in chosen])
    frame.attrs["labels"] = {v.name: v.label for v in chosen}
    frame.attrs["value_labels"] = {v.name: dict(v.value_labels or {}) for v in chosen}
    frame.attrs["missing_values"] = {v.name: list(v.missing_values or []) for v in chosen}
    return frame


def participant_frame(project: ProjectHandle):
    """Participants as a DataFrame: index pid; condition, session, age, gender, extras."""
    import pandas as pd

    with project.reading() as s:
        sessions = {x.id: x.label for x in s.exec(select(StudySession)).all()}
        rows = s.exec(select(Participant)).all()
        extra_keys: list[str] = []
        for p in rows:
            for k in p.extra or {}:
                if k not in extra_keys:
                    extra_keys.append(k)
        records = [
            {
                "pid": p.pid,
                "condition": p.condition,
                "session": sessions.get(p.session_id),
                "age": float(p.age) if p.age is not None else math.nan,
                "gender": p.gender,
                **{k: (p.extra or {}).get(k) for k in extra_keys},
            }
            for p in rows
        ]
    frame = pd.DataFrame.from_records(
        records, columns=["pid", "condition", "session", "age", "gender", *extra_keys]
    )
    frame = frame.set_index("pid")
    return frame.loc[sorted(frame.index, key=natural_key)]


def _numeric_frame(project: ProjectHandle):
    frame = measure_frame(project)
    kinds = {v.name: v.kind for v in list_variables(project)}
    return frame[[c for c in frame.columns if kinds.get(c) == "numeric"]]


def score_measures(
    project: ProjectHandle,
    scale: str | Path,
    *,
    prefix: str | None = None,
    items: Sequence[str] | None = None,
    replace: bool = True,
) -> dict[str, Any]:
    """Score a questionnaire from imported item variables into new variables.

    ``scale``: ``scs26``, ``scs_sf`` or a YAML key file (``themeqa.ingest.scale_key``).
    Item variables are found by their trailing item number (``scs_1`` .. ``scs_26``;
    :func:`core.scales.detect_item_columns`) unless ``items`` names them in order. New
    variables are ``<prefix><subscale>`` and ``<prefix>total`` (prefix default:
    ``<scale name>_``); scoring again overwrites them (``replace``). The missing-item rule is
    the key's (prorate a subscale with at most one missing item).
    """
    from themeqa.core.scales import ScaleError, ScaleKeyError, detect_item_columns, score_scale
    from themeqa.ingest.scale_key import ScaleKeyFileError, load_scale_key

    text = str(scale)
    try:
        if text.lower().endswith((".yaml", ".yml")):
            key = load_scale_key(Path(text))
        else:
            from themeqa.core.scales import get_key

            key = get_key(text)
    except (ScaleError, ScaleKeyError, ScaleKeyFileError) as exc:
        raise InputError(str(exc)) from exc
    except OSError as exc:
        raise InputError(f"{scale}: cannot read ({exc.strerror or exc})") from exc
    frame = _numeric_frame(project)
    try:
        cols = list(items) if items else detect_item_columns(frame.columns, key.n_items)
        answered = frame[cols].notna().any(axis=1)
        scores = score_scale(frame.loc[answered], key, items=cols)
    except ScaleError as exc:
        reason = str(exc).replace("pass items=[...] in item order", "name them with --items")
        raise InputError(
            f"scoring {key.name}: {reason.replace('pass items=[...]', 'use --items')}"
        ) from exc
    except KeyError as exc:
        raise InputError(f"scoring {key.name}: no item variable {exc}") from exc
    pre = f"{key.name}_" if prefix is None else prefix
    out_names = []
    rec = Recorder(project.actor, f"score {key.name} ({_plural(len(scores), 'respondent')})")
    with project.transaction() as s:
        ids = participant_ids(s)
        for col in scores.columns:
            name = check_variable_name(col, pre)
            out_names.append(name)
            write_variable(
                s,
                name=name,
                label=f"{key.name} {col.replace('_', ' ')}",
                kind="numeric",
                source=f"score:{key.name}",
                timepoint_id=None,
                value_labels={},
                missing_values=[],
                values={ids[p]: v for p, v in scores[col].items()},
                replace=replace,
                rec=rec,
            )
        rec.note("score", "measure_scale",
                 {"scale": key.name, "items": list(map(str, cols)), "variables": out_names})
        rec.write(s)
    return {
        "scale": key.name,
        "items": [str(c) for c in cols],
        "variables": out_names,
        "n_scored": int(scores["total"].notna().sum()),
        "n_respondents": len(scores),
    }


#: HRV variables written by :func:`compute_hrv`, with their labels (units in brackets).
HRV_VARIABLES: dict[str, str] = {
    "mean_nn": "Mean NN interval (ms)",
    "sdnn": "SDNN (ms)",
    "rmssd": "RMSSD (ms)",
    "pnn50": "pNN50 (%)",
    "mean_hr": "Mean heart rate (beats/min)",
    "lf": "LF power 0.04-0.15 Hz (ms^2)",
    "hf": "HF power 0.15-0.40 Hz (ms^2)",
    "lf_hf": "LF/HF ratio",
    "nhf": "Normalised HF, HF/(LF+HF)",
    "n_corrected": "Ectopic/artefact intervals corrected (count)",
}
_FILE_ID = re.compile(r"^([A-Za-z]+[ _-]?\d+)")


def file_participant_id(path: Path) -> str:
    m = _FILE_ID.match(path.stem)
    return m.group(1) if m else path.stem


def compute_hrv(
    project: ProjectHandle,
    paths: Sequence[Path | str],
    *,
    accept_matches: bool = False,
    prefix: str = "hrv_",
    correct: bool = True,
    replace: bool = True,
) -> dict[str, Any]:
    """HRV indices per participant from RR files (one file per participant).

    A directory is expanded to its ``.txt``/``.csv``/``.hrm`` files. The participant id is
    the start of the file name (``P07_rest.txt`` -> ``P07``), matched like imported ids
    (near-misses only with ``accept_matches``). Intervals are corrected with
    :func:`core.hrv.correct_ectopic` (unless ``correct=False``), then
    :func:`core.hrv.time_domain` and :func:`core.hrv.frequency_domain`; a recording under
    2 min gets no frequency-domain values (Task Force 1996) and a note.
    """
    from themeqa.core.hrv import HRVError, correct_ectopic, frequency_domain, time_domain
    from themeqa.ingest.rr import RRFormatError, read_rr

    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(
                sorted(f for f in p.iterdir() if f.suffix.lower() in (".txt", ".csv", ".hrm"))
            )
        elif p.is_file():
            files.append(p)
        else:
            raise InputError(f"{p}: no such file or directory")
    if not files:
        raise InputError("no RR files (.txt, .csv, .hrm) given")
    by_id: dict[str, Path] = {}
    for f in files:
        fid = file_participant_id(f)
        if fid in by_id:
            raise InputError(f"{f.name} and {by_id[fid].name} both belong to {fid}")
        by_id[fid] = f
    with project.reading() as s:
        pids = sorted(participant_ids(s))
    exact, proposals, unmatched = match_ids(list(by_id), pids)
    if proposals and not accept_matches:
        shown = ", ".join(f"{by_id[m.given].name} -> {m.pid}" for m in proposals)
        raise InputError(
            f"{len(proposals)} file(s) only nearly match participants ({shown}); "
            "rerun with --accept-matches or rename them; nothing was written"
        )
    link = {g: g for g in exact} | {m.given: m.pid for m in proposals}
    results: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    for fid, pid in link.items():
        try:
            rec = read_rr(by_id[fid])
            rr, n_corr = correct_ectopic(rec.rr) if correct else (rec.rr, 0)
            td = time_domain(rr)
        except (RRFormatError, HRVError) as exc:
            raise InputError(f"{by_id[fid].name}: {exc}") from exc
        row = {
            "mean_nn": td.mean_nn,
            "sdnn": td.sdnn,
            "rmssd": td.rmssd,
            "pnn50": td.pnn50,
            "mean_hr": td.mean_hr,
            "n_corrected": float(n_corr),
        }
        try:
            fd = frequency_domain(rr)
            row |= {"lf": fd.lf, "hf": fd.hf, "lf_hf": fd.lf_hf, "nhf": fd.nhf}
        except HRVError as exc:
            notes.append(f"{pid}: no frequency domain ({exc})")
        results[pid] = row
    names = store_computed(
        project, results, HRV_VARIABLES, source="hrv", prefix=prefix, replace=replace,
        details={"files": {pid: by_id[g].name for g, pid in link.items()},
                 "corrected": correct},
    )
    return {
        "participants": sorted(results, key=natural_key),
        "variables": names,
        "unmatched": [by_id[u].name for u in unmatched],
        "notes": notes,
        "n_corrected": {pid: int(r["n_corrected"]) for pid, r in results.items()},
    }
