"""A smoke check of the web platform over a database: start it on a free loopback port, sign in,
open an exam page, stop. Used by ``eduquality demo`` so the main job proves the web app works."""

from __future__ import annotations

import http.cookiejar
import socket
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from eduquality.config import Settings


@dataclass
class SmokeResult:
    url: str
    login_status: int
    page_status: int
    seconds: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smoke_check(settings: Settings, username: str, password: str, exam_id: str,
                timeout: float = 120.0) -> SmokeResult:
    """Serve ``settings.db`` on 127.0.0.1, sign in as ``username`` and GET the exam page."""
    import uvicorn

    from eduquality.web.app import create_app

    started = time.perf_counter()
    port = _free_port()
    app = create_app(settings.db, settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form = urllib.parse.urlencode({"username": username, "password": password,
                                       "next": "/"}).encode()
        with opener.open(f"{base}/login", data=form, timeout=timeout) as r:
            login_status = r.status
        url = f"{base}/exams/{urllib.parse.quote(exam_id)}"
        with opener.open(url, timeout=timeout) as r:
            page_status = r.status
            body = r.read().decode("utf-8", "replace")
        if exam_id not in body and "exam" not in body.lower():
            page_status = 0
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.readers.close()
        app.state.db.close()
    return SmokeResult(url, login_status, page_status, time.perf_counter() - started)
