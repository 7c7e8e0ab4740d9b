"""Stored import mapping templates (table ``import_template``, store migration 5)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from eduquality.store.db import Database


@dataclass(frozen=True)
class Template:
    """A saved mapping: ``mapping`` normalised header → field, ``options`` kind-specific."""

    name: str
    kind: str
    fingerprints: frozenset[str]
    mapping: dict[str, str]
    options: dict[str, str]


def _template(row: Any) -> Template:
    name, kind, fps, mapping, options = row
    return Template(name, kind, frozenset(f for f in fps.split(",") if f), json.loads(mapping),
                    json.loads(options))


_COLS = "name, kind, fingerprints, mapping, options"


def load_template(db: Database, name: str) -> Template | None:
    row = db.con.execute(f"SELECT {_COLS} FROM import_template WHERE name = ?",
                         [name]).fetchone()
    return None if row is None else _template(row)


def templates_of(db: Database, kind: str) -> list[Template]:
    """The templates of an import kind, newest first."""
    rows = db.con.execute(f"SELECT {_COLS} FROM import_template WHERE kind = ? "
                          "ORDER BY saved_at DESC, name", [kind]).fetchall()
    return [_template(r) for r in rows]


def save_template(con: Any, t: Template, user: str) -> None:
    """Insert or replace template ``t.name``; ``con`` is the import's write transaction."""
    con.execute(
        "INSERT INTO import_template (name, kind, fingerprints, mapping, options, saved_by, "
        "saved_at) VALUES (?, ?, ?, ?, ?, ?, current_timestamp) ON CONFLICT (name) DO UPDATE "
        "SET kind = excluded.kind, fingerprints = excluded.fingerprints, "
        "mapping = excluded.mapping, options = excluded.options, saved_by = excluded.saved_by, "
        "saved_at = excluded.saved_at",
        [t.name, t.kind, ",".join(sorted(t.fingerprints)),
         json.dumps(t.mapping, ensure_ascii=False, sort_keys=True),
         json.dumps(t.options, ensure_ascii=False, sort_keys=True), user])
