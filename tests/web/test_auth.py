"""Secrets, session cookies and redirects (web.auth)."""

from __future__ import annotations

import stat

from eduquality.web.auth import SessionSigner, load_secret, safe_next


def test_secret_from_env_or_a_private_file_next_to_the_database(tmp_path):
    db = str(tmp_path / "x.duckdb")
    assert load_secret(db, env={"EDUQUALITY_SECRET": "abc"}) == "abc"
    first = load_secret(db, env={})
    path = tmp_path / "x.duckdb.secret"
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(db, env={}) == first and len(first) >= 32
    assert load_secret(":memory:", env={}) != load_secret(":memory:", env={})


def test_session_cookies_are_signed_and_expire():
    signer = SessionSigner("k1")
    cookie = signer.dumps("alice", "fp")
    assert signer.loads(cookie).username == "alice"
    assert SessionSigner("k2").loads(cookie) is None            # another secret
    assert signer.loads(cookie[:-2] + "xx") is None              # tampered
    assert SessionSigner("k1", max_age=-1).loads(cookie) is None  # expired
    assert signer.csrf_ok(cookie, signer.csrf(cookie))
    assert not signer.csrf_ok(cookie, signer.csrf(cookie + "x"))
    assert not signer.csrf_ok(None, signer.csrf(None))


def test_only_local_redirects():
    assert safe_next("/exams/E1?subject=math") == "/exams/E1?subject=math"
    for bad in ("https://evil.example", "//evil.example", "/\\evil", "", None, "exams"):
        assert safe_next(bad) == "/"


def test_throttle_blocks_after_limit_and_forgets_old_names():
    from eduquality.web.auth import Throttle

    th = Throttle(limit=2, window=1000, max_names=3)
    th.fail("a")
    assert not th.blocked("a")
    th.fail("a")
    assert th.blocked("a") and not th.blocked("b")
    th.clear("a")
    assert not th.blocked("a")
    th.window = 0  # every failure is old at once: names are forgotten past max_names
    for name in "bcdef":
        th.fail(name)
    assert len(th._failures) <= 4
