"""An exam analysis seen through one document's language and disclosure rules.

Holds the lookups every builder needs (display names, peer groups, subject of each paper) and
the methods appendix trimmed to the definitions a document uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

import pandas as pd

from eduquality.config import KnowledgeRules, PublicationPolicy, Settings
from eduquality.i18n import join_list
from eduquality.reports import labels as L
from eduquality.reports.policy import Disclosure, disclosure, mask_id
from eduquality.results import ExamAnalysis

RANK_TERMS = frozenset({"百分等级", "Percentile rank", "排名", "Rank", "名次"})
"""Methods-appendix terms about ranks, left out where ranks are not shown."""
UNIT_TERMS = frozenset({"比较", "Comparison", "置信区间", "Confidence interval", "标准差", "SD",
                        "三率", "Rates"})
"""Terms about units (their spread, rates and comparisons), left out of the student report."""
MEAN_TERMS = frozenset({"平均分", "Mean"})
ITEM_SECTIONS = frozenset({"items", "reliability", "options", "knowledge", "weak"})
"""Sections that need item scores (not shown for papers with subject totals only)."""


@dataclass
class View:
    analysis: ExamAnalysis
    lang: str = "zh"
    policy: PublicationPolicy = field(default_factory=PublicationPolicy)
    public: bool = False
    min_unit_n: int = 10
    knowledge: KnowledgeRules = field(default_factory=KnowledgeRules)
    generated: str = field(
        default_factory=lambda: datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M"))

    @cached_property
    def rules(self) -> Disclosure:
        return disclosure(self.policy, self.analysis.exam, self.public)

    @property
    def exam_title(self) -> str:
        return L.exam_title(self.analysis.exam, self.lang)

    @cached_property
    def subjects(self) -> list[str]:
        """Subject codes in paper order, 'total' last, only those with results."""
        have = set(self.analysis.summaries["district"]["subject_code"])
        return [s for s in self.analysis.exam.subjects if s in have]

    @cached_property
    def peer_of(self) -> dict[str, str | None]:
        """School code → peer group, from the students frame, else from the school rows
        (a reader who sees no student: :func:`~eduquality.store.redaction.restrict_analysis`)."""
        st = self.analysis.students
        if "peer_group" not in st or st.empty:
            st = self.analysis.summaries.get("school", pd.DataFrame())
        if "peer_group" not in st or st.empty:
            return {}
        pairs = st[["school_code", "peer_group"]].drop_duplicates("school_code")
        return {str(c): (None if pd.isna(p) else str(p))
                for c, p in zip(pairs["school_code"], pairs["peer_group"], strict=True)}

    @cached_property
    def paper_subject(self) -> dict[str, str]:
        """Paper → subject, from the students frame, else from the item statistics (a reader
        who sees no student)."""
        st = self.analysis.students
        if "paper_id" not in st or st.empty:
            st = self.analysis.items
        if "paper_id" not in st or "subject_code" not in st:
            return {}
        pairs = st[["paper_id", "subject_code"]].dropna().drop_duplicates("paper_id")
        return dict(zip(pairs["paper_id"].astype(str), pairs["subject_code"], strict=True))

    def subject(self, code: str) -> str:
        return L.subject(code, self.lang)

    def school(self, code: object) -> str:
        return self.analysis.names.get("school", {}).get(str(code), str(code))

    def class_name(self, class_id: object, with_school: bool = False) -> str:
        name = self.analysis.names.get("class", {}).get(str(class_id), str(class_id))
        if not with_school:
            return name
        st = self.analysis.students
        school = st.loc[st["class_id"] == class_id, "school_code"]
        return f"{self.school(school.iloc[0])} {name}" if len(school) else name

    @cached_property
    def identities(self) -> pd.DataFrame:
        """One row per student: student_id, school_code, class_id, name, masked national id.

        The national id is always masked here, whatever the analysis carries."""
        st = self.analysis.students
        cols = [c for c in ("student_id", "school_code", "class_id", "name", "national_id")
                if c in st]
        ids = st[cols].drop_duplicates("student_id").reset_index(drop=True)
        if "name" not in ids:
            ids["name"] = ""
        ids["national_id"] = (ids["national_id"].map(mask_id) if "national_id" in ids
                              else ids["student_id"].astype(str))
        return ids

    def methods(self, *, ranks: bool, units: bool = True, means: bool = True,
                sections: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """The analysis' definitions, without those about ranks, units or means when the
        document shows none, plus those of the sections it shows ('items', 'knowledge' …), and,
        where those sections need items, which subjects they do not apply to (papers with
        subject totals only: the workbook says so here, having no text blocks)."""
        a = self.analysis
        shown = {"items": not a.items.empty, "reliability": not a.reliability.empty,
                 "options": not a.options.empty, "knowledge": not a.knowledge.empty,
                 "weak": not a.weak_points.empty}
        out = L.analysis_methods(a.methods, self.lang)
        known = {t for t, _ in out}
        out += [m for m in L.methods([s for s in sections if shown.get(s)], self.lang,
                                     gap=round(100 * self.knowledge.min_gap))
                if m[0] not in known]
        not_applied = L.no_items(a, self.lang)
        if not_applied and set(sections) & ITEM_SECTIONS:
            out.append((L.text("method.no_items", self.lang), not_applied))
        if not ranks:
            out = [m for m in out if m[0] not in RANK_TERMS]
        if not units:
            out = [m for m in out if m[0] not in UNIT_TERMS]
        if not means:
            out = [m for m in out if m[0] not in MEAN_TERMS]
        return list(out)

    def meta(self) -> list[tuple[str, str]]:
        exam = self.analysis.exam
        rows = [(L.text("meta.exam", self.lang), self.exam_title),
                (L.text("meta.subjects", self.lang),
                 join_list((self.subject(s) for s in self.subjects), self.lang))]
        if exam.exam_date:
            rows.append((L.text("meta.date", self.lang), exam.exam_date))
        rows.append((L.text("meta.status", self.lang),
                     L.text("internal" if self.rules.internal else "public", self.lang)))
        rows.append((L.text("meta.generated", self.lang), self.generated))
        return rows


def make_view(analysis: ExamAnalysis, settings: Settings | None = None, lang: str | None = None,
              public: bool = False) -> View:
    """``analysis`` in ``lang`` under the settings' publication policy and knowledge rules.
    ``public``: this document is cleared for publication (a decision per document, made by
    whoever asks for it — not a setting)."""
    settings = settings or Settings()
    return View(analysis, lang or settings.lang, settings.publication, public,
                settings.min_unit_n, knowledge=settings.knowledge)
