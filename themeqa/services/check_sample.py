"""Credibility checks: draw a seeded random sample of sessions or documents for a second coder.

Why this shape: a methods section has to say *which* sessions were double-coded and *how* they
were chosen ("5 of 17 sessions, drawn at random with seed 20240611"), and a reader has to be
able to redraw the same sample. So the method is fixed and written down here, the seed and the
drawn sample are stored in ``credibility_check``/``check_document`` and logged in the audit
log, and the same seed over the same project always gives the same sample.

Method (stable; changing it would break reproducibility of published samples):
1. Eligible sessions are the project's session labels sorted with Python's ``sorted`` (plain
   code-point order: "S10" sorts before "S2"); eligible documents are the current (not
   superseded) document names, sorted the same way.
2. ``rng = numpy.random.default_rng(seed)``; ``rng.choice(len(eligible), size=k,
   replace=False)`` picks the positions; the picked labels are stored sorted.
3. A session contributes all its documents: transcripts of the session and written responses
   of participants in that session.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field

from sqlmodel import Session, col, select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.audit import new_batch, record
from themeqa.services.lookup import get_or_create_coder
from themeqa.services.project import ProjectHandle
from themeqa.services.versions import current_documents
from themeqa.store.models import (
    CheckDocument,
    Coder,
    CredibilityCheck,
    Document,
    Participant,
    StudySession,
)

__all__ = [
    "METHOD",
    "CheckInfo",
    "create_check",
    "draw_sample",
    "get_check",
    "list_checks",
    "sample_check",
]

METHOD = (
    "numpy.random.default_rng(seed).choice(n, size=k, replace=False) over the "
    "{what} labels sorted in code-point order"
)


@dataclass(frozen=True)
class CheckInfo:
    """A credibility check as the CLI, TUI and report show it."""

    id: int
    name: str
    seed: int
    sample_by: str
    n_requested: int
    coder_a: str | None
    coder_b: str
    status: str
    created_by: str
    created_at: str
    sessions: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    method: str = ""
    eligible: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def draw_sample(labels: list[str], k: int, seed: int) -> list[str]:
    """The documented draw (module docstring): ``k`` of ``labels`` chosen by ``seed``, sorted."""
    import numpy as np

    pool = sorted(labels)
    if not 0 < k <= len(pool):
        raise InputError(f"cannot draw {k} of {len(pool)}: choose between 1 and {len(pool)}")
    picks = np.random.default_rng(seed).choice(len(pool), size=k, replace=False)
    return sorted(pool[int(i)] for i in picks)


def _documents_of_sessions(s: Session, labels: list[str]) -> list[Document]:
    sessions = {x.id: x.label for x in s.exec(select(StudySession)).all()}
    part_session = dict(s.exec(select(Participant.id, Participant.session_id)).all())
    wanted = set(labels)
    out = []
    for d in current_documents(s):
        sid = d.session_id if d.session_id is not None else part_session.get(d.participant_id)
        if sessions.get(sid) in wanted:
            out.append(d)
    return out


def _next_name(s: Session) -> str:
    names = set(s.exec(select(CredibilityCheck.name)).all())
    n = 1
    while f"check-{n}" in names:
        n += 1
    return f"check-{n}"


def _store(
    s: Session,
    *,
    project: ProjectHandle,
    name: str | None,
    seed: int,
    sample_by: str,
    n_requested: int,
    coder_a: str | None,
    coder_b: str,
    docs: list[Document],
    picked: list[str],
    method: str,
    eligible: int,
    actor: str,
) -> int:
    name = (name or _next_name(s)).strip()
    if s.exec(select(CredibilityCheck).where(CredibilityCheck.name == name)).first():
        raise InputError(f"a credibility check named {name!r} exists already")
    if coder_a is not None and coder_a.strip() == coder_b.strip():
        raise InputError("coder A and coder B must be different people")
    # Both coders may be new to the project: a check is usually drawn before coder B (and,
    # on a new project, coder A) has coded anything; refusing coder A there (issue 22) made
    # a fresh study unable to start its check.
    b = get_or_create_coder(s, coder_b)
    a = get_or_create_coder(s, coder_a) if coder_a is not None else None
    settings = {"picked": picked, "method": method, "eligible": eligible}
    check = CredibilityCheck(
        name=name, seed=seed, sample_by=sample_by, n_requested=n_requested,
        coder_a_id=a.id if a else None, coder_b_id=b.id, created_by=actor, settings=settings,
    )
    s.add(check)
    s.flush()
    for d in docs:
        s.add(CheckDocument(check_id=check.id, document_id=d.id))
    record(
        s, actor, "sample", "credibility_check", check.id, batch=new_batch(),
        after={
            "name": name, "seed": seed, "sample_by": sample_by, "n": n_requested,
            "picked": picked, "documents": sorted(d.name for d in docs), "method": method,
            "eligible": eligible, "coder_a": coder_a, "coder_b": b.name,
        },
    )
    return check.id


def sample_check(
    project: ProjectHandle,
    *,
    coder_b: str,
    sessions: int | None = None,
    documents: int | None = None,
    seed: int | None = None,
    coder_a: str | None = None,
    name: str | None = None,
    actor: str | None = None,
) -> CheckInfo:
    """Draw ``sessions`` sessions (all their documents) or ``documents`` documents for coder B.

    ``seed=None`` draws a fresh seed (``secrets``), which is stored and logged like a given one.
    One transaction: the check, its documents and the audit event are written together.
    """
    if (sessions is None) == (documents is None):
        raise InputError("give either --sessions K or --documents K")
    if seed is None:
        seed = secrets.randbelow(2**31)
    if seed < 0:
        raise InputError("the seed must be a non-negative integer")
    actor = actor or project.actor
    with project.transaction() as s:
        if sessions is not None:
            labels = list(s.exec(select(StudySession.label)).all())
            if not labels:
                raise InputError("the project has no sessions to sample (use --documents)")
            picked = draw_sample(labels, sessions, seed)
            docs = _documents_of_sessions(s, picked)
            what, k, eligible = "session", sessions, len(labels)
        else:
            names = [d.name for d in current_documents(s)]
            picked = draw_sample(names, documents or 0, seed)
            by_name = {d.name: d for d in current_documents(s)}
            docs = [by_name[n] for n in picked]
            what, k, eligible = "document", documents or 0, len(names)
        check_id = _store(
            s, project=project, name=name, seed=seed, sample_by=what, n_requested=k,
            coder_a=coder_a, coder_b=coder_b, docs=docs, picked=picked,
            method=METHOD.format(what=what), eligible=eligible, actor=actor,
        )
    return get_check(project, check_id)


def create_check(
    project: ProjectHandle,
    *,
    coder_b: str,
    sessions: list[str],
    coder_a: str | None = None,
    name: str | None = None,
    actor: str | None = None,
) -> CheckInfo:
    """Register sessions chosen by hand (e.g. a sample drawn before themeqa was used).

    The check stores seed 0 and the method "chosen by hand", so a report never presents a
    hand-picked sample as a random one.
    """
    actor = actor or project.actor
    with project.transaction() as s:
        known = set(s.exec(select(StudySession.label)).all())
        wanted = sorted({x.strip() for x in sessions if x.strip()})
        unknown = [x for x in wanted if x not in known]
        if not wanted or unknown:
            raise NotFoundError(f"no session(s) {', '.join(unknown) or '(none given)'}")
        check_id = _store(
            s, project=project, name=name, seed=0, sample_by="session",
            n_requested=len(wanted), coder_a=coder_a, coder_b=coder_b,
            docs=_documents_of_sessions(s, wanted), picked=wanted, method="chosen by hand",
            eligible=len(known), actor=actor,
        )
    return get_check(project, check_id)


def _info(s: Session, c: CredibilityCheck) -> CheckInfo:
    coders = dict(s.exec(select(Coder.id, Coder.name)).all())
    docs = s.exec(
        select(Document.name)
        .join(CheckDocument, col(CheckDocument.document_id) == Document.id)
        .where(CheckDocument.check_id == c.id)
        .order_by(Document.name)
    ).all()
    settings = c.settings or {}
    picked = list(settings.get("picked", []))
    return CheckInfo(
        id=c.id, name=c.name, seed=c.seed, sample_by=c.sample_by, n_requested=c.n_requested,
        coder_a=coders.get(c.coder_a_id), coder_b=coders.get(c.coder_b_id, "?"),
        status=c.status, created_by=c.created_by, created_at=c.created_at.isoformat(),
        sessions=picked if c.sample_by == "session" else [], documents=list(docs),
        method=str(settings.get("method", "")), eligible=int(settings.get("eligible", 0)),
    )


def get_check(project: ProjectHandle, check: int | str | None = None) -> CheckInfo:
    """A check by id or name; ``None`` means the most recent one."""
    with project.reading() as s:
        return _info(s, resolve_check(s, check))


def resolve_check(s: Session, check: int | str | None) -> CredibilityCheck:
    """The check row named/numbered by ``check`` (None: the newest), or NotFoundError."""
    if check is None:
        row = s.exec(select(CredibilityCheck).order_by(col(CredibilityCheck.id).desc())).first()
        if row is None:
            raise NotFoundError("no credibility check yet (themeqa check sample ...)")
        return row
    if isinstance(check, int) or str(check).isdigit():
        row = s.get(CredibilityCheck, int(check))
        if row is not None:
            return row
    row = s.exec(select(CredibilityCheck).where(CredibilityCheck.name == str(check))).first()
    if row is None:
        raise NotFoundError(f"no credibility check {check!r}")
    return row


def list_checks(project: ProjectHandle) -> list[CheckInfo]:
    with project.reading() as s:
        rows = s.exec(select(CredibilityCheck).order_by(CredibilityCheck.id)).all()
        return [_info(s, c) for c in rows]
