"""Every database read or write lives in ``eduquality.store`` (issue 8: one place per fact).

A scan of the package's source: outside ``store/`` no module may hold an SQL string, call
``Database.sql`` / ``Database.scalar``, reach for the raw connection (``.con``) or run
``.execute(...)`` with a query. Ingest (the single write path of the importers) is the one
remaining exception, listed below; analysis/tables.py may name tables for its Ibis expressions
(the engine-portable form that also runs on Spark)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import eduquality

PACKAGE = Path(eduquality.__file__).parent

ALLOWED_PACKAGES = ("store", "ingest")
"""Subpackages that may run SQL. ``ingest``: importer reads and writes not yet moved into the
store (issue 8 leaves them for a later step)."""

IBIS_TABLES = frozenset({"analysis/tables.py"})
"""Modules that may call ``con.table(name)`` (Ibis expressions over the store's tables)."""

_SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH|PRAGMA)\s")
_SQL_WORDS = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET)\b",
                        re.DOTALL)
"""SQL as this project writes it: key words in capitals."""


def sql_uses(source: str, name: str = "<src>", ibis_tables: bool = False) -> list[str]:
    """Where ``source`` runs or spells SQL: 'line: what' strings (empty: none)."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _SQL.match(node.value) or _SQL_WORDS.search(node.value):
                found.append(f"{line}: SQL text {node.value.strip()[:40]!r}")
        elif isinstance(node, ast.Attribute):
            if node.attr == "con":
                found.append(f"{line}: raw connection (.con)")
            elif isinstance(node.ctx, ast.Load) and node.attr in ("sql", "scalar"):
                found.append(f"{line}: .{node.attr}(…)")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "execute" and (node.args or node.keywords):
                found.append(f"{line}: .execute(query)")
            elif node.func.attr in ("register", "unregister", "executemany", "fetchall"):
                found.append(f"{line}: .{node.func.attr}(…)")
            elif (node.func.attr == "table" and not ibis_tables and node.args
                  and isinstance(node.args[0], ast.Constant)):
                found.append(f"{line}: .table(name)")
    return found


def test_the_scan_finds_sql():
    """The scanner itself must see each way of running SQL (else the boundary test is empty)."""
    source = '''
def f(db, con, expr):
    a = db.sql("SELECT 1 FROM t")
    b = db.scalar("SELECT count(*) FROM t WHERE x = ?", [1])
    c = db.con.execute(q, [1]).fetchall()
    d = f"""  SELECT {a} FROM x"""
    e = con.table("paper")
    ok = expr.execute()
'''
    found = sql_uses(source)
    assert any(".sql" in f for f in found) and any(".scalar" in f for f in found)
    assert any(".con" in f for f in found) and any(".execute(query)" in f for f in found)
    assert any("SQL text" in f for f in found) and any(".table(name)" in f for f in found)
    assert not any(f.startswith("9:") for f in found)   # Ibis expr.execute() is no SQL
    assert sql_uses("x = 'Create the database'\ny = pa.table({'a': [1]})\n") == []


def test_no_sql_outside_the_store():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.split("/")[0] in ALLOWED_PACKAGES:
            continue
        offenders += [f"{rel}:{use}" for use in sql_uses(path.read_text(encoding="utf-8"),
                                                          rel, rel in IBIS_TABLES)]
    assert offenders == [], "SQL belongs in eduquality.store:\n" + "\n".join(offenders)
