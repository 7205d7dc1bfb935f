"""Purging identifiable originals on PostgreSQL: the same logical purge, no VACUUM.

Why a test of its own: the purge rewrites JSON audit snapshots with a bulk UPDATE and
compares text hashes, both of which differ by dialect; and a server project has no folder,
so the key file for removed speaker labels must be named.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from themeqa.cli.main import main
from themeqa.errors import InputError
from themeqa.services.deid_purge import purge_originals, unpurged_originals
from themeqa.services.deidentify import apply_review, propose, write_review
from themeqa.services.participants import map_speaker

TEXT = "P01: Ken drove me from Leeds.\nDana: Bess was there.\n"
NAMES = ("Ken", "Leeds", "Dana", "Bess")


def _rows_with_names(project) -> list[str]:
    """Every text and JSON column of the tables that can hold a name, as text."""
    queries = ["SELECT text FROM document", "SELECT coalesce(speaker, '') FROM turn",
               "SELECT label FROM speaker_label",
               "SELECT coalesce(before::text, '') || coalesce(after::text, '') "
               "FROM audit_event"]
    with project.engine.connect() as c:
        values = [r[0] for q in queries for r in c.execute(text(q))]
    return [v for v in values if any(n in v for n in NAMES)]


def test_purge_on_postgres(pg_project, study_files, tmp_path, capsys):
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants

    import_participants(pg_project, study_files["participants"])  # P01 is also "Dana"
    f = tmp_path / "S7.txt"
    f.write_text(TEXT, encoding="utf-8")
    import_files(pg_project, [f])
    map_speaker(pg_project, "Bess", "P02")
    key = tmp_path / "key.csv"
    proposals, _ = propose(pg_project, names=["Ken"], places=["Leeds"], use_ner=False)
    apply_review(pg_project, write_review(proposals, tmp_path / "r.csv"), mapping_file=key)
    assert unpurged_originals(pg_project) == [("S7.txt", "S7.deid.txt")]
    assert _rows_with_names(pg_project)

    with pytest.raises(InputError, match="--mapping"):
        purge_originals(pg_project, include_speaker_labels=True)
    result = purge_originals(pg_project, include_speaker_labels=True, mapping_file=key)
    assert result.documents == [("S7.txt", "S7.deid.txt")]
    assert result.audit_events >= 1 and result.speaker_labels_removed == 2
    assert not result.vacuumed and any("PostgreSQL" in n for n in result.notes)
    assert _rows_with_names(pg_project) == []
    assert unpurged_originals(pg_project) == []

    url = pg_project.url
    assert main(["--db", url, "deidentify", "--purge-originals", "--yes",
                 "--include-speaker-labels", "--mapping", str(key), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["documents"] == [] and again["audit_events"] == 0
    assert main(["--db", url, "doctor", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []
