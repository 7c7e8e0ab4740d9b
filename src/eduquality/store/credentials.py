"""Stored passwords: reading a user's hash, storing a new one, and the forced-change flag.

The slow part (scrypt) is not here: callers hash and verify with :mod:`eduquality.store.passwords`
(the web platform in a worker thread) and pass the hashes in. Storing a new password ends every
session of the user (:func:`eduquality.store.sessions.end_user_sessions`); a rehash of the same
password at a higher cost does not.
"""

from __future__ import annotations

from eduquality.store.db import Database
from eduquality.store.sessions import end_user_sessions

__all__ = ["must_change_password", "save_password", "store_rehash", "stored_hash"]


def stored_hash(db: Database, username: str) -> str | None:
    """The stored password hash of ``username`` (None: no such user, no password, or a
    disabled account — which then signs in like an unknown name, at the same cost)."""
    value = db.scalar("SELECT password_hash FROM app_user WHERE username = ? AND username NOT IN"
                      " (SELECT username FROM user_disabled)", [username])
    return None if value is None else str(value)


def must_change_password(db: Database, username: str) -> bool:
    """Whether ``username`` must change their password before doing anything else."""
    return bool(db.scalar("SELECT must_change_password FROM app_user WHERE username = ?",
                          [username]))


def save_password(db: Database, username: str, pw_hash: str, *, must_change: bool) -> None:
    """Store a new password hash and the forced-change flag (True: an administrator set it;
    False: the user chose it), and end every session of the user. Writes (light path: no
    score or paper changes)."""
    with db.write(check_scores=False) as con:
        con.execute("UPDATE app_user SET password_hash = ?, must_change_password = ? "
                    "WHERE username = ?", [pw_hash, must_change, username])
    end_user_sessions(db, username)


def store_rehash(db: Database, username: str, old_hash: str, new_hash: str) -> None:
    """Replace ``old_hash`` by ``new_hash`` (same password, current cost) unless the password
    has changed meanwhile. Sessions stay. Writes (light path)."""
    with db.write(check_scores=False) as con:
        con.execute("UPDATE app_user SET password_hash = ? WHERE username = ? "
                    "AND password_hash = ?", [new_hash, username, old_hash])


def password_hashes(db: Database, usernames: list[str]) -> list[tuple[str, str]]:
    """(username, stored hash) of those of ``usernames`` that exist, by username."""
    rows = db.sql("SELECT username, password_hash FROM app_user WHERE username = ANY(?)"
                  " AND password_hash IS NOT NULL ORDER BY username", [usernames])
    return [(str(u), str(h)) for u, h in rows.itertuples(index=False)]
