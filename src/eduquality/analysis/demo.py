"""Use case: the demo district end to end.

Simulates a Wuhua-like district (:mod:`eduquality.simulate`), imports every file it wrote
through the same importers a user runs (:mod:`eduquality.ingest`), analyses a monitoring exam
(:mod:`analysis.exam`), writes the reports (:mod:`eduquality.reports`) and creates demo accounts
for the web platform. Writes the output folder and its database.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eduquality.analysis.calibration import calibrate_exam
from eduquality.analysis.exports import operator
from eduquality.analysis.stored import stored_analysis
from eduquality.config import Settings
from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.ingest import import_paper, import_roster, import_scores
from eduquality.ingest.attendance import import_attendance
from eduquality.ingest.children import import_children
from eduquality.ingest.lines import import_lines
from eduquality.ingest.planfile import load_plan
from eduquality.ingest.proficiency import import_proficiency
from eduquality.ingest.programmes import import_programmes
from eduquality.ingest.stats import import_stats
from eduquality.reports import write_report_set
from eduquality.simulate import simulate_district
from eduquality.simulate.manifest import Manifest, ManifestEntry
from eduquality.simulate.stats import plan_binding
from eduquality.store import Database, open_database
from eduquality.store.credentials import password_hashes
from eduquality.store.exams import busiest_exam_with_items, latest_exam_id
from eduquality.store.imports import importers_other_than
from eduquality.store.passwords import verify_password
from eduquality.store.plan_data import school_attributes
from eduquality.store.refs import keys
from eduquality.store.rosters import first_placement
from eduquality.store.settings import change_settings, effective_settings
from eduquality.store.users import add_user, grant_year

Say = Callable[..., None]
"""Prints a progress line: ``say(key, **params)`` with a key of :data:`MESSAGES`, shown in the
user's language by the caller (the CLI)."""

MESSAGES = register({
    "demo.simulate": ("1/4 生成模拟区县（虚构学校与成绩）…", "1/4 simulating the district (fictional schools)…"),
    "demo.progress": ("  {text}", "  {text}"),
    "demo.import": ("2/4 导入 {n} 个文件（与用户导入相同的导入器）…",
                    "2/4 importing {n} files (the same importers users run)…"),
    "demo.imported": ("  已导入 {i}/{n} 个文件", "  imported {i}/{n} files"),
    "demo.analyse": ("3/4 分析考试 {exam} …", "3/4 analysing exam {exam}…"),
    "demo.irt": ("  IRT 标定（2PL/等级反应模型）并计算学生量表分…",
                 "  IRT calibration (2PL/graded) and students' scale scores…"),
    "demo.reports": ("4/4 生成报告（通报、学校、班级、学生）…",
                     "4/4 writing reports (district, schools, class, student)…"),
    "demo.password_refused": (
        "拒绝启动：数据库中有非演示数据（导入人：{importers}），但账号 {accounts} 仍使用演示密码"
        "（源代码中公开）。请先为每个账号设置新密码：eduquality user passwd 用户名；"
        "或删除不需要的账号：eduquality user remove 用户名",
        "refusing to serve: the database holds imported, non-demo data (imported by "
        "{importers}) but the accounts {accounts} still have the demo password (published in "
        "the source). Give each a new password: eduquality user passwd USERNAME; or remove "
        "the accounts not needed: eduquality user remove USERNAME",
    ),
})

DEMO_IMPORTER = "demo"
"""The ``imported_by`` of every file the demo imports: any other importer means real data."""


@dataclass
class DemoResult:
    out_dir: Path
    db_path: Path
    exam_id: str
    reports: list[Path]
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    users: list[tuple[str, str]] = field(default_factory=list)


def _import_entry(db: Database, root: Path, entry: ManifestEntry) -> None:
    path = root / entry.path
    if entry.kind == "roster":
        import_roster(db, path, user=DEMO_IMPORTER)
    elif entry.kind == "paper":
        import_paper(db, path, user=DEMO_IMPORTER)
    elif entry.kind == "scores":
        assert entry.exam_id is not None
        import_scores(db, path, entry.exam_id,
                      subject=entry.subject if entry.level == "item" else None,
                      track=entry.track, user=DEMO_IMPORTER)
    elif entry.kind in ("cut_lines", "score_distribution"):
        import_lines(db, path, user=DEMO_IMPORTER)
    elif entry.kind == "stats":
        import_stats(db, path, user=DEMO_IMPORTER)
    elif entry.kind == "programmes":
        import_programmes(db, path, user=DEMO_IMPORTER)
    elif entry.kind == "attendance":
        import_attendance(db, path, year=entry.year, user=DEMO_IMPORTER)
    elif entry.kind == "children":
        assert entry.year is not None
        import_children(db, path, int(entry.year), user=DEMO_IMPORTER)
    elif entry.kind == "proficiency":
        import_proficiency(db, path, user=DEMO_IMPORTER)


def import_manifest(db: Database, manifest: Manifest, say: Say) -> int:
    """Import every file of a simulated district in manifest order; returns the file count."""
    files = manifest.files
    step = max(1, len(files) // 10)
    for i, entry in enumerate(files, 1):
        _import_entry(db, manifest.out_dir, entry)
        if i % step == 0 or i == len(files):
            say("demo.imported", i=i, n=len(files))
    return len(files)


DEMO_PASSWORD = "wuhua-demo-2019"
"""Password of the demo accounts (demo databases only; printed by `eduquality demo`)."""

DEMO_USERS = {"admin": "admin", "jiaoyan": "researcher", "juzhang": "leader",
              "xiaozhang": "principal", "laoshi": "teacher", "jiazhang": "parent"}
"""The demo's accounts, one per role: user name → role (:func:`create_demo_users`)."""


def create_demo_users(db: Database, exam_id: str) -> list[tuple[str, str]]:
    """One account per role, tied to the showcase exam's units: (username, role) pairs. Writes.

    The parent is tied to a student of the class the teacher teaches, so each role's scope is
    visible in the web platform; the teacher is granted every school year of the demo (its
    years are past, and a teacher sees the current year only without a grant)."""
    placement = first_placement(db, exam_id)
    if placement is None:
        raise IndexError(f"exam {exam_id} has no registration")
    school, class_id, student_id, teacher_id = (placement.school_code, placement.class_id,
                                                placement.student_id, placement.teacher_id)
    ties: dict[str, dict[str, Any]] = {
        "xiaozhang": {"school_code": school},
        "laoshi": ({"teacher_id": teacher_id} if isinstance(teacher_id, str)
                   else {"class_id": class_id}),
        "jiazhang": {"student": int(student_id)},
    }
    for username, role in DEMO_USERS.items():
        add_user(db, username, role, DEMO_PASSWORD, **ties.get(username, {}))
    for year in sorted(keys(db, "year")):
        grant_year(db, "laoshi", year, by=DEMO_IMPORTER)
    return list(DEMO_USERS.items())


def refuse_demo_password(db: Database) -> None:
    """Raise EduQualityError when the database holds imported data not made by the demo
    (``import_log.imported_by`` other than :data:`DEMO_IMPORTER`) while a demo account still
    has :data:`DEMO_PASSWORD`: a real district must not run on a password printed in the
    source. A demo database passes."""
    importers = importers_other_than(db, DEMO_IMPORTER)
    if not importers:
        return
    hashes = password_hashes(db, list(DEMO_USERS))
    weak = [name for name, stored in hashes if verify_password(DEMO_PASSWORD, stored)]
    if weak:
        raise EduQualityError(tr("demo.password_refused", db.lang, accounts=", ".join(weak),
                                 importers=", ".join(importers[:3])))


def write_demo_plan(db: Database, out: Path, settings: Settings | None = None) -> Path:
    """``out/plan.yaml``: the Wuhua plan bound to the demo's fictional schools (checked by
    loading it), and made the plan the database tracks: the setting ``plan.file`` (its
    absolute path) stored in the database as an administrator's change is, audited
    (:func:`eduquality.store.settings.change_settings`, by the operator running the demo), so
    that ``eduquality --db …/district.duckdb web`` and ``plan status``, ``assess``, ``report
    annual`` on that database show the demo's plan and goals. Writes the file and the setting."""
    path = out / "plan.yaml"
    path.write_text(plan_binding(school_attributes(db)), encoding="utf-8")
    load_plan(path)
    current = effective_settings(db, settings or Settings())
    change_settings(db, current, {"plan.file": str(path.resolve())}, operator(db))
    return path


def showcase_exam(db: Database) -> str:
    """The exam the demo reports on: the latest district monitoring exam with item scores that
    involves the most schools (ties: the higher grade)."""
    found = busiest_exam_with_items(db, "monitoring") or latest_exam_id(db)
    if found is None:
        raise IndexError("the demo database holds no exam")
    return found


def run_demo(out_dir: str | Path, settings: Settings, students: int = 12_000, seed: int = 2019,
             profile: str = "demo", formats: tuple[str, ...] = ("pdf", "xlsx", "html"),
             say: Say | None = None) -> DemoResult:
    """Build, import, analyse and report the demo district under ``out_dir``. Writes."""
    speak: Say = say or (lambda key, **params: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    speak("demo.simulate")
    manifest = simulate_district(out / "files", students=students, seed=seed, profile=profile,
                                 progress=lambda msg: speak("demo.progress", text=msg),
                                 lang=settings.lang)
    timings["simulate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    db_path = out / "district.duckdb"
    for p in (db_path, db_path.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    db = open_database(db_path, lang=settings.lang)
    speak("demo.import", n=len(manifest.files))
    n_files = import_manifest(db, manifest, speak)
    write_demo_plan(db, out, settings)
    timings["import"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    exam_id = showcase_exam(db)
    speak("demo.analyse", exam=exam_id)
    analysis = stored_analysis(db, exam_id, settings)  # kept for the web platform's pages
    speak("demo.irt")
    calibrate_exam(db, exam_id)
    timings["analyse"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    speak("demo.reports")
    reports_dir = out / "reports"
    if reports_dir.exists():
        shutil.rmtree(reports_dir)
    reports = write_report_set(analysis, reports_dir, lang=settings.lang, formats=formats,
                               settings=settings, db=db)
    timings["reports"] = time.perf_counter() - t0
    users = create_demo_users(db, exam_id)
    counts = {k: v for k, v in db.table_counts().items() if v}
    counts["files_imported"] = n_files
    db.close()
    return DemoResult(out, db_path, exam_id, reports, timings, counts, users)
