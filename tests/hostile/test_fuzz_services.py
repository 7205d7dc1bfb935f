"""Hostile files through the services and the CLI: InputError or success, never half a write.

Why: the parsers' own tests (test_fuzz_parsers.py) show they fail cleanly; here the whole
path a user takes is fuzzed: the service must turn any failure into ``InputError`` and leave
the project exactly as it was (every table's row count and the audit log unchanged), and the
CLI must print one line and exit 2.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from hypothesis import given
from sqlalchemy import text
from sqlmodel import SQLModel

from tests.hostile import fuzz_inputs as fx
from tests.hostile.fuzz_inputs import broken, fuzz
from themeqa.cli.main import main
from themeqa.errors import InputError

N = 30  # examples per service and seed format (each one is a database transaction)
_counter = itertools.count()


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A small study to import into, shared by this module's tests (a failed import leaves
    it unchanged, which is the point; a successful one only adds to it)."""
    from themeqa.services.codebooks import import_codebook
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants
    from themeqa.services.project import open_project

    d = tmp_path_factory.mktemp("hostile")
    files = {"participants.csv": fx.PARTICIPANTS_CSV, "codebook.yaml": fx.CODEBOOK_YAML,
             "S1.txt": fx.TRANSCRIPT}
    for name, data in files.items():
        (d / name).write_bytes(data)
    project = open_project(d / "study", create=True, actor="tester")
    import_participants(project, d / "participants.csv")
    import_codebook(project, d / "codebook.yaml")
    import_files(project, [d / "S1.txt"])
    yield project
    project.close()


def _state(project) -> dict[str, int]:
    """Row counts of every table: any write at all changes at least the audit log's."""
    with project.engine.connect() as c:
        return {t: c.execute(text(f'select count(*) from "{t}"')).scalar_one()
                for t in SQLModel.metadata.tables}


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / f"{next(_counter)}" / name
    p.parent.mkdir()
    p.write_bytes(data)
    return p


def _clean_or_unchanged(project, call) -> bool:
    """Run ``call``; on InputError the project must be untouched. True on success."""
    before = _state(project)
    try:
        call()
    except InputError as exc:
        msg = str(exc).strip()
        assert msg and "\n" not in msg, repr(msg)
        assert _state(project) == before, "a failed import changed the project"
        return False
    return True


def _services():
    from themeqa.services.codebooks import import_codebook
    from themeqa.services.codings import import_codings
    from themeqa.services.importing import import_files
    from themeqa.services.measures import compute_hrv, import_measures, score_measures
    from themeqa.services.participants import import_participants

    return [
        ("transcript-txt", "S9.txt", fx.TRANSCRIPT, lambda p, f: import_files(p, [f])),
        ("transcript-vtt", "S9.vtt", fx.VTT, lambda p, f: import_files(p, [f])),
        ("transcript-docx", "S9.docx", fx.DOCX, lambda p, f: import_files(p, [f])),
        ("written-csv", "w9.csv", fx.WRITTEN_CSV, lambda p, f: import_files(p, [f])),
        ("written-xlsx", "w9.xlsx", fx.WRITTEN_XLSX, lambda p, f: import_files(p, [f])),
        ("codebook", "cb.yaml", fx.CODEBOOK_YAML.replace(b"inhibitors", b"other"),
         import_codebook),
        ("participants", "p.csv", fx.PARTICIPANTS_CSV, import_participants),
        ("codings", "c.csv", fx.CODINGS_CSV, import_codings),
        ("measures", "m.csv", fx.MEASURES_CSV, import_measures),
        ("rr", "P01_rest.txt", fx.RR_TEXT, lambda p, f: compute_hrv(p, [f])),
        ("scale-key", "key.yaml", fx.SCALE_KEY, lambda p, f: score_measures(p, str(f))),
    ]


SERVICES = _services()


@pytest.mark.parametrize("name,filename,seed,call", SERVICES, ids=[s[0] for s in SERVICES])
def test_service_import_of_hostile_files_is_all_or_nothing(study, tmp_path, name, filename,
                                                          seed, call):
    outcomes = {True: 0, False: 0}

    @fuzz(N)
    @given(data=broken(seed))
    def check(data):
        outcomes[_clean_or_unchanged(study, lambda: call(study, _write(tmp_path, filename,
                                                                         data)))] += 1

    check()
    assert outcomes[False] > 0, "no hostile file was refused: the fuzzing did not bite"


CLI_IMPORTS = [
    ("import", "x.txt"), ("import", "x.docx"), ("import", "x.xlsx"), ("import", "x.vtt"),
    ("codebook import", "x.yaml"), ("participants import", "x.csv"),
    ("codings import", "x.csv"), ("quant import", "x.csv"), ("quant hrv", "P01.txt"),
    ("quant score --scale", "x.yaml"),
]


@pytest.mark.parametrize("command,filename", CLI_IMPORTS, ids=[" ".join(c) for c in CLI_IMPORTS])
def test_cli_prints_one_line_and_exits_2_on_random_bytes(study, tmp_path, capsys, command,
                                                        filename):
    rng = random.Random(f"{command}{filename}")
    for i in range(2):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 400)))
        f = _write(tmp_path, filename, data)
        before = _state(study)
        code = main(["--project", str(study.directory), *command.split(), str(f)])
        err = capsys.readouterr().err
        assert code == 2, f"{command} on random bytes #{i}: exit {code}, {err!r}"
        assert err.startswith("error: ") and err.count("\n") == 1, err
        assert _state(study) == before
