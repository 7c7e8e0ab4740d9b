"""The only code that talks to the database."""

from eduquality.store.db import Database, open_database

__all__ = ["Database", "open_database"]
