"""Every layout of the corpus (:mod:`tests.ingest.corpus`) imports to the same database contents
as the canonical file, re-imports as 'unchanged', and each bad variant gives its located, grouped
message and leaves the database as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from eduquality.ingest import ImportProblems, import_paper, import_roster, import_scores
from eduquality.store import open_database
from tests.conftest import STORES
from tests.ingest import corpus as c
from tests.ingest.conftest import assert_unchanged, private_copy, snapshot

D = c.district()
S1 = set(D.students.loc[D.students["school_code"] == "S1", "national_id"])


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("corpus")


@pytest.fixture(scope="module")
def base_file(folder) -> Path:
    """The canonical roster and paper, and the 考号 of E1 registered from a 学籍 export."""
    _build_base(folder / "base.duckdb", folder)
    return folder / "base.duckdb"


def _copy(base: Path, tmp_path: Path, name: str = "d.duckdb"):
    path = tmp_path / name
    shutil.copy(base, path)
    return open_database(path)


def _build_base(location: str | Path, folder: Path) -> None:
    db = open_database(location)
    import_roster(db, c.write_sheets(folder / "名册.xlsx", c.roster_sheets(D)))
    import_paper(db, c.write_sheets(folder / "试卷.xlsx", c.paper_sheets()))
    import_roster(db, c.xueji_roster(D, folder / "学籍导出.xlsx"), year=c.YEAR, exam=c.EXAM_ID)
    db.close()


@pytest.fixture(scope="module")
def base_pg(pg_cluster, tmp_path_factory) -> str:
    """:func:`base_file` as a PostgreSQL database (the template of each test's copy)."""
    pg_cluster.create_database("eq_corpus")
    _build_base(pg_cluster.url("eq_corpus"), tmp_path_factory.mktemp("corpus_pg"))
    return "eq_corpus"


@pytest.fixture(params=STORES)
def db(request, tmp_path):
    """A private copy of the base, on each store."""
    yield from private_copy(request, request.param, "base_file", "base_pg", tmp_path)


def results(db, paper: str | None = "E1/math") -> pd.DataFrame:
    where = "WHERE r.paper_id = ?" if paper else ""
    return db.sql(f"""SELECT s.national_id, r.paper_id, r.status, r.score
                      FROM subject_result r JOIN student s USING (student_id) {where}
                      ORDER BY 1, 2, 3, 4""", [paper] if paper else None).reset_index(drop=True)


def item_scores(db) -> pd.DataFrame:
    return db.sql("""SELECT s.national_id, i.seq, i.score FROM item_score i
                     JOIN student s USING (student_id) ORDER BY 1, 2, 3""").reset_index(drop=True)


@pytest.fixture(scope="module")
def canonical(base_file, tmp_path_factory) -> dict[str, pd.DataFrame]:
    """What the documented files give: 数学 results and item scores; all subject totals."""
    tmp = tmp_path_factory.mktemp("canonical")
    db = _copy(base_file, tmp, "items.duckdb")
    import_scores(db, c.canonical_items(D, tmp / "数学.xlsx"), c.EXAM_ID)
    out = {"math": results(db), "items": item_scores(db)}
    db.close()
    db = _copy(base_file, tmp, "totals.duckdb")
    import_scores(db, c.canonical_totals(D, tmp / "成绩.xlsx"), c.EXAM_ID)
    out["totals"] = results(db, None)
    db.close()
    return out


@pytest.mark.slow
def test_canonical_matches_the_hand_computed_scores(canonical):
    """The reference itself against the data it was written from (best of 19/20 counted once)."""
    got = canonical["math"].set_index("national_id")["score"]
    want = pd.Series(D.math_score().to_numpy(), index=D.students["national_id"])
    pd.testing.assert_series_equal(got, want, check_names=False)
    assert (canonical["math"]["status"] == "absent").sum() == len(c.ABSENT)


def _imports_like_canonical(db, paths: list[Path], canonical, subset: set[str] | None = None,
                            subject: str | None = "数学", items: bool = True) -> list:
    out = [import_scores(db, p, c.EXAM_ID, subject) for p in paths]
    want_math = canonical["math"]
    want_items = canonical["items"]
    if subset is not None:
        want_math = want_math[want_math["national_id"].isin(subset)].reset_index(drop=True)
        want_items = want_items[want_items["national_id"].isin(subset)].reset_index(drop=True)
    pd.testing.assert_frame_equal(results(db), want_math)
    if items:
        pd.testing.assert_frame_equal(item_scores(db), want_items)
    before = snapshot(db)
    again = [import_scores(db, p, c.EXAM_ID, subject) for p in paths]
    assert {r.outcome for r in again} == {"unchanged"}
    after = snapshot(db)
    for t in before:
        if t != "import_log":
            pd.testing.assert_frame_equal(after[t], before[t], obj=t)
    return out


# -- layouts that import to the canonical contents -------------------------------------------
@pytest.mark.slow
def test_02_marking_groups_formulas_remarks_exam_numbers(db, tmp_path, canonical):
    path = c.marking_groups(D, tmp_path / "阅卷系统导出.xlsx")
    (result,) = _imports_like_canonical(db, [path], canonical)
    assert result.outcome == "imported"


@pytest.mark.slow
def test_03_marking_choice_groups_ranks_identity_by_name(db, tmp_path, canonical):
    path = c.marking_choice_rank(D, tmp_path / "数学.xlsx")
    (result,) = _imports_like_canonical(db, [path], canonical, subject=None)
    ignored = " ".join(result.note_lines("zh"))
    for column in ("班级排名", "学校名次", "等级"):
        assert column in ignored


@pytest.mark.slow
def test_04_subject_over_paper_parts_over_items(db, tmp_path, canonical):
    _imports_like_canonical(db, [c.marking_three_rows(D, tmp_path / "三行表头.xlsx")], canonical,
                            subject=None)


@pytest.mark.slow
def test_05_one_file_per_school(db, tmp_path, canonical):
    _imports_like_canonical(db, c.per_school(D, tmp_path / "各校"), canonical, subject=None)


@pytest.mark.slow
def test_06_title_block_and_notes_under_the_table(db, tmp_path, canonical):
    _imports_like_canonical(db, [c.title_block(D, tmp_path / "登记表.xlsx")], canonical,
                            subset=S1, subject=None)


@pytest.mark.slow
def test_07_subject_totals_gbk_csv_school_names(db, tmp_path, canonical):
    import_scores(db, c.totals_gbk_csv(D, tmp_path / "总分.csv"), c.EXAM_ID)
    pd.testing.assert_frame_equal(results(db, None), canonical["totals"])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["总分.txt", "总分.csv"])  # as saved, or renamed .csv
def test_13_excel_unicode_text_utf16_tab(db, tmp_path, canonical, name):
    import_scores(db, c.totals_unicode_text(D, tmp_path / name), c.EXAM_ID)
    pd.testing.assert_frame_equal(results(db, None), canonical["totals"])


@pytest.mark.slow
def test_14_semicolon_csv_with_a_quoted_remark(db, tmp_path, canonical):
    result = import_scores(db, c.totals_semicolon_csv(D, tmp_path / "总分.csv"), c.EXAM_ID)
    pd.testing.assert_frame_equal(results(db, None), canonical["totals"])
    assert [m.columns[-1] for m in result.mapping] == [("I", "备注", "remark")]


@pytest.mark.slow
def test_08_item_level_utf8_bom_csv(db, tmp_path, canonical):
    _imports_like_canonical(db, [c.items_bom_csv(D, tmp_path / "小题分.csv")], canonical)


@pytest.mark.slow
def test_09_xls_written_by_libreoffice(db, tmp_path, canonical):
    xls = c.to_xls(c.canonical_items(D, tmp_path / "数学.xlsx"), tmp_path / "xls")
    assert xls.suffix == ".xls" and xls.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # OLE2
    _imports_like_canonical(db, [xls], canonical, subject=None)


@pytest.mark.slow
def test_10_option_letters_scored_from_the_key(db, tmp_path, canonical):
    _imports_like_canonical(db, [c.letters_with_key(D, tmp_path / "数学.xlsx")], canonical,
                            subject=None)
    chosen = db.sql("""SELECT choice FROM item_score JOIN student USING (student_id)
                       WHERE national_id = 'G0001' ORDER BY seq""")["choice"].tolist()[:4]
    assert chosen == D.choices.iloc[0].tolist()


@pytest.mark.slow
def test_11_xueji_export_same_roster_as_canonical(folder, tmp_path, command_db):
    want = open_database(tmp_path / "want.duckdb")
    import_roster(want, c.write_sheets(tmp_path / "名册.xlsx", c.roster_sheets(D)))
    got = open_database(command_db)
    import_roster(got, c.write_sheets(tmp_path / "基础.xlsx", c.base_roster_sheets(D)))
    result = import_roster(got, c.xueji_roster(D, tmp_path / "学籍导出.xlsx"), year=c.YEAR)
    query = {
        "student": "SELECT national_id, name, gender FROM student ORDER BY 1, 2, 3",
        "class": "SELECT school_code, year_code, grade, name FROM class ORDER BY 1, 2, 3, 4",
        "membership": """SELECT s.national_id, k.school_code, k.name FROM class_membership m
                         JOIN student s USING (student_id) JOIN class k USING (class_id)
                         ORDER BY 1, 2, 3""",
    }
    for what, sql in query.items():
        pd.testing.assert_frame_equal(got.sql(sql), want.sql(sql), obj=what)
    notes = " ".join(result.note_lines("zh"))
    for column in ("考号", "联系电话", "序号", "备注"):
        assert column in notes
    assert import_roster(got, tmp_path / "学籍导出.xlsx", year=c.YEAR).outcome == "unchanged"
    want.close()
    got.close()


@pytest.mark.slow
def test_11_xueji_export_registers_exam_numbers(db):
    got = db.sql("""SELECT s.national_id, r.exam_number FROM exam_registration r
                    JOIN student s USING (student_id) WHERE r.exam_id = 'E1' ORDER BY 1""")
    assert got["exam_number"].tolist() == D.students["exam_number"].tolist()


@pytest.mark.slow
def test_12_subject_level_paper_takes_totals(folder, tmp_path, canonical, command_db):
    db = open_database(command_db)
    import_roster(db, c.write_sheets(tmp_path / "名册.xlsx", c.roster_sheets(D)))
    import_paper(db, c.write_sheets(tmp_path / "中考试卷.xlsx", c.paper_sheets(subject_level=True)))
    import_scores(db, c.subject_level_totals(D, tmp_path / "成绩.xlsx"), c.EXAM_ID)
    pd.testing.assert_frame_equal(results(db, None), canonical["totals"])
    db.close()


# -- bad variants: located, grouped, nothing written -----------------------------------------
def _fails(db, path: Path, subject: str | None = "数学", **kw) -> ImportProblems:
    before = snapshot(db)
    with pytest.raises(ImportProblems) as err:
        if kw.pop("roster", False):
            import_roster(db, path, **kw)
        else:
            import_scores(db, path, c.EXAM_ID, subject, **kw)
    assert_unchanged(db, before)
    return err.value


@pytest.mark.slow
def test_bad_score_above_full_marks_in_many_rows_is_one_grouped_line(db, tmp_path):
    path = c.marking_groups(D, tmp_path / "超满分.xlsx", over_full_rows=range(0, 5))
    err = _fails(db, path)
    assert {p.row for p in err.problems} == {3, 4, 5, 6, 7}   # data start under two header rows
    assert {p.value for p in err.problems} == {"6"}
    text = str(err)
    assert "第 3–7 行" in text and text.count("超过该题满分") == 1


@pytest.mark.slow
def test_bad_sum_column_disagrees(db, tmp_path):
    err = _fails(db, c.marking_groups(D, tmp_path / "总分不符.xlsx", bad_total_row=2))
    (p,) = err.problems
    assert p.row == 5 and "总分" in p.column


@pytest.mark.slow
def test_bad_unknown_school_name_in_score_sheet(db, tmp_path):
    err = _fails(db, c.marking_choice_rank(D, tmp_path / "数学.xlsx", unknown_school_row=3),
                 subject=None)
    assert [(p.row, p.value) for p in err.problems] == [(6, "华岭区第九中学")]


@pytest.mark.slow
def test_bad_unknown_school_name_in_roster(db, tmp_path):
    path = c.xueji_roster(D, tmp_path / "学籍导出.xlsx", unknown_school_row=4)
    err = _fails(db, path, roster=True, year=c.YEAR)
    assert [(p.row, p.value) for p in err.problems] == [(6, "华岭区第九中学")]


@pytest.mark.slow
def test_bad_two_students_alike_in_one_class(tmp_path, command_db):
    """Rows named by 姓名 + 学校 + 班级 that fit two students of the roster are refused, each
    naming both candidates by masked 学籍号."""
    twins = c.district(namesake=True)
    db = open_database(command_db)
    import_roster(db, c.write_sheets(tmp_path / "名册.xlsx", c.roster_sheets(twins)))
    import_paper(db, c.write_sheets(tmp_path / "试卷.xlsx", c.paper_sheets()))
    err = _fails(db, c.marking_choice_rank(twins, tmp_path / "数学.xlsx"), subject=None)
    assert {(p.row, p.value) for p in err.problems} == {(3, "张伟"), (4, "张伟")}
    text = err.problems[0].message("zh")
    assert "G***1" in text and "G***2" in text, text
    assert "G0001" not in text and "G0002" not in text   # masked
    db.close()


@pytest.mark.slow
def test_bad_total_column_of_gbk_csv(db, tmp_path):
    err = _fails(db, c.totals_gbk_csv(D, tmp_path / "总分.csv", mismatched_total_row=6),
                 subject=None)
    (p,) = err.problems
    assert p.row == 8 and "总分" in p.column
