"""PostgreSQL: the database itself keeps each coder to their own layer (row-level security).

Why: on a team server every coder connects as their own database role (the role name is the
coder name, ``themeqa team add-coder``). themeqa's services already refuse to write another
coder's layer, but a coder holding the connection could use any other client (psql, a
script). These policies make the server refuse it too, whatever the client:

- a coding (insert, update, delete) may be written by its own coder in the ``coder`` layer,
  or by a lead: a role marked ``role = 'lead'`` in the ``coder`` table, the owner of the
  tables (who created the project and ran the migrations) or a superuser;
- the ``coder`` table (who is a lead) may be changed only by a lead; a coder may add their
  own row as a plain coder (the first coding of a new coder creates it);
- a trigger on ``coding`` applies the same rule to the row as it was before an update or
  a delete, and raises: a policy's USING clause would only hide the row, so ben's
  ``DELETE`` of amira's coding would report 0 rows and themeqa (or any client) would
  believe it done; and PostgreSQL runs foreign-key cascades without row security, so a
  coder allowed to delete a code would otherwise take other coders' codings with it.

Reads are not restricted here (blind coding is the services' rule). Helper functions are
``SECURITY DEFINER`` so the policies can read ``coder`` without recursing into its own policy.
SQLite has no roles: nothing happens there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_FUNCTIONS = """
CREATE OR REPLACE FUNCTION themeqa_is_lead() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT pg_has_role(session_user,
                     (SELECT relowner FROM pg_class WHERE oid = '{schema}.coding'::regclass),
                     'MEMBER')
      OR EXISTS (SELECT 1 FROM {schema}.coder WHERE name = session_user AND role = 'lead')
$$;

CREATE OR REPLACE FUNCTION themeqa_may_write(coder integer, layer text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT {schema}.themeqa_is_lead()
      OR (layer = 'coder'
          AND coder = (SELECT id FROM {schema}.coder WHERE name = session_user))
$$;

CREATE OR REPLACE FUNCTION themeqa_guard_coding() RETURNS trigger
LANGUAGE plpgsql SET search_path = {schema}, pg_temp AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND NOT {schema}.themeqa_may_write(OLD.coder_id, OLD.layer) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'themeqa: '
      || session_user || ' is a coder: only a lead may change coding ' || OLD.id
      || ' (another coder''s layer or the consensus layer)';
  END IF;
  IF TG_OP <> 'DELETE' AND NOT {schema}.themeqa_may_write(NEW.coder_id, NEW.layer) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'themeqa: '
      || session_user || ' is a coder: only a lead may write another coder''s layer or '
      || 'the consensus layer';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;
"""

_POLICIES = """
ALTER TABLE coding ENABLE ROW LEVEL SECURITY;
CREATE POLICY themeqa_coding_read ON coding FOR SELECT USING (true);
CREATE POLICY themeqa_coding_insert ON coding FOR INSERT
  WITH CHECK (themeqa_may_write(coder_id, layer));
CREATE POLICY themeqa_coding_update ON coding FOR UPDATE
  USING (true) WITH CHECK (themeqa_may_write(coder_id, layer));
CREATE POLICY themeqa_coding_delete ON coding FOR DELETE USING (true);
CREATE TRIGGER themeqa_guard_coding BEFORE INSERT OR UPDATE OR DELETE ON coding
  FOR EACH ROW EXECUTE FUNCTION themeqa_guard_coding();

ALTER TABLE coder ENABLE ROW LEVEL SECURITY;
CREATE POLICY themeqa_coder_read ON coder FOR SELECT USING (true);
CREATE POLICY themeqa_coder_insert ON coder FOR INSERT
  WITH CHECK (themeqa_is_lead() OR (name = session_user AND role = 'coder'));
CREATE POLICY themeqa_coder_update ON coder FOR UPDATE
  USING (themeqa_is_lead()) WITH CHECK (themeqa_is_lead());
CREATE POLICY themeqa_coder_delete ON coder FOR DELETE USING (themeqa_is_lead());
"""

_DROP = """
DROP TRIGGER IF EXISTS themeqa_guard_coding ON coding;
DROP POLICY IF EXISTS themeqa_coding_read ON coding;
DROP POLICY IF EXISTS themeqa_coding_insert ON coding;
DROP POLICY IF EXISTS themeqa_coding_update ON coding;
DROP POLICY IF EXISTS themeqa_coding_delete ON coding;
ALTER TABLE coding DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS themeqa_coder_read ON coder;
DROP POLICY IF EXISTS themeqa_coder_insert ON coder;
DROP POLICY IF EXISTS themeqa_coder_update ON coder;
DROP POLICY IF EXISTS themeqa_coder_delete ON coder;
ALTER TABLE coder DISABLE ROW LEVEL SECURITY;
DROP FUNCTION IF EXISTS themeqa_guard_coding();
DROP FUNCTION IF EXISTS themeqa_may_write(integer, text);
DROP FUNCTION IF EXISTS themeqa_is_lead();
"""


def _schema() -> str:
    name = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
    return '"' + str(name).replace('"', '""') + '"'


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # no "%" and no ":name" in the SQL: it is sent as is, statement by statement
    bind = op.get_bind()
    for sql in (_FUNCTIONS.format(schema=_schema()), _POLICIES):
        bind.exec_driver_sql(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.get_bind().exec_driver_sql(_DROP)
