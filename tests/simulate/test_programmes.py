"""The simulated district's programmes (issue 14): the workbook imports through the importer
(every sheet, no problem), it agrees with the truth kept apart, and the measures run on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eduquality.analysis.demo import _import_entry
from eduquality.analysis.programmes import mentoring_coverage
from eduquality.simulate.programmes import FILE
from eduquality.store import open_database


@pytest.fixture(scope="module")
def imported(district):
    db = open_database(":memory:")
    root = Path(district.out_dir)
    for entry in district.files:
        if entry.kind in ("roster", "programmes"):
            _import_entry(db, root, entry)
    yield db, json.loads((root / "truth" / "programmes.json").read_text(encoding="utf-8"))
    db.close()


def test_the_workbook_is_in_the_manifest_and_imports(district, imported):
    db, truth = imported
    assert [e.path for e in district.of_kind("programmes")] == [FILE]
    studios = db.con.execute("SELECT studio_id, kind, host_teacher_id FROM studio "
                             "WHERE kind = 'studio' ORDER BY 1").fetchall()
    assert [(s, h) for s, _, h in studios] == [(s, t["host"]) for s, t in
                                              sorted(truth["studios"].items())]
    assert db.scalar("SELECT count(*) FROM studio_member") > 0
    assert db.scalar("SELECT count(*) FROM teacher_training") == 2 * db.scalar(
        "SELECT count(*) FROM teacher")
    # support only for 建档立卡 students
    assert db.scalar("SELECT count(*) FROM student_support JOIN student USING (student_id) "
                     "WHERE NOT poverty_registered") == 0
    assert db.con.execute("SELECT partner_school, start_year FROM school_partnership "
                          "ORDER BY 1").fetchall() == sorted(
        (p["partner_school"], int(p["start_year"])) for p in truth["partnerships"])


def test_the_tree_of_the_simulated_district(imported):
    db, truth = imported
    m = mentoring_coverage(db, 2018)
    per_studio = m.by_studio[m.by_studio["level"] == 1].set_index("group")["reached"]
    # level 1 of a studio: its members (4–9), and the host's mentees are its members
    assert set(truth["studios"]) <= set(per_studio.index)
    assert all(4 <= per_studio[s] <= 9 for s in truth["studios"])
