"""Helpers every command shares: open the project named by the global options, print data.

Kept free of heavy imports: services are imported inside the functions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import click

__all__ = ["echo_json", "echo_table", "get_project", "json_option", "progress_printer"]

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def get_project(ctx: click.Context, *, create: bool = False, actor: str | None = None):
    """Open the project of ``--project``/``--db`` (a ``services.project.ProjectHandle``)."""
    from themeqa.services.project import open_project

    obj = ctx.find_root().obj or {}
    handle = open_project(obj.get("project_dir"), obj.get("db_url"), create=create, actor=actor)
    ctx.call_on_close(handle.close)
    return handle


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def echo_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A plain aligned text table (pipes and terminals alike)."""
    rows = [["" if v is None else str(v) for v in r] for r in rows]
    widths = [len(h) for h in headers]
    for r in rows:
        widths = [max(w, len(v)) for w, v in zip(widths, r, strict=True)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for r in rows:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


def progress_printer(enabled: bool = True):
    """A progress callback that writes `stage done/total` to stderr (quiet when not a tty)."""
    import sys

    if not enabled or not sys.stderr.isatty():
        return None

    def show(stage: str, done: int, total: int) -> None:
        click.echo(f"\r{stage}: {done}/{total}", err=True, nl=done >= total)

    return show
