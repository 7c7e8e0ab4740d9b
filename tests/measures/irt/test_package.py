"""The IRT package's exports load on first use (PEP 562): every exported name resolves to the
object of the module that defines it, and the three lists that name them agree."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import eduquality
import eduquality.measures.irt as irt


def test_every_export_is_its_modules_object():
    assert set(irt.__all__) == set(irt._SOURCES)
    for name, source in irt._SOURCES.items():
        module = importlib.import_module(f"eduquality.measures.irt.{source}")
        assert getattr(irt, name) is getattr(module, name), name


def test_the_type_checking_imports_name_the_same_sources():
    """mypy reads the imports under TYPE_CHECKING; the run time reads ``_SOURCES``."""
    tree = ast.parse(inspect.getsource(irt))
    seen = {alias.name: node.module.rsplit(".", 1)[1]
            for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and node.module and node.module.startswith("eduquality.measures.irt.")
            for alias in node.names}
    assert seen == irt._SOURCES


def test_an_unknown_name_is_an_attribute_error():
    try:
        irt.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("no AttributeError")


def test_the_dif_module_loads_without_the_estimation():
    """Importing the Mantel–Haenszel module loads neither the estimation nor pandas (the
    ``irt dif`` command's start-up, issue 12)."""
    probe = ("import json, sys, eduquality.measures.irt.dif, eduquality.analysis.dif; "
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith("
             "('eduquality.measures.irt.', 'pandas', 'scipy')))))")
    src = str(Path(eduquality.__file__).resolve().parent.parent)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": src}).stdout
    assert json.loads(out) == ["eduquality.measures.irt.data", "eduquality.measures.irt.dif",
                         "eduquality.measures.irt.messages"]
