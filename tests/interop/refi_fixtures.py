"""Build small .qdpx/.qdc files in the tests, reproducing each tool's dialect by hand."""

from __future__ import annotations

import zipfile
from pathlib import Path

NS = "urn:QDA-XML:project:1.0"
U1 = "11111111-1111-4111-8111-111111111111"
C1 = "22222222-2222-4222-8222-222222222222"
C2 = "22222222-2222-4222-8222-333333333333"
S1 = "33333333-3333-4333-8333-333333333333"


def project_xml(*, origin: str, selections: str, source_attrs: str = "", users: bool = True,
                ns: str = NS) -> str:
    """A minimal project: one user, two codes, one text source in sources/<S1>.txt."""
    user = f'<Users><User guid="{U1}" name="nadia"/></Users>' if users else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{ns}" name="fixture" '
        f'origin="{origin}">{user}<CodeBook><Codes>'
        f'<Code guid="{C1}" name="Calm" isCodable="true"><Description>Feeling calm</Description>'
        f'<Code guid="{C2}" name="Pride"/></Code></Codes></CodeBook>'
        f'<Sources><TextSource guid="{S1}" name="interview" '
        f'plainTextPath="internal://{S1}.txt" {source_attrs}>{selections}</TextSource></Sources>'
        "</Project>"
    )


def selection(start: int, end: int, *, name: str = "", code: str = C1, user: str | None = U1,
              guid: str = "44444444-4444-4444-8444-444444444444") -> str:
    who = f' creatingUser="{user}"' if user else ""
    return (f'<PlainTextSelection guid="{guid}" name="{name}" startPosition="{start}" '
            f'endPosition="{end}"><Coding guid="{guid[:-4]}9999"{who}>'
            f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>')


def write_qdpx(path: Path, xml: str, sources: dict[str, bytes] | None = None, *,
               qde_name: str = "project.qde", folder: str = "sources") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(qde_name, xml.encode("utf-8"))
        for name, data in (sources or {}).items():
            zf.writestr(f"{folder}/{name}", data)
    return path


def strip_exchange_data(src: Path, dst: Path) -> Path:
    """``src`` as another tool would re-export it: without themeqa's exchange-data note (its
    ``<Note>`` element and its text in ``sources/``) and without an old ``themeqa.json``."""
    import re

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        xml = zin.read("project.qde").decode("utf-8")
        m = re.search(r'<Note guid="([^"]+)" name="themeqa exchange data".*?</Note>', xml)
        gone = {"themeqa.json"}
        if m:
            xml = xml.replace(m.group(0), "").replace("<Notes></Notes>", "")
            gone.add(f"sources/{m.group(1)}.txt")
        for info in zin.infolist():
            if info.filename == "project.qde":
                zout.writestr(info, xml.encode("utf-8"))
            elif info.filename not in gone:
                zout.writestr(info, zin.read(info))
    return dst
