"""Every database read or write lives in ``eduquality.store`` (issue 8: one place per fact).

A scan of the package's source: outside ``store/`` no module may hold an SQL string, call
``Database.sql`` / ``Database.scalar``, reach for the raw connection (``.con``) or run
``.execute(...)`` with a query. The exceptions are listed below, each with its reason: the
importers' write path (:data:`WRITE_PATH`, inside ``db.write()``; every read of the importers is
in the store) and analysis/tables.py, which may name tables for its Ibis expressions (the
engine-portable form that also runs on Spark)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import eduquality

PACKAGE = Path(eduquality.__file__).parent

ALLOWED_PACKAGES = ("store",)
"""Subpackages that may run SQL."""

WRITE_PATH: dict[str, frozenset[str] | None] = {
    "ingest/writes.py": None,
    "ingest/lines.py": frozenset({"LinesPlan.write"}),
    "ingest/paper.py": frozenset({"PaperPlan.write"}),
    "ingest/scores/plan.py": frozenset({"ScoresPlan.write"}),
}
"""Where the importers' write path may hold SQL: module → the functions (qualified names) that
may, or None for the whole module. Each runs inside the one transaction of an import
(``db.write()`` in ``ingest/importer.py``), moving a checked plan's frames into the tables:

* ``ingest/writes.py``: the bulk writes (upsert, replace, append) from registered frames; they
  also read what a write needs inside its transaction — the target table's column types, the
  rows a frame would change, whether a table already holds rows of a key.
* ``LinesPlan.write``: admission lines and 一分一段 rows replace those of the same year,
  province, exam and track (a NULL track matches a NULL track, which ``replace_rows`` does not).
* ``PaperPlan.write``: a paper's items, optional groups and knowledge tags are replaced.
* ``ScoresPlan.write``: item scores move from Arrow tables with the paper as a constant
  (200,000 rows in one ``INSERT … SELECT``).

Everything the importers read to check a file comes from the store (``store.students``,
``store.units``, ``store.refs``, ``store.papers``, ``store.rosters``, ``store.exams``,
``store.imports``)."""

IBIS_TABLES = frozenset({"analysis/tables.py", "analysis/item_sums.py",
                         "analysis/spark/engine.py"})
"""Modules that may call ``con.table(name)``: Ibis expressions over the store's tables (the unit
aggregates, the item and knowledge sums), and the Spark engine's view of the exchanged
responses — the engine-portable form that runs on DuckDB and on Spark alike."""

_SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH|PRAGMA)\s")
_SQL_WORDS = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET)\b",
                        re.DOTALL)
"""SQL as this project writes it: key words in capitals."""


def _nodes(tree: ast.AST, skip: frozenset[str], prefix: str = "") -> list[ast.AST]:
    """The nodes of ``tree`` outside the functions named in ``skip`` (qualified names,
    'Class.method')."""
    out: list[ast.AST] = []
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            qualified = prefix + child.name
            if qualified in skip and not isinstance(child, ast.ClassDef):
                continue
            out.append(child)
            out += _nodes(child, skip, qualified + ".")
        else:
            out.append(child)
            out += _nodes(child, skip, prefix)
    return out


def functions(source: str) -> set[str]:
    """The qualified names of the functions and methods defined in ``source``."""
    names: set[str] = set()

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if not isinstance(child, ast.ClassDef):
                    names.add(prefix + child.name)
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)
    visit(ast.parse(source), "")
    return names


def sql_uses(source: str, name: str = "<src>", ibis_tables: bool = False,
             skip: frozenset[str] = frozenset()) -> list[str]:
    """Where ``source`` runs or spells SQL, outside the functions named in ``skip``: 'line:
    what' strings (empty: none)."""
    found = []
    for node in _nodes(ast.parse(source, name), skip):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _SQL.match(node.value) or _SQL_WORDS.search(node.value):
                found.append(f"{line}: SQL text {node.value.strip()[:40]!r}")
        elif isinstance(node, ast.Attribute):
            if node.attr == "con":
                found.append(f"{line}: raw connection (.con)")
            elif (isinstance(node.ctx, ast.Load) and node.attr in ("sql", "scalar")
                  and not (isinstance(node.value, ast.Name) and node.value.id == "pa")):
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
    assert sql_uses("n = pa.scalar(None, pa.string())\n") == []   # an Arrow scalar: no SQL


def test_the_scan_skips_only_the_functions_named():
    source = '''
class Plan:
    def write(self, con):
        con.execute("DELETE FROM t WHERE k = ?", [1])

    def check(self, db):
        return db.sql("SELECT k FROM t")


def write(con):
    con.execute("INSERT INTO t SELECT 1")
'''
    found = sql_uses(source, skip=frozenset({"Plan.write"}))
    assert [f.split(":")[0] for f in found] == ["7", "7", "11", "11"]
    assert functions(source) == {"Plan.write", "Plan.check", "write"}


@pytest.mark.slow
def test_no_sql_outside_the_store():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.split("/")[0] in ALLOWED_PACKAGES or (rel in WRITE_PATH
                                                     and WRITE_PATH[rel] is None):
            continue
        skip = WRITE_PATH.get(rel) or frozenset()
        offenders += [f"{rel}:{use}" for use in sql_uses(path.read_text(encoding="utf-8"),
                                                          rel, rel in IBIS_TABLES, skip)]
    assert offenders == [], "SQL belongs in eduquality.store:\n" + "\n".join(offenders)


def test_the_write_path_list_is_exact():
    """Every module and function of :data:`WRITE_PATH` exists and holds SQL (a stale entry
    would let SQL creep back in unseen)."""
    for rel, names in WRITE_PATH.items():
        source = (PACKAGE / rel).read_text(encoding="utf-8")
        assert sql_uses(source, rel), f"{rel} holds no SQL: drop it from WRITE_PATH"
        for name in names or ():
            assert name in functions(source), f"{rel}: no function {name}"
            rest = sql_uses(source, rel, skip=frozenset(names - {name}))
            assert len(rest) > len(sql_uses(source, rel, skip=names)), (
                f"{rel}:{name} holds no SQL: drop it from WRITE_PATH")


_READ = re.compile(r"^\s*(SELECT|WITH|PRAGMA|DESCRIBE)\b")


def test_plan_writes_only_write():
    """The plans' write functions run no read of their own (reads are in the store)."""
    for rel, names in WRITE_PATH.items():
        if names is None:
            continue
        tree = ast.parse((PACKAGE / rel).read_text(encoding="utf-8"), rel)
        everything = _nodes(tree, frozenset())
        outside = {id(n) for n in _nodes(tree, names)}
        inside = [n for n in everything if id(n) not in outside]
        reads = [n.value for n in inside if isinstance(n, ast.Constant)
                 and isinstance(n.value, str) and _READ.match(n.value)]
        calls = [n.func.attr for n in inside if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Attribute) and n.func.attr in ("sql", "scalar", "df")]
        assert reads == [] and calls == [], f"{rel}: reads in {sorted(names)}: {reads}{calls}"
