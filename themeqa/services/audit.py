"""Append a mutation to the audit log (who, when, what, before/after).

Why: DESIGN.md makes the audit log the single record of every change; undo/redo and the
methods-section report (e.g. the credibility-check sample and its seed) read it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from themeqa.store.models import AuditEvent

__all__ = ["new_batch", "record"]


def new_batch() -> str:
    """An id grouping the events of one user action, so one undo reverts all of them."""
    return uuid.uuid4().hex


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    *,
    before: Any = None,
    after: Any = None,
    batch: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        batch=batch or new_batch(),
    )
    session.add(event)
    return event
