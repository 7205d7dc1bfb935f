"""`themeqa backup` and `themeqa restore`."""

from __future__ import annotations

from pathlib import Path

import click

from themeqa.cli.common import echo_json, get_project, json_option


@click.command()
@click.argument("out", type=click.Path(), required=False)
@click.option("--set-every", "every", type=float, default=None, metavar="HOURS",
              help="Only change the automatic backup interval (0 switches them off).")
@click.option("--set-keep", "keep", type=int, default=None, metavar="N",
              help="Only change how many automatic backups are kept.")
@json_option
@click.pass_context
def backup(ctx, out, every, keep, as_json) -> None:
    """Copy the project database safely, even while others are coding.

    OUT is a file or a folder (default: the project's backups/ folder). The project also
    backs itself up when opened if the last automatic backup is older than the interval
    (default every 24 hours, keeping 7); --set-every/--set-keep change that.

    \b
    Example:
      themeqa backup ~/usb/study-2026-11-23.db
      themeqa backup --set-every 12 --set-keep 14
    """
    from themeqa.services.backup import backup_project, backup_settings, set_backup_settings

    project = get_project(ctx)
    if every is not None or keep is not None:
        settings = set_backup_settings(project, interval_hours=every, keep=keep)
        if as_json:
            echo_json(settings.to_dict())
        else:
            click.echo(f"automatic backups: every {settings.interval_hours:g} h, "
                       f"keep {settings.keep}" if settings.interval_hours > 0
                       else "automatic backups: off")
        return
    dest = backup_project(project, out)
    if as_json:
        echo_json({"backup": str(dest), **backup_settings(project).to_dict()})
    else:
        click.echo(f"backup written to {dest}")


@click.command()
@click.argument("backup_file", metavar="BACKUP", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True,
              help="Replace an existing project (its file is kept as themeqa.db.before-restore-…).")
@json_option
@click.pass_context
def restore(ctx, backup_file, force, as_json) -> None:
    """Restore the project from a backup file (checked first; upgraded if older).

    \b
    Example:
      themeqa --project study restore study/backups/auto-20261122T090000000000Z.db --force
    """
    from themeqa.errors import InputError
    from themeqa.services.backup import restore_project

    obj = ctx.find_root().obj or {}
    if obj.get("db_url"):
        raise InputError("restore works on a project folder; a PostgreSQL project is "
                         "restored with pg_restore")
    directory = Path(obj.get("project_dir") or ".")
    result = restore_project(directory, backup_file, force=force)
    if as_json:
        echo_json(result.to_dict())
        return
    click.echo(f"restored {backup_file} into {result.path}"
               + (f" (schema {result.from_revision} -> {result.to_revision})"
                  if result.from_revision != result.to_revision else ""))
    if result.previous is not None:
        click.echo(f"the replaced project was kept as {result.previous}")
