"""The navigation links to the programmes' pages (issue 14 §5), beyond the fixed links of
``base.html``: a link is shown only to a role that may open its page, by the same check the
page makes —

- the bureau's roles (:func:`eduquality.web.dashboard.is_bureau`): 控辍保学 ``/dropout``, the
  action plan ``/plan``, the studios of the latest school year ``/programmes/{year}/studios``;
- a school's roles that see their school's aggregates (principal, teacher;
  :func:`eduquality.web.assessment.may_see_school`): the school's ``/dropout/schools/{code}``
  and ``/plan/schools/{code}``;
- 选科 of the latest 3+1+2 exam (:func:`eduquality.analysis.choices.latest_choice_exam`), when
  there is one: ``/choices/{exam}`` for the bureau, ``/choices/{exam}/schools/{code}`` for the
  school's roles above.
- 合格考 (学业水平合格性考试), when results are on record: ``/proficiency`` for the bureau,
  ``/proficiency/schools/{code}`` for the school's roles above.
- a teacher who hosts a 名师工作室 or is one of its members in the latest school year
  (:func:`eduquality.store.programmes.studio_members`, the studio page's own check): that
  studio's ``/programmes/{year}/studios/{id}``.
"""

from __future__ import annotations

from eduquality.analysis.choices import latest_choice_exam
from eduquality.i18n import register
from eduquality.store import Database
from eduquality.store.policy import Scope
from eduquality.store.proficiency import has_proficiency_results
from eduquality.store.programmes import studio_members
from eduquality.store.refs import school_years
from eduquality.web.assessment import may_see_school
from eduquality.web.dashboard import is_bureau

__all__ = ["nav_links"]

MESSAGES = register({
    "web.nav.dropout": ("控辍保学", "Keeping students in school"),
    "web.nav.plan": ("行动计划", "Action plan"),
    "web.nav.studios": ("名师工作室", "Studios"),
    "web.nav.choices": ("选科", "Subject choices"),
    "web.nav.proficiency": ("合格考", "Proficiency tests"),
    "web.nav.my_studio": ("我的工作室", "My studio"),
})


def _latest_year(db: Database) -> int | None:
    years = school_years(db)
    return None if years.empty else int(str(years["year_code"].iloc[-1])[:4])


def _own_studios(db: Database, scope: Scope) -> list[tuple[str, str]]:
    """The studios the signed-in teacher hosts or belongs to in the latest school year."""
    teacher = scope.principal.teacher_id
    year = _latest_year(db)
    if scope.principal.role != "teacher" or not teacher or year is None:
        return []
    members = studio_members(db, year)
    own = members.loc[members["teacher_id"] == teacher, "studio_id"].drop_duplicates()
    return [(f"/programmes/{year}/studios/{s}", "web.nav.my_studio") for s in own]


def nav_links(db: Database, scope: Scope) -> list[tuple[str, str]]:
    """(path, message key) of each programme link ``scope`` may follow (module docstring)."""
    if is_bureau(scope):
        links = [("/dropout", "web.nav.dropout"), ("/plan", "web.nav.plan")]
        year = _latest_year(db)
        if year is not None:
            links.append((f"/programmes/{year}/studios", "web.nav.studios"))
        exam = latest_choice_exam(db)
        if exam is not None:
            links.append((f"/choices/{exam}", "web.nav.choices"))
        if has_proficiency_results(db):
            links.append(("/proficiency", "web.nav.proficiency"))
        return links
    school = scope.principal.school_code
    links = []
    if school and may_see_school(scope, school):
        links = [(f"/dropout/schools/{school}", "web.nav.dropout"),
                 (f"/plan/schools/{school}", "web.nav.plan")]
        exam = latest_choice_exam(db)
        if exam is not None:
            links.append((f"/choices/{exam}/schools/{school}", "web.nav.choices"))
        if has_proficiency_results(db):
            links.append((f"/proficiency/schools/{school}", "web.nav.proficiency"))
    return links + _own_studios(db, scope)
