"""Start-up of the CLI stays light: ``eduquality --help`` (and a command's ``--help``) must not
import the heavy libraries, which each command loads inside its function (issue 12: ≤ 0.3 s).

Not a timed test: a fresh interpreter runs the help and reports which modules it loaded."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import eduquality

HEAVY = ["pandas", "scipy", "numpy", "duckdb", "ibis", "matplotlib", "weasyprint", "fastapi",
         "pyarrow", "openpyxl", "xlsxwriter", "jinja2", "uvicorn", "starlette", "rich",
         "pyspark"]

PROBE = """
import json, sys
from eduquality.cli import main
from eduquality.cli.commands import COMMANDS
try:
    main(sys.argv[1:], prog_name="eduquality")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(HEAVY)))
modules = sorted({m for m in COMMANDS.values() if "eduquality.cli." + m in sys.modules})
print("\\n" + json.dumps({"code": code, "heavy": heavy, "modules": modules}))
"""


def loaded_after(*args: str) -> dict[str, object]:
    """Exit code, the heavy top-level packages and the command modules loaded by
    ``eduquality ARGS`` in a fresh interpreter."""
    src = str(Path(eduquality.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": src}
    probe = PROBE.replace("HEAVY", repr(json.dumps(HEAVY)))
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                          env=env, check=False, timeout=60)
    assert done.stdout.strip(), done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_loads_no_pandas_scipy_or_duckdb():
    """The regression check of issue 12 on the fast suite: ``eduquality --help`` lists every
    command without loading any heavy library (pandas, scipy, duckdb … took 1.4 s)."""
    seen = loaded_after("--help")
    assert (seen["code"], seen["heavy"]) == (0, [])


@pytest.mark.parametrize("args", [
    ["analyse", "--help"],
    ["irt", "fit", "--help"],
    ["items", "--help"],
    ["growth", "sgp", "--help"],
    ["simulate", "--help"],
    ["value-added", "--help"],
    ["report", "--help"],
    ["web", "--help"],
    ["export", "parquet", "--help"],
])
@pytest.mark.slow
def test_help_imports_no_heavy_library(args):
    seen = loaded_after(*args)
    assert (seen["code"], seen["heavy"]) == (0, [])


PROBE_EACH = """
import json, os, sys
from eduquality.cli import main
heavy_names, paths = set(json.loads(sys.argv[1])), json.loads(sys.argv[2])
seen = {}
for path in paths:  # each in a child forked before any command module is loaded
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        sys.stdout = sys.stderr = open(os.devnull, "w")
        try:
            main([*path, "--help"], prog_name="eduquality")
        except SystemExit as exc:
            code = exc.code or 0
        else:
            code = 0
        heavy = sorted({name.split(".")[0] for name in sys.modules} & heavy_names)
        os.write(write, json.dumps({"code": code, "heavy": heavy}).encode())
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 1 << 16):
        data += chunk
    os.close(read)
    os.waitpid(pid, 0)
    seen[" ".join(path)] = json.loads(data)
print("\\n" + json.dumps(seen))
"""


def command_paths() -> list[list[str]]:
    """Every command and subcommand the help lists (``["irt", "fit"]`` …), from the registry."""
    import click

    from eduquality.cli import main

    def walk(cmd: click.Command, prefix: list[str]) -> list[list[str]]:
        if not isinstance(cmd, click.Group):
            return [prefix]
        ctx = click.Context(cmd)
        out = [prefix] if prefix else []
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                out += walk(sub, [*prefix, name])
        return out

    return walk(main, [])


def test_every_command_help_imports_no_heavy_library():
    """``eduquality CMD [SUB] --help``, for every command and subcommand, loads none of the
    heavy libraries (issue 12: ``analyse --help`` must start in ≤ 0.3 s): checked as the
    modules loaded, each help in a child process forked from an interpreter that has loaded
    ``eduquality.cli`` and nothing else."""
    paths = command_paths()
    assert ["irt", "fit"] in paths and ["analyse"] in paths and len(paths) > 50
    src = str(Path(eduquality.__file__).resolve().parent.parent)
    done = subprocess.run([sys.executable, "-c", PROBE_EACH, json.dumps(HEAVY),
                           json.dumps(paths)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": src}, check=False, timeout=300)
    assert done.stdout.strip(), done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    bad = {path: got for path, got in seen.items() if got != {"code": 0, "heavy": []}}
    assert len(seen) == len(paths)
    assert bad == {}


def test_a_command_loads_its_own_module_only():
    """``eduquality items …`` imports cli/items.py, not the modules of the other commands
    (web, report …): the registry :data:`eduquality.cli.commands.COMMANDS` names each
    command's module."""
    assert loaded_after("items", "--help")["modules"] == ["items"]
    assert loaded_after("analyze", "--help")["modules"] == ["analyse", "report"]


def test_every_command_module_is_in_the_registry():
    """A module that adds a command to ``main`` (``@main.command``/``@main.group``) is named in
    the registry, and every registered name is a command of its module (else the command would
    never load, or ``eduquality NAME`` would fail)."""
    from eduquality.cli import main
    from eduquality.cli.commands import ALIASES, COMMANDS

    cli_dir = Path(eduquality.__file__).resolve().parent / "cli"
    decorator = re.compile(r"^@main\.(?:command|group)\b", re.M)
    defining = {f.stem for f in cli_dir.glob("*.py") if decorator.search(f.read_text("utf-8"))}
    assert defining == set(COMMANDS.values())
    assert set(main.load_commands()) == set(COMMANDS)
    assert {main.commands[n].callback.__module__ for n in COMMANDS} == {
        f"eduquality.cli.{m}" for m in COMMANDS.values()}
    assert set(ALIASES.values()) <= set(COMMANDS)


@pytest.mark.parametrize("args", [
    ["import", "stats", "--help"], ["import", "parquet", "--help"],
    ["import", "attendance", "--help"], ["import", "programmes", "--help"],
    ["export", "parquet", "--help"], ["template", "programmes", "--help"],
])
def test_a_subcommand_from_another_module_loads_with_its_group(args):
    """``eduquality import stats`` works in a fresh process: the modules that add subcommands
    to another module's group are loaded with it (:data:`eduquality.cli.commands.EXTENSIONS`)."""
    assert loaded_after(*args)["code"] == 0


def test_every_module_that_extends_a_group_is_registered():
    """A module with ``@import_.command``/``@export.command``/``@template.command`` is listed
    under that group in EXTENSIONS (else its subcommand is missing in a fresh process)."""
    from eduquality.cli.commands import EXTENSIONS

    cli_dir = Path(eduquality.__file__).resolve().parent / "cli"
    for group, name in (("import_", "import"), ("export", "export"), ("template", "template")):
        decorator = re.compile(rf"^@{group}\.command\b", re.M)
        owner = {"import": "importing", "export": "export", "template": "stats"}[name]
        adding = {f.stem for f in cli_dir.glob("*.py") if decorator.search(f.read_text("utf-8"))}
        assert adding - {owner} == set(EXTENSIONS.get(name, ())), name


@pytest.mark.slow
def test_the_probe_sees_a_heavy_import(tmp_path):
    """The check can fail: a command that runs (not --help) does load them."""
    responses = tmp_path / "r.csv"
    responses.write_text("i1,i2,i3\n1,0,1\n0,0,1\n1,1,1\n0,1,0\n", encoding="utf-8")
    seen = loaded_after("items", str(responses), "--stats", str(tmp_path / "stats.csv"))
    assert seen["code"] == 0
    assert {"numpy", "pyarrow"} <= set(seen["heavy"])
    assert seen["modules"] == ["items"]


@pytest.mark.parametrize("args", [
    ["items", "R", "--id-col", "id", "--stats", "OUT"],
    ["irt", "fit", "R", "--id-col", "id", "--items", "OUT"],
    ["irt", "dif", "R", "--id-col", "id", "--group", "g", "--focal", "F", "--out", "OUT"],
])
def test_items_and_irt_run_without_pandas_or_scipy(tmp_path, args):
    """``items``, ``irt fit`` and ``irt dif`` on a plain response file read it typed and
    compute and write with numpy and Arrow: pandas (0.5–1 s to import) and scipy are not
    loaded (issue 12)."""
    responses = tmp_path / "r.csv"
    rows = ["S1,F,1,0,1", "S2,M,0,0,1", "S3,F,1,1,1", "S4,M,0,1,0", "S5,F,1,1,0",
            "S6,M,0,0,0"]
    responses.write_text("id,g,i1,i2,i3\n" + "\n".join(rows) + "\n", encoding="utf-8")
    plain = tmp_path / "plain.csv"  # without the group column for items and irt fit
    plain.write_text("id,i1,i2,i3\n" + "\n".join(r[:3] + r[5:] for r in rows) + "\n",
                     encoding="utf-8")
    source = responses if "dif" in args else plain
    args = [str(source) if a == "R" else str(tmp_path / "out.csv") if a == "OUT" else a
            for a in args]
    seen = loaded_after(*args)
    assert seen["code"] == 0
    assert "numpy" in seen["heavy"]
    assert not {"pandas", "scipy", "duckdb"} & set(seen["heavy"])


MESSAGE_CALL = re.compile(r'(?:\btr|\.say|\.t)\(\s*"([a-z_][a-z0-9_.]*)"')


def test_cli_message_keys_are_registered_at_startup():
    """Every message key the CLI modules print (``tr("…")``, ``ctx.say("…")``, ``ctx.t("…")``)
    is registered once ``eduquality.cli`` is imported, in a fresh interpreter: no key may move
    into a module that loads only when a command runs."""
    cli_dir = Path(eduquality.__file__).resolve().parent / "cli"
    keys = sorted({k for f in cli_dir.glob("*.py") for k in MESSAGE_CALL.findall(f.read_text(
        encoding="utf-8"))})
    assert len(keys) > 20  # the pattern finds the CLI's messages
    probe = ("import json, sys; import eduquality.cli; from eduquality.i18n import has; "
             "print(json.dumps([k for k in json.loads(sys.argv[1]) if not has(k)]))")
    src = str(Path(eduquality.__file__).resolve().parent.parent)
    done = subprocess.run([sys.executable, "-c", probe, json.dumps(keys)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": src}, check=True,
                          timeout=60)
    assert json.loads(done.stdout) == []


@pytest.mark.slow
def test_irt_fit_does_not_load_scipy_stats_or_optimize():
    """`eduquality irt fit` loads the IRT engine and the calibration use case, not
    scipy.stats/scipy.optimize (a second or more of start-up; used only by DIF, item fit and
    linking, which import them when they run)."""
    probe = ("import sys, eduquality.analysis.calibration, eduquality.measures.irt; "
             "print(sorted(m for m in ('scipy.stats', 'scipy.optimize') if m in sys.modules))")
    src = str(Path(eduquality.__file__).resolve().parent.parent)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": src}, check=True, timeout=60)
    assert done.stdout.strip() == "[]"
