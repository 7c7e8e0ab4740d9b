"""The files follow docs/file-formats.md: headers, values, encodings, manifest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from eduquality.simulate import Manifest
from eduquality.vocab import EXAM_TYPES, GRADE_LABELS_ZH, STAGES, SUBJECTS, TEACHER_TIERS
from tests.paths import DOCS

from .conftest import read

DOC = DOCS / "file-formats.md"
IDENTITY = ["考号", "学籍号", "姓名", "学校", "班级"]


def _roster_contract() -> dict[str, tuple[set[str], set[str]]]:
    """kind -> (required, optional) column names, parsed from the roster table of the doc."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Rosters", 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("kind", "---") or set(cells[0]) <= {"-"}:
            continue

        def names(cell: str) -> set[str]:
            """Column names; ``A/B`` (or ``A or B``) may be written as ``A/B``, ``A`` or ``B``;
            footnote marks are dropped."""
            cell = re.sub(r"\([^)]*\)|[¹²³⁴⁵⁶⁷⁸⁹⁰]", "", cell)
            cell = re.sub(r"\s+(?:and/or|or)\s+", "/", cell)
            out = set()
            for c in (c.strip() for c in cell.split(",") if c.strip()):
                out |= {c, *c.split("/")}
            return out

        required = names(cells[1])
        either = {c for c in required if "/" in c}   # one of them is required: both optional
        alternatives = {part for c in either for part in c.split("/")}
        out[cells[0]] = (required - alternatives, names(cells[2]) | alternatives)
    return out


def test_roster_sheets_carry_exactly_the_contract_columns(district):
    contract = _roster_contract()
    assert {"schools", "classes", "teachers", "students", "enrolment events"} <= set(contract)
    seen = set()
    for entry in district.of_kind("roster"):
        path = Path(district.out_dir) / entry.path
        if entry.format == "xlsx":
            sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="calamine")
        else:
            sheets = {"csv": read(district, entry)}
        for name, df in sheets.items():
            cols = set(df.columns)
            kinds = [k for k, (req, opt) in contract.items()
                     if {r for r in req if "/" not in r} <= cols <= req | opt]
            assert len(kinds) == 1, (entry.path, name, sorted(cols))
            seen.add(kinds[0])
    assert seen == {"district", "school years", "schools", "classes", "teachers", "assignments",
                    "students", "enrolment events", "district statistics"}


def test_roster_values_use_the_vocabulary(district):
    base = Path(district.out_dir) / district.of_kind("roster")[0].path
    sheets = pd.read_excel(base, sheet_name=None, dtype=str, engine="calamine")
    schools = sheets["学校"]
    assert schools["学段"].map(STAGES.parse).notna().all()
    assert set(schools["办学性质"]) <= {"公办", "民办"}
    assert set(schools["城乡"]) <= {"城区", "镇区", "乡村"}
    assert schools["学校代码"].is_unique and schools["学校名称"].is_unique
    parents = schools["上级学校代码"].dropna()
    assert len(parents) >= 1 and parents.isin(schools["学校代码"]).all()
    teachers = sheets["教师"]
    tiers = teachers["骨干/名师"].dropna().str.split("；").explode()
    assert tiers.map(TEACHER_TIERS.parse).notna().all()
    assert set(teachers["职称"]) <= {"未定级", "二级教师", "一级教师", "高级教师", "正高级教师"}
    assert teachers["任教学科"].map(SUBJECTS.parse).notna().all()
    students = read(district, district.of_kind("roster")[2])
    assert set(students["年级"]) <= set(GRADE_LABELS_ZH.values())
    for col in ("建档立卡", "残疾", "随迁子女", "留守儿童"):
        assert set(students[col]) <= {"是", "否"}
    assert students["学籍号"].is_unique  # one class per student and year


def test_papers_and_item_scores_agree(district):
    papers = {}
    for entry in district.of_kind("paper"):
        sheets = pd.read_excel(Path(district.out_dir) / entry.path, sheet_name=None, dtype=str,
                               engine="calamine")
        info = sheets["考试信息"]
        assert list(info.columns) == ["考试代码", "考试名称", "考试类型", "范围", "学年", "学期",
                                      "考试日期", "年级"]
        assert EXAM_TYPES.parse(info.loc[0, "考试类型"]) is not None
        assert list(sheets["试卷结构"].columns) == ["学科", "类别", "题号", "题型", "满分", "答案",
                                                  "知识点", "能力层级", "选做组", "选做数"]
        papers[entry.exam_id] = sheets["试卷结构"]
    n_item_files = 0
    for entry in district.of_kind("scores"):
        assert entry.exam_id in papers  # a paper file comes for every exam with scores
        paper = papers[entry.exam_id]
        if entry.level != "item":
            continue
        n_item_files += 1
        p = paper[(paper["学科"] == entry.subject)
                  & (paper["类别"].fillna("") == (entry.track or ""))]
        header = [0, 1] if entry.header_rows == 2 else 0
        df = read(district, entry, header=header)
        cols = [c[1] if isinstance(c, tuple) and not c[1].startswith("Unnamed") else
                (c[0] if isinstance(c, tuple) else c) for c in df.columns]
        assert cols[:5] == IDENTITY
        labels = [c.removesuffix("选项") for c in cols[5:]]
        assert labels == list(p["题号"]), entry.path
        marks = p["满分"].astype(float).to_numpy()
        for j, c in enumerate(df.columns[5:]):
            if str(cols[5 + j]).endswith("选项"):
                assert set(df[c].dropna()) <= {"A", "B", "C", "D", "缺考", "违纪"}
                continue
            v = pd.to_numeric(df[c], errors="coerce")
            assert (v.dropna() <= marks[j] + 1e-9).all() and (v.dropna() >= 0).all()
    assert n_item_files > 20


def test_totals_files(district):
    for entry in district.of_kind("scores"):
        if entry.level != "total":
            continue
        df = read(district, entry)
        assert list(df.columns[:5]) == IDENTITY
        subjects = list(df.columns[5:-1])
        assert df.columns[-1] == "总分"
        assert all(SUBJECTS.parse(s) is not None for s in subjects)
        body = df[~df["考号"].isin(["平均分", "最高分"])]
        values = body[subjects].apply(pd.to_numeric, errors="coerce")
        total = pd.to_numeric(body["总分"], errors="coerce")
        ok = total.notna()
        assert np.allclose(values[ok].fillna(0).sum(axis=1), total[ok])
        markers = set(body[subjects].stack()) - set(body[subjects].stack()[values.stack().notna()])
        assert markers <= {"缺考", "-", "违纪"}


def test_formats_are_a_mix(district):
    files = district.files
    fmt = {(f.format, f.encoding) for f in files}
    assert {("xlsx", None), ("csv", "gbk"), ("csv", "utf-8-sig")} <= fmt
    assert any(f.header_rows == 2 for f in files)
    gbk = next(f for f in files if f.encoding == "gbk")
    raw = (Path(district.out_dir) / gbk.path).read_bytes()
    raw.decode("gbk")
    try:
        raw.decode("utf-8")
        utf8_ok = True
    except UnicodeDecodeError:
        utf8_ok = False
    assert not utf8_ok  # really GBK, not UTF-8
    summary = [f for f in files if f.level == "total" and f.format == "xlsx"]
    tails = [read(district, f)["考号"].iloc[-2:].tolist() for f in summary]
    assert ["平均分", "最高分"] in tails


def test_manifest_lists_every_file_in_import_order(district):
    out = Path(district.out_dir)
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = [f["path"] for f in data["files"]]
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(listed) == {p for p in on_disk if not p.startswith("truth/")} - {"manifest.json"}
    kinds = [f["kind"] for f in data["files"]]
    last_roster = max(i for i, k in enumerate(kinds) if k == "roster")
    assert all(k == "roster" for k in kinds[:last_roster + 1])
    first_paper = {}
    for i, f in enumerate(data["files"]):
        if f["kind"] == "paper":
            first_paper.setdefault(f["exam_id"], i)
        if f["kind"] == "scores":
            assert first_paper[f["exam_id"]] < i
    assert {"cut_lines", "score_distribution"} <= set(kinds)
    again = Manifest.read(out)
    assert again.files == district.files and again.counts == district.counts


def test_gaokao_tables_are_consistent(district):
    for entry in district.of_kind("score_distribution"):
        d = read(district, entry).astype({"分数": float, "人数": int, "累计人数": int})
        assert list(d.columns) == ["年份", "省份", "考试", "科类", "分数", "人数", "累计人数"]
        assert (d["分数"].diff().dropna() < 0).all()
        assert (d["累计人数"] == d["人数"].cumsum()).all()
    for entry in district.of_kind("cut_lines"):
        lines = read(district, entry)
        assert list(lines.columns) == ["年份", "省份", "考试", "科类", "批次", "分数线"]
        if lines["考试"].iloc[0] == "高考":
            for _track, g in lines.groupby("科类"):
                one, two = (float(g.loc[g["批次"] == b, "分数线"].iloc[0]) for b in ("一本", "二本"))
                assert one > two
