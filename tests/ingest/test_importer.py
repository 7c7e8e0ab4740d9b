"""The importer's entry points: an import limited to some schools (``only_schools``, a school's own
upload: every row must belong to them; district-wide data is refused; the check is a problem of
the file like any other, all or nothing), and an import's result carries no language (its notes
are message keys with their parameters, rendered in the reader's language where shown). On
PostgreSQL, real imports take turns: into one exam the later one says it waits and makes its plan
again after the wait, into two exams they proceed side by side (issue 10 §1)."""

from __future__ import annotations

import threading
import time

import pandas as pd
import psycopg
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.ingest import (
    ImportProblems,
    check_file,
    import_paper,
    import_roster,
    import_scores,
)
from eduquality.ingest.problems import Phrase
from eduquality.store import open_database
from eduquality.store.imports import exam_lock
from tests.ingest.conftest import (
    EXAM,
    ITEMS,
    STUDENTS,
    assert_unchanged,
    roster_sheets,
    snapshot,
    until,
    write_rows,
    write_xlsx,
)

S1 = frozenset({"S1"})


@pytest.fixture()
def db(tmp_path):
    d = open_database(":memory:")
    sheets = roster_sheets()
    sheets["学生"] = STUDENTS[STUDENTS["学校代码"] == "S1"]  # S2 has a class, no students yet
    import_roster(d, write_xlsx(tmp_path / "base.xlsx", sheets))
    yield d
    d.close()


def _reasons(problems) -> list[str]:
    return [p.reason for p in problems]


def test_own_school_rows_import(db, tmp_path):
    new = pd.DataFrame({"学籍号": ["G101"], "姓名": ["周九"], "性别": ["男"], "学校代码": ["S1"],
                        "学年": ["2021-2022"], "年级": [9], "班级": ["2班"]})
    path = write_xlsx(tmp_path / "s1.xlsx", {"学生": new})
    assert check_file(db, path, only_schools=S1).problems == []
    import_roster(db, path, only_schools=S1)
    assert db.scalar("SELECT name FROM student WHERE national_id = 'G101'") == "周九"


def test_another_schools_rows_are_a_problem_and_nothing_is_written(db, tmp_path):
    rows = STUDENTS[STUDENTS["学校代码"] == "S2"]
    path = write_xlsx(tmp_path / "s2.xlsx", {"学生": rows})
    checked = check_file(db, path, only_schools=S1, lang="en")
    assert _reasons(checked.problems) == ["ingest.other_schools"]
    assert checked.problems[0].message("en") == (
        "this file holds data of other schools (S2): you may import your own school's (S1) "
        "only")
    before = snapshot(db)
    with pytest.raises(ImportProblems):
        import_roster(db, path, only_schools=S1)
    assert_unchanged(db, before)
    import_roster(db, path)                                     # the district may
    assert db.scalar("SELECT count(*) FROM student WHERE national_id IN "
                     "('G004', 'G005', 'G006')") == 3


def test_district_wide_roster_kinds_are_refused(db, tmp_path):
    sheets = roster_sheets()
    path = write_xlsx(tmp_path / "all.xlsx", {"学校": sheets["学校"], "学年": sheets["学年"]})
    checked = check_file(db, path, only_schools=S1, lang="en")
    assert _reasons(checked.problems) == ["ingest.district_data"]
    assert "(school, school_year)" in checked.problems[0].message("en")


def test_a_paper_is_the_districts(db, tmp_path):
    exam = pd.DataFrame({"考试代码": ["E9"], "考试名称": ["期中"], "考试类型": ["期中"],
                         "学年": ["2021-2022"], "学期": [1], "年级": [9]})
    path = write_xlsx(tmp_path / "paper.xlsx", {"考试信息": exam, "试卷结构": ITEMS})
    before = snapshot(db)
    with pytest.raises(ImportProblems) as err:
        import_paper(db, path, only_schools=S1, lang="en")
    assert _reasons(err.value.problems)[-1] == "ingest.district_data"
    assert_unchanged(db, before)


def test_another_schools_people_are_not_rewritten(db, tmp_path):
    teachers = pd.DataFrame({"工号": ["T2"], "姓名": ["乙校老师"], "学校代码": ["S2"],
                             "任教学科": ["数学"]})
    import_roster(db, write_xlsx(tmp_path / "t.xlsx", {"教师": teachers}))
    moved = teachers.assign(学校代码="S1", 姓名="改名")       # the same teacher, claimed by S1
    checked = check_file(db, write_xlsx(tmp_path / "m.xlsx", {"教师": moved}), only_schools=S1)
    assert _reasons(checked.problems) == ["ingest.other_schools"]
    # a student of S1 (G001) may be updated by S1; one now in S2 may not
    import_roster(db, write_xlsx(tmp_path / "s2.xlsx", {
        "学生": STUDENTS[STUDENTS["学校代码"] == "S2"]}))
    mine = STUDENTS.head(1).assign(姓名="张三丰")
    assert check_file(db, write_xlsx(tmp_path / "a.xlsx", {"学生": mine}),
                      only_schools=S1).problems == []
    theirs = STUDENTS[STUDENTS["学籍号"] == "G004"].assign(学校代码="S1")
    checked = check_file(db, write_xlsx(tmp_path / "b.xlsx", {"学生": theirs}),
                         only_schools=S1, lang="en")
    assert checked.problems[0].message("en").startswith("this file holds data of other "
                                                        "schools (S2)")


SCHOOLS = {name: roster_sheets()[name] for name in ("区县", "学校")}  # S1, S2
STUDENT_ROWS = [["学籍号", "姓名", "性别", "学校代码", "年级", "班级", "联系电话", "备注"],
            ["G1", "甲", "男", "S1", 7, "1班", "13800000001", None],
            ["G2", "乙", "女", "S2", 7, "1班", None, "转学生"]]

ZH = ["文件中没有「学年」列的工作表按 2021-2022 学年导入（--year 指定）",
      "学年 2021-2022 此前不存在，已按默认日期 2021-09-01 至 2022-08-31 创建",
      "按学生名单新建班级 2 个（S1、S2 此前没有该学年的班级名单）",
      "工作表「Sheet1」中已忽略的列（不导入）：联系电话、备注"]
EN = ["sheets without a 学年 column were imported for school year 2021-2022 (given with --year)",
      "school year 2021-2022 did not exist; created with the default dates 2021-09-01 to "
      "2022-08-31",
      "2 classes created from the students' rows (S1, S2 had no class list for the year)",
      "sheet 'Sheet1': columns ignored (not imported): 联系电话, 备注"]


def test_notes_are_message_keys_rendered_in_zh_and_en(tmp_path):
    db = open_database(":memory:")
    import_roster(db, write_xlsx(tmp_path / "学校.xlsx", SCHOOLS))
    # imported in English: the notes still carry no language
    result = import_roster(db, write_rows(tmp_path / "学生.xlsx", STUDENT_ROWS), year="2021-2022",
                           lang="en")
    db.close()
    assert all(isinstance(n, Phrase) for n in result.notes)
    assert [n.key for n in result.notes] == ["ingest.note_year", "ingest.note_year_created",
                                             "ingest.note_classes_created", "ingest.note_ignored"]
    assert result.note_lines("zh") == ZH
    assert result.note_lines("en") == EN


@pytest.mark.slow
def test_the_cli_shows_the_notes_in_the_users_language(tmp_path):
    runner = CliRunner()
    schools = write_xlsx(tmp_path / "学校.xlsx", SCHOOLS)
    students = write_rows(tmp_path / "学生.xlsx", STUDENT_ROWS)
    for lang, lines in (("en", EN), ("zh", ZH)):
        db = ["--db", str(tmp_path / f"{lang}.duckdb"), "--lang", lang, "import", "roster"]
        assert runner.invoke(main, [*db, str(schools)]).exit_code == 0
        shown = runner.invoke(main, [*db, str(students), "--year", "2021-2022"])
        assert shown.exit_code == 0, shown.output
        assert all(f"  {line}" in shown.output for line in lines), shown.output


# -- imports side by side on PostgreSQL ------------------------------------------------------

MATHS = [["考号", "学籍号", "姓名", "学校", "班级", "1选项", "第2题", "3", "17(1)", "17(2)"],
         ["001", "G001", "张三", "一中", "1班", "A", 5, 8, 7, 9],
         ["002", "G002", "李四", "S1", "1班", "C", 0, 3, None, None]]
CHINESE = [["考号", "学籍号", "姓名", "学校", "班级", "1", "2"],
           ["001", "G001", "张三", "一中", "1班", 3, 80],
           ["002", "G002", "李四", "S1", "1班", 0, 71]]


def _waits(exam: str) -> str:
    return f"another import is writing to {exam}; waiting for it to finish …"



@pytest.fixture()
def pg_district(pg_cluster, district_pg):
    """A private PostgreSQL copy of the district (roster, exam E1)."""
    url = pg_cluster.create_database(template=district_pg)
    yield url
    pg_cluster.drop_database(url)


def _in_thread(work, done: list[object]) -> threading.Thread:
    def run() -> None:
        try:
            done.append(work())
        except Exception as exc:  # the test asserts on it
            done.append(exc)
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_imports_into_one_exam_take_turns(pg_district, tmp_path, monkeypatch):
    """Two score sheets of exam E1 (数学, 语文), each in its own session: the first, inside its
    transaction (its exam's lock held), is kept from finishing by a session that holds
    ``import_log`` in SHARE mode; the second says it waits for E1, makes its plan again once the
    first has committed, and both land."""
    from eduquality.ingest import api

    events: list[tuple[str, str]] = []
    real_plan = api.plan_scores

    def plan_scores(*args, **kwargs):
        events.append((args[5], "plan"))
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(api, "plan_scores", plan_scores)
    maths = write_rows(tmp_path / "数学.xlsx", MATHS, sheet="数学")
    chinese = write_rows(tmp_path / "语文.xlsx", CHINESE, sheet="语文")
    first, second = open_database(pg_district), open_database(pg_district)
    watch = psycopg.connect(pg_district, autocommit=True)
    blocker = psycopg.connect(pg_district)                    # a transaction until commit()
    blocker.execute("LOCK TABLE import_log IN SHARE MODE")
    done_first: list[object] = []
    done_second: list[object] = []
    a = _in_thread(lambda: import_scores(first, maths, "E1", "数学", lang="en",
                                         progress=lambda m: events.append(("数学", m))),
                   done_first)
    blocked = ("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'relation' "
               "AND relation = 'import_log'::regclass")
    assert until(lambda: watch.execute(blocked).fetchone()[0] == 1)   # 数学 is writing
    b = _in_thread(lambda: import_scores(second, chinese, "E1", "语文", lang="en",
                                         progress=lambda m: events.append(("语文", m))),
                   done_second)
    assert until(lambda: ("语文", _waits("E1")) in events)
    time.sleep(0.3)
    assert a.is_alive() and b.is_alive() and not done_first and not done_second
    blocker.commit()
    a.join(60)
    b.join(60)
    assert [r.outcome for r in (*done_first, *done_second)] == ["imported", "imported"]
    plans = [e for e in events if e[1] == "plan" or "waiting" in e[1]]
    assert [e for e in plans if e[0] == "数学"] == [("数学", "plan")]
    assert [e for e in plans if e[0] == "语文"] == [("语文", "plan"), ("语文", _waits("E1")),
                                                   ("语文", "plan")]   # made again after
    rows = watch.execute("SELECT paper_id, count(*) FROM item_score GROUP BY 1 ORDER BY 1")
    assert rows.fetchall() == [("E1/chinese", 4), ("E1/math", 10)]
    logged = watch.execute("SELECT target FROM import_log WHERE kind = 'scores' "
                           "ORDER BY import_id").fetchall()
    assert logged == [("E1/数学",), ("E1/语文",)]
    for c in (watch, blocker):
        c.close()
    first.close()
    second.close()


def test_imports_into_two_exams_proceed(pg_district, tmp_path):
    """While another session holds exam E1's lock, a paper file naming E1 only inside (no
    ``--exam``) waits for E1, and a paper file of exam E2 is imported meanwhile; E1's lands once
    the lock is released."""
    e1 = write_xlsx(tmp_path / "试卷E1.xlsx", {"考试信息": EXAM, "试卷结构": ITEMS})
    exam2 = EXAM.copy()
    exam2.loc[exam2["字段"] == "考试代码", "值"] = "E2"
    exam2.loc[exam2["字段"] == "考试名称", "值"] = "2021学年九年级期中"
    e2 = write_xlsx(tmp_path / "试卷E2.xlsx", {"考试信息": exam2, "试卷结构": ITEMS})
    first, second = open_database(pg_district), open_database(pg_district)
    other = psycopg.connect(pg_district, autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s)", [exam_lock("E1").key])
    said: list[str] = []
    done: list[object] = []
    waiting = _in_thread(lambda: import_paper(first, e1, lang="en", force=True,
                                              progress=said.append), done)
    assert until(lambda: _waits("E1") in said)
    other_said: list[str] = []
    result = import_paper(second, e2, lang="en", progress=other_said.append)
    assert result.outcome == "imported" and not any("waiting" in m for m in other_said)
    assert second.scalar("SELECT count(*) FROM item WHERE paper_id LIKE 'E2/%'") == len(ITEMS)
    assert waiting.is_alive() and not done                     # E1's still waits
    other.execute("SELECT pg_advisory_unlock(%s)", [exam_lock("E1").key])
    waiting.join(60)
    assert [r.outcome for r in done] == ["imported"]
    assert said.count(_waits("E1")) == 1
    other.close()
    first.close()
    second.close()


def test_rosters_take_turns_and_with_exam_their_exams_turn(pg_district, tmp_path):
    """A roster with ``--exam E1`` (it registers 考号) waits for E1's lock; a roster without
    waits for the rosters' lock (module docstring of eduquality.store.imports)."""
    from eduquality.store.imports import ImportLock

    students = STUDENTS.assign(考号=[f"00{i}" for i in range(1, 7)])
    with_exam = write_xlsx(tmp_path / "名册考号.xlsx", {"学生": students})
    plain = write_xlsx(tmp_path / "名册.xlsx", {"学生": STUDENTS.assign(姓名="改名")})
    db = open_database(pg_district)
    other = psycopg.connect(pg_district, autocommit=True)
    for lock, path, exam, label in ((exam_lock("E1"), with_exam, "E1", "E1"),
                                    (ImportLock("roster"), plain, None, "roster")):
        other.execute("SELECT pg_advisory_lock(%s)", [lock.key])
        said: list[str] = []
        done: list[object] = []
        waiting = _in_thread(lambda p=path, e=exam, s=said: import_roster(
            db, p, exam=e, year="2021-2022", lang="en", progress=s.append), done)
        assert until(lambda s=said, lb=label: _waits(lb) in s)
        time.sleep(0.2)
        assert waiting.is_alive() and not done
        other.execute("SELECT pg_advisory_unlock(%s)", [lock.key])
        waiting.join(60)
        assert [r.outcome for r in done] == ["imported"]
    assert db.scalar("SELECT count(*) FROM exam_registration WHERE exam_id = 'E1'") == 6
    assert db.scalar("SELECT count(*) FROM student WHERE name = '改名'") == 6
    other.close()
    db.close()


def test_a_plan_made_before_another_import_committed_is_made_again(any_district, tmp_path,
                                                                    monkeypatch):
    """Without any wait (one thread, both stores): while the 数学 import checks its file, the 语文
    import of the same exam commits; the 数学 import then makes its plan again inside its write
    transaction, and both land."""
    from eduquality.ingest import api

    maths = write_rows(tmp_path / "数学.xlsx", MATHS, sheet="数学")
    chinese = write_rows(tmp_path / "语文.xlsx", CHINESE, sheet="语文")
    made: list[str] = []
    real_plan = api.plan_scores

    def plan_scores(*args, **kwargs):
        made.append(args[5])
        plan = real_plan(*args, **kwargs)
        if made == ["数学"]:                 # meanwhile, another import commits
            import_scores(any_district, chinese, "E1", "语文")
        return plan

    monkeypatch.setattr(api, "plan_scores", plan_scores)
    result = import_scores(any_district, maths, "E1", "数学")
    assert result.outcome == "imported" and made == ["数学", "语文", "数学"]
    got = any_district.sql("SELECT paper_id, count(*) AS n FROM item_score GROUP BY 1 ORDER BY 1")
    assert [tuple(r) for r in got.itertuples(index=False)] == [("E1/chinese", 4), ("E1/math", 10)]


def test_a_score_import_checks_its_own_papers_only(any_district, tmp_path, monkeypatch):
    """The integrity check of a score import looks at the file's papers (issue 12: not every
    item score the database holds). A stale over-full 语文 score, left by an older release
    around the check, does not stop the 数学 import, and the check was given 数学's paper; a
    write that names no papers still finds it."""
    from eduquality.store.db import IntegrityError

    import_scores(any_district, write_rows(tmp_path / "语文.xlsx", CHINESE, sheet="语文"),
                  "E1", "语文")
    any_district.con.execute("UPDATE item_score SET score = 999 WHERE paper_id = 'E1/chinese'")
    scopes: list[object] = []
    real_check = any_district.check_integrity

    def check(papers=None):
        scopes.append(papers)
        real_check(papers=papers)

    monkeypatch.setattr(any_district, "check_integrity", check)
    result = import_scores(any_district, write_rows(tmp_path / "数学.xlsx", MATHS, sheet="数学"),
                           "E1", "数学")
    assert result.outcome == "imported" and scopes[-1] == ["E1/math"]
    assert any_district.scalar("SELECT count(*) FROM item_score WHERE paper_id = 'E1/math'") == 10
    with pytest.raises(IntegrityError, match="E1/chinese"), any_district.write() as con:
        con.execute("DELETE FROM item_score WHERE paper_id = 'E1/math'")
