"""The user guide agrees with the program.

- The command reference (docs/guide/commands.md) lists exactly the commands in
  ``themeqa.cli.main.COMMANDS``: a new command without documentation fails here.
- Every ``themeqa …`` line in the guide's shell blocks (and README.md) names commands,
  subcommands and options that exist, with valid choices and the required options given, so
  the guide never shows a command its own ``--help`` would refuse.
- Every subcommand of every group is shown somewhere in the guide.
- The key card in docs/guide/keys.md is the one ``scripts/keycard.py`` renders from
  ``tui/actions.py``; relative links and pictures point at files that exist.
- ``scripts/screenshots.py`` runs headless on the demo and writes SVGs.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from themeqa.cli.main import COMMANDS, cli

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "guide"
PAGES = sorted(GUIDE.glob("*.md"))
FENCE = re.compile(r"^```(\w*)\s*$")


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shell_lines(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, tokens) of each ``themeqa`` command in the ```sh blocks of a page."""
    out: list[tuple[int, list[str]]] = []
    in_sh = False
    pending = ""
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = FENCE.match(line.strip())
        if m:
            in_sh = not in_sh and m.group(1) in ("sh", "bash", "shell", "console")
            continue
        if not in_sh:
            continue
        text = pending + line.strip()
        if text.endswith("\\"):
            pending = text[:-1] + " "
            continue
        pending = ""
        tokens = shlex.split(text, comments=True)
        command: list[str] = []
        for tok in [*tokens, "&&"]:
            if tok in ("&&", ";", "||"):
                if command and command[0] == "themeqa":
                    out.append((no, command))
                command = []
            else:
                command.append(tok)
    return out


def _find_option(cmd: click.Command, name: str) -> click.Option | None:
    for p in cmd.params:
        if isinstance(p, click.Option) and name in (*p.opts, *p.secondary_opts):
            return p
    return None


def _check_value(param: click.Parameter, value: str, ctx: click.Context) -> None:
    if isinstance(param.type, click.Choice | click.types.IntParamType
                  | click.types.FloatParamType):
        param.type.convert(value, param, ctx)  # raises click.BadParameter


def check_command(tokens: list[str]) -> None:
    """Walk ``tokens`` through the click tree as click would; raise AssertionError if wrong."""
    cmd: click.Command = cli
    path = ["themeqa"]
    args: list[str] = []
    given: set[str] = set()
    i = 1
    while i < len(tokens):
        tok = tokens[i]
        ctx = click.Context(cmd, info_name=" ".join(path))
        if tok.startswith("-") and tok != "-":
            name, _, inline = tok.partition("=")
            if name in ("--help", "-h", "--version"):
                return
            opt = _find_option(cmd, name)
            assert opt is not None, f"`{' '.join(path)}` has no option {name}"
            given.add(opt.name)
            if not (opt.is_flag or opt.count):
                values = [inline] if inline else tokens[i + 1:i + 1 + opt.nargs]
                assert len(values) == opt.nargs, f"`{' '.join(path)} {name}` needs a value"
                for value in values:
                    _check_value(opt, value, ctx)
                i += 0 if inline else opt.nargs
            i += 1
            continue
        if isinstance(cmd, click.Group):
            sub = cmd.get_command(ctx, tok)
            assert sub is not None, f"`{' '.join(path)}` has no subcommand {tok!r}"
            cmd, path, given = sub, [*path, tok], set()
            i += 1
            continue
        args.append(tok)
        i += 1
    where = " ".join(path)
    # a group that also runs on its own (`themeqa documents --coder amira`) needs none
    assert not isinstance(cmd, click.Group) or cmd.invoke_without_command, (
        f"`{where}` needs a subcommand")
    ctx = click.Context(cmd, info_name=where)
    arguments = [p for p in cmd.params if isinstance(p, click.Argument)]
    if all(p.nargs != -1 for p in arguments):
        assert len(args) <= sum(p.nargs for p in arguments), f"too many arguments to `{where}`"
    required = sum(p.nargs for p in arguments if p.required and p.nargs > 0)
    assert len(args) >= required, f"`{where}` is missing an argument"
    for p, value in zip(arguments, args, strict=False):
        if p.nargs == 1:
            _check_value(p, value, ctx)
    for p in cmd.params:
        if isinstance(p, click.Option) and p.required:
            assert p.name in given, f"`{where}` needs {p.opts[0]}"


def guide_commands() -> list[tuple[str, int, list[str]]]:
    return [(page.name, no, toks) for page in [*PAGES, REPO / "README.md"]
            for no, toks in shell_lines(page)]


def test_the_guide_has_pages_and_commands():
    names = {p.name for p in PAGES}
    assert {"README.md", "commands.md", "keys.md", "01-install.md"} <= names
    assert len(guide_commands()) > 100


@pytest.mark.parametrize(("page", "line", "tokens"), guide_commands(),
                         ids=lambda v: v if isinstance(v, str) else None)
def test_every_command_in_the_guide_exists_with_its_options(page, line, tokens):
    try:
        check_command(tokens)
    except click.BadParameter as exc:
        raise AssertionError(f"{page}:{line}: {shlex.join(tokens)}: {exc}") from exc
    except AssertionError as exc:
        raise AssertionError(f"{page}:{line}: {shlex.join(tokens)}: {exc}") from exc


def test_check_command_catches_mistakes():
    """The checker itself fails on what it must catch (so the test above can fail)."""
    for bad in ("themeqa nosuch", "themeqa report table3", "themeqa documents --nope",
                "themeqa code", "themeqa check", "themeqa check agree --unit word",
                "themeqa init a b"):
        with pytest.raises((AssertionError, click.BadParameter)):
            check_command(shlex.split(bad))
    check_command(shlex.split("themeqa --project study check agree --check pilot --unit turn"))
    check_command(shlex.split("themeqa quant ecg a.csv --fs 500 --baseline -5 0"))


def test_command_reference_lists_exactly_the_commands():
    text = (GUIDE / "commands.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `themeqa ([a-z][a-z-]*)`", text, flags=re.MULTILINE)
    assert len(listed) == len(set(listed)), "a command is listed twice"
    assert set(listed) == set(COMMANDS), (
        f"missing from docs/guide/commands.md: {sorted(set(COMMANDS) - set(listed))}; "
        f"listed but not commands: {sorted(set(listed) - set(COMMANDS))}")


def test_every_subcommand_is_shown_in_the_guide():
    shown = {tuple(t[1:3]) for _, _, t in guide_commands() if len(t) >= 3}
    shown |= {tuple(t[t.index(g):t.index(g) + 2]) for _, _, t in guide_commands()
              for g in COMMANDS if g in t[1:4] and t.index(g) + 1 < len(t)}
    missing = []
    for name in COMMANDS:
        group = cli.get_command(None, name)
        if isinstance(group, click.Group):
            missing += [f"{name} {sub}" for sub in group.list_commands(None)
                        if (name, sub) not in shown]
    assert not missing, f"subcommands with no example in docs/guide: {missing}"


def test_key_card_is_generated_from_actions():
    keycard = _script("keycard")
    text = (GUIDE / "keys.md").read_text(encoding="utf-8")
    assert keycard.current_block(text) == keycard.render_keycard(), (
        "docs/guide/keys.md is stale: run `python scripts/keycard.py` (or `make docs`)")
    from themeqa.tui.actions import ACTIONS

    card = keycard.render_keycard()
    for a in ACTIONS:
        if not re.fullmatch(r"\w+\(\d+\)", a.action):
            assert f"| {a.description} |" in card


def test_key_text_reads_as_people_type_it():
    keycard = _script("keycard")
    assert [keycard.key_text(k) for k in ("ctrl+z", "A", "slash", "f3", "escape", "c")] == [
        "Ctrl+Z", "Shift+A", "/", "F3", "Esc", "c"]


def test_relative_links_and_pictures_exist():
    broken = []
    for page in [*PAGES, REPO / "README.md", REPO / "docs" / "ARCHITECTURE.md"]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(REPO)} -> {target}")
    assert not broken, broken


def test_screenshot_script_skips_a_missing_action(monkeypatch):
    shots = _script("screenshots")
    assert shots.available("documents")
    monkeypatch.setitem(shots.SCREENS, "documents",
                        (("documents", "no_such_action"), shots.SCREENS["documents"][1]))
    assert not shots.available("documents")


def test_screenshot_script_writes_svgs(demo_dir, tmp_path):
    out = tmp_path / "img"
    run = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "screenshots.py"), "--project", str(demo_dir),
         "--out", str(out), "--screens", "documents,help"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    for name in ("documents", "help"):
        svg = (out / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<svg") and "themeqa" in svg
    assert "Keys:" in (out / "help.svg").read_text(encoding="utf-8")
