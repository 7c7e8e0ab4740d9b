"""The plan on the dashboard: the plan of the settings, each indicator's value, interval, path,
target and status as the indicator engine has them (values by hand in tests/analysis/test_plan),
for the bureau's roles."""

from __future__ import annotations

import textwrap

from fastapi.testclient import TestClient

from eduquality.config import PlanTarget, Settings
from eduquality.store.users import add_user
from eduquality.web.app import create_app
from tests.analysis.test_plan import PLAN
from tests.analysis.test_plan import db as plan_db  # noqa: F401  (the hand-built database)

PASSWORD = "correct-horse-9"


def _client(app, name):
    client = TestClient(app, follow_redirects=False)
    r = client.post("/login", data={"username": name, "password": PASSWORD})
    assert r.status_code == 303, r.text
    return client


def test_dashboard_shows_the_settings_plan(plan_db, tmp_path):  # noqa: F811
    path = tmp_path / "t.yaml"
    path.write_text(textwrap.dedent(PLAN), encoding="utf-8")
    add_user(plan_db, "res", "researcher", PASSWORD)
    add_user(plan_db, "pa", "principal", PASSWORD, school_code="A")
    app = create_app(plan_db, Settings(plan=PlanTarget(file=str(path))), secret="s")
    res = _client(app, "res")
    page = res.get("/dashboard").text
    latest = page[page.index("行动计划指标（最近一年）"):page.index("逐年进度")]
    # quality share 2019: 7/12 = 58.3 %, Wilson 95 % interval, below 60 but within it: at risk
    assert "58.3" in latest and "每年 ≥ 60" in latest and "有风险" in latest
    # 毛入学率 2019: 100.0 against the path 90.375 (1 decimal: 90.4) to 99 by 2022
    assert "100.0" in latest and "90.4" in latest and "2022 年达到 99" in latest
    # every year: 2018's 87.5 too; the goals: B's promotion (not 省一级一等 yet), internal
    every = page[page.index("逐年进度"):]
    assert "87.5" in every and "学校发展目标（内部资料）" in every
    en = res.get("/dashboard?lang=en").text
    assert "at risk" in en and "≥ 60 every year" in en
    # not for a school's roles: their home is not the dashboard
    assert _client(app, "pa").get("/dashboard").status_code == 404


def test_plan_file_is_a_setting(tmp_path):
    from eduquality.config import load_settings

    toml = tmp_path / "eq.toml"
    toml.write_text('[plan]\nfile = "out/plan.yaml"\n', encoding="utf-8")
    assert load_settings(toml, env={}).plan.file == "out/plan.yaml"
    assert Settings().plan.file == "wuhua-2019"


def test_plan_pages_by_role(plan_db, tmp_path):  # noqa: F811
    """/plan: every indicator's trajectory (a chart, the district's years and, for the
    per-school indicator and the one a goal ranks by, every school's) for the bureau;
    /plan/schools/{code}: a school's own, for its principal and the bureau; 404 (audited as
    denied) for any other school and for a school's roles on /plan."""
    path = tmp_path / "t.yaml"
    path.write_text(textwrap.dedent(PLAN), encoding="utf-8")
    add_user(plan_db, "res", "researcher", PASSWORD)
    add_user(plan_db, "pa", "principal", PASSWORD, school_code="A")
    app = create_app(plan_db, Settings(plan=PlanTarget(file=str(path))), secret="s")
    res, pa = _client(app, "res"), _client(app, "pa")
    page = res.get("/plan").text
    assert page.count('src="data:image/png;base64,') >= 5         # one chart per indicator
    # 建档立卡 dropouts per school: B's one in 2018 (off track), A's none (on track)
    by_school = page[page.index("D · 分学校"):]
    assert "甲中" in by_school and "乙中" in by_school and "未达进度" in by_school
    assert by_school.index("甲中") < by_school.index("乙中")          # school code, not value
    assert "内部资料" in page
    own = pa.get("/plan/schools/A").text
    assert "D · 本校逐年" in own and "甲中" in own and "乙中" not in own
    assert "data:image/png" in own
    assert res.get("/plan/schools/B").status_code == 200
    before = plan_db.scalar("SELECT count(*) FROM audit_log WHERE username = 'pa' "
                            "AND action = 'denied'")
    assert pa.get("/plan/schools/B").status_code == 404
    assert pa.get("/plan").status_code == 404
    assert plan_db.scalar("SELECT count(*) FROM audit_log WHERE username = 'pa' "
                          "AND action = 'denied'") == before + 2
    assert res.get("/plan/schools/NOPE").status_code == 404
    en = res.get("/plan?lang=en").text
    assert "every indicator year by year" in en
