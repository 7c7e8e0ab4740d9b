"""Versioned schema migrations, applied in order, each in one transaction and recorded in
``schema_migrations``. A migration is a module ``mNNN_name.py`` with ``VERSION`` and ``SQL``.

Rules (the reason: a database created by any release must end up with the same schema and
reference data as a new one):

- ``SQL`` is literal text that nothing else shapes: no f-strings over :mod:`eduquality.vocab`,
  no Python seeding beside it. A migration that has shipped is frozen; its SHA-256 is recorded
  in ``tests/store/test_migrations.py``, which fails when an applied migration is edited.
- A change of vocabulary is a new migration. A new subject:
  ``INSERT INTO subject VALUES ('dance', '舞蹈', 'Dance');``; a new label:
  ``UPDATE subject SET name_en = … WHERE subject_code = …``. A new code of a vocabulary held in a
  CHECK (stage, exam type, status …) needs the table rebuilt (DuckDB can neither alter a CHECK
  nor alter a table that others reference), so it is rebuilt together with its dependents.
  The same test compares a migrated database with :mod:`eduquality.vocab` and says which
  migration is missing when someone adds a term to the vocabulary only.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def all_migrations() -> list[Migration]:
    """Every migration in this package, ordered by version."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("m"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append(Migration(module.VERSION, info.name, module.SQL))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions: {versions}")
    return found
