"""Team mode on PostgreSQL: one database role per coder, so the server knows who writes.

Why: the row-level security of migration 0006 decides by the connection's role
(``session_user``): a coding may be written by its own coder in the ``coder`` layer, or by a
lead. For that, each coder must connect as a role whose name is their coder name, with the
table privileges themeqa needs and nothing more. ``add_team_coder`` creates (or updates) that
role and the coder row in one transaction, so a lead runs one command per coder instead of
hand-written SQL (the SQL it runs is in the guide's team page for administrators who prefer
to run it themselves). It needs a connection allowed to create roles (the project's owner
with ``CREATEROLE``, or a superuser); SQLite has no roles and refuses with one line.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from sqlalchemy import text
from sqlmodel import Session, select

from themeqa.errors import InputError, PermissionDeniedError
from themeqa.services.audit import record
from themeqa.services.lookup import get_or_create_coder
from themeqa.services.project import ProjectHandle
from themeqa.store.models import Coder

__all__ = ["TeamCoder", "add_team_coder", "team_grants"]

#: a coder name that is also a safe PostgreSQL role name (no quoting surprises, < 64 bytes)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,62}")


@dataclass(frozen=True)
class TeamCoder:
    name: str
    role: str  # coder | lead
    created_role: bool  # False: the database role existed already

    def to_dict(self) -> dict:
        return asdict(self)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    # standard_conforming_strings is on by default since PostgreSQL 9.1: only ' needs doubling
    return "'" + value.replace("'", "''") + "'"


def team_grants(database: str, schema: str, name: str) -> list[str]:
    """The privileges a coder's role needs: read everything, write rows (RLS limits which)."""
    role = _ident(name)
    return [
        f"GRANT CONNECT ON DATABASE {_ident(database)} TO {role}",
        f"GRANT USAGE ON SCHEMA {_ident(schema)} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {_ident(schema)} "
        f"TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_ident(schema)} TO {role}",
    ]


def _create_role(s: Session, name: str, password: str | None) -> bool:
    exists = s.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    secret = f" PASSWORD {_literal(password)}" if password else ""
    if exists is None:
        s.connection().exec_driver_sql(f"CREATE ROLE {_ident(name)} LOGIN{secret}")
    elif secret:
        s.connection().exec_driver_sql(f"ALTER ROLE {_ident(name)}{secret}")
    return exists is None


def add_team_coder(
    project: ProjectHandle,
    name: str,
    *,
    lead: bool = False,
    password: str | None = None,
    actor: str | None = None,
) -> TeamCoder:
    """Create the database role ``name`` (LOGIN), grant it themeqa's tables, mark its role.

    An existing role keeps its password unless one is given; an existing coder row gets the
    role asked for (``lead`` or ``coder``). Logged in the audit log like ``coders role``.
    """
    name = name.strip()
    if project.engine.dialect.name != "postgresql":
        raise InputError("team add-coder needs a PostgreSQL project (--db postgresql+psycopg://"
                         "…): a SQLite project has no database roles")
    if not _NAME.fullmatch(name):
        raise InputError(f"coder name {name!r} cannot be a database role: use letters, digits, "
                         "_ . - (starting with a letter, at most 63)")
    role = "lead" if lead else "coder"
    actor = actor or project.actor
    try:
        with project.transaction() as s:
            database, schema = s.execute(
                text("SELECT current_database(), current_schema()")).one()
            created = _create_role(s, name, password)
            for sql in team_grants(database, schema, name):
                s.connection().exec_driver_sql(sql)
            coder = s.exec(select(Coder).where(Coder.name == name)).first()
            before = None if coder is None else {"name": coder.name, "role": coder.role}
            coder = get_or_create_coder(s, name, role)
            coder.role = role
            s.add(coder)
            s.flush()
            record(s, actor, "update" if before else "create", "coder", coder.id,
                   before=before, after={"name": name, "role": role, "database_role": True})
    except PermissionDeniedError as exc:  # the server's insufficient_privilege
        raise PermissionDeniedError(
            f"{exc}; creating coder roles needs the project's owner with CREATEROLE, or a "
            "superuser") from None
    return TeamCoder(name, role, created)
