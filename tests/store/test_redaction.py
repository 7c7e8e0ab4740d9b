"""Small-unit suppression on a real analysis: nothing a role sees gives a withheld unit back.

The attacker knows the hierarchy (which schools form a peer group, which classes a school has:
public facts) and every number the role is shown; for each additive quantity (valid and
registered counts, n·mean, n·rate for the four rates, knowledge-point points earned and
possible) it tries every linear combination of the sum relations (parent = Σ children), which
includes the plain attack of the issue: a peer group's n·mean minus the other school's.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.store.policy import scope_for
from eduquality.store.principals import Principal
from eduquality.store.redaction import restrict_analysis, withheld_units
from tests.factories import tiny_exam_db
from tests.measures.test_disclosure import derivable

LEADER = Principal(username="lead", role="leader")
RESEARCHER = Principal(username="res", role="researcher")
KEY = {"peer_group": "peer_group", "school": "school_code", "class": "class_id"}


@pytest.fixture(scope="module")
def cases():
    out = []
    for kwargs in (dict(), dict(n_per_class=9, seed=5, absent_share=0.3)):
        db = tiny_exam_db(**kwargs)
        out.append((db, analyse_exam(db, "E1", Settings())))
    return out


def hierarchy(full) -> list[tuple[str, list[str]]]:
    """Units as 'level:code'; the structure from the raw students frame and the class list."""
    st_ = full.students[["school_code", "class_id", "peer_group"]].drop_duplicates()
    peers = sorted(st_["peer_group"].dropna().unique())
    groups = [("district:all", [f"peer_group:{p}" for p in peers])]
    for p in peers:
        schools = sorted(st_.loc[st_["peer_group"] == p, "school_code"].unique())
        groups.append((f"peer_group:{p}", [f"school:{s}" for s in schools]))
    for s in sorted(st_["school_code"].unique()):
        classes = sorted(st_.loc[st_["school_code"] == s, "class_id"].unique())
        groups.append((f"school:{s}", [f"class:{c}" for c in classes]))
    return groups


def quantities(analysis) -> dict[tuple, dict[str, float]]:
    """Every additive quantity per unit that ``analysis`` shows (missing values left out)."""
    out: dict[tuple, dict[str, float]] = {}
    for level, frame in analysis.summaries.items():
        if level not in ("district", *KEY) or frame.empty:
            continue
        for _, row in frame.iterrows():
            unit = f"{level}:{'all' if level == 'district' else row[KEY[level]]}"
            n = row["n"]
            values = {"n": n, "n_registered": row["n_registered"], "sum": n * row["mean"]}
            for rate in ("excellent_rate", "good_rate", "pass_rate", "low_rate"):
                values[rate] = n * row[rate]
            for name, value in values.items():
                if not pd.isna(value):
                    out.setdefault((row["subject_code"], name), {})[unit] = float(value)
    k = analysis.knowledge
    for _, row in k.iterrows():
        for name in ("n", "earned", "possible"):
            if not pd.isna(row[name]):
                key = (row["paper_id"], row["kind"], row["knowledge_point"], name)
                out.setdefault(key, {})[f"{row['level']}:{row['unit']}"] = float(row[name])
    return out


def recovered(full, shown) -> set[tuple]:
    groups = hierarchy(full)
    found: set[tuple] = set()
    seen = quantities(shown)
    for key, truth in quantities(full).items():
        visible = seen.get(key, {})
        hidden = frozenset(u for u in truth if u not in visible)
        found |= {(key, u) for u in derivable(hidden, truth, groups, zeros_known=False)}
    return found


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.slow
@given(case=st.integers(0, 1), min_n=st.integers(1, 70))
def test_no_hidden_cell_recovered_from_what_a_leader_sees(cases, case, min_n):
    db, full = cases[case]
    shown = restrict_analysis(full, scope_for(db, LEADER), min_n)
    assert not recovered(full, shown)
    # and a public document, whoever makes it, withholds the same units
    public = restrict_analysis(full, scope_for(db, RESEARCHER), min_n, public=True)
    assert not recovered(full, public)
    for level in ("peer_group", "school"):
        a, b = shown.summaries[level], public.summaries[level]
        assert a["mean"].isna().tolist() == b["mean"].isna().tolist()


@pytest.mark.slow
def test_the_attacker_finds_what_primary_suppression_alone_leaves_open(cases):
    db, full = cases[0]
    # min 58: S1 and S3 are small; blanking just them gives S3 back as its peer group B
    shown = restrict_analysis(full, scope_for(db, LEADER), 0)
    schools = shown.summaries["school"].copy()
    small = schools["school_code"].isin(["S1", "S3"])
    schools[["n", "n_registered", "mean"]] = schools[["n", "n_registered", "mean"]].where(~small)
    shown.summaries["school"] = schools
    shown.knowledge = shown.knowledge.iloc[0:0]
    assert recovered(full, shown)


@pytest.mark.slow
def test_withheld_schools_show_no_head_count_nor_knowledge_point_rate(cases):
    db, full = cases[0]
    hidden = {code for level, code in withheld_units(full, 58) if level == "school"}
    assert hidden == {"S1", "S3"}
    shown = restrict_analysis(full, scope_for(db, LEADER), 58)
    schools = shown.summaries["school"]
    rows = schools[schools["school_code"].isin(hidden)]
    assert len(rows) == 6 and (rows["band"] == "too_few").all()
    numbers = rows.drop(columns=["subject_code", "school_code", "peer_group", "full_marks", "band"])
    assert numbers.isna().all().all()
    k = shown.knowledge
    assert not k[(k["level"] == "school") & k["unit"].isin(hidden)].any().any()
    assert set(k.loc[k["level"] == "school", "unit"]) == {"S2"}
    w = shown.weak_points
    assert w.empty or not w["unit"].isin(hidden).any()
    # peer groups A (S1 + S2) and B (S3 alone) are withheld with them
    assert shown.summaries["peer_group"]["mean"].isna().all()
    assert shown.summaries["district"]["mean"].notna().all()


@pytest.mark.slow
def test_researcher_sees_every_number_small_units_not_compared(cases):
    db, full = cases[0]
    shown = restrict_analysis(full, scope_for(db, RESEARCHER), 58)
    schools = shown.summaries["school"]
    assert schools["mean"].notna().all()
    assert (schools.loc[schools["n"] < 58, "band"] == "too_few").all()
    assert len(shown.knowledge) == len(full.knowledge)
