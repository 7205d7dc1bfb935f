"""The coding screen's remembered panels (issue 22): per coder, per project, audited."""

from __future__ import annotations

import pytest
from sqlmodel import select

from themeqa.errors import InputError
from themeqa.services.settings import is_blind, set_tui_layout, tui_layout
from themeqa.store.models import AuditEvent


def test_layout_is_remembered_per_coder_and_logged(project):
    assert tui_layout(project, "amira") == {}
    set_tui_layout(project, "amira", {"side": False})
    set_tui_layout(project, "ben", {"tree": False, "side": True})
    assert tui_layout(project, "amira") == {"side": False}
    assert tui_layout(project, "ben") == {"tree": False, "side": True}
    assert is_blind(project) is False  # the other settings are untouched
    with project.reading() as s:
        events = [e for e in s.exec(select(AuditEvent)).all() if e.entity == "setting"]
    assert events[-1].after == {"tui_layout": {"tree": False, "side": True}}
    n = len(events)
    set_tui_layout(project, "ben", {"tree": False, "side": True})  # no change: no event
    with project.reading() as s:
        assert len([e for e in s.exec(select(AuditEvent)).all() if e.entity == "setting"]) == n


def test_unknown_panel_or_empty_coder_is_refused_and_writes_nothing(project):
    with pytest.raises(InputError, match="unknown panel"):
        set_tui_layout(project, "amira", {"sidebar": True})
    with pytest.raises(InputError, match="coder name is empty"):
        set_tui_layout(project, " ", {"side": True})
    assert tui_layout(project, "amira") == {}
