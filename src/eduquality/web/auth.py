"""Signing in: the session cookie, CSRF tokens, sign-in throttling, and password hashing off
the event loop (OWASP ASVS 4.0 V2.2, V3).

- Sessions live on the server (:mod:`eduquality.store.sessions`); the cookie ``eq_session``
  carries only the random token, HttpOnly, SameSite=Lax, ``Secure`` when the platform is served
  over TLS (``cookie_secure``, or a request that came over HTTPS), and without Max-Age or
  Expires, so it ends with the browser.
- Forms that change state carry a CSRF token: an HMAC of the session cookie under the secret,
  which comes from ``EDUQUALITY_SECRET`` or a file created on first run next to the database
  (mode 600); an in-memory database gets a fresh secret per process.
- :class:`Throttle` slows failed sign-ins per client address and per account with growing
  delays (never a lock-out), see there.
- :class:`Hasher` runs scrypt in worker threads, at most a few at once (each takes 128 MiB).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from fastapi.responses import Response

from eduquality.config import SessionRules
from eduquality.store.credentials import store_rehash, stored_hash
from eduquality.store.db import Database
from eduquality.store.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from eduquality.store.principals import Principal, load_principal
from eduquality.store.sessions import SessionLimits

SESSION_COOKIE = "eq_session"
LANG_COOKIE = "eq_lang"

T = TypeVar("T")


def load_secret(db_path: str, env: dict[str, str] | None = None) -> str:
    """The signing secret: ``EDUQUALITY_SECRET``, else ``<db>.secret`` (created if missing).
    A database in memory or on a PostgreSQL server has no file beside it: a fresh secret for
    this process (a platform on PostgreSQL sets ``EDUQUALITY_SECRET``, shared by its
    processes)."""
    from eduquality.store.pg import is_postgres_url

    env = dict(os.environ) if env is None else env
    if env.get("EDUQUALITY_SECRET"):
        return env["EDUQUALITY_SECRET"]
    if db_path in ("", ":memory:") or is_postgres_url(db_path):
        return secrets.token_urlsafe(32)
    path = Path(f"{db_path}.secret")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


class CsrfSigner:
    """CSRF tokens bound to the session cookie (HMAC-SHA256 under the secret)."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(f"csrf:{secret}".encode()).digest()

    def csrf(self, cookie: str | None) -> str:
        """The CSRF token for forms of the session with this cookie."""
        return hmac.new(self._key, (cookie or "").encode(), hashlib.sha256).hexdigest()[:32]

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        return bool(cookie) and hmac.compare_digest(self.csrf(cookie), token or "")


def session_limits(rules: SessionRules) -> SessionLimits:
    """The installation's idle and absolute limits (settings ``[session]``)."""
    return SessionLimits(idle=dt.timedelta(minutes=rules.idle_minutes),
                         absolute=dt.timedelta(hours=rules.absolute_hours))


def utc_now() -> dt.datetime:
    """The web app's default clock: naive UTC (what ``web_session`` stores)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def set_session_cookie(response: Response, token: str, secure: bool) -> None:
    """The session cookie: no Max-Age/Expires (a browser-session cookie), HttpOnly,
    SameSite=Lax (CSRF tokens guard every form besides), Secure over TLS."""
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure,
                        path="/")


@dataclass(frozen=True)
class Backoff:
    """Growing delays: after ``free`` failures, the next try waits ``base``·2^(k) seconds for
    the k-th failure beyond them, at most ``cap``; the count is forgotten ``forget`` seconds
    after the last failure.

    >>> [Backoff(free=2, base=1, cap=5, forget=60).delay(k) for k in range(6)]
    [0.0, 0.0, 1.0, 2.0, 4.0, 5.0]
    """

    free: int
    base: float
    cap: float
    forget: float

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return float(min(self.cap, self.base * 2 ** min(failures - self.free, 60)))


PER_ADDRESS = Backoff(free=10, base=1.0, cap=300.0, forget=3600.0)
"""A client address may fail 10 times freely, then waits 1 s, 2 s, 4 s … up to 5 minutes between
tries: spraying one password across many names from one address is slowed to about 12 tries an
hour after 19 failures."""

PER_ACCOUNT = Backoff(free=5, base=1.0, cap=60.0, forget=3600.0)
"""An account may fail 5 times freely, then 1 s, 2 s … up to 1 minute between tries, from any
address. The cap is short on purpose: an attacker can delay the real user by a minute at most
(no lock-out), while guessing from many addresses gets one try a minute."""


class Throttle:
    """Failed sign-ins per client address and per account, with growing delays
    (:data:`PER_ADDRESS`, :data:`PER_ACCOUNT`); a try inside a delay is refused without
    checking the password. A success clears the account's count, not the address's (so an
    attacker's own valid account cannot reset a spraying run).

    Tries still being checked count as failures until their answer (:meth:`begin` …
    :meth:`end`): an attacker who does not wait for answers gets no more passwords checked
    at once than the free tries, instead of every try passing the throttle before the first
    failure is known (a flood of 50 a second would otherwise queue 50 scrypt checks a second)."""

    def __init__(self, per_address: Backoff = PER_ADDRESS, per_account: Backoff = PER_ACCOUNT,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.rules = {"address": per_address, "account": per_account}
        self.clock = clock
        self.max_keys = max_keys
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}
        self._checking: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def _count(self, key: tuple[str, str], now: float) -> tuple[int, float]:
        count, last = self._failures.get(key, (0, now))
        if count and now - last > self.rules[key[0]].forget:
            del self._failures[key]
            return 0, now
        return count, last

    @staticmethod
    def _keys(address: str, username: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("address", address), ("account", username)

    def _wait(self, address: str, username: str, now: float) -> float:
        waits = [0.0]
        for key in self._keys(address, username):
            count, last = self._count(key, now)
            count += self._checking.get(key, 0)
            if count:
                waits.append(last + self.rules[key[0]].delay(count) - now)
        return max(waits)

    def wait(self, address: str, username: str) -> float:
        """Seconds until a sign-in from ``address`` as ``username`` may be tried (0: now)."""
        with self._lock:
            return self._wait(address, username, self.clock())

    def begin(self, address: str, username: str) -> float:
        """:meth:`wait`; when it is 0 the try is counted as being checked (as a failure, for
        the tries after it) until :meth:`end`, which the caller must call."""
        with self._lock:
            wait = self._wait(address, username, self.clock())
            if wait <= 0:
                for key in self._keys(address, username):
                    self._checking[key] = self._checking.get(key, 0) + 1
            return wait

    def end(self, address: str, username: str) -> None:
        """The try :meth:`begin` let through has its answer (then :meth:`fail` or
        :meth:`succeed`)."""
        with self._lock:
            for key in self._keys(address, username):
                left = self._checking.get(key, 0) - 1
                if left > 0:
                    self._checking[key] = left
                else:
                    self._checking.pop(key, None)

    def fail(self, address: str, username: str) -> None:
        with self._lock:
            now = self.clock()
            for key in (("address", address), ("account", username)):
                count, _ = self._count(key, now)
                self._failures[key] = (count + 1, now)
            if len(self._failures) > self.max_keys:  # forget keys with no recent failure,
                for key in list(self._failures):     # then the oldest (memory stays bounded)
                    self._count(key, now)
                oldest = sorted(self._failures, key=lambda k: self._failures[k][1])
                for key in oldest[:len(oldest) - self.max_keys]:
                    del self._failures[key]

    def succeed(self, username: str) -> None:
        with self._lock:
            self._failures.pop(("account", username), None)


class Hasher:
    """Runs password hashing in worker threads, at most ``slots`` at once, so the event loop
    keeps serving pages while scrypt works (and a sign-in flood cannot take 128 MiB per
    request)."""

    def __init__(self, slots: int | None = None) -> None:
        self.slots = slots or max(1, min(4, os.cpu_count() or 1))
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._limiter is None:  # made inside the event loop
            self._limiter = anyio.CapacityLimiter(self.slots)
        return await anyio.to_thread.run_sync(fn, *args, limiter=self._limiter)


def _verify(password: str, stored: str | None) -> bool:
    return verify_password(password, stored if stored is not None else dummy_hash())


async def sign_in(db: Database, hasher: Hasher, username: str,
                  password: str) -> Principal | None:
    """The principal when ``password`` is right, else None. scrypt runs in ``hasher``'s
    threads (unknown names cost the same); a hash of an older cost is replaced by one at the
    current cost (OWASP: rehash on login). The database is used on the event loop only."""
    stored = stored_hash(db, username)
    if not await hasher.run(_verify, password, stored) or stored is None:
        return None
    if needs_rehash(stored):
        store_rehash(db, username, stored, await hasher.run(hash_password, password))
    return load_principal(db, username)


async def check_current_password(db: Database, hasher: Hasher, username: str,
                                 password: str) -> bool:
    """Whether ``password`` is ``username``'s current one (hashing off the event loop)."""
    return bool(await hasher.run(_verify, password, stored_hash(db, username)))


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in (never another host: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
