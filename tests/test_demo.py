"""The demo end to end at a small size: simulate → import every file → analyse → reports → users.
Re-importing the same files changes nothing."""

from __future__ import annotations

import pytest

from eduquality.analysis.demo import import_manifest, run_demo
from eduquality.config import Settings
from eduquality.simulate import Manifest
from eduquality.store import open_database

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return run_demo(out, Settings(), students=600, seed=7, formats=("html", "xlsx"))


def test_every_file_imported_once(demo):
    manifest = Manifest.read(demo.out_dir / "files")
    db = open_database(demo.db_path)
    log = db.sql("SELECT outcome, count(*) AS n FROM import_log GROUP BY outcome")
    assert log.set_index("outcome").n.to_dict() == {"imported": len(manifest.files)}
    assert db.scalar("SELECT count(DISTINCT exam_id) FROM exam") == manifest.counts["exams"]
    assert db.scalar("SELECT count(*) FROM school") == manifest.counts["schools"]
    assert db.scalar("SELECT count(*) FROM cut_line") > 0
    before = db.table_counts()
    import_manifest(db, manifest, lambda zh, en: None)
    after = db.table_counts()
    assert {k: v for k, v in after.items() if k != "import_log"} == {
        k: v for k, v in before.items() if k != "import_log"}
    assert db.scalar("SELECT count(*) FROM import_log WHERE outcome = 'unchanged'") == len(
        manifest.files)


def test_reports_users_and_showcase(demo):
    assert demo.exam_id.endswith("-MON")
    names = {p.name for p in demo.reports}
    assert any(n.startswith("district-") and n.endswith(".html") for n in names)
    assert any(n.endswith(".xlsx") for n in names)
    assert all(p.is_file() and p.stat().st_size > 0 for p in demo.reports)
    assert {r for _, r in demo.users} == {"admin", "researcher", "leader", "principal",
                                          "teacher", "parent"}
    html = next(p for p in demo.reports if p.name.startswith("district-") and p.suffix == ".html")
    text = html.read_text(encoding="utf-8")
    assert "内部资料" in text and "http://" not in text and "https://" not in text
