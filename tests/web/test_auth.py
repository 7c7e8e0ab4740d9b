"""Secrets, CSRF tokens, redirects, the sign-in throttle and hashing off the event loop
(web.auth)."""

from __future__ import annotations

import asyncio
import stat
import threading
import time

import httpx

from eduquality.config import Settings
from eduquality.web import auth
from eduquality.web.app import create_app
from eduquality.web.auth import (
    PER_ADDRESS,
    Backoff,
    CsrfSigner,
    Hasher,
    Throttle,
    load_secret,
    safe_next,
)
from tests.web.conftest import PASSWORD, build_db


def test_secret_from_env_or_a_private_file_next_to_the_database(tmp_path):
    db = str(tmp_path / "x.duckdb")
    assert load_secret(db, env={"EDUQUALITY_SECRET": "abc"}) == "abc"
    first = load_secret(db, env={})
    path = tmp_path / "x.duckdb.secret"
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(db, env={}) == first and len(first) >= 32
    assert load_secret(":memory:", env={}) != load_secret(":memory:", env={})
    url = "postgresql://eq@127.0.0.1/district"
    assert load_secret(url, env={}) != load_secret(url, env={})


def test_csrf_tokens_are_bound_to_the_cookie_and_the_secret():
    signer = CsrfSigner("k1")
    assert signer.csrf_ok("cookie", signer.csrf("cookie"))
    assert not signer.csrf_ok("cookie", signer.csrf("cookie2"))
    assert not signer.csrf_ok("cookie", CsrfSigner("k2").csrf("cookie"))
    assert not signer.csrf_ok(None, signer.csrf(None))


def test_only_local_redirects():
    assert safe_next("/exams/E1?subject=math") == "/exams/E1?subject=math"
    for bad in ("https://evil.example", "//evil.example", "/\\evil", "", None, "exams"):
        assert safe_next(bad) == "/"


# -- the throttle ---------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


NEVER = Backoff(free=10**6, base=1, cap=1, forget=10**6)


def test_spraying_across_names_from_one_address_is_slowed():
    clock = Clock()
    th = Throttle(per_address=Backoff(free=3, base=1, cap=300, forget=3600), per_account=NEVER,
                  clock=clock)
    for name in ("a", "b", "c"):
        assert th.wait("10.0.0.1", name) == 0
        th.fail("10.0.0.1", name)
    assert th.wait("10.0.0.1", "d") == 1.0          # a new name does not help
    assert th.wait("10.0.0.2", "d") == 0            # another address is not slowed


def test_one_account_is_slowed_across_addresses():
    clock = Clock()
    th = Throttle(per_address=NEVER, per_account=Backoff(free=2, base=1, cap=60, forget=3600),
                  clock=clock)
    th.fail("10.0.0.1", "admin")
    th.fail("10.0.0.2", "admin")
    assert th.wait("10.0.0.3", "admin") == 1.0
    assert th.wait("10.0.0.3", "other") == 0


def test_delays_grow_to_a_cap_and_never_lock_out():
    clock = Clock()
    th = Throttle(per_address=NEVER, per_account=Backoff(free=2, base=1, cap=8, forget=3600),
                  clock=clock)
    delays = []
    for _ in range(8):
        clock.t += th.wait("ip", "admin")   # the attacker waits exactly as long as told
        th.fail("ip", "admin")
        delays.append(th.wait("ip", "admin"))
    assert delays == [0, 1, 2, 4, 8, 8, 8, 8]
    clock.t += 8                            # the real user waits at most the cap, then may try
    assert th.wait("ip", "admin") == 0
    th.succeed("admin")
    assert th.wait("ip", "admin") == 0 and th.wait("other-ip", "admin") == 0


def test_success_clears_the_account_not_the_address_and_old_failures_are_forgotten():
    clock = Clock()
    th = Throttle(per_address=Backoff(free=1, base=5, cap=5, forget=600),
                  per_account=Backoff(free=1, base=5, cap=5, forget=600), clock=clock,
                  max_keys=3)
    th.fail("ip", "mallory")
    th.succeed("mallory")               # the attacker's own account signs in fine …
    assert th.wait("ip", "victim") == 5  # … but the address still waits
    clock.t += 601
    assert th.wait("ip", "victim") == 0
    for name in "bcdef":
        th.fail(f"ip-{name}", name)
        clock.t += 601
    assert len(th._failures) <= 3
    for name in "ghijk":                 # a burst within the window: the oldest go first
        th.fail(f"ip-{name}", name)
    assert len(th._failures) <= 3 and th.wait("ip-k", "k") == 5


# -- hashing off the event loop ---------------------------------------------------------------
def test_sign_in_hashes_in_a_worker_thread_while_other_requests_are_served(db, monkeypatch):
    app = create_app(db, Settings(), secret="s")
    real = auth.verify_password
    threads: list[int] = []

    def slow_verify(password: str, stored: str | None) -> bool:
        threads.append(threading.get_ident())
        time.sleep(1.0)
        return real(password, stored)

    monkeypatch.setattr(auth, "verify_password", slow_verify)
    done: dict[str, float] = {}

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            async def sign_in() -> None:
                r = await client.post("/login", data={"username": "res", "password": PASSWORD})
                assert r.status_code == 303
                done["sign_in"] = time.perf_counter()

            async def page() -> None:
                await asyncio.sleep(0.2)
                r = await client.get("/login")
                assert r.status_code == 200
                done["page"] = time.perf_counter()

            await asyncio.gather(sign_in(), page())

    loop_thread = threading.get_ident()
    asyncio.run(scenario())
    assert threads and all(t != loop_thread for t in threads)
    assert done["page"] < done["sign_in"]   # served while scrypt was busy


def test_tries_being_checked_count_until_their_answer():
    """An attacker who does not wait for answers: the throttle counts the tries still being
    checked, so no more than the free tries are checked at once; their answers release them."""
    clock = Clock()
    th = Throttle(per_address=Backoff(free=3, base=1, cap=300, forget=3600), per_account=NEVER,
                  clock=clock)
    assert [th.begin("10.0.0.1", f"u{i}") for i in range(5)] == [0, 0, 0, 1.0, 1.0]
    assert th.begin("10.0.0.2", "u9") == 0              # another address is not slowed
    for i in range(3):
        th.end("10.0.0.1", f"u{i}")
    th.end("10.0.0.2", "u9")
    assert th.wait("10.0.0.1", "u0") == 0 and not th._checking   # answered: released
    assert th.begin("10.0.0.1", "u0") == 0                # a success (no fail) leaves no count
    th.end("10.0.0.1", "u0")
    th.succeed("u0")
    assert th.wait("10.0.0.1", "u0") == 0


def test_an_open_loop_flood_gets_only_the_free_tries_checked(monkeypatch):
    """Sign-ins posted all at once (none waits for an answer): while the first ones are being
    checked, the rest are refused unchecked with 429, and no more than the free tries reach
    scrypt."""
    checked, gate = [], threading.Event()

    def slow_verify(password, stored):
        checked.append(password)
        gate.wait(10)                       # every check is still running when the rest arrive
        return False

    monkeypatch.setattr(auth, "_verify", slow_verify)
    app = create_app(build_db(), Settings(), secret="s")
    app.state.hasher = Hasher(slots=50)

    async def flood() -> list[int]:
        transport = httpx.ASGITransport(app=app, client=("10.9.9.9", 123))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            tries = [asyncio.create_task(client.post(
                "/login", data={"username": f"u{i}", "password": f"g{i}"})) for i in range(30)]
            await asyncio.sleep(0.5)
            gate.set()
            return [r.status_code for r in await asyncio.gather(*tries)]

    codes = asyncio.run(flood())
    free = PER_ADDRESS.free
    assert len(checked) == free and codes.count(401) == free and codes.count(429) == 30 - free


def test_refusals_queued_for_the_audit_share_one_write():
    """A refusal whose audit row is already queued joins it (one write carries both); past
    QUEUED different names, an address's refusals share one row."""
    from eduquality.store.principals import Principal
    from eduquality.web.routes.session import Refusals

    log, who = Refusals(), Principal("mallory", "-")
    key = log.add(who, "wrong password", "10.0.0.1")
    assert key is not None and log.add(who, "wrong password", "10.0.0.1") is None
    assert log.take(key) == 2 and log.take(key) == 0               # written, then gone
    assert log.add(who, "wrong password", "10.0.0.1") == key       # a new one queues anew
    assert log.take(key) == 1
    for i in range(Refusals.QUEUED):
        log.add(Principal(f"n{i}", "-"), "wrong password", "10.0.0.2")
    many = (Refusals.MANY, "-", "wrong password", "10.0.0.2")
    assert log.add(Principal("late", "-"), "wrong password", "10.0.0.2") == many
    assert log.add(Principal("later", "-"), "wrong password", "10.0.0.2") is None
    assert log.take(many) == 2
