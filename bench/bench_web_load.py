"""Benchmark: many users at once on the web platform, and a sign-in flood beside them.

What a bureau's users feel: the whole server (``eduquality web`` in its own process, uvicorn on
loopback), a demo district with its analyses stored (what imports do after their commit), and
``--users`` signed-in users (default 20, the demo's accounts in turn) each requesting, one after
the other with no pause, the exam and school pages they may see:

1. **browse**: the users alone for ``--seconds``; latency p50/p95/p99 of every request, requests
   a second, errors (any answer but 200). Goal (issues 11 §5 and 12): p95 ≤ 300 ms, no error.
2. **flood**: the same users while an attacker posts wrong passwords at ``--flood-rate`` a second
   (default 50) for names it guesses, from the same loopback address, open loop (a new try on
   time whether or not the earlier ones were answered) and from a process of its own. Goal: the
   other users' p95 < 1 s, no error; the attacker is slowed (the throttle's growing delays: its
   tries are refused with 429 unchecked), never served.
Between the two, the four accounts in turn request the same pages **one at a time** for half
of ``--seconds``: with no queue, each answer's time is the server's own time for a page (plus
loopback), the steadier figure on a shared machine (no goal).

3. with ``--store postgresql --import-students N`` (issue 10 §1): the district is copied into a
   throw-away PostgreSQL cluster (``tests/pgcluster.py``: loopback, fsync off), a roster of N
   more students and their paper are imported first, and the users browse while
   ``eduquality import scores`` writes those N students' 25 item scores (``bench_import.py``'s
   file) from another process. Goal: no error, p95 ≤ 300 ms. (On DuckDB the running platform
   holds the file: imports go through its upload page instead.)

Usage: ``PYTHONPATH=src python bench/bench_web_load.py --db out/demo/district.duckdb
[--store postgresql --import-students 200000]`` (a database written by ``eduquality demo``;
the bench works on a copy). Results: ``bench/results/web_load.md`` (DuckDB) or
``web_load_postgresql.md``, with their goals files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tests.pgcluster

import httpx

from common import Goal, machine_line, write_goals, write_result
from eduquality.analysis.demo import DEMO_PASSWORD, DEMO_USERS

ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
CLI = [sys.executable, "-m", "eduquality.cli"]

BROWSERS = ("jiaoyan", "juzhang", "admin", "xiaozhang")
"""The demo accounts whose pages are exam and school pages (teachers and parents see a class or
one child, a different load)."""


@dataclass
class Tally:
    """Latencies (seconds) and error answers of one phase, shared by the users' threads."""

    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.times.append(seconds)
            if error:
                self.errors.append(error)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pages_of(db_path: Path) -> tuple[list[str], list[str], list[str]]:
    """The bureau's and the principal's paths (the pages of the newest exams that the demo
    principal's school sat, and their school pages) and those exams."""
    from eduquality.store import open_database

    db = open_database(db_path)  # the bench's copy: brought to this release's schema
    try:
        own = db.scalar("SELECT school_code FROM app_user WHERE username = 'xiaozhang'")
        exams = db.sql("SELECT e.exam_id FROM exam e WHERE EXISTS (SELECT 1 FROM "
                       "exam_registration g WHERE g.exam_id = e.exam_id AND g.school_code = ?)"
                       " ORDER BY e.exam_date DESC, e.exam_id LIMIT 4", [own])
        schools = db.sql("SELECT DISTINCT school_code FROM exam_registration "
                         "WHERE exam_id = ? ORDER BY school_code LIMIT 6",
                         [exams["exam_id"].iloc[0]])
    finally:
        db.close()
    bureau = [f"/exams/{e}" for e in exams["exam_id"]]
    bureau += [f"/exams/{exams['exam_id'].iloc[0]}/schools/{s}" for s in schools["school_code"]]
    principal = [f"/exams/{e}/schools/{own}" for e in exams["exam_id"]]
    return bureau, principal, list(exams["exam_id"])


def sign_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
    r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    if r.status_code != 303:
        raise SystemExit(f"sign-in of {username} failed: {r.status_code}")
    return client


def browse(client: httpx.Client, paths: list[str], stop: threading.Event, tally: Tally,
           offset: int) -> None:
    i = offset
    while not stop.is_set():
        path = paths[i % len(paths)]
        i += 1
        t0 = time.perf_counter()
        try:
            r = client.get(path)
            error = None if r.status_code == 200 else f"{path}: {r.status_code}"
        except httpx.HTTPError as exc:
            error = f"{path}: {type(exc).__name__}"
        tally.add(time.perf_counter() - t0, error)


def one_at_a_time(clients: list[httpx.Client], paths: tuple[list[str], list[str]],
                  seconds: float) -> tuple[Tally, float]:
    """The first four users (the four accounts) in turn, one request at a time, for ``seconds``:
    each answer's time is then the server's own time for a page (plus loopback), without the
    queue that ``--users`` at once build — the steadier figure on a busy machine."""
    bureau, principal = paths
    tally, k = Tally(), 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        i = k % min(len(clients), len(BROWSERS))
        mine = principal if BROWSERS[i] == "xiaozhang" else bureau
        path = mine[(k // len(BROWSERS)) % len(mine)]
        k += 1
        t1 = time.perf_counter()
        r = clients[i].get(path)
        tally.add(time.perf_counter() - t1, None if r.status_code == 200
                  else f"{path}: {r.status_code}")
    return tally, time.perf_counter() - t0


async def attack(base: str, rate: float, seconds: float) -> dict[str, Any]:
    """Wrong passwords posted at ``rate`` a second for ``seconds``, open loop: a new try every
    1/``rate`` s whether or not the earlier ones were answered (an attacker does not wait),
    for names it guesses. What was sent, and the answers by status (-1: no answer)."""
    import asyncio
    from collections import Counter

    names = [*DEMO_USERS, "root", "test", "teacher01", "zhangsan"]
    answers: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=base, follow_redirects=False, timeout=60,
                                 limits=limits) as client:
        async def one(i: int) -> None:
            try:
                r = await client.post("/login", data={"username": names[i % len(names)],
                                                      "password": f"guess-{i}"})
                answers[r.status_code] += 1
            except httpx.HTTPError:
                answers[-1] += 1

        loop = asyncio.get_running_loop()
        start, sent, tasks = loop.time(), 0, []
        while loop.time() - start < seconds:
            due = start + sent / rate
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            tasks.append(asyncio.create_task(one(sent)))
            sent += 1
        await asyncio.gather(*tasks)
    return {"sent": sent, "seconds": seconds, "answers": dict(answers)}


def flood(base: str, rate: float, seconds: float) -> subprocess.Popen[str]:
    """:func:`attack` in a process of its own (the attacker is another machine: it must not
    take the users' client's interpreter lock); its JSON comes on stdout."""
    return subprocess.Popen([sys.executable, __file__, "--attack", base, str(rate), str(seconds)],
                            env=ENV, stdout=subprocess.PIPE, text=True)


def phase(base: str, clients: list[httpx.Client], seconds: float,
          paths: tuple[list[str], list[str]], flood_rate: float | None,
          alongside: list[str] | None = None) -> tuple[Tally, float, dict[str, Any]]:
    """The signed-in ``clients`` (user i: ``BROWSERS[i % 4]``) browsing for ``seconds`` (with
    ``alongside``: for as long as that command runs, at least ``seconds``; its exit status is
    info["exit"], its seconds info["command_s"]; with ``flood_rate``: :func:`flood` beside
    them, its report info["attack"]). The users sign in once, before the first phase: after
    the flood the throttle rightly slows every sign-in from the loopback address."""
    bureau, principal = paths
    tally, stop, info = Tally(), threading.Event(), {}
    threads = [threading.Thread(target=browse, args=(
        c, principal if BROWSERS[i % len(BROWSERS)] == "xiaozhang" else bureau, stop, tally, i))
        for i, c in enumerate(clients)]
    attacker = flood(base, flood_rate, seconds) if flood_rate else None
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    if alongside:
        job = subprocess.run(alongside, env=ENV, capture_output=True, text=True)
        info["command_s"] = round(time.perf_counter() - t0)
        info["exit"] = job.returncode
        if job.returncode:
            print(job.stdout[-2000:], job.stderr[-2000:], file=sys.stderr)
    time.sleep(max(0.0, seconds - (time.perf_counter() - t0)))
    if attacker is not None:
        out, _ = attacker.communicate(timeout=seconds + 120)
        info["attack"] = json.loads(out)
    stop.set()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return tally, wall, info


def to_postgres(path: Path) -> tuple[str, Any]:
    """The DuckDB district copied into a new throw-away PostgreSQL cluster: (URL, cluster)."""
    from tests.pgcluster import start_cluster

    from eduquality.store import open_database
    from eduquality.store.transfer import copy_database

    cluster = start_cluster()
    url = cluster.create_database("district")
    src, dst = open_database(path, read_only=True), open_database(url)
    try:
        copy_database(src, dst)
    finally:
        src.close()
        dst.close()
    return url, cluster


def prepare_import(target: str, tmp: Path, n: int) -> list[str] | None:
    """With ``n``: a roster of ``n`` students (their own schools) and an exam paper imported
    into ``target`` now, and the command that imports their item scores (run while the users
    browse)."""
    if not n:
        return None
    import numpy as np
    import pandas as pd

    from bench_import import make_roster, score_frames, write_paper, write_roster
    from eduquality.analysis.demo import DEMO_IMPORTER
    from eduquality.ingest import import_paper, import_roster
    from eduquality.store import open_database

    rng = np.random.default_rng(2021)
    students = make_roster(n, rng)
    db = open_database(target)
    try:
        district = db.scalar("SELECT min(district_code) FROM district")
        for file in write_roster(tmp, students):
            if file.name == "district.csv":
                continue  # the new schools join the demo's district
            if file.name == "schools.csv":
                pd.read_csv(file).assign(区县代码=district).to_csv(file, index=False)
            import_roster(db, file, user=DEMO_IMPORTER)
        import_paper(db, write_paper(tmp), user=DEMO_IMPORTER)
        items, _totals = score_frames(students, rng)
        export = tmp / "xueji.csv"   # the 学籍 export registering every 考号 for B1
        students.drop(columns=["学年"]).assign(考号=items["考号"]).to_csv(export, index=False)
        import_roster(db, export, year="2021-2022", exam="B1", user=DEMO_IMPORTER)
    finally:
        db.close()
    scores = tmp / "items.csv"
    items.to_csv(scores, index=False)
    return [*CLI, "--db", target, "import", "scores", str(scores), "--exam", "B1",
            "--subject", "数学", "--user", DEMO_IMPORTER]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True, help="a demo district database (copied, not changed)")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--flood-rate", type=float, default=50)
    ap.add_argument("--store", choices=["duckdb", "postgresql"], default="duckdb")
    ap.add_argument("--import-students", type=int, default=0,
                    help="with --store postgresql: browse while N students' scores import")
    args = ap.parse_args()
    if args.import_students and args.store != "postgresql":
        ap.error("--import-students needs --store postgresql (DuckDB: one writer, the platform)")
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "district.duckdb"
        shutil.copy(args.db, path)
        from eduquality.analysis.stored import refresh_analyses
        from eduquality.config import Settings
        from eduquality.store import open_database
        from eduquality.store.settings import effective_settings

        bureau, principal, exams = pages_of(path)
        paths = (bureau, principal)
        db = open_database(path)
        refresh_analyses(db, effective_settings(db, Settings()), exams)
        n_students = db.scalar("SELECT count(*) FROM student")
        db.close()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        target, cluster = str(path), None
        if args.store == "postgresql":
            target, cluster = to_postgres(path)
        importing = prepare_import(target, Path(tmp), args.import_students)
        server = subprocess.Popen([*CLI, "--db", target, "web", "--port", str(port)], env=ENV,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/login", timeout=2)
                    break
                except httpx.HTTPError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(server.stderr.read().decode() if server.stderr
                                         else "the server did not start") from None
                    time.sleep(0.2)
            clients = [sign_in(base, BROWSERS[i % len(BROWSERS)]) for i in range(args.users)]
            phase(base, clients, 5, paths, None)   # first views, not counted
            quiet, quiet_s, _a = phase(base, clients, args.seconds, paths, None)
            alone, alone_s = one_at_a_time(clients, paths, args.seconds / 2)
            loud, loud_s, flooded = phase(base, clients, args.seconds, paths, args.flood_rate)
            busy = None
            if importing:
                busy = phase(base, clients, args.seconds, paths, None, importing)
            for c in clients:
                c.close()
        finally:
            server.terminate()
            server.wait(20)
            if cluster is not None:
                cluster.stop()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())

    def row(name: str, t: Tally, wall: float, goal: str, met: bool) -> str:
        return (f"| {name} | {len(t.times):,} | {len(t.times) / wall:.1f} | "
                f"{t.quantile(0.5) * 1000:.0f} | {t.quantile(0.95) * 1000:.0f} | "
                f"{t.quantile(0.99) * 1000:.0f} | {len(t.errors)} | {goal} | "
                f"{'yes' if met else 'no'} |")

    attack = flooded["attack"]
    sent, answers = attack["sent"], {int(k): v for k, v in attack["answers"].items()}
    lines = [
        f"### {args.users} users at once on the web platform, and a sign-in flood "
        f"(`bench/bench_web_load.py`)",
        "",
        machine_line() + f" Load average (1, 5, 15 min) at the end: {load}.",
        "",
        f"`eduquality web` on {args.store} in its own process on loopback; the demo district "
        f"({n_students:,} students), the analyses of its 4 newest exams stored; {args.users} "
        "signed-in users (researcher, leader, admin, principal in turn) each requesting those "
        f"exams' pages and their schools' pages back to back for {args.seconds:.0f} s after a "
        "5 s warm-up.",
        "",
        "| phase | requests | per second | p50 ms | p95 ms | p99 ms | errors | goal | met |",
        "|---|---|---|---|---|---|---|---|---|",
        row("browse", quiet, quiet_s, "p95 ≤ 300 ms, 0 errors",
            quiet.quantile(0.95) <= 0.3 and not quiet.errors),
        row(f"browse during a flood of {args.flood_rate:.0f} bad sign-ins/s", loud, loud_s,
            "p95 < 1 s, 0 errors", loud.quantile(0.95) < 1 and not loud.errors),
        row("one request at a time (the 4 accounts in turn: the server's own time a page)",
            alone, alone_s, "none (for reading the others)", not alone.errors),
        "",
        f"The flood, from a process of its own, sent {sent:,} wrong sign-ins in "
        f"{attack['seconds']:.0f} s ({sent / attack['seconds']:.1f}/s; open loop: a new try "
        f"every 1/{args.flood_rate:.0f} s whether or not the earlier ones were answered); "
        "answers by status (-1: none): "
        + ", ".join(f"{k}: {v:,}" for k, v in sorted(answers.items())) + ".",
    ]
    if busy is not None:
        tally, wall, done = busy
        lines[10:10] = [row(f"browse during the import of {args.import_students:,} students' "
                            f"item scores ({done['command_s']} s, exit status {done['exit']})",
                            tally, wall,
                            "p95 ≤ 300 ms, 0 errors",
                            tally.quantile(0.95) <= 0.3 and not tally.errors and not done['exit'])]
        loud.errors += tally.errors
    if quiet.errors or loud.errors or alone.errors:
        lines.append("")
        lines.append("First errors: " + "; ".join((quiet.errors + loud.errors
                                                    + alone.errors)[:5]))
    topic = "web_load" if args.store == "duckdb" else f"web_load_{args.store}"
    write_result(topic, "\n".join(lines))
    goals = [
        Goal(f"{args.users} users browsing the demo district ({args.store}), p95",
             quiet.quantile(0.95) * 1000, "ms", "≤ 300 ms, 0 errors",
             quiet.quantile(0.95) <= 0.3 and not quiet.errors),
        Goal(f"the same during {args.flood_rate:.0f} bad sign-ins/s ({args.store}), p95",
             loud.quantile(0.95) * 1000, "ms", "< 1 s, 0 errors",
             loud.quantile(0.95) < 1 and not loud.errors)]
    if busy is not None:
        tally, _wall, done = busy
        goals.append(Goal(
            f"the same during the import of {args.import_students:,} students' item scores "
            f"({args.store}), p95", tally.quantile(0.95) * 1000, "ms", "≤ 300 ms, 0 errors",
            tally.quantile(0.95) <= 0.3 and not tally.errors and not done['exit']))
    write_goals(topic, goals)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--attack"]:   # the flood's own process (:func:`flood`)
        import asyncio

        url, per_second, duration = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
        print(json.dumps(asyncio.run(attack(url, per_second, duration))))
    else:
        main()
