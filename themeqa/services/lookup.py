"""Find-or-create the small reference rows (sessions, timepoints, coders) and participant maps.

Why one module: every importer needs the same rules (labels trimmed, created on first use,
speaker labels matched to participants the same way), and repeating them drifts.
"""

from __future__ import annotations

import re

from sqlmodel import Session, func, select

from themeqa.errors import NotFoundError
from themeqa.store.models import Coder, Participant, SpeakerLabel, StudySession, Timepoint

__all__ = [
    "DEFAULT_TIMEPOINT_ORDER",
    "facilitator_keys",
    "get_coder",
    "get_or_create_coder",
    "get_or_create_session",
    "get_or_create_timepoint",
    "normalise_label",
    "speaker_map",
]

#: Timepoints are free labels; these common ones sort in study order, others after them.
DEFAULT_TIMEPOINT_ORDER = ("baseline", "initial", "post", "follow-up", "followup")

_ID_RE = re.compile(r"^([A-Za-z]+)\s*0*(\d+)$")


def normalise_label(label: str) -> str:
    """A comparison key for speaker labels and ids: case, spaces and leading zeros ignored.

    ``P3``, ``p03`` and ``P 03`` all become ``P3`` — transcribers write ids inconsistently,
    and a participant must not be lost to a missing zero.
    """
    text = " ".join(label.split()).strip().strip("*").strip()
    m = _ID_RE.match(text)
    if m:
        return f"{m.group(1).upper()}{int(m.group(2))}"
    return text.casefold()


def get_or_create_session(s: Session, label: str | None) -> StudySession | None:
    if not label:
        return None
    label = label.strip()
    row = s.exec(select(StudySession).where(StudySession.label == label)).first()
    if row is None:
        row = StudySession(label=label)
        s.add(row)
        s.flush()
    return row


def get_or_create_timepoint(s: Session, label: str | None) -> Timepoint | None:
    if not label:
        return None
    label = label.strip()
    row = s.exec(select(Timepoint).where(Timepoint.label == label)).first()
    if row is None:
        key = label.casefold()
        if key in DEFAULT_TIMEPOINT_ORDER:
            position = DEFAULT_TIMEPOINT_ORDER.index(key)
        else:
            position = len(DEFAULT_TIMEPOINT_ORDER) + (
                s.exec(select(func.count()).select_from(Timepoint)).one()
            )
        row = Timepoint(label=label, position=position)
        s.add(row)
        s.flush()
    return row


def get_coder(s: Session, name: str) -> Coder:
    row = s.exec(select(Coder).where(Coder.name == name.strip())).first()
    if row is None:
        raise NotFoundError(f"no coder named {name!r}")
    return row


def get_or_create_coder(s: Session, name: str, role: str = "coder") -> Coder:
    name = name.strip()
    row = s.exec(select(Coder).where(Coder.name == name)).first()
    if row is None:
        row = Coder(name=name, role=role)
        s.add(row)
        s.flush()
    return row


def speaker_map(s: Session) -> dict[str, int]:
    """normalised label -> participant row id, from participant ids and extra speaker labels."""
    mapping: dict[str, int] = {}
    for pid, row_id in s.exec(select(Participant.pid, Participant.id)).all():
        mapping[normalise_label(pid)] = row_id
    for label, row_id in s.exec(select(SpeakerLabel.label, SpeakerLabel.participant_id)
                                .where(SpeakerLabel.participant_id.is_not(None))).all():
        mapping[normalise_label(label)] = row_id
    return mapping


def facilitator_keys(s: Session) -> set[str]:
    """Normalised labels the user mapped to the facilitator side (``participants map LABEL
    --facilitator``): role words are recognised without this, a typo or a name is not."""
    rows = s.exec(select(SpeakerLabel.label).where(SpeakerLabel.role == "facilitator")).all()
    return {normalise_label(label) for label in rows}
