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


def import_participants(project: ProjectHandle, path: Path | str) -> dict[str, int]:
    """Import or update participants from CSV/XLSX; returns counts of added/updated rows."""
    from themeqa.ingest.participants import ParticipantsError, read_participants

    try:
        rows = read_participants(Path(path))
    except ParticipantsError as exc:
        raise InputError(str(exc)) from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    added = updated = 0
    batch = new_batch()
    with project.transaction() as s:
        existing = {p.pid: p for p in s.exec(select(Participant)).all()}
        claimed = {
            normalise_label(lab.label): lab
            for lab in s.exec(select(SpeakerLabel)).all()
        }
        session_conditions: dict[str, set[str]] = {}
        for r in rows:
            sess = get_or_create_session(s, r.session)
            before = None
            p = existing.get(r.id)
            if p is None:
                p = Participant(pid=r.id, condition=r.condition)
                added += 1
            else:
                before = {"condition": p.condition, "session_id": p.session_id, "age": p.age,
                          "gender": p.gender, "extra": p.extra}
                updated += 1
            p.condition = r.condition
            p.session_id = sess.id if sess else None
            p.age = r.age
            p.gender = r.gender
            p.extra = dict(r.extra)
            s.add(p)
            s.flush()
            if r.session:
                session_conditions.setdefault(r.session, set()).add(r.condition)
            # timepoints: replace the set
            for link in s.exec(
                select(ParticipantTimepoint).where(ParticipantTimepoint.participant_id == p.id)
            ).all():
                s.delete(link)
            s.flush()
            for label in r.timepoints:
                tp = get_or_create_timepoint(s, label)
                s.add(ParticipantTimepoint(participant_id=p.id, timepoint_id=tp.id))
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
                                              "session": r.session}, batch=batch)
        for label, conditions in session_conditions.items():
            row = s.exec(select(StudySession).where(StudySession.label == label)).one()
            row.condition = sorted(conditions)[0] if len(conditions) == 1 else None
            s.add(row)
        s.flush()
        link_speakers(s)
    return {"added": added, "updated": updated}


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
    return sorted(out, key=lambda p: normalise_label(p.pid))


def map_speaker(project: ProjectHandle, label: str, pid: str | None) -> int:
    """Map a transcript speaker label to participant ``pid`` (None removes the mapping).

    Returns the number of turns re-linked; ``services.speakers.map_label`` does the work
    (and also maps to the facilitator side and re-cuts turns).
    """
    from themeqa.services.speakers import map_label

    return map_label(project, label, pid).relinked
