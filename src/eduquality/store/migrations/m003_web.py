"""The web platform's additions to ``app_user``.

- ``teacher_id``: links a teacher's login to ``teacher`` (their classes come from
  ``teaching_assignment`` and ``class.head_teacher_id``).
- ``lang``: the user's preferred language ('zh' or 'en'; NULL = the installation's default),
  checked in :mod:`eduquality.store.access` (DuckDB cannot add a column with a CHECK).
"""

VERSION = 3

SQL = """
ALTER TABLE app_user ADD COLUMN teacher_id VARCHAR;
ALTER TABLE app_user ADD COLUMN lang VARCHAR;
"""
