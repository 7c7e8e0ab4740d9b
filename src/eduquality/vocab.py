"""Controlled vocabularies: the codes stored in the database and their Chinese/English labels.

The database stores short English codes; files and reports use the Chinese labels. ``aliases``
are other spellings found in the files schools send. Pure data: every layer may import it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Term:
    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


_BRACKETS = ("()", "[]", "【】", "〔〕", "〈〉", "《》")


def spelling_key(text: str) -> str:
    """``text`` as a vocabulary compares it: full-width forms as their ASCII (NFKC: ``（缺考）``
    → ``(缺考)``), without any space (``缺 考``, a full-width space), lower-case, and without
    brackets around the whole (``(缺考)``, ``【免考】``).

    >>> spelling_key(" （缺　考） "), spelling_key("Physics Track"), spelling_key("【免考】")
    ('缺考', 'physicstrack', '免考')
    """
    key = "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()
    while len(key) > 2 and key[0] + key[-1] in _BRACKETS:
        key = key[1:-1]
    return key


class Vocabulary:
    """A closed list of terms, looked up by code or by any label/alias, as
    :func:`spelling_key` compares spellings (case, spaces, full width and surrounding brackets
    do not matter)."""

    def __init__(self, name: str, terms: list[Term]) -> None:
        self.name = name
        self.terms = {t.code: t for t in terms}
        self._lookup: dict[str, str] = {}
        for t in terms:
            for key in map(spelling_key, (t.code, t.zh, t.en, *t.aliases)):
                if self._lookup.setdefault(key, t.code) != t.code:
                    raise ValueError(f"{name}: '{key}' spells {self._lookup[key]} and {t.code}")

    def codes(self) -> list[str]:
        return list(self.terms)

    def parse(self, text: str) -> str | None:
        """The code for ``text`` (a code, label or alias), or None when unknown."""
        return self._lookup.get(spelling_key(text))

    def spellings(self) -> list[str]:
        """Every text :meth:`parse` knows (codes, labels, aliases), as :func:`spelling_key`
        writes them."""
        return list(self._lookup)

    def label(self, code: str, lang: str = "zh") -> str:
        return self.terms[code].label(lang)

    def sql_in(self) -> str:
        """``('a','b',…)`` for CHECK constraints."""
        return "(" + ",".join(f"'{c}'" for c in self.terms) + ")"


CUT_LINES = Vocabulary("cut_line", [
    Term("一本", "一本", "tier-1 line", ("一本线", "本科一批", "本科第一批", "第一批本科", "重点线")),
    Term("二本", "二本", "tier-2 line", ("二本线", "本科二批", "本科第二批", "第二批本科")),
    Term("三本", "三本", "tier-3 line", ("三本线", "本科三批")),
    Term("专科", "专科", "college line", ("专科线", "高职专科", "专科（高职）")),
    Term("特控线", "特控线", "special control line",
         ("特殊类型招生控制线", "特殊类型招生控制分数线", "特殊类型控制线", "特控")),
    Term("本科批", "本科批", "undergraduate line", ("本科批次", "本科线", "本科批控制线")),
    Term("专科批", "专科批", "college batch line", ("专科批次", "专科批控制线")),
])
"""高考 lines as ``cut_line.line_code`` holds them: the old regime's 一本/二本/三本/专科 and the 3+1+2
regime's 特控线 (特殊类型招生控制线)/本科批/专科批. The lines importer stores the code of any
spelling listed here (a 特殊类型招生控制线 is stored as 特控线), and a line not listed as written;
reports label lines from here."""

REGIME_BRIDGE_TRACKS = {"理科": "物理类", "文科": "历史类"}
"""The bridge from the old regime's tracks to the 3+1+2 regime's (by track label): 物理类 is
calibrated on 理科 and 历史类 on 文科 where a 3+1+2 cohort's forecast or a rate series needs the
last old-regime cohort (2024 → 2025). The candidates do not match exactly (some 理科 students
would now choose 历史, and 化学/生物 with 历史 are possible), so the bridge is an assumption that
the reports state."""
REGIME_BRIDGE_LINES = {"一本": "特控线", "二本": "本科批", "专科": "专科批"}
"""The matching lines across the change (by line code): 特控线 (特殊类型招生控制线) takes the place
of 一本 as the line of the selective admissions, 本科批 that of 二本 (the undergraduate line),
专科批 that of 专科. The new lines are set by the province at their own rank shares, which are
not the old lines' shares: a rate carried across the change moves by that difference too."""


STAGES = Vocabulary("stage", [
    Term("primary", "小学", "primary"),
    Term("junior", "初中", "junior secondary", ("初级中学",)),
    Term("senior", "高中", "senior secondary", ("高级中学", "普通高中")),
    Term("complete", "完中", "complete secondary", ("完全中学",)),
    Term("nine_year", "九年一贯制", "nine-year school"),
    Term("twelve_year", "十二年一贯制", "twelve-year school"),
    Term("vocational", "中职", "vocational", ("中等职业学校", "职高", "中专")),
])

OWNERSHIP = Vocabulary("ownership", [
    Term("public", "公办", "public"),
    Term("private", "民办", "private"),
])

LOCALE = Vocabulary("locale", [
    Term("urban", "城区", "urban", ("城市", "城镇")),
    Term("town", "镇区", "town"),
    Term("rural", "乡村", "rural", ("农村",)),
])

GENDER = Vocabulary("gender", [
    Term("M", "男", "male", ("m", "1")),
    Term("F", "女", "female", ("f", "2")),
])

ENROLMENT_EVENTS = Vocabulary("enrolment_event", [
    Term("admission", "入学", "admission", ("新生入学",)),
    Term("transfer_in", "转入", "transfer in"),
    Term("transfer_out", "转出", "transfer out"),
    Term("suspension", "休学", "suspension"),
    Term("resumption", "复学", "resumption"),
    Term("dropout", "辍学", "dropout"),
    Term("return", "返校", "return after dropout", ("劝返",)),
    Term("graduation", "毕业", "graduation"),
])

FOLLOWUP_ACTIONS = Vocabulary("followup_action", [
    Term("contacted", "已联系", "contacted", ("联系", "家访", "已家访")),
    Term("returned", "已返校", "returned to school", ("返校", "劝返复学")),
    Term("transferred", "已转学（有证明）", "transferred (with proof)", ("转学", "已转学")),
    Term("other", "其他", "other"),
])
"""What a follow-up of a 控辍保学 alert records (``dropout_followup.action``)."""

DROPOUT_ALERTS = Vocabulary("dropout_alert", [
    Term("not_enrolled", "适龄未入学", "school-age child not enrolled"),
    Term("dropped_out", "辍学", "dropped out"),
    Term("unconfirmed_transfer", "转出未确认接收学校", "left without a confirmed receiving school"),
    Term("not_continued", "小学毕业未升学", "did not continue after primary school"),
    Term("long_absence", "长期缺勤", "long absence"),
])
"""Kinds of 控辍保学 alert (:func:`eduquality.analysis.dropout.alerts`), in the order listed."""

TEACHER_TIERS = Vocabulary("teacher_tier", [
    Term("backbone", "骨干教师", "backbone teacher", ("骨干",)),
    Term("district_master", "区级名师", "district master teacher"),
    Term("city_master", "市级名师", "city master teacher"),
    Term("province_master", "省级名师", "province master teacher"),
    Term("master_principal", "名校长", "master principal"),
])

STUDIO_KINDS = Vocabulary("studio_kind", [
    Term("studio", "名师工作室", "master teacher studio", ("工作室",)),
    Term("principal_base", "名校长基地", "master principal base", ("名校长工作室", "基地")),
])
"""三名工程 (issue 14 §1): a 名师工作室 led by a master teacher, a 名校长基地 by a principal."""

PROGRAMME_LEVELS = Vocabulary("programme_level", [
    Term("district", "区级", "district", ("区", "县级", "县")),
    Term("city", "市级", "city", ("市",)),
    Term("province", "省级", "province", ("省",)),
])

ACTIVITY_KINDS = Vocabulary("activity_kind", [
    Term("research", "教研", "teaching research", ("教研活动",)),
    Term("outreach", "送教", "outreach teaching", ("送教下乡", "送教活动")),
    Term("project", "课题", "research project", ("课题研究",)),
])

PARTNERSHIP_KINDS = Vocabulary("partnership_kind", [
    Term("merger", "名校融民校", "leading school joined with a private school", ("融合",)),
    Term("branch", "名校办分校", "leading school's branch", ("分校",)),
])
"""名校融民校 / 名校办分校 (issue 14 §4, the plan's §三.2)."""

SUPPORT_KINDS = Vocabulary("support_kind", [
    Term("grant", "国家助学金", "state grant", ("助学金",)),
    Term("fee_waiver", "免学费", "fee waiver", ("学费减免", "免费")),
    Term("living_allowance", "生活补助", "living allowance",
         ("寄宿生生活补助", "生活费补助")),
    Term("nutrition", "营养餐", "nutrition meals", ("营养改善计划",)),
    Term("other", "其他资助", "other support", ("其他",)),
])
"""资助 kinds of support for students of special groups (issue 14 §4)."""

EXAM_TYPES = Vocabulary("exam_type", [
    Term("monitoring", "质量监测", "quality monitoring", ("监测",)),
    Term("midterm", "期中", "midterm", ("期中考试",)),
    Term("final", "期末", "final", ("期末考试",)),
    Term("diag1", "一诊", "1st diagnostic"),
    Term("diag2", "二诊", "2nd diagnostic"),
    Term("diag3", "三诊", "3rd diagnostic"),
    Term("mock", "模拟", "mock", ("模拟考试", "一模", "模拟考")),
    Term("zhongkao", "中考", "zhongkao"),
    Term("gaokao", "高考", "gaokao"),
])

EXAM_SCOPES = Vocabulary("exam_scope", [
    Term("school", "校级", "school"),
    Term("district", "区级", "district", ("全区",)),
    Term("city", "市级", "city", ("全市",)),
    Term("province", "省级", "province", ("全省",)),
])

ITEM_TYPES = Vocabulary("item_type", [
    Term("objective", "客观题", "objective", ("客观", "选择题", "选择")),
    Term("subjective", "主观题", "subjective", ("主观", "解答题", "填空题")),
])

SUBJECT_STATUS = Vocabulary("subject_status", [
    Term("present", "正常", "present", ("参考",)),
    Term("absent", "缺考", "absent", ("缺", "-", "—", "／", "/", "缺席", "请假", "病假", "事假", "未考")),
    Term("cheating", "违纪", "disqualified", ("作弊", "舞弊")),
    Term("exempt", "免考", "exempt", ("免",)),
])

TRACKS = Vocabulary("track", [
    Term("arts", "文科", "arts", ("文",)),
    Term("science", "理科", "science", ("理",)),
    Term("physics", "物理类", "physics track", ("物理方向",)),
    Term("history", "历史类", "history track", ("历史方向",)),
])

SUBJECTS = Vocabulary("subject", [
    Term("chinese", "语文", "Chinese"),
    Term("math", "数学", "Mathematics"),
    Term("english", "英语", "English", ("外语",)),
    Term("physics", "物理", "Physics"),
    Term("chemistry", "化学", "Chemistry"),
    Term("biology", "生物", "Biology", ("生物学",)),
    Term("politics", "思想政治", "Politics", ("政治",)),
    Term("history", "历史", "History"),
    Term("geography", "地理", "Geography"),
    Term("morality", "道德与法治", "Morality and Law", ("道法",)),
    Term("science", "科学", "Science"),
    Term("pe", "体育", "Physical Education", ("体育与健康",)),
    Term("it", "信息技术", "Information Technology"),
    Term("tech", "通用技术", "General Technology"),
    Term("total", "总分", "Total"),
])

ROLES = Vocabulary("role", [
    Term("admin", "系统管理员", "administrator"),
    Term("researcher", "教研员", "researcher"),
    Term("leader", "局领导", "bureau leader"),
    Term("principal", "校长", "principal"),
    Term("teacher", "教师", "teacher"),
    Term("parent", "家长", "parent"),
])

GRADE_LABELS_ZH = {
    1: "一年级", 2: "二年级", 3: "三年级", 4: "四年级", 5: "五年级", 6: "六年级",
    7: "七年级", 8: "八年级", 9: "九年级", 10: "高一", 11: "高二", 12: "高三",
}
_GRADE_ALIASES = {
    "初一": 7, "初二": 8, "初三": 9, "高一": 10, "高二": 11, "高三": 12,
    "十年级": 10, "十一年级": 11, "十二年级": 12,
}


def parse_grade(text: object) -> int | None:
    """Grade 1–12 from '3', '三年级', '初二', '高三', 'Grade 9' …; None when unknown."""
    s = str(text).strip().replace(" ", "")
    if s.lower().startswith("grade"):
        s = s[5:]
    if s.isdigit() and 1 <= int(s) <= 12:
        return int(s)
    for grade, label in GRADE_LABELS_ZH.items():
        if s == label:
            return grade
    return _GRADE_ALIASES.get(s)


def grade_label(grade: int, lang: str = "zh") -> str:
    return GRADE_LABELS_ZH[grade] if lang != "en" else f"Grade {grade}"


def is_compulsory(grade: int) -> bool:
    """Grades 1–9 are compulsory education (义务教育): results as grades, no ranks."""
    return 1 <= grade <= 9


#: A school year starts on 1 September and ends on 31 August (the Ministry's school calendar:
#: 秋季学期 starts in September; the defaults below when a file states no dates).
SCHOOL_YEAR_START = (9, 1)


def school_year_of(day: date) -> str:
    """The school year containing ``day``: '2021-2022' from 2021-09-01 to 2022-08-31.

    >>> school_year_of(date(2022, 8, 31)), school_year_of(date(2022, 9, 1))
    ('2021-2022', '2022-2023')
    """
    start = day.year if (day.month, day.day) >= SCHOOL_YEAR_START else day.year - 1
    return f"{start}-{start + 1}"


def school_year_dates(year_code: str) -> tuple[date, date]:
    """Default first and last day of a school year ('2021-2022' → 2021-09-01, 2022-08-31)."""
    start = int(year_code[:4])
    first = date(start, *SCHOOL_YEAR_START)
    return first, date(start + 1, *SCHOOL_YEAR_START) - timedelta(days=1)
