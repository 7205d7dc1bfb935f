"""Write REFI-QDA Project 1.0 (.qdpx) and Codebook 1.0 (.qdc) files that validate.

Why these choices: element order, required attributes and non-empty containers follow
Project.xsd / Codebook.xsd exactly (the tests validate our output with ``xmlschema``); source
texts go into ``sources/<guid>.txt`` (UTF-8, no BOM, ``\\n``) with positions in code points,
as the standard says, so any conforming tool reads them without a dialect; the archive is
written to a temporary file beside the target and renamed, so a failure never leaves a
half-written export.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from themeqa.interop.refi.model import Code, CodebookFile, Project, RefiSet
from themeqa.interop.refi.reader import SIDECAR

__all__ = ["CODEBOOK_NS", "PROJECT_NS", "codebook_xml", "project_xml", "write_qdc", "write_qdpx"]

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(s: str) -> str:
    """Drop characters XML 1.0 cannot carry at all (form feeds, NULs)."""
    return _BAD_XML.sub("", s)


def _dt(d: datetime | None) -> str | None:
    if d is None:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _attrs(el: Element, **kw: Any) -> Element:
    for k, v in kw.items():
        if v is not None and v != "":
            el.set(k, _clean(str(v)))
    return el


def _desc(parent: Element, text: str) -> None:
    if text:
        SubElement(parent, "Description").text = _clean(text)


def _code(parent: Element, c: Code, *, with_notes: bool) -> None:
    el = _attrs(SubElement(parent, "Code"), guid=c.guid, name=c.name,
                isCodable="true" if c.codable else "false", color=c.colour)
    _desc(el, c.description)
    if with_notes:
        for n in c.note_refs:
            SubElement(el, "NoteRef", targetGUID=n)
    for ch in c.children:
        _code(el, ch, with_notes=with_notes)


def _value(parent: Element, var_guid: str, vtype: str, value: Any) -> None:
    vv = SubElement(parent, "VariableValue")
    SubElement(vv, "VariableRef", targetGUID=var_guid)
    tag = {"Integer": "IntegerValue", "Float": "FloatValue", "Boolean": "BooleanValue",
           "Date": "DateValue", "DateTime": "DateTimeValue"}.get(vtype, "TextValue")
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    SubElement(vv, tag).text = _clean(text)


def _sets(parent: Element, sets: list[RefiSet], *, codebook: bool) -> None:
    if not sets:
        return
    box = SubElement(parent, "Sets")
    for st in sets:
        el = _attrs(SubElement(box, "Set"), guid=st.guid, name=st.name)
        _desc(el, st.description)
        for g in st.codes:
            SubElement(el, "MemberCode", **({"guid": g} if codebook else {"targetGUID": g}))
        if not codebook:
            for g in st.sources:
                SubElement(el, "MemberSource", targetGUID=g)
            for g in st.notes:
                SubElement(el, "MemberNote", targetGUID=g)


def project_xml(p: Project) -> bytes:
    """The ``project.qde`` document for ``p`` (sources referenced as internal files)."""
    root = _attrs(Element("Project"), xmlns=PROJECT_NS, name=p.name or "themeqa project",
                  origin=p.origin, creatingUserGUID=p.creating_user,
                  creationDateTime=_dt(p.created), modifiedDateTime=_dt(p.modified))
    if p.users:
        users = SubElement(root, "Users")
        for u in p.users:
            _attrs(SubElement(users, "User"), guid=u.guid, name=u.name, id=u.id)
    if p.codes:
        codes = SubElement(SubElement(root, "CodeBook"), "Codes")
        for c in p.codes:
            _code(codes, c, with_notes=True)
    vtypes = {v.guid: v.type for v in p.variables}
    if p.variables:
        box = SubElement(root, "Variables")
        for v in p.variables:
            el = _attrs(SubElement(box, "Variable"), guid=v.guid, name=v.name,
                        typeOfVariable=v.type)
            _desc(el, v.description)
    if p.cases:
        box = SubElement(root, "Cases")
        for case in p.cases:
            el = _attrs(SubElement(box, "Case"), guid=case.guid, name=case.name)
            _desc(el, case.description)
            for g in case.code_refs:
                SubElement(el, "CodeRef", targetGUID=g)
            for g, value in case.values.items():
                if value is not None and value != "":
                    _value(el, g, vtypes.get(g, "Text"), value)
            for g in case.source_refs:
                SubElement(el, "SourceRef", targetGUID=g)
    if p.sources:
        box = SubElement(root, "Sources")
        for s in p.sources:
            el = _attrs(SubElement(box, "TextSource"), guid=s.guid, name=s.name,
                        plainTextPath=f"internal://{s.guid}.txt", creatingUser=s.creating_user,
                        creationDateTime=_dt(s.created), modifiedDateTime=_dt(s.modified))
            _desc(el, s.description)
            for sel in s.selections:
                se = _attrs(SubElement(el, "PlainTextSelection"), guid=sel.guid, name=sel.name,
                            startPosition=sel.start, endPosition=sel.end,
                            creatingUser=sel.creating_user, creationDateTime=_dt(sel.created),
                            modifiedDateTime=_dt(sel.modified))
                _desc(se, sel.description)
                for c in sel.codings:
                    ce = _attrs(SubElement(se, "Coding"), guid=c.guid,
                                creatingUser=c.creating_user, creationDateTime=_dt(c.created))
                    SubElement(ce, "CodeRef", targetGUID=c.code_guid)
                    for n in c.note_refs:
                        SubElement(ce, "NoteRef", targetGUID=n)
                for n in sel.note_refs:
                    SubElement(se, "NoteRef", targetGUID=n)
            for n in s.note_refs:
                SubElement(el, "NoteRef", targetGUID=n)
            for g, value in s.values.items():
                if value is not None and value != "":
                    _value(el, g, vtypes.get(g, "Text"), value)
    if p.notes:
        box = SubElement(root, "Notes")
        for n in p.notes:
            el = _attrs(SubElement(box, "Note"), guid=n.guid, name=n.name,
                        creatingUser=n.creating_user, creationDateTime=_dt(n.created),
                        modifiedDateTime=_dt(n.modified))
            SubElement(el, "PlainTextContent").text = _clean(n.text)
    _sets(root, p.sets, codebook=False)
    _desc(root, p.description)
    for g in p.note_refs:
        SubElement(root, "NoteRef", targetGUID=g)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(root, encoding="unicode").encode()


def codebook_xml(cb: CodebookFile) -> bytes:
    root = _attrs(Element("CodeBook"), xmlns=CODEBOOK_NS, origin=cb.origin)
    codes = SubElement(root, "Codes")
    for c in cb.codes:
        _code(codes, c, with_notes=False)
    _sets(root, cb.sets, codebook=True)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(root, encoding="unicode").encode()


def _atomic(path: Path, write) -> Path:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_qdpx(p: Project, path: Path | str) -> Path:
    """Write ``p`` as a .qdpx (``project.qde`` + ``sources/<guid>.txt`` [+ themeqa.json])."""
    if not p.codes and any(c for s in p.sources for sel in s.selections for c in sel.codings):
        raise ValueError("codings refer to codes but the project has no codebook")

    def write(tmp: str) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            zf.writestr("project.qde", project_xml(p))
            for s in p.sources:
                zf.writestr(f"sources/{s.guid}.txt", s.text.encode("utf-8"))
            if p.extras:
                zf.writestr(SIDECAR, json.dumps(p.extras, ensure_ascii=False, default=str))

    return _atomic(Path(path), write)


def write_qdc(cb: CodebookFile, path: Path | str) -> Path:
    """Write a REFI-QDA Codebook 1.0 file."""
    data = codebook_xml(cb)
    return _atomic(Path(path), lambda tmp: Path(tmp).write_bytes(data))
