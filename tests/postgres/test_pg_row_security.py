"""On PostgreSQL the server itself keeps a coder to their own layer (migration 0006).

Why: a coder holds a connection to the team's database and could write with any client, not
only themeqa. Two roles made by ``themeqa team add-coder``: a plain coder (ben) and a lead.
Through plain SQL on their own connections, ben cannot insert, update or delete amira's
coding or a consensus coding (nor make himself a lead, nor take amira's codings with a
deleted code through the foreign-key cascade); the lead can; ben can write his own layer.
Through themeqa, the server's refusal is one line.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy.engine import make_url

from themeqa.errors import InputError, PermissionDeniedError
from themeqa.services.project import open_project
from themeqa.services.team import add_team_coder


def _as(url: str, role: str) -> str:
    """A libpq connection string for ``url`` logged in as ``role``."""
    u = make_url(url).set(drivername="postgresql", username=role, password=None)
    return u.render_as_string(hide_password=False)


@pytest.fixture
def team(pg_demo):
    """(project, ben's role name, the lead's role name, ids of the rows under test)."""
    tag = uuid.uuid4().hex[:6]
    ben, lead = f"ben_{tag}", f"lead_{tag}"
    made = add_team_coder(pg_demo, ben, actor="tester")
    assert (made.role, made.created_role) == ("coder", True)
    assert add_team_coder(pg_demo, lead, lead=True, actor="tester").role == "lead"
    with psycopg.connect(_as(pg_demo.url, "postgres"), autocommit=True) as c:
        amira = c.execute(
            "SELECT coding.id FROM coding JOIN coder ON coder.id = coding.coder_id "
            "WHERE coder.name = 'amira' AND layer = 'coder' ORDER BY coding.id LIMIT 1"
        ).fetchone()[0]
        consensus = c.execute(
            "INSERT INTO coding (document_id, code_id, coder_id, layer, start, \"end\", quote,"
            " created_at, updated_at) SELECT document_id, code_id, coder_id, 'consensus', "
            "start, \"end\", quote, now(), now() FROM coding WHERE id = %s RETURNING id",
            (amira,)).fetchone()[0]
    return pg_demo, ben, lead, {"amira": amira, "consensus": consensus}


def _denied(dsn: str, sql: str, params: tuple = ()) -> str:
    with psycopg.connect(dsn) as c, pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
        c.execute(sql, params)
    return str(e.value)


def _rows(dsn: str, sql: str, params: tuple = ()) -> int:
    with psycopg.connect(dsn) as c:
        return c.execute(sql, params).rowcount


_COPY = ("INSERT INTO coding (document_id, code_id, coder_id, layer, start, \"end\", quote, "
         "created_at, updated_at) SELECT document_id, code_id, {coder}, {layer}, start, \"end\","
         " quote, now(), now() FROM coding WHERE id = %s")


def test_a_coder_cannot_write_another_layer_whatever_the_client(team):
    project, ben, _lead, ids = team
    dsn = _as(project.url, ben)
    amira_id = "(SELECT id FROM coder WHERE name = 'amira')"
    ben_id = f"(SELECT id FROM coder WHERE name = '{ben}')"
    # updating or deleting amira's coding or a consensus coding is refused (an error, not a
    # silent "0 rows")...
    for row in (ids["amira"], ids["consensus"]):
        assert "only a lead may change coding" in _denied(
            dsn, "UPDATE coding SET quote = NOT quote WHERE id = %s", (row,))
        assert "only a lead may change coding" in _denied(
            dsn, "DELETE FROM coding WHERE id = %s", (row,))
    # ...and so is inserting into amira's layer or the consensus layer
    _denied(dsn, _COPY.format(coder=amira_id, layer="'coder'"), (ids["amira"],))
    _denied(dsn, _COPY.format(coder=ben_id, layer="'consensus'"), (ids["amira"],))
    # nor can ben turn his own coding into someone else's, or make himself a lead
    assert _rows(dsn, _COPY.format(coder=ben_id, layer="'coder'"), (ids["amira"],)) == 1
    _denied(dsn, f"UPDATE coding SET coder_id = {amira_id} WHERE coder_id = {ben_id}")
    _denied(dsn, f"UPDATE coding SET layer = 'consensus' WHERE coder_id = {ben_id}")
    assert _rows(dsn, "UPDATE coder SET role = 'lead' WHERE name = %s", (ben,)) == 0
    # deleting a code would cascade to amira's codings: the trigger refuses the cascade
    _denied(dsn, "DELETE FROM code WHERE id = (SELECT code_id FROM coding WHERE id = %s)",
            (ids["amira"],))
    with psycopg.connect(_as(project.url, "postgres")) as c:
        left = c.execute("SELECT count(*) FROM coding WHERE id IN (%s, %s)",
                         (ids["amira"], ids["consensus"])).fetchone()[0]
        role = c.execute("SELECT role FROM coder WHERE name = %s", (ben,)).fetchone()[0]
    assert (left, role) == (2, "coder")
    # his own layer is his: update and delete work
    assert _rows(dsn, f"UPDATE coding SET quote = true WHERE coder_id = {ben_id}") == 1
    assert _rows(dsn, f"DELETE FROM coding WHERE coder_id = {ben_id}") == 1


def test_a_lead_writes_every_layer(team):
    project, _ben, lead, ids = team
    dsn = _as(project.url, lead)
    amira_id = "(SELECT id FROM coder WHERE name = 'amira')"
    assert _rows(dsn, _COPY.format(coder=amira_id, layer="'consensus'"), (ids["amira"],)) == 1
    assert _rows(dsn, "UPDATE coding SET quote = NOT quote WHERE id IN (%s, %s)",
                 (ids["amira"], ids["consensus"])) == 2
    assert _rows(dsn, "DELETE FROM coding WHERE id IN (%s, %s)",
                 (ids["amira"], ids["consensus"])) == 2


def test_the_servers_refusal_is_one_line_through_themeqa(team):
    from themeqa.services.codings import delete_coding

    project, ben, _lead, ids = team
    url = make_url(project.url).set(username=ben).render_as_string(hide_password=False)
    as_ben = open_project(db_url=url, actor=ben)
    try:
        with pytest.raises(PermissionDeniedError) as info, as_ben.transaction() as s:
            s.connection().exec_driver_sql(
                f"DELETE FROM code WHERE id = (SELECT code_id FROM coding WHERE id = "
                f"{ids['amira']})")
        assert str(info.value).startswith(f"the database refused: {ben} is a coder")
        assert "\n" not in str(info.value)
        # the services refuse first when they know the rule; the database is the backstop:
        # here ben's connection claims to be amira (a forged actor), and nothing is written
        with pytest.raises(PermissionDeniedError, match="only a lead may change coding"):
            delete_coding(as_ben, ids["amira"], actor="amira")
    finally:
        as_ben.close()
    with project.reading() as s:
        from themeqa.store.models import Coding

        assert s.get(Coding, ids["amira"]) is not None


def test_add_coder_refuses_bad_names_and_sqlite(team, demo_copy):
    project, *_ = team
    with pytest.raises(InputError, match="cannot be a database role"):
        add_team_coder(project, 'x"; DROP TABLE coding; --')
    sqlite = open_project(demo_copy)
    try:
        with pytest.raises(InputError, match="needs a PostgreSQL project"):
            add_team_coder(sqlite, "ben")
    finally:
        sqlite.close()


def test_team_add_coder_from_the_command_line(pg_demo, demo_copy, capsys):
    import json

    from themeqa.cli.main import main

    name = f"carla_{uuid.uuid4().hex[:6]}"
    assert main(["--db", pg_demo.url, "team", "add-coder", name, "--lead", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "name": name, "role": "lead", "created_role": True}
    assert main(["--db", pg_demo.url, "team", "add-coder", name]) == 0
    assert capsys.readouterr().out == (
        f"role exists: {name}, a coder; it may write only its own layer\n")
    assert main(["--project", str(demo_copy), "team", "add-coder", "ben"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: team add-coder needs a PostgreSQL project") and \
        err.count("\n") == 1
