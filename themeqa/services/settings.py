"""Project settings (blind coding) and coder roles, and the permission rules built on them.

Why here: blind coding is what makes a credibility check honest (a second coder must not see
the first one's codings), so only a lead may switch it, and a coder may write only their own
layer. A project without any lead has no roles to enforce (one person working alone, or a
team before the lead is named): then anybody may name the first lead, and from that moment
only a lead changes roles, blind mode and the consensus layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlmodel import Session, select

from themeqa.errors import InputError, PermissionDeniedError
from themeqa.services.audit import record
from themeqa.services.lookup import get_or_create_coder
from themeqa.services.project import ProjectHandle
from themeqa.store.models import Coder, ProjectInfo

__all__ = [
    "ROLES",
    "CoderInfo",
    "can_write_coding",
    "coder_role",
    "has_lead",
    "is_blind",
    "is_lead",
    "list_coders",
    "require_coding_write",
    "set_blind",
    "set_coder_role",
    "set_tui_layout",
    "tui_layout",
]

ROLES = ("coder", "lead")
BLIND = "blind"
TUI_LAYOUT = "tui_layout"
LAYOUT_PANELS = ("tree", "side")


@dataclass(frozen=True)
class CoderInfo:
    name: str
    role: str

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------------------- sessions


def has_lead(s: Session) -> bool:
    return s.exec(select(Coder.id).where(Coder.role == "lead")).first() is not None


def is_lead(s: Session, name: str | None) -> bool:
    if not name:
        return False
    role = s.exec(select(Coder.role).where(Coder.name == name.strip())).first()
    return role == "lead"


def can_write_coding(s: Session, actor: str, coder_name: str, layer: str) -> str | None:
    """None when ``actor`` may write a coding of ``coder_name`` in ``layer``, else why not.

    Rules (enforced once the project has a lead): a coder writes only their own coder layer;
    the consensus layer is written only by a lead.
    """
    if not has_lead(s):
        return None
    if layer == "consensus":
        if is_lead(s, actor):
            return None
        return f"only a lead may change the consensus layer ({actor} is not a lead)"
    if actor.strip() == coder_name.strip():
        return None
    return f"{actor} may not change {coder_name}'s codings (a coder changes only their own layer)"


def require_coding_write(s: Session, actor: str, coder_name: str, layer: str) -> None:
    why = can_write_coding(s, actor, coder_name, layer)
    if why is not None:
        raise PermissionDeniedError(why)


def _info(s: Session) -> ProjectInfo:
    info = s.exec(select(ProjectInfo)).first()
    if info is None:  # pragma: no cover - created by open_project
        raise InputError("project has no metadata row")
    return info


# ---------------------------------------------------------------------------------- services


def is_blind(project: ProjectHandle) -> bool:
    """True when coders see only their own layer (a lead always sees every layer)."""
    with project.reading() as s:
        return bool((_info(s).settings or {}).get(BLIND, False))


def set_blind(project: ProjectHandle, on: bool, *, actor: str) -> None:
    """Switch blind coding on or off; only a lead may."""
    with project.transaction() as s:
        if not is_lead(s, actor):
            hint = "" if has_lead(s) else " (name one: themeqa coders role NAME lead)"
            raise PermissionDeniedError(f"only a lead may switch blind coding{hint}")
        info = _info(s)
        before = dict(info.settings or {})
        if bool(before.get(BLIND, False)) == bool(on):
            return
        info.settings = {**before, BLIND: bool(on)}
        s.add(info)
        record(s, actor, "update", "setting", None, before={BLIND: before.get(BLIND, False)},
               after={BLIND: bool(on)})


def coder_role(project: ProjectHandle, name: str) -> str:
    """``lead`` or ``coder`` (a name that has not coded anything yet is a plain coder)."""
    with project.reading() as s:
        role = s.exec(select(Coder.role).where(Coder.name == name.strip())).first()
    return role or "coder"


def set_coder_role(project: ProjectHandle, name: str, role: str, *, actor: str) -> None:
    """Make ``name`` a lead or a plain coder (creating the coder if needed).

    Once the project has a lead only a lead may change roles; the first lead may be named
    by anyone (see the module docstring).
    """
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not name or not name.strip():
        raise InputError("coder name is empty")
    with project.transaction() as s:
        if has_lead(s) and not is_lead(s, actor):
            raise PermissionDeniedError(f"only a lead may change roles ({actor} is not a lead)")
        coder = get_or_create_coder(s, name)
        if coder.role == role:
            return
        before = coder.role
        coder.role = role
        s.add(coder)
        record(s, actor, "update", "coder", coder.id, before={"name": coder.name, "role": before},
               after={"name": coder.name, "role": role})


def list_coders(project: ProjectHandle) -> list[CoderInfo]:
    with project.reading() as s:
        return [CoderInfo(c.name, c.role)
                for c in s.exec(select(Coder).order_by(Coder.name)).all()]


def tui_layout(project: ProjectHandle, coder: str) -> dict[str, bool]:
    """The coding screen's panels ``coder`` chose to show or hide in this project.

    Only explicit choices are stored (``{"tree": True, "side": False}``); a panel with no
    choice follows the terminal's width. Why in the project: the same coder may open the
    study on a laptop and at a wide screen, and wants each project laid out as they left it.
    """
    with project.reading() as s:
        layouts = (_info(s).settings or {}).get(TUI_LAYOUT) or {}
    mine = layouts.get(coder.strip()) or {}
    return {k: bool(v) for k, v in mine.items() if k in LAYOUT_PANELS}


def set_tui_layout(project: ProjectHandle, coder: str, layout: dict[str, bool]) -> None:
    """Remember which coding-screen panels ``coder`` shows (any coder may set their own)."""
    unknown = sorted(set(layout) - set(LAYOUT_PANELS))
    if unknown:
        raise InputError(f"unknown panel(s) {', '.join(unknown)}; "
                         f"expected {', '.join(LAYOUT_PANELS)}")
    if not coder or not coder.strip():
        raise InputError("coder name is empty")
    wanted = {k: bool(v) for k, v in layout.items()}
    with project.transaction() as s:
        info = _info(s)
        settings = dict(info.settings or {})
        layouts = dict(settings.get(TUI_LAYOUT) or {})
        before = layouts.get(coder.strip())
        if before == wanted:
            return
        layouts[coder.strip()] = wanted
        info.settings = {**settings, TUI_LAYOUT: layouts}
        s.add(info)
        record(s, coder.strip(), "update", "setting", None,
               before={TUI_LAYOUT: before}, after={TUI_LAYOUT: wanted})
