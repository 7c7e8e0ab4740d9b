"""Server-side sessions (OWASP ASVS 4.0 V3.2, V3.3): created at sign-in, read on every request,
deleted at sign-out, on a password change, and when idle or too old.

The browser's cookie holds only :func:`new_token` (256 random bits); the table ``web_session``
keys the row by the token's SHA-256. Reading is a primary-key lookup; ``last_seen`` is written
at most once per :data:`TOUCH_EVERY`, so most page views write nothing. Session rows cannot
touch scores or papers, so they take the light write path (``db.write(check_scores=False)``,
as the audit trail does), never the full integrity check.

Times are naive UTC ``datetime`` values passed in by the caller (the web app's clock), so tests
can move time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from eduquality.store.db import Database

__all__ = ["TOUCH_EVERY", "SessionLimits", "SessionRow", "create_session", "end_session",
           "end_user_sessions", "new_token", "read_session"]

TOUCH_EVERY = dt.timedelta(minutes=1)
"""``last_seen`` is refreshed at most this often (the idle limit is therefore exact to a
minute)."""


@dataclass(frozen=True)
class SessionLimits:
    """Idle timeout and absolute lifetime (the installation's values come from
    :class:`eduquality.config.SessionRules`)."""

    idle: dt.timedelta
    absolute: dt.timedelta


@dataclass(frozen=True)
class SessionRow:
    """A live session: whose, since when, and whether the user must change their password."""

    username: str
    created_at: dt.datetime
    must_change_password: bool


def new_token() -> str:
    """A session token for the cookie: 32 random bytes, URL-safe base64."""
    return secrets.token_urlsafe(32)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(db: Database, username: str, now: dt.datetime, limits: SessionLimits,
                   client: str | None = None) -> str:
    """A new session for ``username``; returns its token (for the cookie). Writes (light path);
    also deletes sessions that have expired, so the table stays small."""
    token = new_token()
    with db.write(check_scores=False) as con:
        con.execute("DELETE FROM web_session WHERE last_seen < ? OR created_at < ?",
                    [now - limits.idle, now - limits.absolute])
        con.execute("INSERT INTO web_session (token_hash, username, created_at, last_seen, "
                    "client) VALUES (?, ?, ?, ?, ?)", [_key(token), username, now, now, client])
    return token


def read_session(db: Database, token: str | None, now: dt.datetime,
                 limits: SessionLimits) -> SessionRow | None:
    """The live session of ``token``, or None (unknown, signed out, idle past ``limits.idle``,
    older than ``limits.absolute``, or its user removed). An expired row is deleted; a live
    one has ``last_seen`` refreshed when it is older than :data:`TOUCH_EVERY`."""
    if not token:
        return None
    key = _key(token)
    row = db.con.execute(
        "SELECT s.username, s.created_at, s.last_seen, u.must_change_password "
        "FROM web_session s JOIN app_user u USING (username) WHERE s.token_hash = ?",
        [key]).fetchone()
    if row is None:
        return None
    username, created, seen, must_change = row
    if now - seen > limits.idle or now - created > limits.absolute:
        end_session(db, token)
        return None
    if now - seen >= TOUCH_EVERY:
        with db.write(check_scores=False) as con:
            con.execute("UPDATE web_session SET last_seen = ? WHERE token_hash = ?", [now, key])
    return SessionRow(username, created, bool(must_change))


def end_session(db: Database, token: str | None) -> None:
    """Delete the session of ``token`` (sign-out). Writes (light path)."""
    if token:
        with db.write(check_scores=False) as con:
            con.execute("DELETE FROM web_session WHERE token_hash = ?", [_key(token)])


def end_user_sessions(db: Database, username: str) -> int:
    """Delete every session of ``username`` (password changed or reset, account disabled or
    removed); returns how many there were. Writes (light path)."""
    with db.write(check_scores=False) as con:
        n = con.execute("SELECT count(*) FROM web_session WHERE username = ?",
                        [username]).fetchone()
        con.execute("DELETE FROM web_session WHERE username = ?", [username])
    return int(n[0]) if n else 0
