"""The publication policy: what one document may show, decided once per document.

National rules (GLOSSARY, 'Rules on publishing results'):

- compulsory education (grades 1–9): results shown to parents and students as grades (等级),
  students not ranked (2021 MOE notice);
- no league tables of 中考/高考 results: units are always listed in a fixed order (peer group,
  then school code, then class id), never sorted by score, with bands instead of ranks; a public
  document on a 中考/高考 exam may not compare schools at all (2018 "十项严禁");
- documents are marked 内部资料 unless cleared for publication;
- students are minors: ID numbers are masked in every output (PIPL).

Each rule can be switched off in :class:`eduquality.config.PublicationPolicy` (all on by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from eduquality.config import PublicationPolicy
from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.results import ExamInfo
from eduquality.store.masking import mask_national_id
from eduquality.vocab import EXAM_TYPES

LEAGUE_EXAMS = frozenset({"zhongkao", "gaokao"})
"""Exam types whose results may never be published as comparisons of schools or students."""

MESSAGES = register({
    "reports.policy.no_league": (
        "{exam_type}成绩不得公开发布学校间比较（“十项严禁”：教育部门不得按{exam_type}成绩给学校排名，"
        "不得向学校提供其他学校的{exam_type}数据）。请去掉 --public 生成内部资料，或改为生成各校的学校报告。",
        "{exam_type} results may not be published as comparisons of schools (the 2018 'ten "
        "prohibitions': no ranking of schools by {exam_type} results, no handing a school other "
        "schools' data). Drop --public to produce an internal document, or produce school reports.",
    ),
})


class PublicationRefused(EduQualityError):
    """The document asked for would break the national rules on publishing results."""


def mask_id(value: object) -> str:
    """Mask an ID number (学籍号, 身份证号), keeping its first and last characters.

    The rule of :func:`eduquality.store.masking.mask_national_id` (IDs of 16 characters or more
    keep 4 at each end; shorter ones a quarter of their length), with '' for a missing ID.
    Masking a masked ID changes nothing.

    >>> mask_id("530102200801011234")
    '5301**********1234'
    >>> mask_id("G000123")
    'G*****3'
    >>> mask_id(None)
    ''
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return mask_national_id(str(value)) or ""


@dataclass(frozen=True)
class Disclosure:
    """What one document may show, from the policy, the exam and whether it is published."""

    internal: bool
    """Mark the document 内部资料."""
    student_ranks: bool
    """Student ranks and 百分等级 may appear (never in compulsory education or 中考/高考)."""
    family_scores: bool
    """Parents see raw scores; otherwise grades (等级) only (compulsory education)."""
    unit_comparisons: bool
    """Schools may be compared with each other in this document."""


def disclosure(policy: PublicationPolicy, exam: ExamInfo, public: bool = False) -> Disclosure:
    """Decide what a document on ``exam`` may show under ``policy``."""
    grades_only = policy.grades_not_ranks_compulsory and exam.compulsory
    league = policy.forbid_exam_league_tables and exam.exam_type in LEAGUE_EXAMS
    return Disclosure(
        internal=policy.mark_internal and not public,
        student_ranks=not (grades_only or league),
        family_scores=not grades_only,
        unit_comparisons=not (league and public),
    )


def require_unit_comparisons(d: Disclosure, exam: ExamInfo, lang: str) -> None:
    """Refuse a document comparing schools when the rules forbid it (public 中考/高考)."""
    if not d.unit_comparisons:
        raise PublicationRefused(tr("reports.policy.no_league", lang,
                                    exam_type=EXAM_TYPES.label(exam.exam_type, lang)))


def fixed_order(frame: pd.DataFrame, peer_of: Mapping[str, str | None]) -> pd.DataFrame:
    """Units in the fixed publication order: peer group, then school code, then class id.

    Never by score: a table in this order is not a league table. Subjects keep the order of
    the frame's first appearance.
    """
    out = frame.copy()
    keys: list[str] = []
    if "subject_code" in out:
        order = {s: i for i, s in enumerate(dict.fromkeys(out["subject_code"]))}
        out["_subject"] = out["subject_code"].map(order)
        keys.append("_subject")
    if "school_code" in out:
        peer = out["school_code"].map(lambda c: peer_of.get(c))
    elif "peer_group" in out:
        peer = out["peer_group"]
    else:
        peer = None
    if peer is not None:  # schools without a peer group come last
        out["_nopeer"] = peer.isna() | (peer.astype(str) == "")
        out["_peer"] = peer.fillna("").astype(str)
        keys += ["_nopeer", "_peer"]
    if "school_code" in out:
        keys.append("school_code")
    if "class_id" in out:
        keys.append("class_id")
    if not keys:
        return out
    out = out.sort_values(keys, kind="stable")
    helpers = [k for k in ("_subject", "_nopeer", "_peer") if k in out]
    return out.drop(columns=helpers).reset_index(drop=True)
