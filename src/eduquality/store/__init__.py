"""The only code that talks to the database (``tests/store/test_sql_boundary.py`` checks it;
the importers' write path in ``ingest`` is the one exception, listed there function by
function).

Layout: :mod:`~eduquality.store.db` (opening, migrations, the single write path);
reads by entity with typed results or documented columns — :mod:`~eduquality.store.exams`,
:mod:`~eduquality.store.papers`, :mod:`~eduquality.store.rosters`,
:mod:`~eduquality.store.students`, :mod:`~eduquality.store.lines`,
:mod:`~eduquality.store.units`, :mod:`~eduquality.store.irt`, :mod:`~eduquality.store.refs`,
:mod:`~eduquality.store.imports` (the import log); access control — :mod:`~eduquality.store.principals`,
:mod:`~eduquality.store.policy`, :mod:`~eduquality.store.scoped`,
:mod:`~eduquality.store.masking`, :mod:`~eduquality.store.redaction`,
:mod:`~eduquality.store.audit`, :mod:`~eduquality.store.passwords`,
:mod:`~eduquality.store.users` (:mod:`~eduquality.store.access` re-exports them).
"""

from eduquality.store.db import Database, open_database

__all__ = ["Database", "open_database"]
