"""The publication policy: masking, what each document may show, the fixed unit order."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eduquality.config import PublicationPolicy
from eduquality.reports.policy import (
    PublicationRefused,
    disclosure,
    fixed_order,
    mask_id,
    require_unit_comparisons,
)
from eduquality.results import ExamInfo


def exam(exam_type: str = "final", grade: int = 8) -> ExamInfo:
    return ExamInfo("E", "期末", exam_type, "district", "2021-2022", grade, None, ["math"])


def test_mask_id_examples():
    assert mask_id("530102200801011234") == "5301" + "*" * 10 + "1234"
    assert mask_id("G000123") == "G*****3"
    assert mask_id("ab") == "**"
    assert mask_id(None) == "" and mask_id(float("nan")) == ""
    assert mask_id(530102200801011234) == "5301" + "*" * 10 + "1234"


@given(st.text(alphabet="0123456789X", min_size=1, max_size=30))
def test_mask_id_hides_at_least_half_and_is_idempotent(s):
    m = mask_id(s)
    assert len(m) == len(s)
    assert m.count("*") >= len(s) / 2
    assert mask_id(m) == m
    keep = 4 if len(s) >= 16 else len(s) // 4
    assert m[:keep] == s[:keep] and (keep == 0 or m[-keep:] == s[-keep:])


def test_compulsory_results_are_grades_without_ranks():
    d = disclosure(PublicationPolicy(), exam(grade=8))
    assert not d.student_ranks and not d.family_scores
    assert d.internal and d.unit_comparisons


def test_senior_final_shows_scores_and_ranks():
    d = disclosure(PublicationPolicy(), exam(grade=11))
    assert d.student_ranks and d.family_scores


@pytest.mark.parametrize("exam_type", ["zhongkao", "gaokao"])
def test_no_league_tables_of_zhongkao_gaokao(exam_type):
    grade = 9 if exam_type == "zhongkao" else 12
    internal = disclosure(PublicationPolicy(), exam(exam_type, grade), public=False)
    public = disclosure(PublicationPolicy(), exam(exam_type, grade), public=True)
    assert not internal.student_ranks and not public.student_ranks
    assert internal.unit_comparisons and not public.unit_comparisons
    assert internal.internal and not public.internal
    with pytest.raises(PublicationRefused, match=r"高考|中考"):
        require_unit_comparisons(public, exam(exam_type, grade), "zh")
    with pytest.raises(PublicationRefused, match="may not be published"):
        require_unit_comparisons(public, exam(exam_type, grade), "en")


def test_policy_can_be_switched_off():
    off = PublicationPolicy(grades_not_ranks_compulsory=False, mark_internal=False,
                            forbid_exam_league_tables=False)
    d = disclosure(off, exam("gaokao", 12), public=True)
    assert d.student_ranks and d.family_scores and d.unit_comparisons and not d.internal
    assert disclosure(off, exam(grade=5)).student_ranks


def test_fixed_order_is_peer_group_then_code_never_score():
    frame = pd.DataFrame({
        "subject_code": ["math"] * 4 + ["chinese"] * 4,
        "school_code": ["S4", "S1", "S3", "S2"] * 2,
        "mean": [90, 10, 50, 70, 1, 2, 3, 4],
    })
    peers = {"S1": "B", "S2": "A", "S3": "A", "S4": None}
    out = fixed_order(frame, peers)
    assert list(out["subject_code"]) == ["math"] * 4 + ["chinese"] * 4
    # A: S2, S3; B: S1; ungrouped last: S4 — whatever the means
    assert list(out["school_code"]) == ["S2", "S3", "S1", "S4"] * 2
    shuffled = fixed_order(frame.sample(frac=1, random_state=3), peers)
    assert list(shuffled["school_code"][:4]) == ["S2", "S3", "S1", "S4"]


def test_policy_doctests():
    import doctest

    from eduquality.reports import policy

    assert doctest.testmod(policy).failed == 0


@given(st.lists(st.floats(0, 100), min_size=6, max_size=6),
       st.permutations(["S1", "S2", "S3", "S4", "S5", "S6"]))
@pytest.mark.slow
def test_fixed_order_ignores_scores_and_input_order(means, codes):
    peers = {"S1": "B", "S2": "A", "S3": "B", "S4": "A", "S5": None, "S6": "A"}
    frame = pd.DataFrame({"school_code": codes, "mean": means})
    assert list(fixed_order(frame, peers)["school_code"]) == ["S2", "S4", "S6", "S1", "S3", "S5"]


def test_fixed_order_puts_ungrouped_schools_last_even_after_chinese_names():
    frame = pd.DataFrame({"school_code": ["S3", "S1", "S2"], "mean": [1, 2, 3]})
    out = fixed_order(frame, {"S1": None, "S2": "城区公办", "S3": "A"})
    assert list(out["school_code"]) == ["S3", "S2", "S1"]
