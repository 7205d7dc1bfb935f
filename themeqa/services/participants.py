"""Participants: import the participants file, list them, edit the speaker map.

Why upsert: researchers correct the participants sheet and re-import it; ids are stable, so a
re-import updates the row instead of duplicating a person. All rows are validated before any
is written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from sqlmodel import select

from themeqa.errors import InputError
from themeqa.services.audit import new_batch, record
from themeqa.services.importing import link_speakers
from themeqa.services.lookup import (
    get_or_create_session,
    get_or_create_timepoint,
    normalise_label,
)
from themeqa.services.project import ProjectHandle
from themeqa.store.models import (
    Participant,
    ParticipantTimepoint,
    SpeakerLabel,
    StudySession,
    Timepoint,
)

__all__ = ["ParticipantInfo", "import_participants", "list_participants", "map_speaker"]


@dataclass(frozen=True)
class ParticipantInfo:
    pid: str
    condition: str
    session: str | None
    timepoints: tuple[str, ...]
    age: int | None
    gender: str | None
    speaker_labels: tuple[str, ...]
    extra: dict

    def to_dict(self) -> dict:
        d = asdict(self)
        d["timepoints"] = list(self.timepoints)
        d["speaker_labels"] = list(self.speaker_labels)
        return d


def import_participants(
    project: ProjectHandle, path: Path | str, *, replace: bool = False
) -> dict[str, int]:
    """Import or update participants from CSV/XLSX; returns counts of added/updated rows and
    of values cleared.

    Merge by default: a column absent from the file leaves that field of an existing
    participant as it was (a file with only ``id,condition`` changes conditions, nothing
    else), and extra columns update only their own keys. ``replace`` makes the file the
    whole truth: absent columns clear the field, and ``cleared`` counts the values removed
    (a session, an age, a gender, each timepoint, each extra characteristic).
    """
    from themeqa.ingest.participants import (
        ParticipantsError,
        participant_columns,
        read_participants,
    )

    try:
        rows = read_participants(Path(path))
        columns = participant_columns(Path(path))
    except ParticipantsError as exc:
        raise InputError(str(exc)) from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    added = updated = cleared = 0
    batch = new_batch()
    has = {c: (replace or c in columns) for c in ("session", "age", "gender", "timepoints")}
    with project.transaction() as s:
        existing = {p.pid: p for p in s.exec(select(Participant)).all()}
        claimed = {
            normalise_label(lab.label): lab
            for lab in s.exec(select(SpeakerLabel)).all()
        }
        session_conditions: dict[str, set[str]] = {}
        touched_sessions: set[int] = set()
        for r in rows:
            before = None
            p = existing.get(r.id)
            if p is None:
                p = Participant(pid=r.id, condition=r.condition)
                added += 1
            else:
                before = {"condition": p.condition, "session_id": p.session_id, "age": p.age,
                          "gender": p.gender, "extra": p.extra}
                updated += 1
            if p.session_id is not None:
                touched_sessions.add(p.session_id)
            p.condition = r.condition
            if has["session"] or before is None:
                sess = get_or_create_session(s, r.session)
                cleared += int(before is not None and sess is None and p.session_id is not None)
                p.session_id = sess.id if sess else None
            for name in ("age", "gender"):
                if has[name] or before is None:
                    new = getattr(r, name)
                    cleared += int(before is not None and new is None
                                   and getattr(p, name) is not None)
                    setattr(p, name, new)
            old_extra = dict(p.extra or {})
            if replace or before is None:
                cleared += sum(1 for k, v in old_extra.items()
                               if v not in (None, "") and not r.extra.get(k))
                p.extra = dict(r.extra)
            else:
                p.extra = {**old_extra, **r.extra}
            s.add(p)
            s.flush()
            session_label = s.get(StudySession, p.session_id).label if p.session_id else None
            if session_label:
                session_conditions.setdefault(session_label, set()).add(r.condition)
            if has["timepoints"] or before is None:
                links = s.exec(select(ParticipantTimepoint)
                               .where(ParticipantTimepoint.participant_id == p.id)).all()
                kept = {get_or_create_timepoint(s, label).id for label in r.timepoints}
                cleared += sum(1 for link in links if link.timepoint_id not in kept)
                for link in links:
                    s.delete(link)
                s.flush()
                for tp_id in kept:
                    s.add(ParticipantTimepoint(participant_id=p.id, timepoint_id=tp_id))
            for label in r.speaker_labels:
                key = normalise_label(label)
                owner = claimed.get(key)
                if owner is not None and owner.participant_id != p.id:
                    raise InputError(
                        f"{Path(path).name}: speaker label {label!r} of {r.id} already names "
                        "another participant; nothing was imported"
                    )
                if owner is None:
                    lab = SpeakerLabel(label=label, participant_id=p.id)
                    s.add(lab)
                    claimed[key] = lab
            record(s, project.actor, "import" if before is None else "update", "participant",
                   p.id, before=before, after={"pid": r.id, "condition": r.condition,
                                              "session": session_label}, batch=batch)
        _session_conditions(s, session_conditions, touched_sessions)
        s.flush()
        link_speakers(s)
    return {"added": added, "updated": updated, "cleared": cleared}


def _session_conditions(s, imported: dict[str, set[str]], touched: set[int]) -> None:
    """A session's condition: the one condition of all its participants (None if mixed).

    Recomputed from every participant of the sessions this import touched, not only the
    imported rows: a merge leaves other participants of a session where they were."""
    from sqlmodel import col

    ids = touched | {x.id for x in s.exec(select(StudySession)
                                           .where(col(StudySession.label).in_(list(imported))))}
    for row in s.exec(select(StudySession).where(col(StudySession.id).in_(list(ids)))).all():
        conditions = set(s.exec(select(Participant.condition)
                                .where(Participant.session_id == row.id)).all())
        row.condition = sorted(conditions)[0] if len(conditions) == 1 else None
        s.add(row)


def list_participants(project: ProjectHandle) -> list[ParticipantInfo]:
    with project.reading() as s:
        sessions = {x.id: x.label for x in s.exec(select(StudySession)).all()}
        tps = {x.id: (x.position, x.label) for x in s.exec(select(Timepoint)).all()}
        links: dict[int, list[tuple[int, str]]] = {}
        for link in s.exec(select(ParticipantTimepoint)).all():
            links.setdefault(link.participant_id, []).append(tps[link.timepoint_id])
        labels: dict[int, list[str]] = {}
        for lab in s.exec(select(SpeakerLabel)).all():
            labels.setdefault(lab.participant_id, []).append(lab.label)
        out = [
            ParticipantInfo(
                pid=p.pid,
                condition=p.condition,
                session=sessions.get(p.session_id),
                timepoints=tuple(lbl for _, lbl in sorted(links.get(p.id, []))),
                age=p.age,
                gender=p.gender,
                speaker_labels=tuple(sorted(labels.get(p.id, []))),
                extra=dict(p.extra or {}),
            )
            for p in s.exec(select(Participant)).all()
        ]
    from themeqa.services.measures import natural_key

    # natural order (P2 before P10, issue 22: the id string order gave P01, P10…P19, P02)
    return sorted(out, key=lambda p: natural_key(normalise_label(p.pid)))


def map_speaker(project: ProjectHandle, label: str, pid: str | None) -> int:
    """Map a transcript speaker label to participant ``pid`` (None removes the mapping).

    Returns the number of turns re-linked; ``services.speakers.map_label`` does the work
    (and also maps to the facilitator side and re-cuts turns).
    """
    from themeqa.services.speakers import map_label

    return map_label(project, label, pid).relinked
