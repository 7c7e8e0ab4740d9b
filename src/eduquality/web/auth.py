"""Sessions, the signing secret, sign-in throttling and CSRF tokens.

A session is a signed, timed cookie (itsdangerous) holding the user name and a fingerprint of
the stored password hash: changing a password ends every session of that user. The cookie is
HttpOnly and SameSite=Lax; forms that change state also carry a CSRF token derived from it.
The secret comes from ``EDUQUALITY_SECRET`` or from a file created on first run next to the
database (mode 600); an in-memory database gets a fresh secret per process.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "eq_session"
LANG_COOKIE = "eq_lang"
SESSION_MAX_AGE = 12 * 3600


def load_secret(db_path: str, env: dict[str, str] | None = None) -> str:
    """The signing secret: ``EDUQUALITY_SECRET``, else ``<db>.secret`` (created if missing)."""
    env = dict(os.environ) if env is None else env
    if env.get("EDUQUALITY_SECRET"):
        return env["EDUQUALITY_SECRET"]
    if db_path in ("", ":memory:"):
        return secrets.token_urlsafe(32)
    path = Path(f"{db_path}.secret")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


@dataclass(frozen=True)
class Session:
    username: str
    fingerprint: str


class SessionSigner:
    """Signs and checks session cookies and CSRF tokens."""

    def __init__(self, secret: str, max_age: int = SESSION_MAX_AGE) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="eduquality-session")
        self._key = hashlib.sha256(f"csrf:{secret}".encode()).digest()
        self.max_age = max_age

    def dumps(self, username: str, fingerprint: str) -> str:
        return self._serializer.dumps({"u": username, "f": fingerprint,
                                       "n": secrets.token_urlsafe(8)})

    def loads(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), str):
            return None
        return Session(data["u"], str(data.get("f", "")))

    def csrf(self, cookie: str | None) -> str:
        """The CSRF token for forms of the session with this cookie."""
        return hmac.new(self._key, (cookie or "").encode(), hashlib.sha256).hexdigest()[:32]

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        return bool(cookie) and hmac.compare_digest(self.csrf(cookie), token or "")


class Throttle:
    """At most ``limit`` failed sign-ins per user name within ``window`` seconds."""

    def __init__(self, limit: int = 5, window: float = 900.0, max_names: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_names = max_names
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, username: str, now: float) -> deque[float]:
        q = self._failures[username]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, username: str) -> bool:
        with self._lock:
            return len(self._recent(username, time.monotonic())) >= self.limit

    def fail(self, username: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(username, now).append(now)
            if len(self._failures) > self.max_names:  # forget names with no recent failure
                for name in [n for n, q in self._failures.items() if not self._recent(n, now)]:
                    del self._failures[name]

    def clear(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username, None)


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in (never another host: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
