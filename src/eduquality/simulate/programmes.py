"""The simulated district's programmes (issue 14 §1, §4): 名师工作室 and 名校长基地 with members,
mentoring links, activities, training hours, rotations, the principal reserve, partner schools
and 资助 of special-group students, written as the workbook of ``eduquality template
programmes`` (``rosters/三名工程与结对资助.xlsx``, kind 'programmes' in the manifest), with its
truth kept apart (``truth/programmes.json``).

Model (synthetic): a studio per subject among 语文, 数学, 英语 for every master teacher (a teacher
with a 名师 tier), of the tier's level (区/市/省), from the first school year, with 4–9 members of
the same subject from other schools; each member mentors 0–3 teachers of the subject; each studio
holds 3–8 activities a year (教研, 送教 to a school of a member, 课题). Every teacher trains
24–96 hours a year, a quarter to a half of them 信息技术; one teacher in fifty rotates to another
school of the same stage for a year. A 名校长 enters the principal reserve. The strongest school
of each stage with a weaker school of the stage leads a 名校融民校 (private partner) or
名校办分校 partnership from the second year. Every 建档立卡 student receives a 生活补助 each year
(1,000–1,500 元), and half of them also 营养餐 (800 元) in compulsory grades.

Truth: each studio's members' mean true teacher effect (logits a year, the simulator's
``teachers.effect``), to be compared with the studio's estimated value-added; the partner pairs.
Nothing here changes the students' scores.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from eduquality.simulate.curriculum import SUBJECTS
from eduquality.simulate.manifest import Manifest, ManifestEntry
from eduquality.simulate.rng import stream
from eduquality.simulate.writers import Column, Sheet, write_xlsx

__all__ = ["FILE", "write_programmes"]

FILE = "rosters/三名工程与结对资助.xlsx"

_SUBJECT_CODE = {"语文": "chinese", "数学": "math", "英语": "english"}
_LEVEL = {"区级名师": "区级", "市级名师": "市级", "省级名师": "省级"}


def _col(values: list[object] | np.ndarray) -> np.ndarray:
    return np.asarray([None if v is None or v == "" else v for v in values], dtype=object)


_SHEETS: dict[str, tuple[str, list[tuple[str, str, bool]]]] = {
    "studio": ("工作室", [("studio_id", "工作室编号", False), ("name", "名称", False),
                       ("kind", "类型", False), ("host_teacher_id", "主持人工号", False),
                       ("subject_code", "学科", False), ("level", "级别", False),
                       ("start_date", "成立日期", False)]),
    "member": ("工作室成员", [("studio_id", "工作室编号", False), ("teacher_id", "教师工号", False),
                         ("joined", "加入日期", False)]),
    "mentoring": ("师徒结对", [("mentor_id", "导师工号", False), ("mentee_id", "学员工号", False),
                           ("studio_id", "工作室编号", False), ("start_date", "开始日期", False)]),
    "activity": ("工作室活动", [("studio_id", "工作室编号", False), ("activity_date", "日期", False),
                           ("kind", "活动类型", False), ("title", "主题", False),
                           ("school_code", "送教学校代码", False),
                           ("participants", "参与人数", True)]),
    "training": ("教师培训", [("teacher_id", "教师工号", False), ("year_code", "学年", False),
                          ("hours", "培训学时", True), ("it_hours", "信息技术学时", True)]),
    "rotation": ("交流轮岗", [("teacher_id", "教师工号", False), ("from_school", "原学校代码", False),
                          ("to_school", "交流学校代码", False), ("start_date", "开始日期", False),
                          ("end_date", "结束日期", False)]),
    "reserve": ("后备人才库", [("teacher_id", "教师工号", False), ("year_code", "入库学年", False)]),
    "partnership": ("结对学校", [("lead_school", "牵头学校代码", False),
                             ("partner_school", "结对学校代码", False), ("kind", "结对类型", False),
                             ("start_year", "起始年份", True)]),
    "support": ("学生资助", [("student_id", "学籍号", False), ("year_code", "学年", False),
                         ("kind", "资助类型", False), ("amount", "金额（元）", True)]),
}
"""The sheets as a bureau fills in the template of ``eduquality template programmes`` (its
sheet names and headers; the import's test reads this file back)."""


def _sheet(code: str, rows: list[dict[str, object]]) -> Sheet:
    name, columns = _SHEETS[code]
    frame = pd.DataFrame(rows, columns=[f for f, _, _ in columns])
    return Sheet(name, [Column(header, frame[f].to_numpy(dtype=float) if numeric
                               else _col(list(frame[f])))
                        for f, header, numeric in columns])


def write_programmes(m: Manifest, schools: pd.DataFrame, teachers: pd.DataFrame,
                     students: pd.DataFrame, membership: pd.DataFrame, seed: int) -> None:
    """Write the workbook and its truth (module docstring)."""
    rng = stream(seed, "programmes")
    years = list(m.years)
    first = years[0]
    start = f"{first[:4]}-09-01"
    stage = schools.set_index("school_code")["stage"]
    studios, members, mentoring, acts = [], [], [], []
    truth_studios = {}
    hosts = teachers[teachers["subject"].isin(list(_SUBJECT_CODE))
                     & teachers["tiers"].str.contains("名师")]
    used: set[str] = set(hosts["teacher_id"])
    for k, host in enumerate(hosts.to_dict("records")):
        sid = f"MS{k + 1:03d}"
        level = next(v for t, v in _LEVEL.items() if t in host["tiers"])
        studios.append({"studio_id": sid, "name": f"{host['name']}{host['subject']}名师工作室",
                        "kind": "名师工作室", "host_teacher_id": host["teacher_id"],
                        "subject_code": host["subject"], "level": level, "start_date": start})
        pool = teachers[(teachers["subject"] == host["subject"])
                        & (teachers["school_code"] != host["school_code"])
                        & ~teachers["teacher_id"].isin(list(used))]
        chosen = pool.sample(n=min(len(pool), int(rng.integers(4, 10))),
                             random_state=int(rng.integers(0, 2**31 - 1)))
        used |= set(chosen["teacher_id"])
        for t in chosen.to_dict("records"):
            members.append({"studio_id": sid, "teacher_id": t["teacher_id"], "joined": start})
            mentoring.append({"mentor_id": host["teacher_id"], "mentee_id": t["teacher_id"],
                              "studio_id": sid, "start_date": start})
            rest = teachers[(teachers["subject"] == host["subject"])
                            & ~teachers["teacher_id"].isin(list(used))]
            if len(rest):
                mentees = rest.sample(n=min(len(rest), int(rng.integers(0, 4))),
                                      random_state=int(rng.integers(0, 2**31 - 1)))
                used |= set(mentees["teacher_id"])
                mentoring += [{"mentor_id": t["teacher_id"], "mentee_id": e, "studio_id": sid,
                               "start_date": start} for e in mentees["teacher_id"]]
        team = [host["teacher_id"], *chosen["teacher_id"]]
        truth_studios[sid] = {
            "host": host["teacher_id"], "subject": _SUBJECT_CODE[host["subject"]],
            "members_mean_effect": round(float(teachers.set_index("teacher_id").loc[
                team, "effect"].mean()), 6)}
        visit = list(chosen["school_code"]) or [host["school_code"]]
        for y in years:
            for j in range(int(rng.integers(3, 9))):
                kind = ("教研", "送教", "课题")[int(rng.integers(0, 3))]
                day = pd.Timestamp(f"{y[:4]}-09-15") + pd.Timedelta(days=int(rng.integers(0,
                                                                                           280)))
                acts.append({"studio_id": sid, "activity_date": day.date().isoformat(),
                             "kind": kind, "title": f"{kind}活动{j + 1}",
                             "school_code": visit[int(rng.integers(0, len(visit)))]
                             if kind == "送教" else None,
                             "participants": float(rng.integers(10, 60))})
    principals = teachers[teachers["tiers"].str.contains("名校长")]
    for k, p in enumerate(principals.to_dict("records")):
        studios.append({"studio_id": f"MX{k + 1:03d}", "name": f"{p['name']}名校长基地",
                        "kind": "名校长基地", "host_teacher_id": p["teacher_id"], "subject_code": None,
                        "level": "区级", "start_date": start})
    n = len(teachers)
    training = []
    for y in years:
        hours = rng.integers(24, 97, n).astype(float)
        it = np.round(hours * rng.uniform(0.25, 0.5, n))
        training += [{"teacher_id": t, "year_code": y, "hours": h, "it_hours": i}
                     for t, h, i in zip(teachers["teacher_id"], hours, it, strict=True)]
    rotations = []
    moving = teachers[rng.random(n) < 0.02]
    for t in moving.to_dict("records"):
        same = [s for s in stage.index if stage[s] == stage[t["school_code"]]
                and s != t["school_code"]]
        if same:
            y = years[int(rng.integers(0, len(years)))]
            rotations.append({"teacher_id": t["teacher_id"], "from_school": t["school_code"],
                              "to_school": same[int(rng.integers(0, len(same)))],
                              "start_date": f"{y[:4]}-09-01", "end_date": f"{y[5:]}-07-15"})
    reserve = [{"teacher_id": t, "year_code": first} for t in principals["teacher_id"]]
    pairs = []
    if len(years) > 1:
        for st, g in schools[schools["stage"].isin(["primary", "junior"])].groupby("stage"):
            if len(g) < 3:
                continue
            order = g.sort_values("intake")
            lead, partner = order.iloc[-1], order.iloc[0]
            kind = "名校融民校" if partner["ownership"] == "private" else "名校办分校"
            pairs.append({"lead_school": lead["school_code"],
                          "partner_school": partner["school_code"], "kind": kind,
                          "start_year": float(years[1][:4]), "stage": st})
    support = []
    poor = set(students.loc[students["poverty"], "sid"])
    sid_nid = students.set_index("sid")["national_id"]
    for y in years:
        here = membership[(membership["year"] == y) & membership["sid"].isin(list(poor))]
        for r in here[["sid", "grade"]].drop_duplicates("sid").to_dict("records"):
            nid = sid_nid[r["sid"]]
            support.append({"student_id": nid, "year_code": y, "kind": "生活补助",
                            "amount": float(rng.integers(1000, 1501))})
            if int(r["grade"]) <= 9 and rng.random() < 0.5:
                support.append({"student_id": nid, "year_code": y, "kind": "营养餐",
                                "amount": 800.0})
    frames = {"studio": studios, "member": members, "mentoring": mentoring, "activity": acts,
              "training": training, "rotation": rotations, "reserve": reserve,
              "partnership": pairs, "support": support}
    path = m.out_dir / FILE
    write_xlsx(path, [_sheet(code, rows) for code, rows in frames.items()])
    m.add(ManifestEntry(FILE, "programmes", "xlsx",
                        description="三名工程、结对学校与学生资助（工作室、成员、带教、活动、培训、交流、后备、资助）"))
    folder = m.out_dir / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "programmes.json").write_text(json.dumps(
        {"studios": truth_studios,
         "partnerships": [{k: v for k, v in p.items() if k != "stage"} for p in pairs],
         "subjects": sorted(set(SUBJECTS) & set(_SUBJECT_CODE))},
        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
