"""`themeqa doctor`: find damage before it costs a study.

Why these checks: a project file can be damaged by a disk or a copy taken mid-write (SQLite
``integrity_check``); rows can be left pointing at nothing by a tool that edited the file
with foreign keys off (orphan rows, checked for every foreign key in the schema, on SQLite
and PostgreSQL alike); a coding is only meaningful while its offsets fall inside its
document's text; and documents are immutable, so a text whose sha256 no longer matches the
one stored at import has been changed behind themeqa's back and every coding on it may now
point at the wrong words. The doctor only reads; it never repairs.

It also warns (without failing: nothing is damaged) when de-identified documents still keep
their identifiable originals in the project, or the de-identification key lies in the
project folder: ethics boards commonly require both to be destroyed or held separately, and
``themeqa deidentify --purge-originals`` is easy to forget after ``--apply``; and when text
is attributed to nobody (a written answer without a writer, a speaker mapped to no
participant), since its codings count for no participant in any tally.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel, select

from themeqa.core.text import sha256_text
from themeqa.services.project import ProjectHandle
from themeqa.store.models import Coding, Document, Sentence, Turn

__all__ = ["DoctorReport", "Problem", "run_doctor"]

_MAX_DETAILS = 20


@dataclass(frozen=True)
class Problem:
    check: str  # integrity | orphans | offsets | sha256 | loops; privacy, attribution (warn)
    message: str


@dataclass
class DoctorReport:
    checks: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: things worth acting on that are not damage (they do not make ``ok`` false)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"ok": self.ok, "checks": self.checks,
                "problems": [asdict(p) for p in self.problems],
                "warnings": [asdict(p) for p in self.warnings]}


def _integrity(project: ProjectHandle, report: DoctorReport) -> None:
    if project.engine.dialect.name != "sqlite":
        return  # the server checks its own pages (data checksums, amcheck)
    report.checks.append("integrity")
    try:
        with project.engine.connect() as c:
            rows = [r[0] for r in c.exec_driver_sql("PRAGMA integrity_check").fetchall()]
    except DBAPIError as exc:  # so damaged that the check itself cannot walk the file
        rows = [str(exc.orig or exc).splitlines()[0]]
    except UnicodeDecodeError as exc:  # a garbage page decoded as a message
        rows = [f"unreadable page ({exc.reason})"]
    if rows != ["ok"]:
        for r in rows[:_MAX_DETAILS]:
            report.problems.append(Problem("integrity", f"database: {r}"))


def _orphans(project: ProjectHandle, report: DoctorReport) -> None:
    """Every foreign key of the schema: non-null values whose parent row does not exist."""
    report.checks.append("orphans")
    with project.engine.connect() as c:
        for table in SQLModel.metadata.sorted_tables:
            for fk in table.foreign_keys:
                col, parent = fk.parent, fk.column
                sql = (
                    f'SELECT count(*) FROM "{table.name}" AS child WHERE child."{col.name}"'
                    f' IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "{parent.table.name}" AS p'
                    f' WHERE p."{parent.name}" = child."{col.name}")'
                )
                n = c.execute(text(sql)).scalar_one()
                if n:
                    report.problems.append(Problem(
                        "orphans",
                        f"{n} {table.name} row{'s' if n != 1 else ''} point at a missing "
                        f"{parent.table.name} ({table.name}.{col.name})"))


def _offsets(project: ProjectHandle, report: DoctorReport) -> None:
    report.checks.append("offsets")
    with project.reading() as s:
        lengths = {i: len(t) for i, t in s.exec(select(Document.id, Document.text)).all()}
        names = dict(s.exec(select(Document.id, Document.name)).all())
        for model, what in ((Coding, "coding"), (Turn, "turn"), (Sentence, "sentence")):
            bad = [
                (r.id, r.document_id, r.start, r.end)
                for r in s.exec(select(model)).all()
                if r.document_id in lengths
                and not (0 <= r.start <= r.end <= lengths[r.document_id])
            ]
            for rid, doc_id, start, end in bad[:_MAX_DETAILS]:
                report.problems.append(Problem(
                    "offsets",
                    f"{what} {rid}: span {start}-{end} is outside {names[doc_id]!r} "
                    f"(0-{lengths[doc_id]})"))
            if len(bad) > _MAX_DETAILS:
                report.problems.append(Problem(
                    "offsets", f"and {len(bad) - _MAX_DETAILS} more {what}s outside their "
                               "document"))


def _hashes(project: ProjectHandle, report: DoctorReport) -> None:
    report.checks.append("sha256")
    with project.reading() as s:
        for name, body, digest, n_chars in s.exec(
            select(Document.name, Document.text, Document.sha256, Document.n_chars)
        ).all():
            if sha256_text(body) != digest:
                report.problems.append(Problem(
                    "sha256", f"document {name!r}: text no longer matches its sha256 (changed "
                              "outside themeqa; its codings may point at the wrong words)"))
            elif n_chars != len(body):
                report.problems.append(Problem(
                    "sha256", f"document {name!r}: stored length {n_chars} != {len(body)}"))


def _privacy(project: ProjectHandle, report: DoctorReport) -> None:
    from themeqa.services.deid_purge import unpurged_originals
    from themeqa.services.deidentify import MAPPING_FILENAME

    report.checks.append("privacy")
    kept = unpurged_originals(project)
    if kept:
        names = ", ".join(name for name, _current in kept[:5])
        more = f" and {len(kept) - 5} more" if len(kept) > 5 else ""
        one = len(kept) == 1
        report.warnings.append(Problem(
            "privacy",
            f"{len(kept)} de-identified document{'' if one else 's'} still "
            f"{'keeps its identifiable original' if one else 'keep their identifiable originals'}"
            f" ({names}{more}): themeqa deidentify --purge-originals destroys "
            f"{'it' if one else 'them'}"))
    if project.directory is not None and (project.directory / MAPPING_FILENAME).is_file():
        report.warnings.append(Problem(
            "privacy",
            f"the de-identification key {MAPPING_FILENAME} is in the project folder (and so "
            "in every copy of it): keep it somewhere else"))


def _attribution(project: ProjectHandle, report: DoctorReport) -> None:
    """Warn about text attributed to nobody: its codings count for no participant."""
    from themeqa.services.attribution import unattributed_documents

    report.checks.append("attribution")
    with project.reading() as s:
        nobody = unattributed_documents(s)
    for name, n in list(nobody.items())[:_MAX_DETAILS]:
        report.warnings.append(Problem(
            "attribution",
            f"{name}: {n} turn{'s' if n != 1 else ''} or answer attributed to nobody (no "
            "participant, not a facilitator): codings there count for no participant"))
    if len(nobody) > _MAX_DETAILS:
        report.warnings.append(Problem(
            "attribution", f"and {len(nobody) - _MAX_DETAILS} more documents (themeqa "
            "documents --unattributed)"))


def _loops(project: ProjectHandle, report: DoctorReport) -> None:
    """Code cycles, self-parents and self-referencing document versions (doctor_loops.py)."""
    from themeqa.services.doctor_loops import check_loops

    check_loops(project, report)


def run_doctor(project: ProjectHandle) -> DoctorReport:
    """Run every check; the report lists each problem as one line."""
    report = DoctorReport()
    _integrity(project, report)
    if any(p.check == "integrity" for p in report.problems):
        return report  # queries over a damaged file may fail or lie
    _orphans(project, report)
    _offsets(project, report)
    _hashes(project, report)
    _loops(project, report)
    _privacy(project, report)
    _attribution(project, report)
    return report
