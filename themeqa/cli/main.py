"""The ``themeqa`` command line: a lazily loaded click group.

Why lazy: ``themeqa --help`` must answer in well under 300 ms, so the group knows its
subcommands by module path and imports one only when it is run or its help is shown; command
modules import click and nothing heavy at top level (services, spaCy, pandas, SQLModel,
Textual are imported inside the command functions).
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings

import click

from themeqa import __version__
from themeqa.errors import ThemeqaError, ThemeqaWarning

__all__ = ["COMMANDS", "cli", "main"]

#: name -> "module:attribute"; the help screen lists them in this order.
COMMANDS: dict[str, str] = {
    "init": "themeqa.cli.commands.project:init",
    "demo": "themeqa.cli.commands.project:demo",
    "import": "themeqa.cli.commands.importing:import_",
    "documents": "themeqa.cli.commands.documents:documents",
    "participants": "themeqa.cli.commands.participants:participants",
    "codebook": "themeqa.cli.commands.codebook:codebook",
    "codings": "themeqa.cli.commands.codings:codings",
    "export": "themeqa.cli.commands.export:export",
    "import-project": "themeqa.cli.commands.import_project:import_project",
    "code": "themeqa.cli.commands.tui:code",
    "undo": "themeqa.cli.commands.history:undo",
    "redo": "themeqa.cli.commands.history:redo",
    "settings": "themeqa.cli.commands.settings:settings",
    "coders": "themeqa.cli.commands.coders:coders",
    "team": "themeqa.cli.commands.team:team",
    "check": "themeqa.cli.commands.check:check",
    "report": "themeqa.cli.commands.report:report",
    "quant": "themeqa.cli.commands.quant:quant",
    "search": "themeqa.cli.commands.search:search",
    "words": "themeqa.cli.commands.search:words",
    "suggest": "themeqa.cli.commands.search:suggest",
    "themes": "themeqa.cli.commands.themes:themes",
    "journal": "themeqa.cli.commands.themes:journal",
    "backup": "themeqa.cli.commands.backup:backup",
    "restore": "themeqa.cli.commands.backup:restore",
    "doctor": "themeqa.cli.commands.doctor:doctor",
    "deidentify": "themeqa.cli.commands.deidentify:deidentify",
    "methods": "themeqa.cli.commands.methods:methods",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (click's documented pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--project", "project_dir", type=click.Path(file_okay=False), default=None,
    help="Project directory (default: the current directory).",
)
@click.option(
    "--db", "db_url", default=None, envvar="THEMEQA_DB",
    help="SQLAlchemy database URL instead of a project directory "
    "(e.g. postgresql+psycopg://user@host/study). Also $THEMEQA_DB.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(__version__, prog_name="themeqa")
@click.pass_context
def cli(ctx: click.Context, project_dir: str | None, db_url: str | None, debug: bool) -> None:
    """themeqa: code transcripts against a codebook of themes, keyboard first.

    \b
    Example (a five-minute tour):
      themeqa demo --no-tui study        # build the demo study in ./study
      themeqa --project study documents  # list its documents
      themeqa --project study codebook show
      themeqa --project study codings export codings.csv
      themeqa --project study code --coder amira   # open the coding workbench
    """
    ctx.ensure_object(dict)
    ctx.obj.update(project_dir=project_dir, db_url=db_url, debug=debug)


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("THEMEQA_DEBUG") == "1"


def main(argv: list[str] | None = None) -> int:
    """Entry point: one clear line and exit code 2 for user errors, no traceback; a
    ``ThemeqaWarning`` (e.g. an export that still holds identifiable text) is one
    ``warning:`` line on stderr, every time it happens."""
    args = list(sys.argv[1:] if argv is None else argv)
    default_show = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if issubclass(category, ThemeqaWarning):
            click.echo(f"warning: {message}", err=True)
        else:
            default_show(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.simplefilter("always", ThemeqaWarning)
        warnings.showwarning = show
        return _run(args)


def _run(args: list[str]) -> int:
    try:
        # Without standalone mode click returns ctx.exit(n)'s code instead of raising it
        # (`themeqa doctor` exits 1 when it finds problems).
        rv = cli.main(args=args, prog_name="themeqa", standalone_mode=False)
        if type(rv) is int:
            return rv
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except ThemeqaError as exc:
        if _debug_requested(args):
            raise
        click.echo(f"error: {exc}", err=True)
        return 2
    except Exception as exc:
        if _debug_requested(args):
            raise
        if type(exc).__module__.startswith("sqlalchemy"):
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            click.echo(f"error: database: {reason}", err=True)
            return 2
        raise
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
