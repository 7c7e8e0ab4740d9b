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
    assert {"numpy", "pandas"} <= set(seen["heavy"])
    assert seen["modules"] == ["items"]


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
