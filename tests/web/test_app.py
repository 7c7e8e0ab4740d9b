"""`eduquality web` transport: loopback plain HTTP, anything else TLS or a TLS proxy (HSTS)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from eduquality.cli import main
from eduquality.config import Settings
from eduquality.errors import EduQualityError
from eduquality.store import open_database
from eduquality.web.app import HSTS, check_transport, create_app, is_loopback


@pytest.mark.parametrize("host, loop", [("127.0.0.1", True), ("127.8.0.2", True),
                                        ("::1", True), ("localhost", True),
                                        ("0.0.0.0", False), ("10.1.2.3", False),
                                        ("edu.example", False)])
def test_loopback(host, loop):
    assert is_loopback(host) is loop


def test_check_transport():
    check_transport("127.0.0.1", tls=False, behind_proxy=False)
    check_transport("0.0.0.0", tls=True, behind_proxy=False)
    check_transport("0.0.0.0", tls=False, behind_proxy=True)
    with pytest.raises(EduQualityError, match="--behind-proxy") as err:
        check_transport("0.0.0.0", tls=False, behind_proxy=False, lang="en")
    assert "--certfile" in str(err.value)


def test_hsts_only_over_https():
    db = open_database(":memory:")
    plain = TestClient(create_app(db, Settings(), secret="s")).get("/login")
    assert "strict-transport-security" not in plain.headers
    https = TestClient(create_app(db, Settings(), secret="s", hsts=True)).get("/login")
    assert https.headers["strict-transport-security"] == HSTS


@pytest.fixture
def served(tmp_path, monkeypatch):
    import uvicorn

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: seen.update(
        app=app, host=host, **kw))
    monkeypatch.setenv("EDUQUALITY_SECRET", "s")
    return str(tmp_path / "w.duckdb"), seen


@pytest.mark.slow
def test_web_refuses_plain_http_off_loopback(served):
    db, seen = served
    result = CliRunner().invoke(main, ["--db", db, "--lang", "en", "web", "--host", "0.0.0.0"])
    assert result.exit_code != 0 and "--behind-proxy" in result.output and not seen


def test_web_behind_proxy_trusts_the_proxy_only(served):
    db, seen = served
    result = CliRunner().invoke(main, ["--db", db, "web", "--host", "0.0.0.0",
                                       "--behind-proxy", "--proxy-address", "10.0.0.5"])
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "10.0.0.5"
    assert seen["app"].state.hsts and seen["app"].state.cookie_secure
    assert seen["ssl_certfile"] is None


@pytest.mark.slow
def test_web_serves_tls_with_its_own_certificate(served, tmp_path):
    db, seen = served
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("y")
    result = CliRunner().invoke(main, ["--db", db, "web", "--host", "0.0.0.0",
                                       "--certfile", str(cert), "--keyfile", str(key)])
    assert result.exit_code == 0, result.output
    assert seen["ssl_certfile"] == str(cert) and seen["ssl_keyfile"] == str(key)
    assert seen["proxy_headers"] is False and seen["app"].state.hsts
    assert "https://" in result.output
    half = CliRunner().invoke(main, ["--db", db, "web", "--certfile", str(cert)])
    assert half.exit_code == 2


@pytest.mark.slow
def test_loopback_stays_plain_http(served):
    db, seen = served
    result = CliRunner().invoke(main, ["--db", db, "web"])
    assert result.exit_code == 0, result.output
    assert not seen["app"].state.hsts and not seen["app"].state.cookie_secure
    assert seen["proxy_headers"] is False


def test_every_answer_carries_the_headers_and_the_chosen_language():
    """The headers middleware (app._Headers): security headers on pages, errors and static
    files; no-store everywhere but /static; ?lang= sets the cookie the next request follows;
    HSTS and Secure cookies over HTTPS."""
    db = open_database(":memory:")
    c = TestClient(create_app(db, Settings(), secret="s"))
    for r in (c.get("/login"), c.get("/no-such-page"), c.get("/static/style.css")):
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["content-security-policy"].startswith("default-src 'self'")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
    assert c.get("/login").headers["cache-control"] == "no-store"
    assert c.get("/static/style.css").headers.get("cache-control") != "no-store"
    assert "set-cookie" not in c.get("/login").headers
    chosen = c.get("/login", params={"lang": "en"})
    cookie = chosen.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert '<html lang="en">' in c.get("/login").text       # the cookie, no ?lang= any more
    https = TestClient(create_app(db, Settings(), secret="s", hsts=True, cookie_secure=True))
    assert "; secure" in https.get("/login", params={"lang": "en"}).headers["set-cookie"].lower()
