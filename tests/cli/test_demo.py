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
    # the showcase exam's papers are IRT-calibrated and its students have scale scores
    assert db.scalar("SELECT count(*) FROM item_parameter") > 0
    assert db.scalar("SELECT count(*) FROM scale_score") > 0
    before = db.table_counts()
    import_manifest(db, manifest, lambda key, **params: None)
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


def test_online_analysis_of_the_gaokao_and_a_mock(demo):
    from eduquality.analysis.exam import analyse_exam
    from eduquality.analysis.scaling import counted_scores

    db = open_database(demo.db_path)
    old = analyse_exam(db, "2024-G12-GK", Settings())  # the last 文科/理科 高考
    assert set(old.lines.line) == {"一本", "二本"}
    assert set(old.lines.track) == {"arts", "science"}
    gk = db.scalar("SELECT max(exam_id) FROM exam WHERE exam_type = 'gaokao'")
    assert gk == "2026-G12-GK"  # the demo reaches the present: 3+1+2, 物理类/历史类
    a = analyse_exam(db, gk, Settings())
    assert set(a.lines.source) == {"official"}
    assert set(a.lines.line) == {"特控线", "本科批", "专科批"}  # 特殊类型招生控制线, by its code
    assert set(a.lines.track) == {"physics", "history"}
    # the coefficient method by hand for one track, line and subject
    track, line, t0 = a.lines.sort_values(["track", "line"]).iloc[0][["track", "line", "score"]]
    st = a.students.assign(score=counted_scores(a.students))  # 赋分 and the 750 total count
    tot = st[(st.subject_code == "total") & (st.track == track)].set_index("student_id").score
    top = tot[tot >= t0].index
    p1 = tot[top].mean()
    sl = a.subject_lines[(a.subject_lines.track == track) & (a.subject_lines.line == line)]
    row = sl.iloc[0]
    subj = st[(st.subject_code == row.subject_code) & st.student_id.isin(top)].score
    assert row.subject_line == pytest.approx(t0 / p1 * subj.mean())
    d = a.online[(a.online.level == "district") & (a.online.track == track)
                 & (a.online.line == line) & (a.online.subject == row.subject_code)].iloc[0]
    assert d.n_total_on == subj.notna().sum()  # counted over the subject's own takers
    assert 0 <= d.hit_rate <= 1 and 0 <= d.contribution_rate <= 1
    mock = db.scalar("SELECT max(exam_id) FROM exam WHERE exam_type = 'diag3'")
    assert mock == "2026-G12-D3"
    m = analyse_exam(db, mock, Settings())  # 2025's lines carried into the 2026 三诊 by 位次法
    assert set(m.lines.source) == {"rank_method"} and not m.online.empty
    assert set(m.lines.track) == {"physics", "history"}
